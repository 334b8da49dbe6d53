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
	for _, ev := range st.Events {
		if ev != nil && (!jsonTime(ev.Start) || !jsonTime(ev.End) || !jsonTime(ev.Changed) || ev.Removed != nil && !jsonTime(*ev.Removed)) {
			return false, nil
		}
	}
	b := make([]byte, 0, 256+len(st.Events)*512+len(st.Files)*128)
	b = append(b, `{"version":`...)
	b = strconv.AppendInt(b, int64(st.Version), 10)
	if st.Fresh != nil {
		b = append(b, `,"fresh":`...)
		b = appendJSON(b, st.Fresh)
	}
	b = append(b, `,"programme":`...)
	b = appendJSON(b, st.Programme)
	b = append(b, `,"events":`...)
	if st.Events == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		for i, uid := range slices.Sorted(maps.Keys(st.Events)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, uid)
			b = append(b, ':')
			b = appendEvent(b, st.Events[uid])
		}
		b = append(b, '}')
	}
	if len(st.Retired) > 0 {
		b = append(b, `,"retired":`...)
		b = appendJSON(b, st.Retired)
	}
	b = append(b, `,"files":`...)
	b = appendStringMap(b, st.Files)
	if len(st.Keys) > 0 {
		b = append(b, `,"keys":`...)
		b = appendStringMap(b, st.Keys)
	}
	if st.Spare != nil {
		b = append(b, `,"spare":{"state":`...)
		b = appendJSONString(b, st.Spare.State)
		if len(st.Spare.Files) > 0 {
			b = append(b, `,"files":`...)
			b = appendStringMap(b, st.Spare.Files)
		}
		b = append(b, `,"swap":`...)
		b = strconv.AppendInt(b, int64(st.Spare.Swap), 10)
		b = append(b, '}')
	}
	b = append(b, "}\n"...)
	_, err := w.Write(b)
	return true, err
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

// appendStringMap appends a map of strings, its keys in order.
func appendStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	b = append(b, '{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
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
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '"' || c == '\\':
			return appendJSON(b, s)
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if !ascii && (!utf8.ValidString(s) || strings.ContainsAny(s, "\u2028\u2029")) {
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
