package ical

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

func publishProgramme(t *testing.T, titles ...string) *agenda.Programme {
	t.Helper()
	track := &agenda.Track{ID: "main", Name: "Main"}
	var sessions []*agenda.Session
	start := time.Date(2017, 6, 29, 6, 30, 0, 0, time.UTC)
	for i, title := range titles {
		sessions = append(sessions, &agenda.Session{ID: strings.ToLower(title), Title: title, Track: track,
			Start: start.Add(time.Duration(i) * time.Hour), End: start.Add(time.Duration(i+1) * time.Hour)})
	}
	p := testProgramme(t, sessions...)
	p.Tracks = []*agenda.Track{track}
	return p
}

// snapshot reads every file under dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		files[strings.TrimPrefix(path, dir)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func names(files map[string]string) []string {
	var out []string
	for k := range files {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func stampOptions() Options { return Options{Stamp: time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC)} }

func TestPublishWritesEveryCalendar(t *testing.T) {
	dir := t.TempDir()
	if err := Publish(dir, publishProgramme(t, "A", "B"), stampOptions(), 0); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(names(snapshot(t, dir)), " ")
	if want := "/.agendacal.lock /.agendacal.manifest /programme.ics /sessions/a.ics /sessions/b.ics /tracks/main.ics"; got != want {
		t.Errorf("files %s, want %s", got, want)
	}
	fi, err := os.Stat(filepath.Join(dir, "programme.ics"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("programme.ics mode %v (%v), want 0644 so a web server can read it", fi.Mode(), err)
	}
	// A session taken out of the programme loses its file; a calendar
	// agendacal did not write stays, and so does the leftover of no build.
	foreign := filepath.Join(dir, "sessions", "mine.ics")
	leftover := filepath.Join(dir, "sessions", ".a.ics.123"+tempSuffix)
	for _, f := range []string{foreign, leftover} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Publish(dir, publishProgramme(t, "A"), stampOptions(), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sessions", "b.ics")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sessions/b.ics is still there: %v", err)
	}
	if _, err := os.Stat(foreign); err != nil {
		t.Errorf("a calendar agendacal did not write was removed: %v", err)
	}
	if _, err := os.Stat(leftover); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the leftover of a killed build is still there: %v", err)
	}
}

// A build that fails, whatever the reason, leaves every file published
// before as it was and no temporary file behind.
func TestFailedPublishChangesNothing(t *testing.T) {
	tests := []struct {
		name  string
		block func(dir string) error
	}{
		{"a folder where a new session's file goes", func(dir string) error {
			return os.Mkdir(filepath.Join(dir, "sessions", "c.ics"), 0o755)
		}},
		{"a file where the tracks folder goes", func(dir string) error {
			if err := os.RemoveAll(filepath.Join(dir, "tracks")); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "tracks"), []byte("x"), 0o644)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Publish(dir, publishProgramme(t, "A", "B"), stampOptions(), 0); err != nil {
				t.Fatal(err)
			}
			if err := tt.block(dir); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			changed := publishProgramme(t, "A", "C")
			changed.Sessions[0].Title = "A, renamed"
			if err := Publish(dir, changed, Options{Stamp: time.Now()}, 0); err == nil {
				t.Fatal("Publish succeeded despite the obstacle")
			}
			after := snapshot(t, dir)
			if strings.Join(names(after), " ") != strings.Join(names(before), " ") {
				t.Fatalf("files changed:\nbefore %v\nafter  %v", names(before), names(after))
			}
			for name, data := range before {
				if after[name] != data {
					t.Errorf("%s changed", name)
				}
			}
		})
	}
}

func TestPublishIntoReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only folders; TestFailedPublishChangesNothing covers failed writes")
	}
	dir := t.TempDir()
	if err := Publish(dir, publishProgramme(t, "A"), stampOptions(), 0); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	for _, d := range []string{dir, filepath.Join(dir, "sessions"), filepath.Join(dir, "tracks")} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(d, 0o755)
	}
	if err := Publish(dir, publishProgramme(t, "A", "B"), stampOptions(), 0); err == nil {
		t.Fatal("Publish into a read-only folder succeeded")
	}
	if after := snapshot(t, dir); len(after) != len(before) || after["/programme.ics"] != before["/programme.ics"] {
		t.Errorf("the read-only folder changed")
	}
}

// Two builds into one folder take turns; one that cannot get the lock in
// time gives up with a BusyError and writes nothing.
func TestPublishLocks(t *testing.T) {
	dir := t.TempDir()
	if err := Publish(dir, publishProgramme(t, "A"), stampOptions(), 0); err != nil {
		t.Fatal(err)
	}
	unlock, err := lock(filepath.Join(dir, lockName), 0)
	if err != nil {
		t.Fatal(err)
	}
	err = Publish(dir, publishProgramme(t, "A", "B"), stampOptions(), 200*time.Millisecond)
	var busy *BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("Publish with the lock held: %v, want a BusyError", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sessions", "b.ics")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a build without the lock wrote sessions/b.ics")
	}
	unlock()

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Publish(dir, publishProgramme(t, "A", "B", "C"), stampOptions(), 30*time.Second)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("concurrent Publish: %v", err)
		}
	}
	want := strings.Join([]string{"/.agendacal.lock", "/.agendacal.manifest", "/programme.ics", "/sessions/a.ics", "/sessions/b.ics", "/sessions/c.ics", "/tracks/main.ics"}, " ")
	if got := strings.Join(names(snapshot(t, dir)), " "); got != want {
		t.Errorf("after concurrent builds: %s, want %s", got, want)
	}
}

func TestStageRefusesPathsOutsideTheFolder(t *testing.T) {
	dir := t.TempDir()
	for _, rel := range []string{"../x.ics", "/etc/x.ics", "sessions/../../x.ics"} {
		if _, err := stageFile(dir, rel, bufio.NewWriter(nil), func(io.Writer) error { return nil }); err == nil {
			t.Errorf("stage(%q) wrote outside the folder", rel)
		}
	}
}

// A file agendacal did not write is never replaced, even when a new
// session's calendar would take its name.
func TestPublishKeepsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	if err := Publish(dir, publishProgramme(t, "A"), stampOptions(), 0); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "sessions", "b.ics")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Publish(dir, publishProgramme(t, "A", "B"), stampOptions(), 0)
	if err == nil || !strings.Contains(err.Error(), "agendacal did not write it") {
		t.Fatalf("Publish over a foreign file: %v", err)
	}
	if data, _ := os.ReadFile(mine); string(data) != "mine" {
		t.Errorf("the foreign file became %q", data)
	}
}

// An id whose case changes leaves no stale calendar behind, and the
// manifest lists each calendar once.
func TestPublishCaseChange(t *testing.T) {
	dir := t.TempDir()
	for _, title := range []string{"Opening", "opening"} {
		p := publishProgramme(t, "A")
		p.Sessions[0].ID = title
		if err := Publish(dir, p, stampOptions(), 0); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "sessions"))
	if err != nil || len(entries) != 1 || entries[0].Name() != "opening.ics" {
		t.Errorf("sessions after the id changed case: %v (%v), want only opening.ics", entries, err)
	}
	manifest, _ := os.ReadFile(filepath.Join(dir, manifestName))
	lines := strings.Fields(string(manifest))
	if len(lines) != 3 {
		t.Errorf("manifest %q, want programme, track and one session", lines)
	}
}
