package publish

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The bookkeeping of a large programme is megabytes of JSON, written on
// every build that changes anything; encoding/json spends most of that
// reflecting on the events. writeStateJSON writes the events and files
// directly and leaves the rest to encoding/json, giving exactly the bytes
// encoding/json gives (the tests hold it to that): the bookkeeping of a
// folder is its fingerprint, and must not move.

// writeStateJSON writes st as encoding/json writes it, HTML unescaped;
// false, with nothing written, where encoding/json might refuse it (a time
// past the year 9999): encoding/json then has its say.
func writeStateJSON(w io.Writer, st *State) (bool, error) {
	if st.Fresh != nil && st.Fresh.Until != nil && !jsonTime(*st.Fresh.Until) {
		return false, nil
	}
	var events []byte
	if a := st.eventsAhead; a != nil {
		<-a.done
		if events = a.json; events == nil {
			return false, nil
		}
	} else if !eventsJSONSafe(st.Events) {
		return false, nil
	}
	// Written out in pieces: the bookkeeping of a large programme is tens
	// of megabytes.
	o := &jsonOut{w: w, b: make([]byte, 0, 80<<10)}
	o.b = append(o.b, `{"version":`...)
	o.b = strconv.AppendInt(o.b, int64(st.Version), 10)
	if st.Fresh != nil {
		o.b = append(o.b, `,"fresh":`...)
		o.b = appendJSON(o.b, st.Fresh)
	}
	o.b = append(o.b, `,"programme":`...)
	o.b = appendJSON(o.b, st.Programme)
	o.b = append(o.b, `,"events":`...)
	if events != nil {
		o.flush(0)
		o.write(events)
	} else {
		o.events(st.Events)
	}
	if len(st.Retired) > 0 {
		o.b = append(o.b, `,"retired":`...)
		o.b = appendJSON(o.b, st.Retired)
	}
	if len(st.RetiredSequences) > 0 {
		o.b = append(o.b, `,"retired_sequences":`...)
		o.b = appendJSON(o.b, st.RetiredSequences)
	}
	o.b = append(o.b, `,"files":`...)
	files := slices.Sorted(maps.Keys(st.Files))
	o.stringMap(st.Files, files)
	if len(st.Keys) > 0 {
		o.b = append(o.b, `,"keys":`...)
		// Keys are those of calendars, all of them among the files.
		keys := files
		for k := range st.Keys {
			if _, ok := st.Files[k]; !ok {
				keys = slices.Sorted(maps.Keys(st.Keys))
				break
			}
		}
		o.stringMap(st.Keys, keys)
	}
	if len(st.Rooms) > 0 {
		o.b = append(o.b, `,"rooms":`...)
		o.stringMap(st.Rooms, slices.Sorted(maps.Keys(st.Rooms)))
	}
	o.b = append(o.b, "}\n"...)
	o.flush(0)
	return true, o.err
}

// jsonOut is JSON being written, in pieces, to w.
type jsonOut struct {
	w   io.Writer
	b   []byte
	err error
}

// flush writes what was appended once it is at least at bytes.
func (o *jsonOut) flush(at int) {
	if len(o.b) >= at && o.err == nil {
		_, o.err = o.w.Write(o.b)
		o.b = o.b[:0]
	}
}

// write writes b, after what was appended and flushed.
func (o *jsonOut) write(b []byte) {
	if o.err == nil {
		_, o.err = o.w.Write(b)
	}
}

// events appends the events, by uid.
func (o *jsonOut) events(events map[string]*Event) {
	if events == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '{')
	for i, uid := range slices.Sorted(maps.Keys(events)) {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, uid)
		o.b = append(o.b, ':')
		o.b = appendEvent(o.b, events[uid])
		o.flush(64 << 10)
	}
	o.b = append(o.b, '}')
}

// eventsJSONSafe tells that encoding/json takes every time of the events.
func eventsJSONSafe(events map[string]*Event) bool {
	for _, ev := range events {
		if ev != nil && (!jsonTime(ev.Start) || !jsonTime(ev.End) || !jsonTime(ev.Changed) || ev.Removed != nil && !jsonTime(*ev.Removed)) {
			return false
		}
	}
	return true
}

