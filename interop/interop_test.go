package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/ical"
	"github.com/agendacal/agendacal/publish"
)

// reader is a calendar reader adapter in readers/.
type reader struct {
	name string
	// byVTimezone tells whether the reader converts local times with the
	// file's VTIMEZONE (rather than by the TZID's name).
	byVTimezone bool
	// noUID is set for readers that cannot give UIDs back.
	noUID bool
	// slow readers (end-user clients) read the feeds and a sample of the
	// session files rather than every one.
	slow bool
}

// readers are the adapters the suite runs.
func readers() []reader {
	return []reader{
		{name: "icaljs", byVTimezone: true},
		{name: "libical", byVTimezone: true},
		{name: "icalendar-py"},
		{name: "vobject", byVTimezone: true},
		{name: "kcalendarcore"},
		{name: "ruby-icalendar", byVTimezone: true},
		{name: "khal", slow: true},
		{name: "calcurse", noUID: true, slow: true},
	}
}

// event is what a reader gives back for one VEVENT.
type event struct {
	UID      *string `json:"uid"`
	Start    string  `json:"start"`
	End      *string `json:"end"`
	Summary  *string `json:"summary"`
	Location *string `json:"location"`
}

func (e event) String() string {
	s := func(p *string) string {
		if p == nil {
			return "<null>"
		}
		return fmt.Sprintf("%q", *p)
	}
	return fmt.Sprintf("uid=%s start=%s end=%s summary=%s location=%s", s(e.UID), e.Start, s(e.End), s(e.Summary), s(e.Location))
}

// calendarFile is one calendar agendacal wrote and the events it means.
type calendarFile struct {
	path string
	want []event
}

func required() bool { return os.Getenv("AGENDACAL_INTEROP") == "require" }

// build builds a programme into a temporary folder and lists every
// calendar with the events it should hold, worked out from the programme
// rather than read from the files. A programme with an earlier version in
// testdata/interop/earlier is built over that one, a day later, so that
// its calendars hold updated events and cancelled ones for the sessions it
// removed.
func build(t *testing.T, programme string) []calendarFile {
	t.Helper()
	out := t.TempDir()
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var removed []*agenda.Session
	earlier := filepath.Join(filepath.Dir(programme), "earlier", filepath.Base(programme))
	if _, err := os.Stat(earlier); err == nil {
		before := publishAt(t, out, earlier, first)
		removed = before.Sessions
		first = first.Add(24 * time.Hour)
	}
	p := publishAt(t, out, programme, first)
	live := map[string]bool{}
	for _, s := range p.Sessions {
		live[s.ID] = true
	}
	all := slices.Clone(p.Sessions)
	for _, s := range removed {
		if !live[s.ID] {
			gone := *s
			gone.Status = agenda.StatusCancelled
			all = append(all, &gone)
		}
	}
	files := []calendarFile{{path: filepath.Join(out, "programme.ics"), want: expected(p, all)}}
	// Worked out here rather than taken from publish: a track holds its
	// sessions and, when common, those of no track; a room and a day
	// theirs.
	subset := func(dir, name string, in func(s *agenda.Session) bool) {
		var sessions []*agenda.Session
		for _, s := range all {
			if in(s) {
				sessions = append(sessions, s)
			}
		}
		if len(sessions) > 0 || dir == "tracks" {
			files = append(files, calendarFile{path: filepath.Join(out, dir, name+".ics"), want: expected(p, sessions)})
		}
	}
	for _, tr := range p.Tracks {
		subset("tracks", tr.ID, func(s *agenda.Session) bool {
			return len(s.Tracks) == 0 && tr.Common || slices.ContainsFunc(s.Tracks, func(t *agenda.Track) bool { return t.ID == tr.ID })
		})
	}
	for _, r := range p.Rooms {
		subset("rooms", r.ID, func(s *agenda.Session) bool { return s.Room != nil && s.Room.Name == r.Name })
	}
	// A day also holds the sessions of earlier days that go on into it.
	lastDate := func(o *agenda.Session) string {
		if o.AllDay {
			_, after := o.WholeDays(p.Zone)
			return after.AddDate(0, 0, -1).Format(time.DateOnly)
		}
		return o.End.In(p.Zone).Add(-time.Nanosecond).Format(time.DateOnly)
	}
	days := map[string]bool{}
	for _, s := range all {
		if !days[s.Date] {
			days[s.Date] = true
			subset("days", s.Date, func(o *agenda.Session) bool {
				return o.Date == s.Date || o.Date < s.Date && lastDate(o) >= s.Date
			})
		}
	}
	if len(all) > 1000 {
		// Built on 2026-11-01 (or a day later): what has not ended then.
		var upcoming []*agenda.Session
		for _, s := range all {
			if s.End.After(first) {
				upcoming = append(upcoming, s)
			}
		}
		files = append(files, calendarFile{path: filepath.Join(out, "upcoming.ics"), want: expected(p, upcoming)})
	}
	for _, s := range all {
		files = append(files, calendarFile{path: filepath.Join(out, "sessions", s.ID+".ics"), want: expected(p, []*agenda.Session{s})})
	}
	return files
}

