package ical

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/agendacal/agendacal/agenda"
)

// A session's event is written here, property by property, exactly as
// golang-ical would serialise the event built with its setters: the same
// order, parameters, TEXT escaping and folding (TestEventMatchesLibrary
// and FuzzEventMatchesLibrary hold the bytes equal). Building the
// library's event cost a map, a sort and a dozen strings for each of its
// properties, and made half the time and three quarters of the
// allocations of writing a large programme; every event's bytes are also
// its fingerprint, so they may not change by one octet. The calendar
// header and VTIMEZONE, written once per calendar kind and span, still go
// through the library.

// lineWriter builds one content line at a time in line and writes it,
// folded, to out.
type lineWriter struct {
	out  *bytes.Buffer
	line []byte
	// invalid tells that the line holds octets that are not UTF-8, which
	// fold otherwise (end). Every value is checked as it is added, but
	// for text cleaned on its way in, which cleaning made valid.
	invalid bool
	// places are the X-APPLE-STRUCTURED-LOCATION lines written, by place.
	places map[place]string
	// arena is where the events written are kept (keep).
	arena []byte
}

// arenaSize is how many bytes of events an arena holds: some fifty.
const arenaSize = 64 << 10

// keep returns a copy of an event's bytes, cut from the writer's arena so
// that ten thousand events are not as many allocations. The copy's
// capacity ends with it: appending to it never reaches the next event.
func (w *lineWriter) keep(event []byte) []byte {
	if len(event) > cap(w.arena)-len(w.arena) {
		w.arena = make([]byte, 0, max(arenaSize, len(event)))
	}
	from := len(w.arena)
	w.arena = append(w.arena, event...)
	return w.arena[from:len(w.arena):len(w.arena)]
}

// start begins a property.
func (w *lineWriter) start(name string) {
	w.line = append(w.line[:0], name...)
	w.invalid = !utf8.ValidString(name)
}

// check notes a value about to be added that cleaning did not make valid.
func (w *lineWriter) check(value string) {
	w.invalid = w.invalid || !utf8.ValidString(value)
}

// param adds a parameter; callers add them in the order of their names,
// as the library sorts them. Values are escaped as the library escapes
// unquoted parameter values.
func (w *lineWriter) param(key, value string) {
	w.check(key)
	w.check(value)
	w.line = append(w.line, ';')
	w.line = append(w.line, key...)
	w.line = append(w.line, '=')
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case ',', '"', ';', ':', '\\', '\'':
			w.line = append(w.line, '\\', c)
		default:
			w.line = append(w.line, c)
		}
	}
}

// text ends the line with a TEXT value, escaped (RFC 5545 3.3.11).
func (w *lineWriter) text(value string) {
	w.line = append(w.line, ':')
	w.appendText(value)
	w.end()
}

// appendText adds text, escaped.
func (w *lineWriter) appendText(value string) {
	w.check(value)
	w.escape(value)
}

// escape adds text, escaped, without looking at whether it is UTF-8:
// text that may not be is noted first (check), text cleaned is.
func (w *lineWriter) escape(value string) {
	done := 0
	for i := 0; i < len(value); i++ {
		// Byte by byte: looking through eight at a time was slower, with a
		// comma or semicolon every few words.
		c := value[i]
		if c != '\\' && c != ';' && c != ',' && c != '\n' {
			continue
		}
		w.line = append(w.line, value[done:i]...)
		if c == '\n' {
			c = 'n'
		}
		w.line = append(w.line, '\\', c)
		done = i + 1
	}
	w.line = append(w.line, value[done:]...)
}

// asciiText tells what each ASCII octet is in TEXT: taken as it is (.),
// escaped with a backslash (e: backslash, semicolon, comma, line feed),
// or a control character that cleaning drops (c).
const asciiText = "" +
	"ccccccccc.eccccc" + // 0x00: controls, tab, line feed
	"cccccccccccccccc" + // 0x10
	"............e..." + // 0x20: comma
	"...........e...." + // 0x30: semicolon
	"................" + // 0x40
	"............e..." + // 0x50: backslash
	"................" + // 0x60
	"...............c" //  0x70: DEL

// escapeClean adds text as cleanText cleans it, escaped. Text that needs
// no cleaning (valid UTF-8 with no control character but tab and line
// feed), as a programme's always is, is looked through once: checked and
// escaped on the way.
func (w *lineWriter) escapeClean(value string) {
	mark, done := len(w.line), 0
	for i := 0; i < len(value); {
		c := value[i]
		if c >= utf8.RuneSelf {
			if c > 0xc2 && c < 0xe0 && i+1 < len(value) && value[i+1]&0xc0 == 0x80 {
				i += 2 // two octets, as Latin and Cyrillic letters are; no C1 control (0xc2)
				continue
			}
			r, size := utf8.DecodeRuneInString(value[i:])
			if r <= 0x9f || r == utf8.RuneError && size == 1 { // a C1 control, or not UTF-8
				w.line = w.line[:mark]
				w.escape(cleanText(value))
				return
			}
			i += size
			continue
		}
		switch asciiText[c] {
		case '.':
			i++
			continue
		case 'c':
			w.line = w.line[:mark]
			w.escape(cleanText(value))
			return
		}
		if c == '\n' {
			c = 'n'
		}
		w.line = append(w.line, value[done:i]...)
		w.line = append(w.line, '\\', c)
		i++
		done = i
	}
	w.line = append(w.line, value[done:]...)
}

