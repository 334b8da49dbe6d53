package publish

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

// day1 is the first build's time in these tests; later builds come later.
var day1 = time.Date(2017, 6, 1, 9, 0, 0, 0, time.UTC)

// programme parses a programme on 2017-06-29 in Belgrade whose sessions
// are YAML flow mappings, one a line.
func programme(t *testing.T, sessions ...string) *agenda.Programme {
	t.Helper()
	src := "title: T\ntimezone: Europe/Belgrade\nuid_domain: example.org\n"
	if strings.Contains(strings.Join(sessions, ""), "track:") {
		src += "tracks: [{id: main, name: Main}, {id: side, name: Side}]\n"
	}
	src += "days:\n  - date: 2017-06-29\n    sessions:\n"
	for _, s := range sessions {
		src += "      - " + s + "\n"
	}
	return parsed(t, src)
}

// parsed is the test programme src, which has no errors.
func parsed(t *testing.T, src string) *agenda.Programme {
	t.Helper()
	p, problems := agenda.Parse("t.yaml", []byte(src))
	if p == nil {
		t.Fatalf("the test programme has errors: %v", problems)
	}
	return p
}

// at publishes p into dir as a build at the given time.
func at(t *testing.T, dir string, now time.Time, p *agenda.Programme, opts ...func(*Options)) Report {
	t.Helper()
	o := Options{Now: now, KeepRemoved: 30 * 24 * time.Hour}
	for _, f := range opts {
		f(&o)
	}
	rep, err := Folder(context.Background(), dir, p, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// fileInfo is what tells a rewritten file from an untouched one.
type fileInfo struct {
	data  string
	inode uint64
	mtime time.Time
}

// tree reads every file under dir, by path relative to it.
func tree(t *testing.T, dir string) map[string]fileInfo {
	t.Helper()
	files := map[string]fileInfo{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = fileInfo{string(data), fi.Sys().(*syscall.Stat_t).Ino, fi.ModTime()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func names[V any](files map[string]V) string {
	var out []string
	for k := range files {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// rewritten lists the files that are new, gone or rewritten (new bytes,
// inode or modification time) between two trees.
func rewritten(before, after map[string]fileInfo) string {
	changed := map[string]bool{}
	for name, b := range before {
		if a, ok := after[name]; !ok || a != b {
			changed[name] = true
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			changed[name] = true
		}
	}
	return names(changed)
}

// event returns the VEVENT of uid in a calendar, unfolded.
func event(t *testing.T, calendar, uid string) map[string]string {
	t.Helper()
	text := strings.ReplaceAll(calendar, "\r\n ", "")
	for _, block := range strings.Split(text, "BEGIN:VEVENT\r\n")[1:] {
		props := map[string]string{}
		for _, line := range strings.Split(block, "\r\n") {
			name, value, _ := strings.Cut(line, ":")
			name, _, _ = strings.Cut(name, ";")
			props[name] = value
		}
		if props["UID"] == uid {
			return props
		}
	}
	t.Fatalf("no event %s in:\n%s", uid, calendar)
	return nil
}

func uids(calendar string) string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^UID:(.*)\r$`).FindAllStringSubmatch(calendar, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, " ")
}

var pristinaLike = []string{
	"{time: 08h30-09h00, title: Registration, kind: break}",
	"{time: 09h00-09h30, id: opening, title: Opening, track: main}",
	"{time: 10h30-11h00, title: Coffee break, kind: break}",
	"{time: 11h00-12h00, title: Lunch break, kind: break}",
	"{time: 12h00-13h00, title: Service providers, track: main, room: Castor}",
	"{time: 15h00-15h30, title: Coffee break, kind: break}",
	"{time: 15h30-16h30, id: closing, title: Closing, track: side}",
}

func TestFolderWritesEveryCalendar(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A, track: main}", "{time: 10:00-11:00, id: b, title: B}"))
	// Every track has a calendar, even one without sessions yet; there is
	// no lock file.
	if got, want := names(tree(t, dir)), ".agendacal.state days/2017-06-29.ics index.html programme.ics sessions/a.ics sessions/b.ics tracks/main.ics tracks/side.ics"; got != want {
		t.Errorf("files %s, want %s", got, want)
	}
	fi, err := os.Stat(filepath.Join(dir, "programme.ics"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("programme.ics mode %v (%v), want 0644 so a web server can read it", fi.Mode(), err)
	}
	// A session taken out of the programme loses its file once
	// --keep-removed has passed; a calendar agendacal did not write stays,
	// and so does the leftover of no build.
	foreign := filepath.Join(dir, "sessions", "mine.ics")
	leftover := filepath.Join(dir, "sessions", ".a.ics"+tempSuffix)
	for _, f := range []string{foreign, leftover} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at(t, dir, day1.Add(time.Hour), programme(t, "{time: 09:00-10:00, id: a, title: A}"), func(o *Options) { o.KeepRemoved = 0 })
	if got, want := names(tree(t, dir)), ".agendacal.state days/2017-06-29.ics index.html programme.ics sessions/a.ics sessions/mine.ics"; got != want {
		t.Errorf("files %s, want %s (no tracks/ without tracks, no leftover)", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "tracks")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("tracks/ is still there without tracks: %v", err)
	}
}

// Unchanged means untouched: a later build of the same programme, at any
// time, writes nothing.
func TestUnchangedProgrammeIsUntouched(t *testing.T) {
	dir := t.TempDir()
	at(t, dir, day1, programme(t, pristinaLike...))
	before := tree(t, dir)
	time.Sleep(10 * time.Millisecond) // a rewrite would show in the mtime
	rep := at(t, dir, day1.Add(time.Hour), programme(t, pristinaLike...))
	if got := rewritten(before, tree(t, dir)); got != "" {
		t.Errorf("an unchanged rebuild touched %s", got)
	}
	if rep.Written != 0 || rep.Unchanged != 1+2+1+1+7+1 {
		t.Errorf("report %+v, want nothing written and 13 unchanged (programme, tracks, room, day, sessions, page)", rep)
	}
	ev := event(t, before["programme.ics"].data, "opening@example.org")
	if ev["DTSTAMP"] != "20170601T090000Z" || ev["LAST-MODIFIED"] != "20170601T090000Z" || ev["SEQUENCE"] != "0" {
		t.Errorf("a new event: DTSTAMP %s LAST-MODIFIED %s SEQUENCE %s, want the first build's time and 0", ev["DTSTAMP"], ev["LAST-MODIFIED"], ev["SEQUENCE"])
	}
}

// A change is announced in that event only, and only the files that hold
// it are rewritten.
func TestChangeRaisesSequenceOfThatEventOnly(t *testing.T) {
	dir := t.TempDir()
	at(t, dir, day1, programme(t, pristinaLike...))
	before := tree(t, dir)
	moved := append([]string{}, pristinaLike...)
	moved[1] = "{time: 09h15-09h45, id: opening, title: Opening, track: main}"
	later := day1.Add(48 * time.Hour)
	at(t, dir, later, programme(t, moved...))
	after := tree(t, dir)
	if got, want := rewritten(before, after), ".agendacal.state days/2017-06-29.ics index.html programme.ics sessions/opening.ics tracks/main.ics"; got != want {
		t.Errorf("rewritten: %s, want %s", got, want)
	}
	ev := event(t, after["programme.ics"].data, "opening@example.org")
	if ev["SEQUENCE"] != "1" || ev["DTSTAMP"] != "20170603T090000Z" || ev["LAST-MODIFIED"] != "20170603T090000Z" || ev["DTSTART"] != "20170629T091500" {
		t.Errorf("the moved event: %v", ev)
	}
	for _, uid := range strings.Fields(uids(after["programme.ics"].data)) {
		if uid == "opening@example.org" {
			continue
		}
		if a, b := event(t, after["programme.ics"].data, uid), event(t, before["programme.ics"].data, uid); fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s changed although its session did not:\n%v\n%v", uid, b, a)
		}
	}
	// Moving it back is another change, never a lower SEQUENCE.
	at(t, dir, later.Add(time.Hour), programme(t, pristinaLike...))
	if ev := event(t, tree(t, dir)["sessions/opening.ics"].data, "opening@example.org"); ev["SEQUENCE"] != "2" {
		t.Errorf("moved back: SEQUENCE %s, want 2", ev["SEQUENCE"])
	}
}

// Ids survive edits: a renamed or moved session without an id keeps its
// UID, and removing one of two same-titled sessions never moves the other's.
func TestDerivedIDsSurviveEdits(t *testing.T) {
	dir := t.TempDir()
	at(t, dir, day1, programme(t, pristinaLike...))
	first := uids(tree(t, dir)["programme.ics"].data)
	want := "2017-06-29-registration@example.org opening@example.org 2017-06-29-coffee-break@example.org 2017-06-29-lunch-break@example.org " +
		"2017-06-29-service-providers@example.org 2017-06-29-coffee-break-2@example.org closing@example.org"
	if first != want {
		t.Fatalf("first UIDs %s, want %s", first, want)
	}
	edited := append([]string{}, pristinaLike...)
	edited[3] = "{time: 11h00-12h00, title: Lunch, kind: break}"                                      // renamed
	edited[4] = "{time: 13h00-14h00, title: Service providers, track: main, room: Castor}"            // moved
	edited = append(edited[:2], edited[3:]...)                                                        // the first coffee break removed
	edited = append(edited, "{time: 12h00-13h00, title: Lightning talks, track: main, room: Castor}") // in the moved one's slot
	at(t, dir, day1.Add(time.Hour), programme(t, edited...))
	programmeICS := tree(t, dir)["programme.ics"].data
	got := uids(programmeICS)
	want = "2017-06-29-registration@example.org opening@example.org 2017-06-29-lunch-break@example.org " +
		"2017-06-29-service-providers@example.org 2017-06-29-coffee-break-2@example.org closing@example.org " +
		"2017-06-29-lightning-talks@example.org " +
		"2017-06-29-coffee-break@example.org" // removed, published as cancelled
	if got != want {
		t.Errorf("UIDs after the edits:\n got  %s\n want %s", got, want)
	}
	if ev := event(t, programmeICS, "2017-06-29-lunch-break@example.org"); ev["SUMMARY"] != "Lunch" || ev["SEQUENCE"] != "1" {
		t.Errorf("the renamed session: %v", ev)
	}
	if ev := event(t, programmeICS, "2017-06-29-coffee-break-2@example.org"); ev["SEQUENCE"] != "0" {
		t.Errorf("the afternoon coffee break changed: %v", ev)
	}
	// A coffee break added later is a new session, and takes no id a
	// published one had.
	edited = append(edited, "{time: 17h00-17h30, title: Coffee break, kind: break, room: Pollux}")
	edited[2] = "{time: 11h00-12h00, title: Lunch, kind: break, room: Pollux}"
	at(t, dir, day1.Add(2*time.Hour), programme(t, edited...))
	if got := uids(tree(t, dir)["programme.ics"].data); !strings.Contains(got, "2017-06-29-coffee-break-3@example.org") {
		t.Errorf("UIDs after adding a coffee break: %s", got)
	}
}

// A room's calendar keeps its address: a room listed before it whose name
// makes the same id gets another, and so does one added after the room
// has gone; the room itself comes back to its own.
func TestRoomCalendarsKeepTheirAddress(t *testing.T) {
	dir := t.TempDir()
	rooms := func(files map[string]fileInfo) map[string]string {
		out := map[string]string{}
		for rel, f := range files {
			if strings.HasPrefix(rel, "rooms/") {
				out[rel] = uids(f.data)
			}
		}
		return out
	}
	talk := `{time: 10:00-11:00, id: talk, title: Talk, room: "Room 2"}`
	pre := `{time: 09:00-10:00, id: pre, title: Workshop, room: "Room #2"}`
	at(t, dir, day1, programme(t, talk))
	if got := rooms(tree(t, dir)); got["rooms/room-2.ics"] != "talk@example.org" || len(got) != 1 {
		t.Fatalf("first build: %v", got)
	}
	at(t, dir, day1.Add(time.Hour), programme(t, pre, talk))
	got := rooms(tree(t, dir))
	if got["rooms/room-2.ics"] != "talk@example.org" || len(got) != 2 {
		t.Errorf("a room listed first took the calendar of another: %v", got)
	}
	// Room 2 gone, then back: Room #2 keeps its own, Room 2 gets its own.
	at(t, dir, day1.Add(2*time.Hour), programme(t, pre))
	if got := rooms(tree(t, dir)); got["rooms/room-2.ics"] != "" {
		t.Errorf("with Room 2 gone: %v", got)
	}
	at(t, dir, day1.Add(3*time.Hour), programme(t, talk, pre))
	if again := rooms(tree(t, dir)); again["rooms/room-2.ics"] != "talk@example.org" || len(again) != 2 {
		t.Errorf("Room 2 back: %v, want as before, %v", again, got)
	}
}

// A removed session is a cancelled event until --keep-removed has passed,
// then it and its file are gone, and its id is never given to another.
func TestRemovedSessionIsCancelledThenGone(t *testing.T) {
	dir := t.TempDir()
	full := []string{"{time: 09:00-10:00, id: a, title: A, track: main}", "{time: 10:00-11:00, title: Panel, track: main}"}
	at(t, dir, day1, programme(t, full...))
	keep := func(o *Options) { o.KeepRemoved = 7 * 24 * time.Hour }
	for _, days := range []int{1, 7} {
		at(t, dir, day1.Add(time.Duration(days)*24*time.Hour-time.Minute), programme(t, full[0]), keep)
		files := tree(t, dir)
		for _, f := range []string{"programme.ics", "tracks/main.ics", "sessions/2017-06-29-panel.ics"} {
			ev := event(t, files[f].data, "2017-06-29-panel@example.org")
			if ev["STATUS"] != "CANCELLED" || ev["SUMMARY"] != "Cancelled: Panel" || ev["SEQUENCE"] != "1" || ev["DTSTAMP"] != "20170602T085900Z" {
				t.Errorf("day %d, %s: the removed session is %v, want it cancelled (SEQUENCE 1, stamped when removed)", days, f, ev)
			}
		}
	}
	at(t, dir, day1.Add(8*24*time.Hour), programme(t, full[0]), keep)
	files := tree(t, dir)
	if _, ok := files["sessions/2017-06-29-panel.ics"]; ok || strings.Contains(files["programme.ics"].data, "panel") {
		t.Errorf("the removed session is still published after --keep-removed: %s", names(files))
	}
	at(t, dir, day1.Add(9*24*time.Hour), programme(t, full[0], "{time: 11:00-12:00, title: Panel}"), keep)
	if got := uids(tree(t, dir)["programme.ics"].data); got != "a@example.org 2017-06-29-panel-2@example.org" {
		t.Errorf("a new session took a retired id: %s", got)
	}
	// A session that comes back under its explicit id after it was
	// retired goes on from the SEQUENCE of its cancellation, however often.
	for i, want := range []string{"2", "4"} {
		base := day1.Add(time.Duration(10+10*i) * 24 * time.Hour)
		at(t, dir, base, programme(t, full[1]), keep)
		at(t, dir, base.Add(8*24*time.Hour), programme(t, full[1]), keep)
		at(t, dir, base.Add(9*24*time.Hour), programme(t, full...), keep)
		if ev := event(t, tree(t, dir)["programme.ics"].data, "a@example.org"); ev["STATUS"] != "CONFIRMED" || ev["SEQUENCE"] != want {
			t.Errorf("a session back after its retirement: %v, want SEQUENCE %s", ev, want)
		}
	}
	if st, err := readState(dir); err != nil || strings.Count(strings.Join(st.Retired, " "), "a@example.org") != 1 {
		t.Errorf("the retired ids: %v (%v), want a@example.org once", st.Retired, err)
	}
}

// The page shows a session removed from the programme by its title and
// place as its event has them: the bookkeeping keeps only their digests.
func TestRemovedSessionOnThePage(t *testing.T) {
	dir := t.TempDir()
	kept := "{time: 09:00-10:00, id: a, title: A}"
	gone := `{time: 10:00-11:00, id: panel, title: "Panel; Q&A, part\\1", location: "Hall, 2nd floor"}`
	at(t, dir, day1, programme(t, kept, gone))
	at(t, dir, day1.Add(time.Hour), programme(t, kept))
	files := tree(t, dir)
	if ev := event(t, files["programme.ics"].data, "panel@example.org"); ev["SUMMARY"] != `Cancelled: Panel\; Q&A\, part\\1` {
		t.Fatalf("the removed session: %v", ev)
	}
	page := files["index.html"].data
	if !strings.Contains(page, `<span class="status">Cancelled:</span> Panel; Q&amp;A, part\1</h3>`) || !strings.Contains(page, "<div>Hall, 2nd floor</div>") ||
		!strings.Contains(page, "text=Panel%3B%20Q%26A%2C%20part%5C1") {
		i := strings.Index(page, `id="panel"`)
		t.Errorf("the page shows the removed session as:\n%s", page[max(i, 0):min(len(page), max(i, 0)+1200)])
	}
}

// A session with status cancelled or tentative says so; cancelling raises
// its SEQUENCE.
func TestStatus(t *testing.T) {
	dir := t.TempDir()
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B, status: tentative}"))
	at(t, dir, day1.Add(time.Hour), programme(t, "{time: 09:00-10:00, id: a, title: A, status: cancelled}", "{time: 10:00-11:00, id: b, title: B, status: tentative}"))
	data := tree(t, dir)["programme.ics"].data
	if ev := event(t, data, "a@example.org"); ev["STATUS"] != "CANCELLED" || ev["SEQUENCE"] != "1" || ev["SUMMARY"] != "Cancelled: A" {
		t.Errorf("cancelled: %v", ev)
	}
	if ev := event(t, data, "b@example.org"); ev["STATUS"] != "TENTATIVE" || ev["SEQUENCE"] != "0" {
		t.Errorf("tentative: %v", ev)
	}
}

// Without its bookkeeping, a folder's calendars are read back: no SEQUENCE
// goes down, and unchanged events keep theirs and their stamps.
func TestLostBookkeepingNeverLowersSequence(t *testing.T) {
	dir := t.TempDir()
	v1 := []string{"{time: 09:00-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B}"}
	v2 := []string{"{time: 09:30-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B}"}
	at(t, dir, day1, programme(t, v1...))
	at(t, dir, day1.Add(time.Hour), programme(t, v2...))
	at(t, dir, day1.Add(2*time.Hour), programme(t, v1...))
	if err := os.Remove(filepath.Join(dir, stateName)); err != nil {
		t.Fatal(err)
	}
	rep := at(t, dir, day1.Add(3*time.Hour), programme(t, v2...))
	if !rep.Rebuilt || rep.Recovered != 2 {
		t.Errorf("report %+v, want the bookkeeping rebuilt from 2 events", rep)
	}
	data := tree(t, dir)["programme.ics"].data
	if ev := event(t, data, "a@example.org"); ev["SEQUENCE"] != "3" {
		t.Errorf("a: SEQUENCE %s, want 3 (it was 2)", ev["SEQUENCE"])
	}
	if ev := event(t, data, "b@example.org"); ev["SEQUENCE"] != "0" || ev["DTSTAMP"] != "20170601T090000Z" {
		t.Errorf("b, unchanged: %v, want SEQUENCE 0 stamped at the first build", ev)
	}
	// And with the bookkeeping back, the next build writes nothing.
	before := tree(t, dir)
	at(t, dir, day1.Add(4*time.Hour), programme(t, v2...))
	if got := rewritten(before, tree(t, dir)); got != "" {
		t.Errorf("after recovery, an unchanged build touched %s", got)
	}
}

// Without its bookkeeping, the calendars read back still match sessions
// by title, start and place: a session renamed before keeps the UID it was
// published under, and one removed meanwhile is published cancelled.
func TestLostBookkeepingKeepsDerivedIDs(t *testing.T) {
	dir := t.TempDir()
	v1 := []string{"{time: 09:00-10:00, title: Coffee break, kind: break}", "{time: 10:00-11:00, title: Talk}", "{time: 11:00-12:00, title: Panel, location: Hall}"}
	v2 := []string{"{time: 09:00-10:00, title: Coffee and tea break, kind: break}", "{time: 10:00-11:00, title: Talk}", "{time: 11:00-12:00, title: Panel, location: Hall}"}
	at(t, dir, day1, programme(t, v1...))
	at(t, dir, day1.Add(time.Hour), programme(t, v2...))
	if err := os.Remove(filepath.Join(dir, stateName)); err != nil {
		t.Fatal(err)
	}
	rep := at(t, dir, day1.Add(2*time.Hour), programme(t, v2[0], v2[1]))
	if !rep.Rebuilt {
		t.Errorf("report %+v, want the bookkeeping rebuilt", rep)
	}
	files := tree(t, dir)
	data := files["programme.ics"].data
	if got, want := uids(data), "2017-06-29-coffee-break@example.org 2017-06-29-talk@example.org 2017-06-29-panel@example.org"; got != want {
		t.Errorf("UIDs %s, want %s", got, want)
	}
	if ev := event(t, data, "2017-06-29-coffee-break@example.org"); ev["SEQUENCE"] != "1" || ev["SUMMARY"] != "Coffee and tea break" {
		t.Errorf("the renamed session: %v, want SEQUENCE 1 as before", ev)
	}
	if ev := event(t, data, "2017-06-29-panel@example.org"); ev["STATUS"] != "CANCELLED" || ev["SEQUENCE"] != "1" || ev["SUMMARY"] != "Cancelled: Panel" {
		t.Errorf("the session removed while the bookkeeping was lost: %v, want it cancelled", ev)
	}
	if _, ok := files["sessions/2017-06-29-coffee-and-tea-break.ics"]; ok {
		t.Errorf("the renamed session got a file of a new id: %s", names(files))
	}
}

// Without its bookkeeping, a build of the same programme rewrites no file:
// what each calendar holds is read back with its events.
func TestLostBookkeepingRewritesNothing(t *testing.T) {
	for _, inPlace := range []bool{false, true} {
		dir := t.TempDir()
		at(t, dir, day1, programme(t, pristinaLike...))
		if err := os.Remove(filepath.Join(dir, stateName)); err != nil {
			t.Fatal(err)
		}
		before := tree(t, dir)
		rep := at(t, dir, day1.Add(time.Hour), programme(t, pristinaLike...), func(o *Options) { o.inPlace = inPlace })
		if got := rewritten(before, tree(t, dir)); !rep.Rebuilt || got != stateName {
			t.Errorf("in place %v: the build after the bookkeeping was lost (%+v) touched %s, want only %s", inPlace, rep, got, stateName)
		}
	}
}

// One folder publishes one programme.
func TestAnotherProgrammeIsRefused(t *testing.T) {
	dir := t.TempDir()
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}"))
	other := programme(t, "{time: 09:00-10:00, id: z, title: Z}")
	other.UIDDomain, other.Title = "other.example.org", "Other"
	before := tree(t, dir)
	_, err := Folder(context.Background(), dir, other, Options{Now: day1})
	var refused *OtherProgrammeError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), `publishes another programme "T" (uid_domain example.org)`) {
		t.Fatalf("building another programme: %v", err)
	}
	if got := rewritten(before, tree(t, dir)); got != "" {
		t.Errorf("a refused build changed %s", got)
	}
	at(t, dir, day1, other, func(o *Options) { o.Force = true })
	if got := names(tree(t, dir)); got != ".agendacal.state days/2017-06-29.ics index.html programme.ics sessions/z.ics" {
		t.Errorf("after --force: %s", got)
	}
}

// With the bookkeeping lost, calendars agendacal wrote are adopted; other
// .ics files only with force, and never a file that is not a calendar.
func TestAdoptingCalendars(t *testing.T) {
	dir := t.TempDir()
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}"))
	os.Remove(filepath.Join(dir, stateName))
	foreign := filepath.Join(dir, "sessions", "b.ics")
	os.WriteFile(foreign, []byte("BEGIN:VCALENDAR\r\nPRODID:-//other//EN\r\nEND:VCALENDAR\r\n"), 0o644)
	both := programme(t, "{time: 09:00-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B}")
	if _, err := Folder(context.Background(), dir, both, Options{Now: day1}); err == nil || !strings.Contains(err.Error(), "agendacal did not write it") {
		t.Fatalf("a foreign calendar in the way: %v", err)
	}
	at(t, dir, day1, both, func(o *Options) { o.Force = true })
	os.Remove(filepath.Join(dir, stateName))
	os.WriteFile(filepath.Join(dir, "sessions", "c.ics"), []byte("not a calendar"), 0o644)
	withC := programme(t, "{time: 09:00-10:00, id: a, title: A}", "{time: 11:00-12:00, id: c, title: C}")
	if _, err := Folder(context.Background(), dir, withC, Options{Now: day1, Force: true}); err == nil || !strings.Contains(err.Error(), "c.ics: a file of that name is there") || strings.Contains(err.Error(), "give --force") {
		t.Fatalf("a file that is not a calendar in the way, with force: %v", err)
	}
}

// A build that fails, whatever the reason, leaves every file published
// before as it was, no temporary file and no folder it made.
func TestFailedBuildChangesNothing(t *testing.T) {
	tests := []struct {
		name  string
		block func(dir string) error
	}{
		{"a folder where a new session's file goes", func(dir string) error {
			return os.Mkdir(filepath.Join(dir, "sessions", "c.ics"), 0o755)
		}},
		{"a file where the tracks folder goes", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "tracks"), []byte("x"), 0o644)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B}"))
			if err := tt.block(dir); err != nil {
				t.Fatal(err)
			}
			before := tree(t, dir)
			changed := programme(t, "{time: 09:00-10:00, id: a, title: A renamed, track: main}", "{time: 10:00-11:00, id: c, title: C}")
			if _, err := Folder(context.Background(), dir, changed, Options{Now: day1.Add(time.Hour)}); err == nil {
				t.Fatal("the build succeeded despite the obstacle")
			}
			if got := rewritten(before, tree(t, dir)); got != "" {
				t.Errorf("a failed build changed %s", got)
			}
		})
	}
}

// A cancelled build (SIGINT, SIGTERM) stops before it publishes anything
// and leaves no folder that was not there.
func TestCancelledBuildLeavesNothing(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "a", "public")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Folder(ctx, dir, programme(t, "{time: 09:00-10:00, id: a, title: A, track: main}"), Options{Now: day1}); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled build: %v", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("a cancelled build left %v", entries)
	}
}

func TestFolderIntoReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only folders; TestFailedBuildChangesNothing covers failed writes")
	}
	dir := t.TempDir()
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}"))
	before := tree(t, dir)
	for _, d := range []string{dir, filepath.Join(dir, "sessions")} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(d, 0o755)
	}
	if _, err := Folder(context.Background(), dir, programme(t, "{time: 09:00-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B}"), Options{Now: day1}); err == nil {
		t.Fatal("a build into a read-only folder succeeded")
	}
	if got := rewritten(before, tree(t, dir)); got != "" {
		t.Errorf("the read-only folder changed: %s", got)
	}
}

// Two builds into one folder take turns; one that cannot get the lock in
// time gives up with a BusyError and writes nothing.
func TestFolderLocks(t *testing.T) {
	dir := t.TempDir()
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}"))
	unlock, err := Lock(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Folder(context.Background(), dir, programme(t, "{time: 09:00-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B}"), Options{Now: day1, Wait: 200 * time.Millisecond})
	var busy *BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("a build with the lock held: %v, want a BusyError", err)
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
			p := programme(t, "{time: 09:00-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B}", "{time: 11:00-12:00, id: c, title: C}")
			_, errs[i] = Folder(context.Background(), dir, p, Options{Now: day1, Wait: 30 * time.Second})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("concurrent builds: %v", err)
		}
	}
	if got, want := names(tree(t, dir)), ".agendacal.state days/2017-06-29.ics index.html programme.ics sessions/a.ics sessions/b.ics sessions/c.ics"; got != want {
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

// An id whose case changes leaves no stale calendar behind, and the
// bookkeeping lists each calendar once.
func TestFolderCaseChange(t *testing.T) {
	dir := t.TempDir()
	for _, id := range []string{"Opening", "opening"} {
		at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: "+id+", title: A}"), func(o *Options) { o.KeepRemoved = 0 })
	}
	entries, err := os.ReadDir(filepath.Join(dir, "sessions"))
	if err != nil || len(entries) != 1 || entries[0].Name() != "opening.ics" {
		t.Errorf("sessions after the id changed case: %v (%v), want only opening.ics", entries, err)
	}
	st, err := readState(dir)
	if err != nil || names(st.Files) != "days/2017-06-29.ics index.html programme.ics sessions/opening.ics" {
		t.Errorf("bookkeeping lists %v (%v)", st, err)
	}
}

// A folder published by agendacal 1.0 (a manifest and a lock file) is taken
// over: its calendars are ours, its bookkeeping files go.
func TestLegacyFolder(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sessions"), 0o755)
	os.WriteFile(filepath.Join(dir, "sessions", "old.ics"), []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"), 0o644)
	os.WriteFile(filepath.Join(dir, legacyManifest), []byte("programme.ics\nsessions/old.ics\n"), 0o644)
	os.WriteFile(filepath.Join(dir, legacyLock), nil, 0o644)
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}"))
	if got, want := names(tree(t, dir)), ".agendacal.state days/2017-06-29.ics index.html programme.ics sessions/a.ics"; got != want {
		t.Errorf("files %s, want %s", got, want)
	}
}

// A build that stopped while it renamed files into place (killed) leaves
// the previous bookkeeping and the list of files it was adding: the next
// build takes those as its own and rewrites what differs.
func TestBuildStoppedWhilePublishing(t *testing.T) {
	dir := t.TempDir()
	v1 := programme(t, "{time: 09:00-10:00, id: a, title: A}")
	at(t, dir, day1, v1)
	// The stopped build had renamed sessions/b.ics into place.
	os.WriteFile(filepath.Join(dir, "sessions", "b.ics"), []byte("BEGIN:VCALENDAR\r\nhalf of a build\r\n"), 0o644)
	os.WriteFile(filepath.Join(dir, pendingName), []byte("sessions/b.ics\n"), 0o644)
	v2 := programme(t, "{time: 09:00-10:00, id: a, title: A}", "{time: 10:00-11:00, id: b, title: B}")
	at(t, dir, day1.Add(time.Hour), v2)
	files := tree(t, dir)
	if got, want := names(files), ".agendacal.state days/2017-06-29.ics index.html programme.ics sessions/a.ics sessions/b.ics"; got != want {
		t.Errorf("files %s, want %s", got, want)
	}
	if ev := event(t, files["sessions/b.ics"].data, "b@example.org"); ev["SUMMARY"] != "B" {
		t.Errorf("sessions/b.ics was not rewritten: %v", ev)
	}
}

// Publishing file by file, where the folder cannot be swapped whole, keeps
// every promise but the all-or-nothing one.
func TestInPlace(t *testing.T) {
	inPlace := func(o *Options) { o.inPlace = true }
	dir := t.TempDir()
	at(t, dir, day1, programme(t, pristinaLike...), inPlace)
	before := tree(t, dir)
	moved := append([]string{}, pristinaLike...)
	moved[1] = "{time: 09h15-09h45, id: opening, title: Opening, track: main}"
	moved = moved[:len(moved)-1] // closing removed
	at(t, dir, day1.Add(time.Hour), programme(t, moved...), inPlace, func(o *Options) { o.KeepRemoved = 0 })
	after := tree(t, dir)
	if got, want := rewritten(before, after), ".agendacal.state days/2017-06-29.ics index.html programme.ics sessions/closing.ics sessions/opening.ics tracks/main.ics tracks/side.ics"; got != want {
		t.Errorf("rewritten: %s, want %s", got, want)
	}
	if _, ok := after["sessions/closing.ics"]; ok {
		t.Error("the removed session's file is still there")
	}
	if ev := event(t, after["programme.ics"].data, "opening@example.org"); ev["SEQUENCE"] != "1" {
		t.Errorf("the moved session: %v", ev)
	}
}

// No symbolic link in the output folder is followed: nothing outside the
// folder is ever written or removed.
func TestSymlinksAreNotFollowed(t *testing.T) {
	for _, mode := range []string{"swap", "in place"} {
		t.Run(mode, func(t *testing.T) {
			opt := func(o *Options) { o.inPlace = mode == "in place" }
			dir, elsewhere := t.TempDir(), t.TempDir()
			victim := filepath.Join(elsewhere, "a.ics")
			os.WriteFile(victim, []byte("someone else's"), 0o644)
			os.WriteFile(filepath.Join(elsewhere, "b.ics"), []byte("someone else's"), 0o644)
			at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}"), opt)

			// sessions/ replaced by a link to another folder.
			os.RemoveAll(filepath.Join(dir, "sessions"))
			os.Symlink(elsewhere, filepath.Join(dir, "sessions"))
			_, err := Folder(context.Background(), dir, programme(t, "{time: 09:00-10:00, id: a, title: A2}"), Options{Now: day1, inPlace: mode == "in place"})
			if err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
				t.Errorf("a build through a linked sessions/: %v", err)
			}
			// Bookkeeping that names a file behind a link.
			os.Remove(filepath.Join(dir, "sessions"))
			os.Mkdir(filepath.Join(dir, "sessions"), 0o755)
			os.Symlink(elsewhere, filepath.Join(dir, "evil"))
			st, _ := readState(dir)
			st.Files["evil/b.ics"] = ""
			st.Files["../b.ics"] = ""
			var data bytes.Buffer
			st.writeTo(&data)
			os.WriteFile(filepath.Join(dir, stateName), data.Bytes(), 0o644)
			at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A3}"), opt)
			for _, f := range []string{"a.ics", "b.ics"} {
				if data, err := os.ReadFile(filepath.Join(elsewhere, f)); err != nil || string(data) != "someone else's" {
					t.Errorf("%s outside the folder became %q (%v)", f, data, err)
				}
			}
			if target, err := os.Readlink(filepath.Join(dir, "evil")); err != nil || target != elsewhere {
				t.Errorf("the link in the folder was not kept: %q %v", target, err)
			}
		})
	}
}

// A case-only id change never replaces a file agendacal did not write.
func TestCaseChangeKeepsForeignFile(t *testing.T) {
	for _, mode := range []string{"swap", "in place"} {
		t.Run(mode, func(t *testing.T) {
			opt := func(o *Options) { o.inPlace = mode == "in place" }
			dir := t.TempDir()
			at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: Opening, title: A}"), opt)
			foreign := filepath.Join(dir, "sessions", "opening.ics")
			if err := os.WriteFile(foreign, []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			if data, _ := os.ReadFile(filepath.Join(dir, "sessions", "Opening.ics")); string(data) == "mine" {
				t.Skip("the file system ignores case")
			}
			_, err := Folder(context.Background(), dir, programme(t, "{time: 09:00-10:00, id: opening, title: A}"), Options{Now: day1, inPlace: mode == "in place"})
			if err == nil || !strings.Contains(err.Error(), "agendacal did not write it") {
				t.Errorf("a case-only change onto a foreign file: %v", err)
			}
			if data, _ := os.ReadFile(foreign); string(data) != "mine" {
				t.Errorf("the foreign file became %q", data)
			}
		})
	}
}

// A folder that lost its bookkeeping still knows whose calendars it holds.
func TestAnotherProgrammeWithoutBookkeeping(t *testing.T) {
	dir := t.TempDir()
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A}"))
	os.Remove(filepath.Join(dir, stateName))
	other := programme(t, "{time: 09:00-10:00, id: z, title: Z}")
	other.UIDDomain = "other.example.org"
	_, err := Folder(context.Background(), dir, other, Options{Now: day1})
	var refused *OtherProgrammeError
	if !errors.As(err, &refused) || refused.UIDDomain != "example.org" {
		t.Fatalf("another programme over calendars without bookkeeping: %v", err)
	}
	at(t, dir, day1, other, func(o *Options) { o.Force = true })
	if got := names(tree(t, dir)); got != ".agendacal.state days/2017-06-29.ics index.html programme.ics sessions/z.ics" {
		t.Errorf("after --force: %s", got)
	}
}

// Feeds for every track (with the sessions of no track unless the track
// is not common), room and day; sessions in several tracks; reminders in
// session files only; upcoming.ics past 1,000 sessions.
func TestFeeds(t *testing.T) {
	dir := t.TempDir()
	src := "title: T\ntimezone: Europe/Belgrade\nuid_domain: example.org\nlanguage: sq\n" +
		"venue: {name: Hotel Sirius, room: Castor}\n" +
		"tracks: [{id: law, name: Law}, {id: banks, name: Banks}, {id: side, name: Side, common: false}]\n" +
		"days:\n  - date: 2017-06-29\n    sessions:\n" +
		"      - {time: 09:00-10:00, id: keynote, title: Keynote}\n" +
		"      - {time: 10:00-11:00, id: joint, title: Joint, track: [law, banks], room: Pollux, online: 'https://meet.example.org/j'}\n" +
		"      - {time: 11:00-12:00, id: aside, title: Aside, track: side}\n" +
		"  - date: 2017-06-30\n    sessions:\n" +
		"      - {time: 09:00-10:00, id: closing, title: Closing, track: law, kind: break}\n"
	p := parsed(t, src)
	at(t, dir, day1, p, func(o *Options) { o.Alarm = 15 * time.Minute })
	files := tree(t, dir)
	want := ".agendacal.state days/2017-06-29.ics days/2017-06-30.ics index.html programme.ics rooms/castor.ics rooms/pollux.ics " +
		"sessions/aside.ics sessions/closing.ics sessions/joint.ics sessions/keynote.ics tracks/banks.ics tracks/law.ics tracks/side.ics"
	if got := names(files); got != want {
		t.Fatalf("files %s,\nwant %s", got, want)
	}
	holds(t, files, map[string]string{
		"tracks/law.ics":      "keynote@example.org joint@example.org closing@example.org",
		"tracks/banks.ics":    "keynote@example.org joint@example.org",
		"tracks/side.ics":     "aside@example.org",
		"rooms/castor.ics":    "keynote@example.org aside@example.org closing@example.org",
		"rooms/pollux.ics":    "joint@example.org",
		"days/2017-06-30.ics": "closing@example.org",
	})
	joint := event(t, files["programme.ics"].data, "joint@example.org")
	if joint["CONFERENCE"] != "https://meet.example.org/j" || !strings.HasPrefix(joint["DESCRIPTION"], "Bashkohuni në internet: https://meet.example.org/j") {
		t.Errorf("the joint online session: %v", joint)
	}
	if !strings.Contains(strings.ReplaceAll(files["programme.ics"].data, "\r\n ", ""), "CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Bashkohuni në internet:https://meet.example.org/j\r\n") {
		t.Errorf("no CONFERENCE property:\n%s", files["programme.ics"].data)
	}
	if !strings.Contains(files["sessions/joint.ics"].data, "SUMMARY;LANGUAGE=sq:Joint\r\n") || !strings.Contains(files["sessions/joint.ics"].data, "CATEGORIES;LANGUAGE=sq:Banks\r\n") {
		t.Errorf("no LANGUAGE=sq on the text, or a track missing:\n%s", files["sessions/joint.ics"].data)
	}
	if !strings.Contains(files["sessions/closing.ics"].data, "CATEGORIES;LANGUAGE=sq:Pushim\r\n") {
		t.Errorf("a break is not called Pushim in Albanian:\n%s", files["sessions/closing.ics"].data)
	}
	if !strings.Contains(files["sessions/keynote.ics"].data, "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDESCRIPTION:Keynote\r\nEND:VALARM\r\nEND:VEVENT\r\n") {
		t.Errorf("no reminder in the session file:\n%s", files["sessions/keynote.ics"].data)
	}
	for name, f := range files {
		if !strings.HasPrefix(name, "sessions/") && strings.Contains(f.data, "VALARM") {
			t.Errorf("%s, a feed, has a reminder", name)
		}
	}

	// Past 1,000 sessions, upcoming.ics holds those not yet ended.
	var lines []string
	for i := range 1001 {
		lines = append(lines, fmt.Sprintf("{start: '09:00', duration: %dm, title: S%d, room: R%d}", i+1, i, i))
	}
	big := programme(t, lines...)
	bigDir := t.TempDir()
	at(t, bigDir, time.Date(2017, 6, 29, 7, 1, 30, 0, time.UTC), big) // 09:01:30 in Belgrade: the first has ended
	if got := strings.Count(tree(t, bigDir)["upcoming.ics"].data, "BEGIN:VEVENT"); got != 1000 {
		t.Errorf("upcoming.ics holds %d events, want 1000", got)
	}
}

// A cancelled session reminds no one, whether the programme cancels it or
// it left the programme; and the reminder a removed session's file held
// never reaches the feeds, which copy its event from that file.
func TestNoReminderOfCancelledSessions(t *testing.T) {
	dir := t.TempDir()
	a := "{time: 09:00-10:00, id: a, title: A}"
	b := "{time: 10:00-11:00, id: b, title: B}"
	alarm := func(o *Options) { o.Alarm = 15 * time.Minute }
	at(t, dir, day1, programme(t, a, b), alarm)
	for i, step := range []struct {
		sessions []string
		alarm    bool
	}{
		{[]string{a}, true},
		{[]string{a}, true},
		{[]string{strings.Replace(a, "title: A", "title: A, status: cancelled", 1)}, true},
		{[]string{a}, false},
	} {
		opts := []func(*Options){}
		if step.alarm {
			opts = append(opts, alarm)
		}
		at(t, dir, day1.Add(time.Duration(i+1)*time.Hour), programme(t, step.sessions...), opts...)
		files := tree(t, dir)
		for name, f := range files {
			want := 0
			if name == "sessions/a.ics" && step.alarm && !strings.Contains(step.sessions[0], "cancelled") {
				want = 1
			}
			if got := strings.Count(f.data, "BEGIN:VALARM"); got != want {
				t.Errorf("build %d: %s has %d reminders, want %d", i+2, name, got, want)
			}
		}
		if ev := event(t, files["programme.ics"].data, "b@example.org"); ev["STATUS"] != "CANCELLED" {
			t.Errorf("build %d: b is published %v", i+2, ev)
		}
	}
}

// The bookkeeping read ahead is taken only while it is still the folder's:
// a build that finished meanwhile has the last word, and no SEQUENCE is
// given twice.
func TestReadAheadOfAnotherBuild(t *testing.T) {
	for _, mode := range []string{"swap", "in place"} {
		t.Run(mode, func(t *testing.T) {
			inPlace := func(o *Options) { o.inPlace = mode == "in place" }
			dir := t.TempDir()
			a := "{time: 09:00-10:00, id: a, title: A}"
			at(t, dir, day1, programme(t, a), inPlace)
			ahead := StartReadAhead(dir)
			<-ahead.done
			at(t, dir, day1.Add(time.Hour), programme(t, strings.Replace(a, "A}", "A2}", 1)), inPlace)
			at(t, dir, day1.Add(2*time.Hour), programme(t, strings.Replace(a, "A}", "A3}", 1)), inPlace, func(o *Options) { o.ReadAhead = ahead })
			if ev := event(t, tree(t, dir)["sessions/a.ics"].data, "a@example.org"); ev["SEQUENCE"] != "2" {
				t.Errorf("SEQUENCE %s after two changes, want 2", ev["SEQUENCE"])
			}
			// Read ahead of the folder as it is, the bookkeeping is taken.
			ahead = StartReadAhead(dir)
			at(t, dir, day1.Add(3*time.Hour), programme(t, a), inPlace, func(o *Options) { o.ReadAhead = ahead })
			if ev := event(t, tree(t, dir)["sessions/a.ics"].data, "a@example.org"); ev["SEQUENCE"] != "3" {
				t.Errorf("SEQUENCE %s after three changes, want 3", ev["SEQUENCE"])
			}
			if ahead.st != nil || ahead.read != nil {
				t.Error("the bookkeeping read ahead was not taken")
			}
		})
	}
}

// A build stopped while it was replacing files file by file leaves some of
// them with its bytes: the next build rewrites each, even when it goes
// back to the programme the bookkeeping knows.
func TestBuildStoppedWhileReplacing(t *testing.T) {
	for _, mode := range []string{"swap", "in place"} {
		t.Run(mode, func(t *testing.T) {
			inPlace := func(o *Options) { o.inPlace = mode == "in place" }
			dir := t.TempDir()
			v1 := programme(t, "{time: 09:00-10:00, id: a, title: A}")
			at(t, dir, day1, v1, inPlace)
			want := tree(t, dir)["sessions/a.ics"].data
			// The stopped build had renamed its sessions/a.ics into place.
			write(t, filepath.Join(dir, "sessions", "a.ics"), "BEGIN:VCALENDAR\r\nthe stopped build's\r\n")
			write(t, filepath.Join(dir, pendingName), "sessions/a.ics\n")
			at(t, dir, day1.Add(time.Hour), v1, inPlace)
			if got := tree(t, dir)["sessions/a.ics"].data; got != want {
				t.Errorf("sessions/a.ics holds %q", got)
			}
		})
	}
}

// A day's calendar holds what goes on that day: sessions that began on an
// earlier day of the programme and go on into it come first.
func TestDayCalendarsHoldWhatGoesOn(t *testing.T) {
	dir := t.TempDir()
	src := "title: T\ntimezone: Europe/Belgrade\nuid_domain: example.org\ndays:\n" +
		"  - date: 2026-12-30\n    sessions:\n" +
		"      - {all_day: true, until: 2027-01-02, id: desk, title: Desk}\n" +
		"      - {start: '22:00', duration: 3h, id: night, title: Night}\n" +
		"      - {time: 23:00-24:00, id: late, title: Late}\n" +
		"  - date: 2026-12-31\n    sessions:\n" +
		"      - {time: 09:00-10:00, id: eve, title: Eve}\n" +
		"  - date: 2027-01-02\n    sessions:\n" +
		"      - {time: 09:00-10:00, id: after, title: After}\n"
	p := parsed(t, src)
	at(t, dir, day1, p)
	files := tree(t, dir)
	holds(t, files, map[string]string{
		"days/2026-12-30.ics": "desk@example.org night@example.org late@example.org",
		"days/2026-12-31.ics": "desk@example.org night@example.org eve@example.org",
		"days/2027-01-02.ics": "desk@example.org after@example.org", // until is the last day
	})
}

// holds checks the UIDs, in order, of each file's events.
func holds(t *testing.T, files map[string]fileInfo, want map[string]string) {
	t.Helper()
	for file, uidList := range want {
		if got := uids(files[file].data); got != uidList {
			t.Errorf("%s holds %s, want %s", file, got, uidList)
		}
	}
}