// eventsAhead is the "events" of a state's JSON, encoded on a goroutine
// of its own while a build writes its files: they are most of the
// bookkeeping's bytes.
type eventsAhead struct {
	done chan struct{}
	json []byte // nil where encoding/json is to have its say
}

// encodeEventsAhead starts encoding the events' JSON, which writing the
// state then waits for and takes. The events do not change after.
func (st *State) encodeEventsAhead() {
	a := &eventsAhead{done: make(chan struct{})}
	st.eventsAhead = a
	go func() {
		defer close(a.done)
		if !eventsJSONSafe(st.Events) {
			return
		}
		var buf bytes.Buffer
		buf.Grow(640 * len(st.Events))
		o := &jsonOut{w: &buf, b: make([]byte, 0, 80<<10)}
		o.events(st.Events)
		o.flush(0)
		a.json = buf.Bytes()
	}()
}

// stringMap appends a map of strings, in the order of keys: those of m,
// sorted, with perhaps others, which are left out.
func (o *jsonOut) stringMap(m map[string]string, keys []string) {
	if m == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '{')
	first := true
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			continue
		}
		if !first {
			o.b = append(o.b, ',')
		}
		first = false
		o.b = appendJSONString(o.b, k)
		o.b = append(o.b, ':')
		o.b = appendJSONString(o.b, m[k])
		o.flush(64 << 10)
	}
	o.b = append(o.b, '}')
}