// raw ends the line with a value written as it is (dates, numbers, URIs).
func (w *lineWriter) raw(value string) {
	w.check(value)
	w.line = append(w.line, ':')
	w.line = append(w.line, value...)
	w.end()
}

// time ends the line with a date-time in layout.
func (w *lineWriter) time(t time.Time, layout string) {
	w.line = append(w.line, ':')
	w.line = appendStamp(w.line, t, layout)
	w.end()
}

// appendStamp is t.AppendFormat(b, layout), without reading the layout
// for the three RFC 5545 writes: a date (20060102), a local date-time
// (localLayout) and one in UTC (localLayout and Z).
func appendStamp(b []byte, t time.Time, layout string) []byte {
	y, m, d := t.Date()
	if y < 0 || y > 9999 || layout != "20060102" && layout != localLayout && layout != localLayout+"Z" {
		return t.AppendFormat(b, layout)
	}
	two := func(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
	b = two(two(two(two(b, y/100), y%100), int(m)), d)
	if layout == "20060102" {
		return b
	}
	h, min, sec := t.Clock()
	b = two(two(two(append(b, 'T'), h), min), sec)
	if layout == localLayout {
		return b
	}
	return append(b, 'Z')
}

// end writes the line folded as the library folds: at most 75 octets,
// then continuation lines of a space and at most 74, each cut at the last
// space or '<', or after the last '>', that the octets allow.
func (w *lineWriter) end() {
	r := w.line
	const max = 75
	if len(r) > max {
		fold := foldPointValid
		if w.invalid {
			fold = foldPoint
		}
		n := fold(max, r)
		w.out.Write(r[:n])
		w.out.WriteString("\r\n")
		r = r[n:]
		for len(r) > max-1 {
			n := fold(max-1, r)
			w.out.WriteByte(' ')
			w.out.Write(r[:n])
			w.out.WriteString("\r\n")
			r = r[n:]
		}
		w.out.WriteByte(' ')
	}
	w.out.Write(r)
	w.out.WriteString("\r\n")
}

// foldPointValid is foldPoint for s longer than max octets and valid
// UTF-8, where every rune counts the octets it has: the line ends before
// the rune that would not fit, or earlier at the last space or '<', or
// after the last '>', up to there (each of them starts a rune).
func foldPointValid(max int, s []byte) int {
	n := max
	for !utf8.RuneStart(s[n]) {
		n--
	}
	for i := n; i > 0; i-- {
		if c := s[i]; c == ' ' || c == '<' || s[i-1] == '>' {
			return i
		}
	}
	return n
}

// foldPoint is where the library ends a line of at most max octets taken
// from the start of s. It counts each rune's octets as the library does,
// utf8.RuneLen of the decoded rune: three for each byte that is not UTF-8.
func foldPoint(max int, s []byte) int {
	length, boundary := 0, -1
	afterGT := false // the last rune was '>'
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c == ' ' || c == '<' || afterGT {
				boundary = i
			}
			afterGT = c == '>'
			if length+1 > max {
				break
			}
			length++
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if afterGT {
			boundary = i
		}
		afterGT = false
		n := utf8.RuneLen(r)
		if length+n > max {
			break
		}
		length += n
		i += size
	}
	if boundary > 0 {
		return boundary
	}
	return length
}

