package publish

import (
	"slices"
	"testing"
	"time"
)

// The events KeepIDs pairs first with first are in the order of their
// start, to the nanosecond, then of their id; one read back from a
// calendar, of which only the id is known, goes by its id first.
func TestPublishedOrder(t *testing.T) {
	nine := time.Date(2017, 6, 29, 7, 0, 0, 0, time.UTC)
	m := Memory{Events: map[string]*Event{
		"talk-2@x":    {ID: "talk-2", Derived: true, Start: nine},
		"talk@x":      {ID: "talk", Derived: true, Start: nine},
		"early@x":     {ID: "early", Start: nine.Add(-time.Hour)},
		"nano@x":      {ID: "a-nano", Start: nine.Add(time.Nanosecond)},
		"late@x":      {ID: "a-late", Start: nine.Add(time.Hour), Removed: &nine},
		"Read-Back@x": {ReadBack: true},
		"berlin@x":    {ID: "berlin", Start: nine.In(time.FixedZone("CEST", 2*3600)).Add(-time.Second)},
	}}
	var got []string
	for _, p := range m.published() {
		got = append(got, p.ID)
	}
	want := []string{"Read-Back", "early", "berlin", "talk", "talk-2", "a-nano", "a-late"}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
	for _, p := range m.published() {
		switch p.ID {
		case "Read-Back":
			if !p.OnlyID || !p.Derived {
				t.Errorf("the event read back: %+v", p)
			}
		case "a-late":
			if !p.Removed || p.OnlyID {
				t.Errorf("the removed event: %+v", p)
			}
		}
	}
}

// reserved knows every id given out, in lower case, the retired ones
// too, whenever it is first asked.
func TestReserved(t *testing.T) {
	m := Memory{Events: map[string]*Event{"Talk@x": {ID: "Talk"}}, Retired: []string{"gone@x@y"}}
	reserved := m.reserved()
	for id, want := range map[string]bool{"talk": true, "Talk": false, "gone@x": true, "gone": false, "other": false} {
		if got := reserved(id); got != want {
			t.Errorf("reserved(%q) = %v, want %v", id, got, want)
		}
	}
}
