package ical

import (
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

// FuzzEncode writes a session with arbitrary text in every text field: the
// calendar must keep its physical form (CRLF, 75-octet lines, whole UTF-8
// characters), hold exactly one event with exactly the expected properties
// (no injected property or component), and give every text back after
// unescaping.
func FuzzEncode(f *testing.F) {
	f.Add("Registration", "Conference Room Castor, 8th floor", "Free text.", "Hein Dries", "Council of Europe expert", "Legislation")
	f.Add("a\r\nBEGIN:VEVENT", "x;y,z\\", "\x00\x1b\x7f", "\"q\"", "é漢🎉", "\xff")
	f.Add("", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, title, location, desc, speaker, role, topic string) {
		start := time.Date(2017, 6, 29, 6, 30, 0, 0, time.UTC)
		s := &agenda.Session{
			ID: "x", Title: title, Location: location, Description: desc,
			Speakers: []agenda.Person{{Name: speaker, Role: role}},
			Topics:   []string{topic},
			Start:    start, End: start.Add(time.Hour),
			Venue: &agenda.Venue{Name: location, Address: role, City: topic, Geo: &agenda.Geo{Lat: 42.5, Lon: 21.25}},
		}
		p := testProgramme(t, s)
		p.Organizer = &agenda.Person{Name: speaker, Email: "office@example.org"}
		data := encode(t, p, Calendar{Sessions: []*agenda.Session{s}})
		lines := readLines(t, data)
		begins := 0
		for _, l := range lines {
			if l.name == "BEGIN" {
				begins++
			}
		}
		if begins != 5 { // VCALENDAR, VTIMEZONE, STANDARD, DAYLIGHT, VEVENT
			t.Fatalf("%d components, want 5:\n%s", begins, data)
		}
		evs := events(lines)
		if len(evs) != 1 {
			t.Fatalf("%d events, want 1", len(evs))
		}
		ev := evs[0]
		want := map[string]string{"SUMMARY": cleanText(title), "DESCRIPTION": cleanText(NewEncoder(p, Options{}).description(s))}
		if location != "" {
			want["LOCATION"] = cleanText(location)
		}
		for name, text := range want {
			if len(ev[name]) != 1 {
				t.Fatalf("%d %s properties, want 1", len(ev[name]), name)
			}
			if got := unescapeStrictly(t, ev[name][0].value); got != text {
				t.Fatalf("%s reads back as %q, want %q", name, got, text)
			}
		}
		// Parameters quoted from any text keep their property whole.
		for name, value := range map[string]string{"ORGANIZER": "mailto:office@example.org", "X-APPLE-STRUCTURED-LOCATION": "geo:42.500000,21.250000", "GEO": "42.500000;21.250000"} {
			if len(ev[name]) != 1 || ev[name][0].value != value {
				t.Fatalf("%s: %v, want one with the value %s", name, ev[name], value)
			}
		}
		const always = 10 // UID, DTSTAMP, LAST-MODIFIED, SEQUENCE, DTSTART, DTEND, STATUS, GEO, X-APPLE-STRUCTURED-LOCATION, ORGANIZER
		if n := always + len(want); len(ev) != n {
			t.Fatalf("properties %v, want %d", keys(ev), n)
		}
	})
}
