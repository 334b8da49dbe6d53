package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

// published is what a folder publishes: every file but the bookkeeping,
// with its bytes.
func published(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for rel, f := range tree(t, dir) {
		if !isBookkeeping(rel) {
			out[rel] = f.data
		}
	}
	return out
}

// The tree a swap takes out is kept beside the folder and edited into the
// next build's tree. Whatever happens between builds (programmes edited,
// files of the organiser's own added and removed, the spare meddled with
// or left half-edited by a build that stopped), the folder publishes
// exactly what a folder published file by file does after the same
// builds.
func TestSpareTreeIsEditedIntoTheNext(t *testing.T) {
	if !canSwap(t.TempDir()) {
		t.Skip("this system cannot swap folders")
	}
	a := "{time: 09:00-10:00, id: a, title: A, track: main}"
	b := "{time: 10:00-11:00, id: b, title: B, track: side}"
	c := "{time: 11:00-12:00, id: c, title: C, track: main}"
	elsewhere := t.TempDir()
	write(t, filepath.Join(elsewhere, "a.ics"), "not the spare's")
	steps := []struct {
		name     string
		sessions []string
		between  func(t *testing.T, dir string) // before the build, on the swapped folder only
		// spareUsed tells that the build edits the spare, not a new tree.
		spareUsed bool
	}{
		{name: "first build", sessions: []string{a, b}},
		// The first build left the spare a copy of its tree.
		{name: "a session added", sessions: []string{a, b, c}, spareUsed: true},
		{name: "a title changed", sessions: []string{strings.Replace(a, "title: A", "title: A2", 1), b, c}, spareUsed: true},
		{name: "changed back", sessions: []string{a, b, c}, spareUsed: true},
		{name: "a file gone from the spare", sessions: []string{a, b, strings.Replace(c, "title: C", "title: C2", 1)}, spareUsed: true, between: func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(sparePath(dir), "tracks", "side.ics")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a file put into the spare", sessions: []string{a, b, c}, spareUsed: true, between: func(t *testing.T, dir string) {
			write(t, filepath.Join(sparePath(dir), "stray.txt"), "stray")
			write(t, filepath.Join(sparePath(dir), "sessions", "z.ics"), "stray")
		}},
		{name: "a file of the organiser's own added", sessions: []string{a, c}, spareUsed: true, between: func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "README.txt"), "mine")
			write(t, filepath.Join(dir, "extra", "notes.txt"), "mine too")
			write(t, filepath.Join(dir, "sessions", "other.txt"), "and this")
		}},
		{name: "the organiser's files removed", sessions: []string{a, b}, spareUsed: true, between: func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "README.txt"))
			os.RemoveAll(filepath.Join(dir, "extra"))
		}},
		{name: "the spare left half-edited", sessions: []string{b, c}, between: func(t *testing.T, dir string) {
			write(t, filepath.Join(sparePath(dir), "sessions", "b.ics"), "half")
			write(t, filepath.Join(sparePath(dir), "sessions", ".b.ics.agendacal-tmp"), "half")
		}},
		{name: "files of the spare replaced", sessions: []string{a, b, c}, between: func(t *testing.T, dir string) {
			for _, rel := range []string{"sessions/b.ics", "sessions/c.ics", "tracks/side.ics", "index.html"} {
				write(t, filepath.Join(sparePath(dir), rel), "junk")
			}
		}},
		{name: "a subfolder of the spare a link", sessions: []string{a, b, strings.Replace(c, "title: C", "title: C2", 1)}, spareUsed: true, between: func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(sparePath(dir), "sessions"))
			if err := os.Symlink(elsewhere, filepath.Join(sparePath(dir), "sessions")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a subfolder of the spare a file", sessions: []string{a, b, c}, spareUsed: true, between: func(t *testing.T, dir string) {
			os.RemoveAll(filepath.Join(sparePath(dir), "tracks"))
			write(t, filepath.Join(sparePath(dir), "tracks"), "not a folder")
		}},
		{name: "the spare gone", sessions: []string{a, b, c}, between: func(t *testing.T, dir string) {
			os.RemoveAll(sparePath(dir))
		}},
		{name: "a file where the spare goes", sessions: []string{a}, between: func(t *testing.T, dir string) {
			os.RemoveAll(sparePath(dir))
			write(t, sparePath(dir), "not a folder")
		}},
		{name: "after all that", sessions: []string{a, c}, spareUsed: true},
	}
	swapped, inPlace := t.TempDir(), t.TempDir()
	now := day1
	for _, step := range steps {
		now = now.Add(time.Hour)
		if step.between != nil {
			step.between(t, swapped)
			for _, rel := range []string{"README.txt", "extra/notes.txt", "sessions/other.txt"} {
				if data, err := os.ReadFile(filepath.Join(swapped, rel)); err == nil {
					write(t, filepath.Join(inPlace, rel), string(data))
				} else {
					os.Remove(filepath.Join(inPlace, rel))
				}
			}
			os.Remove(filepath.Join(inPlace, "extra"))
		}
		p := programme(t, step.sessions...)
		rep := at(t, swapped, now, p)
		at(t, inPlace, now, programme(t, step.sessions...), func(o *Options) { o.inPlace = true })
		if got, want := published(t, swapped), published(t, inPlace); !maps.Equal(got, want) {
			t.Fatalf("%s: the swapped folder publishes %s\nfile by file: %s", step.name, describe(got), describe(want))
		}
		// The bookkeeping knows every file's bytes, whether its digest
		// was worked out again or kept with its key.
		st, err := readState(swapped)
		if err != nil {
			t.Fatal(err)
		}
		for rel, data := range published(t, swapped) {
			if d, ok := st.Files[rel]; ok && d != sha256hex([]byte(data)) {
				t.Errorf("%s: the bookkeeping's digest of %s is not that of its bytes", step.name, rel)
			}
		}
		// A spare edited into the new tree keeps the files that stay as
		// they were; a tree made anew links each of them again.
		used := rep.spared > 0
		if used != step.spareUsed {
			t.Errorf("%s: the spare was edited into the new tree: %v, want %v", step.name, used, step.spareUsed)
		}
	}
	if got := tree(t, elsewhere); len(got) != 1 || got["a.ics"].data != "not the spare's" {
		t.Errorf("the folder a link in the spare led to was changed: %v", names(got))
	}
	if entries, _ := filepath.Glob(filepath.Join(filepath.Dir(swapped), stagingPrefix(swapped)+"*")); len(entries) != 1 {
		t.Errorf("beside the folder: %v, want only its spare", entries)
	}
}

