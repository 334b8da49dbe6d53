package agenda

import (
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
