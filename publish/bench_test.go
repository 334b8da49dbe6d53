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

// BenchmarkUnchangedRebuild is what cron does every few minutes: build
// the same programme again over its previous build. The programme file is
// read and its digest compared with the bookkeeping's head (UpToDate):
// nothing is decoded or rendered. Compare with agenda's BenchmarkYAMLDecode.
func BenchmarkUnchangedRebuild(b *testing.B) {
	for _, size := range synth.Sizes {
		p, data := benchProgramme(b, size)
		b.Run(fmt.Sprintf("sessions=%d", len(p.Sessions)), func(b *testing.B) {
			dir := b.TempDir()
			file := filepath.Join(b.TempDir(), "programme.yaml")
			if err := os.WriteFile(file, data, 0o644); err != nil {
				b.Fatal(err)
			}
			settings := []string{"bench"}
			if _, err := Folder(context.Background(), dir, p, Options{Now: day1, Source: &Source{Programme: string(data), Settings: settings}}); err != nil {
				b.Fatal(err)
			}
			readText := func(name string) (string, error) {
				data, err := os.ReadFile(name)
				return string(data), err
			}
			b.ReportAllocs()
			for b.Loop() {
				text, err := readText(file)
				if err != nil {
					b.Fatal(err)
				}
				if _, ok := UpToDate(dir, &Source{Programme: text, Settings: settings}, readText, day1.Add(time.Hour)); !ok {
					b.Fatal("the folder is not up to date")
				}
			}
		})
	}
}

// BenchmarkOneChangeRebuild builds a programme over its previous build
// with one session moved: the programme is decoded, every event rendered
// and compared, and the files holding the session written.
func BenchmarkOneChangeRebuild(b *testing.B) {
	for _, size := range synth.Sizes {
		_, data := benchProgramme(b, size)
		versions := [2][]byte{data, bytes.Replace(data, []byte("time: 07:00-07:30"), []byte("time: 07:05-07:30"), 1)}
		b.Run(fmt.Sprintf("sessions=%d", size.Sessions()), func(b *testing.B) {
			dir := b.TempDir()
			p, _ := agenda.Parse("bench.yaml", versions[0])
			if _, err := Folder(context.Background(), dir, p, Options{Now: day1}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				p, _ := agenda.Parse("bench.yaml", versions[i%2])
				rep, err := Folder(context.Background(), dir, p, Options{Now: day1.Add(time.Duration(i) * time.Hour)})
				if err != nil || rep.Written == 0 {
					b.Fatalf("wrote %d files: %v", rep.Written, err)
				}
			}
		})
	}
}