// write makes a new file at name, never writing into one there: a file of
// the spare may be a link to one the folder publishes.
func write(t *testing.T, name, data string) {
	t.Helper()
	os.Remove(name)
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// describe lists files with the start of their bytes.
func describe(files map[string]string) string {
	var out []string
	for _, rel := range strings.Fields(names(files)) {
		data := files[rel]
		if len(data) > 12 {
			data = data[:12]
		}
		out = append(out, rel+"="+strings.ReplaceAll(data, "\r\n", " "))
	}
	return strings.Join(out, ", ")
}

// A first build leaves beside the folder a spare that shares every file
// it published, so that the first change after it writes and links only
// what changed, like any change after.
func TestFirstBuildFillsTheSpare(t *testing.T) {
	dir := t.TempDir()
	if !canSwap(dir) {
		t.Skip("this system cannot swap folders")
	}
	a := "{time: 09:00-10:00, id: a, title: A, track: main}"
	b := "{time: 10:00-11:00, id: b, title: B, track: side}"
	at(t, dir, day1, programme(t, a, b))
	for rel := range published(t, dir) {
		live, err1 := os.Stat(filepath.Join(dir, rel))
		spare, err2 := os.Stat(filepath.Join(sparePath(dir), rel))
		if err1 != nil || err2 != nil || !os.SameFile(live, spare) {
			t.Errorf("%s is not the spare's file of that name: %v, %v", rel, err1, err2)
		}
	}
	rep := at(t, dir, day1.Add(time.Hour), programme(t, strings.Replace(a, "title: A", "title: A2", 1), b))
	if want := len(published(t, dir)) - rep.Written; rep.spared != want {
		t.Errorf("the first change took %d files from the spare, want the %d it did not change", rep.spared, want)
	}
}

// A build that fails while it edits the spare takes out of it what it
// wrote there: a build stopped by a full disk would otherwise leave the
// disk full.
func TestFailedBuildEmptiesTheSpareOfWhatItWrote(t *testing.T) {
	dir := t.TempDir()
	if !canSwap(dir) {
		t.Skip("this system cannot swap folders")
	}
	var sessions, edited []string
	for i := range 40 {
		s := fmt.Sprintf("{time: '%02d:00-%02d:30', id: s%d, title: S%d}", i%20, i%20, i, i)
		sessions = append(sessions, s)
		edited = append(edited, strings.Replace(s, "title: S", "title: Edited ", 1))
	}
	at(t, dir, day1, programme(t, sessions...))
	// The organiser's folder is carried into the new tree while the
	// calendars are written; the pipe at its end fails the build.
	for i := range 3000 {
		write(t, filepath.Join(dir, "zz", fmt.Sprintf("%04d.txt", i)), "mine")
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "zz", "~pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Folder(context.Background(), dir, programme(t, edited...), Options{Now: day1.Add(time.Hour)}); err == nil {
		t.Fatal("the build carried a pipe")
	}
	for rel, f := range tree(t, sparePath(dir)) {
		live, err := os.Stat(filepath.Join(dir, rel))
		if spare, err2 := os.Stat(filepath.Join(sparePath(dir), rel)); err != nil || err2 != nil || !os.SameFile(live, spare) {
			t.Errorf("the failed build left %s in the spare: %.20q", rel, f.data)
		}
	}
}

// A build that fails leaves no spare it made beside the folder.
func TestFailedFirstBuildLeavesNoSpare(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	write(t, filepath.Join(dir, "x"), "")
	// A pipe in the folder cannot be carried into the new tree.
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Folder(context.Background(), dir, programme(t, "{time: 09:00-10:00, id: a, title: A}"), Options{Now: day1}); err == nil {
		t.Fatal("the build carried a pipe")
	}
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
		t.Errorf("beside the folder: %v, want only the folder", entries)
	}
}

