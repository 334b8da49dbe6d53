package agenda

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse feeds the parser arbitrary files: it must never panic or hang,
// and whatever it accepts must be a programme the writer can trust: every
// session with a safe, unique id and an end after its start, and no
// control character in any one-line field.
func FuzzParse(f *testing.F) {
	f.Add([]byte(programme("- {time: 09:30-10:30, title: A}")))
	f.Add([]byte(programme("- {start: '21:00', duration: 4h, title: Late, speakers: [X, {name: Y, role: Z}]}")))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("title: \"x\\ry\"\ntimezone: Pristina\ndays: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAtOnce(t, data)
		p, problems := Parse("f.yaml", data)
		if p == nil {
			if problems.Err(false) == nil {
				t.Fatalf("no programme and no error: %v", problems)
			}
			return
		}
		if problems.Err(false) != nil {
			t.Fatalf("a programme despite errors: %v", problems)
		}
		seen := map[string]bool{}
		for _, s := range p.Sessions {
			if why := checkID(s.ID); why != "" {
				t.Fatalf("session id %q %s", s.ID, why)
			}
			if seen[strings.ToLower(s.ID)] {
				t.Fatalf("duplicate session id %q", s.ID)
			}
			seen[strings.ToLower(s.ID)] = true
			if !s.End.After(s.Start) {
				t.Fatalf("session %q ends at %v, not after %v", s.ID, s.End, s.Start)
			}
			for _, field := range []string{s.Title, s.Location, s.URL} {
				if strings.ContainsFunc(field, func(r rune) bool { return isControl(r) && r != '\t' }) {
					t.Fatalf("control character in %q", field)
				}
			}
		}
	})
}

// sameAtOnce holds a programme's days decoded on several goroutines
// (daysAtOnce) to them decoded one after the other: the same programme,
// the same problems in the same order.
func sameAtOnce(t *testing.T, data []byte) {
	t.Helper()
	p1, problems1 := parseFiles("f.yaml", data, nil, 1)
	p3, problems3 := parseFiles("f.yaml", data, nil, 3)
	if !reflect.DeepEqual(problems1, problems3) {
		t.Fatalf("%q: problems one after the other:\n%v\nat once:\n%v", data, problems1, problems3)
	}
	if !reflect.DeepEqual(p1, p3) {
		t.Fatalf("%q: the programmes differ", data)
	}
}

// TestDaysAtOnce decodes every programme in the repository, valid or not,
// both ways.
func TestDaysAtOnce(t *testing.T) {
	files, _ := filepath.Glob("../testdata/*/*.yaml")
	more, _ := filepath.Glob("../testdata/*/*/*.yaml")
	files = append(append(files, more...), "../examples/pristina.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sameAtOnce(t, data)
	}
	// Days with problems of every kind, dates listed twice, and sessions
	// whose derived ids collide across days.
	day := func(date string, sessions ...string) string {
		return "  - date: " + date + "\n    sessions:\n      - " + strings.Join(sessions, "\n      - ") + "\n"
	}
	sameAtOnce(t, []byte("title: T\ntimezone: Europe/Belgrade\ntracks: [{id: plenary, name: Plenary}]\ndays:\n"+
		day("2017-06-29", "{time: 09:30-10:30, title: A, invite: [x]}", "{time: 25:00-26:00, title: B, track: nope, speakerz: [c]}")+
		day("2017-06-29", "{time: 09:00-09:30, title: C, status: odd, track: plenery}", "{time: 09:00-09:30, title: A}")+
		"  - date: 2017-02-30\n    sessions: []\n"+
		day("2017-06-30", "{time: 10:00-09:00, title: D, kind: lunch}", "{time: 11:00-12:00, title: D}", "{time: 11:00-12:00, title: D, id: x}")+
		day("2017-07-01", "{time: 11:00-12:00, title: D, id: x}", "{time: 23:00-23:30, title: E}", "{time: 01:00-02:00, title: F}")))

}