// writeEvent writes a session's VEVENT without its revision, up to (not
// including) the properties serialiseEvent adds itself and END:VEVENT.
func (e *Encoder) writeEvent(w *lineWriter, s *agenda.Session) {
	w.out.WriteString("BEGIN:VEVENT\r\n")
	w.start("UID")
	w.line = append(w.line, ':')
	w.appendText(s.ID)
	w.line = append(w.line, '@')
	w.appendText(e.prog.UIDDomain)
	w.end()
	if s.AllDay {
		// Whole days (RFC 5545 3.6.1): dates, the end the day after the
		// last, in no zone.
		first, after := s.WholeDays(e.prog.Zone)
		for _, p := range []struct {
			name string
			t    time.Time
		}{{"DTSTART", first}, {"DTEND", after}} {
			w.start(p.name)
			w.param("VALUE", "DATE")
			w.time(p.t, "20060102")
		}
	} else {
		e.writeTime(w, "DTSTART", s.Start)
		e.writeTime(w, "DTEND", s.End)
	}
	summary := s.Title
	w.start("STATUS")
	switch s.Status {
	case agenda.StatusCancelled:
		// Outlook shows a cancelled event as if it took place; the title
		// says it does not.
		summary = e.words.Cancelled + summary
		w.text("CANCELLED")
	case agenda.StatusTentative:
		w.text("TENTATIVE")
	default:
		w.text("CONFIRMED")
	}
	// LANGUAGE (RFC 5545 3.2.10) on the programme's own text.
	e.writeText(w, "SUMMARY", summary)
	if s.Kind == agenda.KindBreak || s.AllDay {
		// A break, or something open all day, keeps nobody busy (RFC 5545
		// 3.8.2.7).
		w.start("TRANSP")
		w.text("TRANSPARENT")
	}
	if s.Location != "" {
		e.writeText(w, "LOCATION", s.Location)
	}
	if s.Venue != nil && s.Venue.Geo != nil {
		// X-APPLE-STRUCTURED-LOCATION follows: see serialiseEvent.
		w.start("GEO")
		w.line = append(w.line, ':')
		w.line = strconv.AppendFloat(w.line, s.Venue.Geo.Lat, 'f', 6, 64)
		w.line = append(w.line, ';')
		w.line = strconv.AppendFloat(w.line, s.Venue.Geo.Lon, 'f', 6, 64)
		w.end()
	}
	e.writeDescription(w, s)
	if s.URL != "" {
		w.start("URL")
		w.raw(cleanURI(s.URL))
	}
	for _, t := range s.Tracks {
		e.writeText(w, "CATEGORIES", t.Name)
	}
	if s.Kind == agenda.KindBreak {
		e.writeText(w, "CATEGORIES", e.words.Break)
	}
	if len(s.Tracks) > 0 && s.Tracks[0].Color.Name != "" {
		w.start("COLOR")
		w.text(s.Tracks[0].Color.Name)
	}
	// ORGANIZER follows: see serialiseEvent.
}

// writeDescription writes the DESCRIPTION, what a preview should show
// first: the link to join online, the session's description, its topics,
// its speakers with their roles, and its web address, a blank line
// between. Each piece is cleaned and escaped as it goes into the line,
// the text never put together first: the user's pieces are set apart by
// the ASCII that joins them, so they clean alone as they would together
// (the tests hold the line to the text put together whole).
func (e *Encoder) writeDescription(w *lineWriter, s *agenda.Session) {
	if s.Online == "" && s.Description == "" && len(s.Topics) == 0 && len(s.Speakers) == 0 && s.URL == "" {
		return
	}
	w.start("DESCRIPTION")
	if e.prog.Language != "" {
		w.param("LANGUAGE", e.prog.Language)
	}
	w.line = append(w.line, ':')
	text := func(pieces ...string) {
		for _, p := range pieces {
			w.escapeClean(p)
		}
	}
	first := true
	part := func() {
		if !first {
			text("\n\n")
		}
		first = false
	}
	if s.Online != "" {
		part()
		text(e.words.Online, ": ", s.Online)
	}
	if s.Description != "" {
		part()
		text(s.Description)
	}
	if len(s.Topics) > 0 {
		part()
		text(e.words.Topics, ":")
		for _, t := range s.Topics {
			text("\n- ", t)
		}
	}
	if len(s.Speakers) > 0 {
		part()
		text(e.words.Speakers, ":")
		for _, sp := range s.Speakers {
			text("\n- ", sp.Name)
			if sp.Role != "" {
				text(" (", sp.Role, ")")
			}
		}
	}
	if s.URL != "" {
		part()
		text(s.URL)
	}
	w.end()
}

// writeText writes a TEXT property of the programme's own words, with the
// programme's LANGUAGE.
func (e *Encoder) writeText(w *lineWriter, name, value string) {
	w.start(name)
	if e.prog.Language != "" {
		w.param("LANGUAGE", e.prog.Language)
	}
	w.line = append(w.line, ':')
	w.escapeClean(value) // cleaned, so UTF-8: no check
	w.end()
}

// writeTime writes DTSTART or DTEND as local time with the zone's TZID, or
// in UTC where readers would not agree on the local time: in the hour the
// clocks pass twice, before 1970 and after 2037 (readers that go by the
// zone's name lack that history, or stop in 2037, as pytz does), and in
// UTC itself.
func (e *Encoder) writeTime(w *lineWriter, name string, t time.Time) {
	w.start(name)
	if y := t.UTC().Year(); e.zone.utc || y < 1970 || y > 2037 || e.zone.inRepeatedHour(t) {
		w.time(t.UTC(), localLayout+"Z")
		return
	}
	w.param("TZID", e.zone.name)
	w.time(t.In(e.zone.loc), localLayout)
}