// A calendar replaced by hand in the folder and then overwritten by a
// build never comes back from the spare when a later build makes the
// bytes it had before: the folder holds what it would hold had every
// build published file by file, and the bookkeeping the digest of what is
// there.
func TestReplacedFileNeverComesBack(t *testing.T) {
	described := func(description string) *agenda.Programme {
		src := "title: T\ndescription: " + description + "\ntimezone: Europe/Belgrade\nuid_domain: example.org\n" +
			"days:\n  - date: 2017-06-29\n    sessions:\n      - {time: 09:00-10:00, id: a, title: A}\n"
		return parsed(t, src)
	}
	folders := map[string]map[string]string{}
	for _, mode := range []string{"swap", "in place"} {
		dir := t.TempDir()
		inPlace := func(o *Options) { o.inPlace = mode == "in place" }
		at(t, dir, day1, described("one"), inPlace)
		at(t, dir, day1.Add(time.Hour), described("two"), inPlace)
		write(t, filepath.Join(dir, "index.html"), "the organiser's own")
		write(t, filepath.Join(dir, "programme.ics"), "the organiser's own")
		at(t, dir, day1.Add(2*time.Hour), described("one"), inPlace)
		at(t, dir, day1.Add(3*time.Hour), described("two"), inPlace)
		folders[mode] = published(t, dir)
		st, err := readState(dir)
		if err != nil {
			t.Fatal(err)
		}
		for rel, data := range folders[mode] {
			if st.Files[rel] != sha256hex([]byte(data)) {
				t.Errorf("%s: the bookkeeping's digest of %s is not that of its bytes", mode, rel)
			}
		}
	}
	if !maps.Equal(folders["swap"], folders["in place"]) {
		t.Errorf("swapped: %s\nfile by file: %s", describe(folders["swap"]), describe(folders["in place"]))
	}
}

// A folder the organiser made where a calendar of the last build was is
// theirs: the build that stops publishing that calendar carries it into
// the new tree.
func TestOrganisersFolderWhereACalendarWas(t *testing.T) {
	if !canSwap(t.TempDir()) {
		t.Skip("this system cannot swap folders")
	}
	dir := t.TempDir()
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B}"))
	os.Remove(filepath.Join(dir, "sessions", "b.ics"))
	write(t, filepath.Join(dir, "sessions", "b.ics", "notes.txt"), "mine")
	at(t, dir, day1.Add(time.Hour), programme(t, "{time: 09:00-10:00, id: a, title: A}"), func(o *Options) { o.KeepRemoved = 0 })
	if data, err := os.ReadFile(filepath.Join(dir, "sessions", "b.ics", "notes.txt")); err != nil || string(data) != "mine" {
		t.Errorf("the organiser's folder: %q, %v", data, err)
	}
}

