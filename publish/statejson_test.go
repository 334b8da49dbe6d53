package publish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// libraryJSON is the bookkeeping as encoding/json writes it.
func libraryJSON(t *testing.T, st *State) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func sameAsLibraryJSON(t *testing.T, st *State) {
	t.Helper()
	defer func() {
		if !t.Failed() {
			var b bytes.Buffer
			writeStateJSON(&b, st)
			sameReadAsLibrary(t, b.Bytes(), false)
		}
	}()
	var got bytes.Buffer
	done, err := writeStateJSON(&got, st)
	if err != nil || !done {
		t.Fatalf("writeStateJSON: %v, %v", done, err)
	}
	want := libraryJSON(t, st)
	if got.String() != want {
		t.Fatalf("\n got %s\nwant %s", got.String(), want)
	}
	// The same with the events encoded ahead, as a build does.
	ahead := *st
	ahead.encodeEventsAhead()
	got.Reset()
	if done, err := writeStateJSON(&got, &ahead); err != nil || !done || got.String() != want {
		t.Fatalf("with the events encoded ahead (%v, %v):\n got %s\nwant %s", done, err, got.String(), want)
	}
}

// The bookkeeping is written byte for byte as encoding/json writes it.
func TestStateJSONMatchesLibrary(t *testing.T) {
	removed := time.Date(2017, 6, 2, 3, 4, 5, 600, time.UTC)
	until := time.Date(2017, 6, 30, 0, 0, 0, 0, time.UTC)
	odd := "a\"b\\c\x01\x1f\b\f\n\r\t <&> \u2028\u2029 ë 🔐 \xff\xfe end"
	states := []*State{
		NewState(),
		{Version: 1},
		{
			Version: 1, Fresh: &fresh{Source: "s", Until: &until, Folders: map[string]int64{"sessions": 1, "days": -2}, Top: []string{"index.html"}, Remarks: []string{odd}},
			Programme: programmeRef{Title: odd, UIDDomain: "example.org"},
			Memory: Memory{Events: map[string]*Event{
				"a@example.org": {ID: "a", Derived: true, Date: "2017-06-29", Title: "abc", Start: day1, End: day1.Add(time.Hour), Location: odd, Fingerprint: "f", Sequence: 3, Changed: day1.In(time.FixedZone("X", 3600)), Removed: &removed, Tracks: []string{"main", odd}, Room: odd},
				odd:             {ID: odd, ReadBack: true},
				"b@example.org": {Tracks: []string{}},
				"c@example.org": nil,
			}, Retired: []string{"z@example.org", odd}, RetiredSequences: map[string]int{"z@example.org": 4, odd: 0}},
			Files: map[string]string{"index.html": "", odd: "d", "sessions/a.ics": "1234"},
			Keys:  map[string]string{"sessions/a.ics": "5678", odd: odd, "tracks/not-a-file.ics": "k"},
			Rooms: map[string]string{"Conference Room Castor": "conference-room-castor", odd: "r0123456789ab"},
		},
		{Version: 1, Files: map[string]string{}, Rooms: map[string]string{}},
		{Version: 1, Memory: Memory{Events: map[string]*Event{}}, Files: map[string]string{}, Keys: map[string]string{}},
	}
	// One written in many pieces.
	large := NewState()
	for i := range 3000 {
		uid := fmt.Sprintf("s%d@example.org", i)
		large.Events[uid] = &Event{ID: uid, Title: "ë", Start: day1, End: day1, Changed: day1, Fingerprint: strings.Repeat("f", 64), Tracks: []string{"main"}, Room: "Сала"}
		large.Files[fmt.Sprintf("sessions/s%d.ics", i)] = strings.Repeat("d", 64)
		large.Keys[fmt.Sprintf("sessions/s%d.ics", i)] = strings.Repeat("k", 32)
	}
	states = append(states, large)
	for _, st := range states {
		sameAsLibraryJSON(t, st)
	}
	// A time encoding/json refuses is left to it.
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	if done, _ := writeStateJSON(&b, &State{Memory: Memory{Events: map[string]*Event{"a": {Start: far}}}}); done || b.Len() > 0 {
		t.Error("a year past 9999 was written")
	}
	if err := (&State{Memory: Memory{Events: map[string]*Event{"a": {Start: far}}}}).writeTo(&b); err == nil {
		t.Error("encoding/json wrote a year past 9999")
	}
	ahead := &State{Memory: Memory{Events: map[string]*Event{"a": {Start: far}}}}
	ahead.encodeEventsAhead()
	if done, _ := writeStateJSON(&b, ahead); done || b.Len() > 0 {
		t.Error("a year past 9999 was encoded ahead")
	}
}