// appendEvent appends an event as encoding/json writes one.
func appendEvent(b []byte, ev *Event) []byte {
	if ev == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"id":`...)
	b = appendJSONString(b, ev.ID)
	if ev.Derived {
		b = append(b, `,"derived":true`...)
	}
	b = append(b, `,"date":`...)
	b = appendJSONString(b, ev.Date)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, ev.Title)
	b = append(b, `,"start":`...)
	b = appendJSONTime(b, ev.Start)
	b = append(b, `,"end":`...)
	b = appendJSONTime(b, ev.End)
	b = append(b, `,"location":`...)
	b = appendJSONString(b, ev.Location)
	b = append(b, `,"fingerprint":`...)
	b = appendJSONString(b, ev.Fingerprint)
	b = append(b, `,"sequence":`...)
	b = strconv.AppendInt(b, int64(ev.Sequence), 10)
	b = append(b, `,"changed":`...)
	b = appendJSONTime(b, ev.Changed)
	if ev.Removed != nil {
		b = append(b, `,"removed":`...)
		b = appendJSONTime(b, *ev.Removed)
	}
	if len(ev.Tracks) > 0 {
		b = append(b, `,"tracks":[`...)
		for i, t := range ev.Tracks {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t)
		}
		b = append(b, ']')
	}
	if ev.Room != "" {
		b = append(b, `,"room":`...)
		b = appendJSONString(b, ev.Room)
	}
	if ev.ReadBack {
		b = append(b, `,"read_back":true`...)
	}
	return append(b, '}')
}

// jsonTime tells a time encoding/json writes (years 0 to 9999).
func jsonTime(t time.Time) bool {
	y := t.Year()
	return y >= 0 && y <= 9999
}

func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONString appends s quoted: as it is when no character in it
// needs an escape, by encoding/json when one does.
func appendJSONString(b []byte, s string) []byte {
	ascii := true
	i := 0
	// Eight bytes at a time while they are printable ASCII other than
	// '"' and '\\': written as they are.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) bool { return (v-ones)&^v&highs != 0 }
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&highs != 0 || (w-0x20*ones)&^w&highs != 0 || hasZero(w^'"'*ones) || hasZero(w^'\\'*ones) {
			break
		}
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '"' || c == '\\':
			return appendJSON(b, s)
		case c == 0xe2 && strings.HasPrefix(s[i+1:], "\x80") && len(s) > i+2 && (s[i+2] == 0xa8 || s[i+2] == 0xa9):
			return appendJSON(b, s) // U+2028 and U+2029, escaped for JavaScript
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && !utf8.ValidString(s) {
		return appendJSON(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSON appends v as encoding/json writes it, HTML unescaped.
func appendJSON(b []byte, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v) // only values that encode are given
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// readStateJSON reads bookkeeping as writeStateJSON writes it into st,
// giving exactly what encoding/json would; false where the text is not in
// that form (another writer's spacing, an escape in a string, a field it
// does not know), leaving encoding/json to read it and to word any error.
func readStateJSON(data string, st *State) bool {
	r := &jsonReader{b: data}
	if !r.expect('{') {
		return false
	}
	seen := map[string]bool{}
	for first := true; ; first = false {
		if r.peek('}') {
			r.i++
			break
		}
		if !first && !r.expect(',') {
			return false
		}
		key, ok := r.str()
		if !ok || seen[key] || !r.expect(':') {
			return false
		}
		seen[key] = true
		switch key {
		case "version":
			if st.Version, ok = r.int(); !ok {
				return false
			}
		case "fresh":
			ok = r.decode(&st.Fresh)
		case "programme":
			ok = r.decode(&st.Programme)
		case "retired":
			ok = r.decode(&st.Retired)
		case "retired_sequences":
			ok = r.decode(&st.RetiredSequences)
		case "events":
			ok = r.events(st)
		case "files":
			st.Files, ok = r.stringMap()
		case "keys":
			st.Keys, ok = r.stringMap()
		case "rooms":
			st.Rooms, ok = r.stringMap()
		default:
			return false
		}
		if !ok {
			return false
		}
	}
	return data[r.i:] == "\n" || r.i == len(data)
}

// jsonReader reads JSON in the one form writeStateJSON writes.
type jsonReader struct {
	b string // strings read are cut from it
	i int
}

func (r *jsonReader) peek(c byte) bool { return r.i < len(r.b) && r.b[r.i] == c }

func (r *jsonReader) expect(c byte) bool {
	if !r.peek(c) {
		return false
	}
	r.i++
	return true
}

func (r *jsonReader) literal(s string) bool {
	if !strings.HasPrefix(r.b[r.i:], s) {
		return false
	}
	r.i += len(s)
	return true
}

// str reads a string without escapes or control characters, in valid
// UTF-8.
func (r *jsonReader) str() (string, bool) {
	if !r.expect('"') {
		return "", false
	}
	start, ascii := r.i, true
	for ; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			if !ascii && !utf8.ValidString(s) {
				return "", false
			}
			return s, true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// int reads an integer as JSON writes one, within 18 digits.
func (r *jsonReader) int() (int, bool) {
	start := r.i
	if r.peek('-') {
		r.i++
	}
	digits := r.i
	for r.i < len(r.b) && '0' <= r.b[r.i] && r.b[r.i] <= '9' {
		r.i++
	}
	n := r.i - digits
	if n == 0 || n > 18 || n > 1 && r.b[digits] == '0' {
		return 0, false
	}
	v, err := strconv.Atoi(r.b[start:r.i])
	return v, err == nil
}

func (r *jsonReader) bool() (bool, bool) {
	switch {
	case r.literal("true"):
		return true, true
	case r.literal("false"):
		return false, true
	}
	return false, false
}

func (r *jsonReader) time() (time.Time, bool) {
	s, ok := r.str()
	var t time.Time
	return t, ok && t.UnmarshalText([]byte(s)) == nil
}

// decode reads the next value, whatever it is, with encoding/json.
func (r *jsonReader) decode(v any) bool {
	start := r.i
	if !r.skip(0) {
		return false
	}
	return json.Unmarshal([]byte(r.b[start:r.i]), v) == nil
}

// skip passes over one value, strings with escapes and all, within depth
// levels of nesting.
func (r *jsonReader) skip(depth int) bool {
	if r.i >= len(r.b) || depth > 32 {
		return false
	}
	switch c := r.b[r.i]; c {
	case '"':
		for r.i++; r.i < len(r.b); r.i++ {
			switch r.b[r.i] {
			case '\\':
				r.i++
			case '"':
				r.i++
				return true
			}
		}
		return false
	case '{', '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		r.i++
		for first := true; ; first = false {
			if r.expect(end) {
				return true
			}
			if !first && !r.expect(',') {
				return false
			}
			if c == '{' && !(r.skip(depth+1) && r.expect(':')) {
				return false
			}
			if !r.skip(depth + 1) {
				return false
			}
		}
	default:
		start := r.i
		for r.i < len(r.b) && strings.IndexByte(",:]}", r.b[r.i]) < 0 {
			r.i++
		}
		return r.i > start
	}
}

// stringMap reads an object of strings, or null.
func (r *jsonReader) stringMap() (map[string]string, bool) {
	if r.literal("null") {
		return nil, true
	}
	if !r.expect('{') {
		return nil, false
	}
	m := map[string]string{}
	for first := true; ; first = false {
		if r.expect('}') {
			return m, true
		}
		if !first && !r.expect(',') {
			return nil, false
		}
		k, ok := r.str()
		if _, dup := m[k]; !ok || dup || !r.expect(':') {
			return nil, false
		}
		if m[k], ok = r.str(); !ok {
			return nil, false
		}
	}
}

// events reads the events, by UID.
func (r *jsonReader) events(st *State) bool {
	if r.literal("null") {
		st.Events = nil
		return true
	}
	if !r.expect('{') {
		return false
	}
	st.Events = map[string]*Event{}
	for first := true; ; first = false {
		if r.expect('}') {
			return true
		}
		if !first && !r.expect(',') {
			return false
		}
		uid, ok := r.str()
		if _, dup := st.Events[uid]; !ok || dup || !r.expect(':') {
			return false
		}
		ev, ok := r.event()
		if !ok {
			return false
		}
		st.Events[uid] = ev
	}
}

// event reads one event (null is left to encoding/json).
func (r *jsonReader) event() (*Event, bool) {
	if !r.expect('{') {
		return nil, false
	}
	ev := &Event{}
	var seen uint16
	for first := true; ; first = false {
		if r.expect('}') {
			return ev, true
		}
		if !first && !r.expect(',') {
			return nil, false
		}
		key, ok := r.str()
		if !ok || !r.expect(':') {
			return nil, false
		}
		var bit uint16
		switch key {
		case "id":
			bit, ok = 1<<0, r.into(&ev.ID)
		case "derived":
			bit = 1 << 1
			ev.Derived, ok = r.bool()
		case "date":
			bit, ok = 1<<2, r.into(&ev.Date)
		case "title":
			bit, ok = 1<<3, r.into(&ev.Title)
		case "start":
			bit = 1 << 4
			ev.Start, ok = r.time()
		case "end":
			bit = 1 << 5
			ev.End, ok = r.time()
		case "location":
			bit, ok = 1<<6, r.into(&ev.Location)
		case "fingerprint":
			bit, ok = 1<<7, r.into(&ev.Fingerprint)
		case "sequence":
			bit = 1 << 8
			ev.Sequence, ok = r.int()
		case "changed":
			bit = 1 << 9
			ev.Changed, ok = r.time()
		case "removed":
			bit = 1 << 10
			var t time.Time
			if t, ok = r.time(); ok {
				ev.Removed = &t
			}
		case "tracks":
			bit, ok = 1<<11, r.expect('[')
			for n := 0; ok && !r.expect(']'); n++ {
				if n > 0 && !r.expect(',') {
					return nil, false
				}
				var t string
				t, ok = r.str()
				ev.Tracks = append(ev.Tracks, t)
			}
			if ok && ev.Tracks == nil {
				ev.Tracks = []string{}
			}
		case "room":
			bit, ok = 1<<12, r.into(&ev.Room)
		case "read_back":
			bit = 1 << 13
			ev.ReadBack, ok = r.bool()
		default:
			return nil, false
		}
		if !ok || seen&bit != 0 {
			return nil, false
		}
		seen |= bit
	}
}

// into reads a string into s.
func (r *jsonReader) into(s *string) bool {
	v, ok := r.str()
	*s = v
	return ok
}