// publishAt publishes a programme into out as a build at the time now.
func publishAt(t *testing.T, out, programme string, now time.Time) *agenda.Programme {
	t.Helper()
	data, err := os.ReadFile(programme)
	if err != nil {
		t.Fatal(err)
	}
	p, problems := agenda.Parse(programme, data)
	if p == nil {
		t.Fatalf("programme does not parse:\n%v", problems)
	}
	opts := publish.Options{Now: now, Wait: time.Minute, KeepRemoved: 30 * 24 * time.Hour}
	if _, err := publish.Folder(context.Background(), out, p, opts); err != nil {
		t.Fatal(err)
	}
	return p
}

func expected(p *agenda.Programme, sessions []*agenda.Session) []event {
	var out []event
	for _, s := range sessions {
		uid := s.ID + "@" + p.UIDDomain
		start, end := s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339)
		if s.AllDay {
			// Whole days: dates, the end the day after the last.
			first, after := s.WholeDays(p.Zone)
			start, end = first.Format(time.DateOnly), after.Format(time.DateOnly)
		}
		title, loc := s.Title, s.Location
		if s.Status == agenda.StatusCancelled {
			title = ical.WordsFor(p.Language).Cancelled + title
		}
		out = append(out, event{UID: &uid, Start: start, End: &end, Summary: &title, Location: &loc})
	}
	sortEvents(out)
	return out
}

func sortEvents(evs []event) {
	key := func(e event) string {
		s := e.Start
		if e.Summary != nil {
			s += *e.Summary
		}
		return s
	}
	sort.Slice(evs, func(i, j int) bool { return key(evs[i]) < key(evs[j]) })
}

// errMissing reports a reader that is not installed.
var errMissing = errors.New("reader not installed")

// read runs a reader on a file and returns the events it gives back.
func read(r reader, path string) ([]event, error) {
	cmd := exec.Command(filepath.Join("readers", r.name), path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 77:
		return nil, fmt.Errorf("%w: %s", errMissing, strings.TrimSpace(stderr.String()))
	case errors.As(err, &exit) && exit.ExitCode() == 127 && strings.HasPrefix(stderr.String(), "/usr/bin/env:"):
		// The adapter's interpreter (ruby, python3, node) is not installed.
		return nil, fmt.Errorf("%w: %s: %s", errMissing, r.name, strings.TrimSpace(stderr.String()))
	case err != nil:
		return nil, fmt.Errorf("%s rejected the file (%v):\n%s", r.name, err, stderr.String())
	case stderr.Len() > 0:
		return nil, fmt.Errorf("%s warned:\n%s", r.name, stderr.String())
	}
	var evs []event
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s printed %q: %v", r.name, sc.Text(), err)
		}
		evs = append(evs, e)
	}
	sortEvents(evs)
	return evs, nil
}

// compare reports how a reader's events differ from the ones meant; fields
// the reader cannot give back (null) are not compared.
func compare(r reader, got, want []event) []string {
	var diffs []string
	if len(got) != len(want) {
		return []string{fmt.Sprintf("%d events, want %d:\n  got  %v\n  want %v", len(got), len(want), got, want)}
	}
	eq := func(g, w *string) bool { return g == nil || w == nil || *g == *w }
	for i := range want {
		g, w := got[i], want[i]
		uidOK := r.noUID || g.UID != nil && *g.UID == *w.UID
		if !uidOK || g.Start != w.Start || !eq(g.End, w.End) || !eq(g.Summary, w.Summary) || !eq(g.Location, w.Location) {
			diffs = append(diffs, fmt.Sprintf("\n  got  %v\n  want %v", g, w))
		}
	}
	return diffs
}

