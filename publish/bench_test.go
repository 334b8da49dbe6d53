package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/internal/synth"
)

func benchProgramme(b *testing.B, size synth.Size) (*agenda.Programme, []byte) {
	b.Helper()
	p, data, err := synth.Parsed(size)
	if err != nil {
		b.Fatal(err)
	}
	return p, data
}

// BenchmarkFolder publishes every output (the programme, every track,
// every session) into a fresh folder.
func BenchmarkFolder(b *testing.B) {
	for _, size := range synth.Sizes {
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
	for _, size := range synth.Sizes {
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
