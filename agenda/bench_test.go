package agenda_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/internal/synth"
)

// eachSize runs op once a loop on the YAML of each benchmark programme.
// (An external test package: synth parses programmes with agenda.)
func eachSize(b *testing.B, op func(b *testing.B, size synth.Size, data []byte)) {
	for _, size := range synth.Sizes {
		var buf bytes.Buffer
		if err := synth.Write(&buf, size); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(fmt.Sprintf("sessions=%d", size.Sessions()), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				op(b, size, data)
			}
		})
	}
}

// BenchmarkYAMLDecode is the floor the README compares with: yaml.v3
// decoding into a node tree, which Parse's fast reader replaces for the
// YAML programmes are written in.
func BenchmarkYAMLDecode(b *testing.B) {
	eachSize(b, func(b *testing.B, _ synth.Size, data []byte) {
		var n yaml.Node
		if err := yaml.Unmarshal(data, &n); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkParse decodes and validates a programme.
func BenchmarkParse(b *testing.B) {
	eachSize(b, func(b *testing.B, size synth.Size, data []byte) {
		if p, problems := agenda.Parse("bench.yaml", data); p == nil || len(p.Sessions) != size.Sessions() {
			b.Fatalf("%v", problems)
		}
	})
}

// BenchmarkParsePristina is 'agendacal check' of the example, less the
// process start.
func BenchmarkParsePristina(b *testing.B) {
	data, err := os.ReadFile("../examples/pristina.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if p, _ := agenda.Parse("pristina.yaml", data); p == nil {
			b.Fatal("the example does not parse")
		}
	}
}
