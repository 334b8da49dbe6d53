package agenda

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
	"unicode"
)

// KeepIDs gives derived ids back to the sessions they were published
// for, matching by what did not change, and never reuses a published id.
func TestKeepIDs(t *testing.T) {
	at := func(hm string) time.Time {
		loc, _ := time.LoadLocation("Europe/Belgrade")
		tm, _ := time.ParseInLocation("2006-01-02 15:04", "2017-06-29 "+hm, loc)
		return tm
	}
	published := func(id, title, hm, loc string) PublishedID {
		return PublishedID{ID: id, Derived: true, Date: "2017-06-29", Title: Digest(title), Start: at(hm), Location: Digest(loc)}
	}
	coffee := []PublishedID{
		published("2017-06-29-coffee-break", "Coffee break", "10:30", ""),
		published("2017-06-29-coffee-break-2", "Coffee break", "15:00", ""),
	}
	tests := []struct {
		name      string
		sessions  []string
		published []PublishedID
		want      string
	}{
		{"nothing published", []string{"- {time: 10:30-11:00, title: Coffee break}"}, nil,
			"2017-06-29-coffee-break"},
		{"the first of two removed", []string{"- {time: 15:00-15:30, title: Coffee break}"}, coffee,
			"2017-06-29-coffee-break-2"},
		{"a new one after the two", []string{
			"- {time: 10:30-11:00, title: Coffee break}", "- {time: 15:00-15:30, title: Coffee break}", "- {time: 17:00-17:30, title: Coffee break, room: X}"}, coffee,
			"2017-06-29-coffee-break 2017-06-29-coffee-break-2 2017-06-29-coffee-break-3"},
		{"renamed", []string{"- {time: 13:00-14:00, title: Lunch}"}, []PublishedID{published("2017-06-29-lunch-break", "Lunch break", "13:00", "")},
			"2017-06-29-lunch-break"},
		{"moved", []string{"- {time: 14:00-15:00, title: Lunch break}"}, []PublishedID{published("2017-06-29-lunch-break", "Lunch break", "13:00", "")},
			"2017-06-29-lunch-break"},
		{"renamed and moved in its room", []string{"- {time: 14:00-15:00, title: Lunch, room: Hall}"}, []PublishedID{published("2017-06-29-lunch-break", "Lunch break", "13:00", "Hall")},
			"2017-06-29-lunch-break"},
		{"renamed and moved, two in the room", []string{"- {time: 14:00-15:00, title: Lunch, room: Hall}", "- {time: 16:00-17:00, title: Tea, room: Hall}"},
			[]PublishedID{published("2017-06-29-lunch-break", "Lunch break", "13:00", "Hall"), published("2017-06-29-coffee", "Coffee", "15:00", "Hall")},
			"2017-06-29-lunch 2017-06-29-tea"},
		{"another day", []string{"- {time: 13:00-14:00, title: Lunch break}"}, []PublishedID{{ID: "2017-06-28-lunch-break", Derived: true, Date: "2017-06-28", Title: Digest("Lunch break"), Start: at("13:00").AddDate(0, 0, -1)}},
			"2017-06-29-lunch-break"},
		{"an explicit id is kept", []string{"- {id: lunch, time: 13:00-14:00, title: Lunch}"}, []PublishedID{published("2017-06-29-lunch", "Lunch", "13:00", "")},
			"lunch"},
		{"a removed session comes back only as it was", []string{"- {time: 17:00-17:30, title: Coffee break}"},
			[]PublishedID{{ID: "2017-06-29-coffee-break", Derived: true, Date: "2017-06-29", Title: Digest("Coffee break"), Start: at("10:30"), Removed: true}},
			"2017-06-29-coffee-break-2"},
		{"read back from a calendar", []string{"- {time: 17:00-17:30, title: Coffee break}", "- {time: 18:00-18:30, title: Coffee break}"},
			[]PublishedID{{ID: "2017-06-29-coffee-break-2", Derived: true, OnlyID: true}},
			"2017-06-29-coffee-break 2017-06-29-coffee-break-2"},
		// Read back with title, start and place: by id first, and one the
		// id does not take is matched as the others are.
		{"read back, by id first", []string{"- {time: 10:30-11:00, title: Coffee break}", "- {time: 15:00-15:30, title: Coffee break}"},
			[]PublishedID{withIDFirst(published("2017-06-29-coffee-break-2", "Coffee break", "10:30", "")), withIDFirst(published("2017-06-29-coffee-break", "Coffee break", "15:00", ""))},
			"2017-06-29-coffee-break 2017-06-29-coffee-break-2"},
		{"read back and renamed", []string{"- {time: 13:00-14:00, title: Lunch}"}, []PublishedID{withIDFirst(published("2017-06-29-lunch-break", "Lunch break", "13:00", ""))},
			"2017-06-29-lunch-break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, problems := Parse("p.yaml", []byte(programme(tt.sessions...)))
			if p == nil {
				t.Fatal(problems)
			}
			reserved := map[string]bool{}
			for _, old := range tt.published {
				reserved[strings.ToLower(old.ID)] = true
			}
			p.KeepIDs(tt.published, func(id string) bool { return reserved[id] })
			var got []string
			for _, s := range p.Sessions {
				got = append(got, s.ID)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("ids %s, want %s", strings.Join(got, " "), tt.want)
			}
		})
	}
}

// However many sessions share a long title, their derived ids stay within
// maxIDLength and unique.
func TestDerivedIDsNeverTooLong(t *testing.T) {
	title := strings.Repeat("Cooperation with the private sector ", 6)
	var lines []string
	for i := range 1100 {
		lines = append(lines, fmt.Sprintf("- {start: '09:00', duration: %dm, title: %q, room: R%d}", i+1, title, i))
	}
	p, problems := Parse("p.yaml", []byte(programme(lines...)))
	if p == nil {
		t.Fatal(problems)
	}
	seen := map[string]bool{}
	for _, s := range p.Sessions {
		if len(s.ID) > maxIDLength || checkID(s.ID) != "" || seen[strings.ToLower(s.ID)] {
			t.Fatalf("id %q (%d characters): want a unique safe id of at most %d", s.ID, len(s.ID), maxIDLength)
		}
		seen[strings.ToLower(s.ID)] = true
	}
}

// Rooms keep the ids they were published under; new ones never take one,
// and a bookkeeping that gives two rooms one id, or an id no room could
// have, is not followed.
func TestKeepRoomIDs(t *testing.T) {
	p := &Programme{Rooms: []*Room{{Name: "Room #2"}, {Name: "Room 2"}, {Name: "Hall"}, {Name: "Annex"}, {Name: "Attic"}}}
	for _, r := range p.Rooms {
		r.ID = roomID(r.Name, map[string]bool{})
	}
	p.KeepRoomIDs(map[string]string{"Room 2": "room-2", "Gone": "hall", "Annex": "../annex", "Attic": "room-2"})
	got := map[string]string{}
	for _, r := range p.Rooms {
		got[r.Name] = r.ID
	}
	want := map[string]string{
		"Room 2":  "room-2",
		"Room #2": "room-2-" + shortHash("Room #2"),
		"Hall":    "hall-" + shortHash("Hall"),
		"Annex":   "annex",
		"Attic":   "attic",
	}
	if !maps.Equal(got, want) {
		t.Errorf("ids %v, want %v", got, want)
	}
}

func withIDFirst(p PublishedID) PublishedID {
	p.IDFirst = true
	return p
}

func TestToLowerIsUnicodes(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := toLower(r), unicode.ToLower(r); got != want {
			t.Fatalf("toLower(%U) = %U, want %U", r, got, want)
		}
	}
}
