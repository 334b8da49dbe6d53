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
// (daysAtOnce), and read only as they are decoded (deferredDays, here
// from two days on whatever their length) on one goroutine or several,
// to them read first and decoded one after the other: the same
// programme, the same problems in the same order.
func sameAtOnce(t *testing.T, data []byte) {
	t.Helper()
	p1, problems1 := parseFiles("f.yaml", string(data), nil, 1, 0)
	for _, way := range []struct {
		name               string
		workers, deferFrom int
	}{
		{"at once", 3, 0},
		{"deferred", 1, 1},
		{"deferred at once", 3, 1},
	} {
		p, problems := parseFiles("f.yaml", string(data), nil, way.workers, way.deferFrom)
		if !reflect.DeepEqual(problems1, problems) {
			t.Fatalf("%q: problems one after the other:\n%v\n%s:\n%v", data, problems1, way.name, problems)
		}
		if !reflect.DeepEqual(p1, p) {
			t.Fatalf("%q: the programmes differ %s", data, way.name)
		}
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
	// A node reported in one day and, in the next, the node read into the
	// same place: each is reported. Eight days make groups of two on one
	// goroutine.
	pair := day("2017-06-29", "{time: 09:00-10:00, title: [x]}") + day("2017-06-30", "{time: 09:00-10:00, title: ''}")
	sameAtOnce(t, []byte("title: T\ntimezone: Europe/Belgrade\ndays:\n"+strings.Repeat(pair, 4)))
}

// TestDeferredDayLeftToYAMLv3: a day the fast reader does not read as it
// would in the whole file (here a quoted title going on to a line that
// looks like the next day) is found only when the days are decoded; the
// programme is then decoded again, not deferred, and yaml.v3 reads it.
func TestDeferredDayLeftToYAMLv3(t *testing.T) {
	data := []byte("title: T\ntimezone: Europe/Belgrade\nuid_domain: x.org\ndays:\n" +
		"  - date: 2017-06-29\n    sessions:\n      - time: 09:00-10:00\n        title: \"Opening\n  - of the day\"\n" +
		"  - date: 2017-06-29\n    sessions:\n      - {time: 10:00-11:00, title: B, location: 'Castor'}\n")
	d := &decoder{file: "f.yaml", fileOrder: map[string]int{"f.yaml": 0}, workers: 2, deferFrom: 1}
	d.programme(d.document(string(data)))
	if !d.refused {
		t.Fatal("the deferred day was read")
	}
	p, problems := parseFiles("f.yaml", string(data), nil, 2, 1)
	if p == nil || len(p.Sessions) != 2 || p.Sessions[0].Title != "Opening - of the day" {
		t.Fatalf("decoded again: %v, %v", p, problems)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "listed twice") {
		t.Errorf("problems %v, want the date listed twice", problems)
	}
	sameAtOnce(t, data)
}

// A deferred list that is never decoded (the second of two days: keys,
// which the decoder leaves) is read whole all the same: its syntax errors
// are reported, and a quoted title running on at the start of a line is
// not taken for a key.
func TestDeferredListNeverDecoded(t *testing.T) {
	head := "title: T\ntimezone: Europe/Belgrade\nuid_domain: x.org\ndays:\n  - date: 2017-06-29\n    sessions: [{time: 09:00-10:00, title: A}]\n"
	for _, second := range []string{
		"days:\n  - date: 2017-06-30\n  - date: 2017-07-01\n    sessions: [{time: 09:00-10:00, title: [B}]\n",
		"days:\n  - date: 2017-06-30\n  - date: 2017-07-01\n    sessions:\n      - time: 09:00-10:00\n        title: \"B\ntimezone: UTC\"\n",
	} {
		data := []byte(head + second)
		_, want := parseFiles("f.yaml", string(data), nil, 2, 0)
		_, got := parseFiles("f.yaml", string(data), nil, 2, 1)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\ndeferred: %v\nwhole:    %v", data, got, want)
		}
	}
}
