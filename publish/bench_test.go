package publish

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/internal/synth"
)

// benchSizes are synthetic programmes of 1,000, 10,000 and 100,000
// sessions, so that growth shows.
var benchSizes = []synth.Size{{Days: 5, Rooms: 10, Slots: 20}, {Days: 50, Rooms: 10, Slots: 20}, {Days: 500, Rooms: 10, Slots: 20}}

func benchProgramme(b *testing.B, size synth.Size) (*agenda.Programme, []byte) {
	b.Helper()
	var buf bytes.Buffer
	if err := synth.Write(&buf, size); err != nil {
		b.Fatal(err)
	}
	p, problems := agenda.Parse("bench.yaml", buf.Bytes())
	if p == nil {
		b.Fatal(problems)
	}
	return p, buf.Bytes()
}

// BenchmarkFolder publishes every output (the programme, every track,
// every session) into a fresh folder.
func BenchmarkFolder(b *testing.B) {
	for _, size := range benchSizes {
		p, _ := benchProgramme(b, size)
		b.Run(fmt.Sprintf("sessions=%d", len(p.Sessions)), func(b *testing.B) {
			b.ReportAllocs()
			root := b.TempDir()
			i := 0
			for b.Loop() {
				i++
				if _, err := Folder(context.Background(), filepath.Join(root, fmt.Sprint(i)), p, Options{Now: day1}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			os.RemoveAll(root)
		})
	}
}

// BenchmarkUnchangedRebuild is what cron does every few minutes: parse the
// same programme and publish it over its previous build, which writes
// nothing.
func BenchmarkUnchangedRebuild(b *testing.B) {
	for _, size := range benchSizes {
		p, data := benchProgramme(b, size)
		b.Run(fmt.Sprintf("sessions=%d", len(p.Sessions)), func(b *testing.B) {
			dir := b.TempDir()
			if _, err := Folder(context.Background(), dir, p, Options{Now: day1}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				again, _ := agenda.Parse("bench.yaml", data)
				rep, err := Folder(context.Background(), dir, again, Options{Now: day1.Add(time.Hour)})
				if err != nil || rep.Written != 0 {
					b.Fatalf("rebuild wrote %d files: %v", rep.Written, err)
				}
			}
		})
	}
}
