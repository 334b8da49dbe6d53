package interop

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/publish"
)

// TestCaseBlindFileSystem publishes into a FAT file system (a disk image
// mounted with fusefat), which ignores the case of names: an id that
// changes only in case leaves the calendar just published, and a calendar
// whose name differs from a foreign file's only in case does not replace
// it.
func TestCaseBlindFileSystem(t *testing.T) {
	mkfs := need(t, "mkfs.vfat", "/sbin/mkfs.vfat", "/usr/sbin/mkfs.vfat")
	fusefat, fusermount := need(t, "fusefat"), need(t, "fusermount")
	work := t.TempDir()
	image, mnt := filepath.Join(work, "fat.img"), filepath.Join(work, "mnt")
	if err := os.WriteFile(image, make([]byte, 16<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mkfs, image).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.vfat: %v\n%s", err, out)
	}
	if out, err := exec.Command(fusefat, "-o", "rw+", image, mnt).CombinedOutput(); err != nil {
		if required() {
			t.Fatalf("fusefat: %v\n%s", err, out)
		}
		t.Skipf("this machine cannot mount a FAT image: %v", err)
	}
	t.Cleanup(func() { exec.Command(fusermount, "-u", mnt).Run() })
	probe := filepath.Join(mnt, "Probe")
	os.WriteFile(probe, nil, 0o644)
	if _, err := os.Stat(filepath.Join(mnt, "PROBE")); err != nil {
		t.Fatalf("the FAT mount is not case-blind: %v", err)
	}
	out := filepath.Join(mnt, "public")
	build := func(id string) error {
		src := "title: T\ntimezone: Europe/Belgrade\nuid_domain: fat.example.org\ndays:\n  - date: 2026-06-29\n    sessions:\n      - {time: 09:00-10:00, id: " + id + ", title: Opening}\n"
		p, problems := agenda.Parse("fat.yaml", []byte(src))
		if p == nil {
			t.Fatal(problems)
		}
		_, err := publish.Folder(context.Background(), out, p, publish.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Wait: time.Minute})
		return err
	}
	for _, id := range []string{"Opening", "opening"} {
		if err := build(id); err != nil {
			t.Fatalf("id %s: %v", id, err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(out, "sessions"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("sessions after a case-only change: %v (%v), want one file", entries, err)
	}
	data, err := os.ReadFile(filepath.Join(out, "sessions", "opening.ics"))
	if err != nil || !strings.Contains(string(data), "UID:opening@fat.example.org\r\n") {
		t.Errorf("the calendar just published is gone or stale (%v):\n%s", err, data)
	}
	foreign := filepath.Join(out, "sessions", "mine.ics")
	if err := os.WriteFile(foreign, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := build("MINE"); err == nil || !strings.Contains(err.Error(), "agendacal did not write it") {
		t.Errorf("a calendar onto a foreign file of another case: %v", err)
	}
	if data, _ := os.ReadFile(foreign); string(data) != "mine" {
		t.Errorf("the foreign file became %q", data)
	}
}