// FuzzStateJSONMatchesLibrary puts arbitrary text in the bookkeeping's
// strings.
func FuzzStateJSONMatchesLibrary(f *testing.F) {
	f.Add("a@example.org", "Room <1> & \"2\"", "sessions/a.ics", "main", int64(0))
	f.Add("\u2028", "\xff", "\x00", strings.Repeat("ë", 10), int64(-1))
	f.Fuzz(func(t *testing.T, uid, text, rel, track string, ns int64) {
		at := time.Unix(0, ns).UTC()
		st := &State{
			Version:   1,
			Programme: programmeRef{Title: text, UIDDomain: uid},
			Memory:    Memory{Events: map[string]*Event{uid: {ID: text, Title: track, Start: at, End: at, Changed: at, Location: text, Fingerprint: rel, Tracks: []string{track}, Room: text}}},
			Files:     map[string]string{rel: text, text: rel},
			Keys:      map[string]string{text: track},
			Rooms:     map[string]string{text: rel, track: uid},
		}
		sameAsLibraryJSON(t, st)
	})
}

// sameReadAsLibrary checks that what readStateJSON reads of data is what
// encoding/json reads; must says it has to read it.
func sameReadAsLibrary(t *testing.T, data []byte, must bool) {
	t.Helper()
	var got, want State
	if !readStateJSON(string(data), &got) {
		if must {
			t.Fatalf("not read: %s", data)
		}
		return
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("read what encoding/json refuses (%v): %q", err, data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read %q\n got %#v\nwant %#v", data, got, want)
	}
}

// The bookkeeping agendacal writes is read by readStateJSON, as
// encoding/json reads it.
func TestStateJSONReadsTheBookkeeping(t *testing.T) {
	data, err := os.ReadFile("../testdata/golden/pristina/.agendacal.state")
	if err != nil {
		t.Fatal(err)
	}
	sameReadAsLibrary(t, data, true)
	dir := t.TempDir()
	at(t, dir, day1, programme(t, "{time: 09:00-10:00, id: a, title: A, track: main}", "{time: 10:00-11:00, id: b, title: B}"))
	at(t, dir, day1.Add(time.Hour), programme(t, "{time: 09:00-10:00, id: a, title: A, track: main}"))
	if data, err = os.ReadFile(filepath.Join(dir, stateName)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"removed":`) || !strings.Contains(string(data), `"keys":`) {
		t.Fatalf("the bookkeeping lacks a removed event or keys: %s", data)
	}
	sameReadAsLibrary(t, data, true)
}

// What readStateJSON does not read as written, it leaves to encoding/json.
func TestStateJSONReadLeavesOthers(t *testing.T) {
	for _, doc := range []string{
		`{"version":1, "files":{}}`,
		`{"version":1,"files":{"a":"\u0041"}}`,
		`{"version":1,"Files":{}}`,
		`{"version":1,"version":2}`,
		`{"version":01}`,
		`{"version":1.0}`,
		`{"version":1,"events":{"a":{"id":"a","id":"b"}}}`,
		`{"version":1,"events":{"a":{"removed":null}}}`,
		`{"version":1,"events":{"a":{"tracks":null}}}`,
		`{"version":1,"events":{"a":{"start":"2017-06-29"}}}`,
		`{"version":1,"events":{"a":{"other":1}}}`,
		"{\"version\":1,\"files\":{\"a\":\"\xff\"}}",
		`{"version":1,"files":{"a":"b","a":"c"}}`,
		`{"version":1}x`,
		`{"version":1}` + "\n\n",
		`[]`,
		``,
	} {
		var st State
		if readStateJSON(doc, &st) {
			t.Errorf("read %q", doc)
		}
	}
	sameReadAsLibrary(t, []byte(`{"version":1,"fresh":null,"events":{"a":{"tracks":[],"read_back":true,"derived":false}},"files":null}`), true)
}

// FuzzStateJSONRead reads arbitrary text: whatever readStateJSON reads,
// encoding/json reads the same.
func FuzzStateJSONRead(f *testing.F) {
	f.Add([]byte(`{"version":1,"fresh":{"source":"s","folders":{"a":1},"top":["x"]},"programme":{"title":"T","uid_domain":"d"},"events":{"a@d":{"id":"a","derived":true,"date":"2017-06-29","title":"t","start":"2017-06-29T07:00:00Z","end":"2017-06-29T08:00:00.5+02:00","location":"l","fingerprint":"f","sequence":2,"changed":"2017-06-01T09:00:00Z","removed":"2017-06-02T00:00:00Z","tracks":["m"],"room":"r","read_back":true}},"retired":["x@d"],"files":{"a":"b"},"keys":{"a":"k"}}` + "\n"))
	f.Add([]byte(`{"version":-1,"events":null,"files":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameReadAsLibrary(t, data, false)
	})
}

// TestUnchangedComparesEveryByte: a state is unchanged only where it
// writes exactly the bytes it was read from, not a part of them, not the
// same values spelt otherwise.
func TestUnchangedComparesEveryByte(t *testing.T) {
	data, err := os.ReadFile("../testdata/golden/pristina/.agendacal.state")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		data      string
		unchanged bool
	}{
		{string(data), true},
		{string(data) + "\n", false}, // more after it
		{" " + string(data), false},  // spelt otherwise
		{strings.Replace(string(data), `"version":`, `"version": `, 1), false}, // spelt otherwise
	} {
		st, err := ParseState("state", []byte(c.data))
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseState("state", data)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Unchanged(again); got != c.unchanged {
			t.Errorf("%.40q…: unchanged %v, want %v", c.data, got, c.unchanged)
		}
	}
}