// sha256hex is the SHA-256 of data in hex, as the bookkeeping holds
// digests.
func sha256hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// The spare read ahead serves only where it was read as the build took
// it: one that came or went since is read again.
func TestKeepFromSpareReadsAgainAStaleLook(t *testing.T) {
	if !canSwap(t.TempDir()) {
		t.Skip("this system cannot swap folders")
	}
	live, spare := t.TempDir(), t.TempDir()
	for _, d := range []string{live, spare} {
		if err := os.Mkdir(filepath.Join(d, "sessions"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(live, "sessions", "a.ics"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(live, "sessions", "a.ics"), filepath.Join(spare, "sessions", "a.ics")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(spare, "stray.ics"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	unchanged := map[string]bool{"sessions/a.ics": true, "stray.ics": true}
	closed := make(chan struct{})
	close(closed)

	// Seen as no spare, yet there when taken: read again, the stray
	// file goes.
	look := &spareLook{done: closed}
	kept, err := keepFromSpare(&spareUse{path: spare}, live, look, unchanged)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(kept, map[string]bool{"sessions/a.ics": true}) {
		t.Errorf("kept %v", kept)
	}
	if _, err := os.Lstat(filepath.Join(spare, "stray.ics")); err == nil {
		t.Error("the stray file stayed in the spare")
	}

	// Seen with a file, made anew empty when taken: nothing is kept.
	look = &spareLook{done: closed, there: true, entries: []spareEntry{{rel: "sessions/gone.ics", published: true}}}
	unchanged["sessions/gone.ics"] = true
	kept, err = keepFromSpare(&spareUse{path: spare, made: true}, live, look, unchanged)
	if err != nil {
		t.Fatal(err)
	}
	if kept["sessions/gone.ics"] {
		t.Error("a file the spare no longer holds was kept")
	}
}

// What the organiser put into the folder goes into the new tree, but not
// a file where the build writes a calendar, even one that differs only in
// case (found while carrying: it came after the build listed the folder).
func TestCarryRefusesAFileWhereACalendarGoes(t *testing.T) {
	from, to := t.TempDir(), t.TempDir()
	for _, d := range []string{filepath.Join(from, "tracks"), filepath.Join(to, "tracks")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(rel string) {
		if err := os.WriteFile(filepath.Join(from, filepath.FromSlash(rel)), []byte(rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tracks/main.ics") // agendacal's, per the bookkeeping
	files := []outputFile{{rel: "programme.ics"}, {rel: "tracks/main.ics"}, {rel: "tracks/side.ics"}}
	c := &carrying{mine: map[string]string{"tracks/main.ics": "d"}, files: files}
	if err := carry(from, to, ".", c); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(to, "tracks", "main.ics")); err == nil {
		t.Error("agendacal's own calendar was carried")
	}
	if c.lower != nil {
		t.Error("the build's files were looked up with nothing of the organiser's there")
	}
	write("notes.txt")
	if err := carry(from, t.TempDir(), ".", &carrying{mine: c.mine, files: files}); err != nil {
		t.Fatal(err)
	}
	write("tracks/notes.txt")
	to = t.TempDir()
	if err := os.Mkdir(filepath.Join(to, "tracks"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := carry(from, to, ".", &carrying{mine: c.mine, files: files}); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"notes.txt", "tracks/notes.txt"} {
		if _, err := os.Stat(filepath.Join(to, filepath.FromSlash(rel))); err != nil {
			t.Errorf("the organiser's %s was not carried: %v", rel, err)
		}
	}

	write("tracks/Side.ICS")
	err := carry(from, t.TempDir(), ".", &carrying{mine: c.mine, files: files})
	if err == nil || !strings.Contains(err.Error(), "agendacal did not write it") || !strings.Contains(err.Error(), "side.ics") {
		t.Errorf("a file where tracks/side.ics goes: %v", err)
	}
}
