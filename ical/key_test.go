package ical

import (
	"bytes"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

// keyed is a calendar of a one-session programme, encoded: its bytes and
// its key.
type keyed struct{ data, key string }

// FuzzKeyTellsBytes varies what a calendar is made of: whenever its bytes
// differ, so does its key, and the same calendar gives the same key.
func FuzzKeyTellsBytes(f *testing.F) {
	f.Add("Opening", "Opening", "Hall", 0, 1, int64(0), int64(1), 0, 10, false, "")
	f.Add("A", "A", "", 2, 2, int64(5), int64(5), 15, 15, true, "REQUEST")
	f.Add("x", "x", "<b>", 1, 1, int64(100), int64(100), 0, 0, false, "CANCEL")
	f.Add("y", "y", "", 1, 2, int64(100), int64(100), 5, 5, false, "")
	f.Add("y", "y", "", 1, 1, int64(100), int64(100), 5, 6, false, "")
	f.Fuzz(func(t *testing.T, title1, title2, location string, seq1, seq2 int, changed1, changed2 int64, alarm1, alarm2 int, attendee bool, method string) {
		zone, _, err := agenda.ResolveZone("Europe/Belgrade")
		if err != nil {
			t.Fatal(err)
		}
		encode := func(title string, seq int, changed int64, alarm int) keyed {
			start := time.Date(2017, 6, 29, 9, 0, 0, 0, zone)
			s := &agenda.Session{ID: "s", Title: title, Location: location, Start: start, End: start.Add(time.Hour)}
			p := &agenda.Programme{Title: "T", UIDDomain: "example.org", ZoneName: "Europe/Belgrade", Zone: zone, Sessions: []*agenda.Session{s}}
			e := NewEncoder(p, Options{Stamp: start})
			e.Prepare(1)
			e.Revise(s, Revision{Sequence: seq, Changed: time.Unix(changed, 0)})
			c := Calendar{Sessions: p.Sessions, Alarm: time.Duration(alarm%120) * time.Minute, Method: method}
			if attendee {
				c.Attendee = &agenda.Person{Name: title, Email: "a@example.org"}
			}
			var b bytes.Buffer
			if err := e.Encode(&b, c); err != nil {
				t.Skip(err) // a calendar that cannot be written has no key
			}
			return keyed{b.String(), e.Key(c)}
		}
		one, other := encode(title1, seq1, changed1, alarm1), encode(title2, seq2, changed2, alarm2)
		if again := encode(title1, seq1, changed1, alarm1); again.key != one.key {
			t.Fatal("the same calendar gave two keys")
		}
		if one.data != other.data && one.key == other.key {
			t.Fatalf("different bytes, one key:\n%q\n%q", one.data, other.data)
		}
	})
}