// cases are the programmes the suite builds.
func cases(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "interop", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no interop programmes: %v", err)
	}
	return append([]string{filepath.Join("..", "examples", "pristina.yaml")}, files...)
}

// sample is the subset of files a slow reader reads: the feeds and the
// first and last session.
func sample(files []calendarFile) []calendarFile {
	var out []calendarFile
	var sessions []calendarFile
	for _, f := range files {
		if strings.Contains(f.path, string(filepath.Separator)+"sessions"+string(filepath.Separator)) {
			sessions = append(sessions, f)
			continue
		}
		out = append(out, f)
	}
	if len(sessions) > 0 {
		out = append(out, sessions[0], sessions[len(sessions)-1])
	}
	return out
}

// TestReaders reads every calendar of every case with every reader.
func TestReaders(t *testing.T) {
	for _, programme := range cases(t) {
		name := strings.TrimSuffix(filepath.Base(programme), ".yaml")
		t.Run(name, func(t *testing.T) {
			files := build(t, programme)
			for _, r := range readers() {
				t.Run(r.name, func(t *testing.T) {
					toRead := files
					if r.slow || len(files) > 200 {
						toRead = sample(files)
					}
					checkReader(t, r, toRead)
				})
			}
		})
	}
}

// checkReader reads files with one reader, two at a time.
func checkReader(t *testing.T, r reader, files []calendarFile) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	missing := ""
	for _, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			got, err := read(r, f.path)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, errMissing):
				missing = err.Error()
			case err != nil:
				t.Errorf("%s: %v", rel(f.path), err)
			default:
				for _, d := range compare(r, got, f.want) {
					t.Errorf("%s: %s", rel(f.path), d)
				}
			}
		}()
	}
	wg.Wait()
	if missing != "" {
		if required() {
			t.Fatalf("%s (AGENDACAL_INTEROP=require)", missing)
		}
		t.Skip(missing)
	}
}

func rel(path string) string {
	i := strings.Index(path, string(filepath.Separator)+"programme.ics")
	for _, sub := range []string{"tracks", "sessions"} {
		if j := strings.Index(path, string(filepath.Separator)+sub+string(filepath.Separator)); j >= 0 {
			i = j
		}
	}
	if i < 0 {
		return path
	}
	return path[i+1:]
}

// TestSuiteCanFail feeds the readers a calendar whose VTIMEZONE lost its
// DAYLIGHT observance: the readers that convert with the VTIMEZONE must now
// put the summer sessions an hour off, while those that convert by the
// TZID's name still get them right — so they disagree, and a wrong
// VTIMEZONE cannot pass the suite unnoticed.
func TestSuiteCanFail(t *testing.T) {
	files := build(t, filepath.Join("..", "examples", "pristina.yaml"))
	data, err := os.ReadFile(files[0].path)
	if err != nil {
		t.Fatal(err)
	}
	daylight := regexp.MustCompile(`(?s)BEGIN:DAYLIGHT\r\n.*?END:DAYLIGHT\r\n`)
	broken := daylight.ReplaceAll(data, nil)
	if bytes.Equal(broken, data) {
		t.Fatal("the calendar has no DAYLIGHT observance to remove")
	}
	path := filepath.Join(t.TempDir(), "no-daylight.ics")
	if err := os.WriteFile(path, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	agreeing := map[bool]int{}
	for _, r := range readers() {
		got, err := read(r, path)
		if errors.Is(err, errMissing) {
			if required() {
				t.Fatalf("%v (AGENDACAL_INTEROP=require)", err)
			}
			continue
		}
		if err != nil {
			t.Logf("%s rejects the broken calendar: %v", r.name, err)
			continue
		}
		right := len(compare(r, got, files[0].want)) == 0
		if r.byVTimezone == right {
			t.Errorf("%s (converts by VTIMEZONE: %v) read the broken calendar as right: %v", r.name, r.byVTimezone, right)
		}
		if !r.byVTimezone {
			agreeing[right]++
		}
		t.Logf("%s: first event starts %s", r.name, got[0].Start)
	}
	if len(agreeing) == 0 && required() {
		t.Error("no reader converting by name ran")
	}
}
