package ical

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/internal/synth"
)

// benchProgrammes are synthetic programmes of 1,000, 10,000 and 100,000
// sessions, so that growth shows.
func benchProgrammes(b *testing.B) []*agenda.Programme {
	b.Helper()
	var out []*agenda.Programme
	for _, size := range synth.Sizes {
		p, _, err := synth.Parsed(size)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func benchOptions() Options { return Options{Stamp: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)} }

// BenchmarkEncodeProgramme writes the whole programme to an io.Writer, as
// 'agendacal build --out -' does.
func BenchmarkEncodeProgramme(b *testing.B) {
	for _, p := range benchProgrammes(b) {
		b.Run(fmt.Sprintf("sessions=%d", len(p.Sessions)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := NewEncoder(p, benchOptions()).Encode(io.Discard, Calendar{Sessions: p.Sessions, Feed: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
