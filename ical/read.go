package ical

import (
	"bytes"
	"iter"
	"strconv"
	"strings"
	"time"
)

// Published is an event read back from a calendar agendacal wrote.
type Published struct {
	UID string
	Revision
	// Fingerprint is what Encoder.Fingerprint gave the event when it was
	// written: what a subscriber sees of it.
	Fingerprint string
	// Title and Location are its SUMMARY and LOCATION, unescaped; Start
	// and End its DTSTART and DTEND as instants (zero for whole days or
	// times written otherwise than Encoder writes them), Date the day of
	// DTSTART, as 2006-01-02, where it is one.
	Title, Location string
	Start, End      time.Time
	Date            string
}

// ReadPublished reads back the events of a calendar. ours tells whether
// agendacal wrote it (its PRODID); calendar whether it is an iCalendar
// object at all. It reads what Encoder writes; other calendars' events may
// come back with fingerprints no Encoder gives.
func ReadPublished(data []byte) (events []Published, ours, calendar bool) {
	calendar = bytes.HasPrefix(data, []byte("BEGIN:VCALENDAR\r\n")) || bytes.HasPrefix(data, []byte("BEGIN:VCALENDAR\n"))
	if !calendar {
		return nil, false, false
	}
	var (
		inEvent bool
		body    bytes.Buffer
		ev      Published
		zones   = map[string]*time.Location{}
	)
	for p := range properties(data) {
		raw, name, value := p.raw, p.name, p.value
		switch {
		case !inEvent && name == "PRODID":
			ours = value == ProdID
		case !inEvent && name == "BEGIN" && value == "VEVENT":
			inEvent, ev = true, Published{}
			body.Reset()
			body.Write(raw)
		case !inEvent:
		case name == "DTSTAMP", name == "LAST-MODIFIED":
			if t, err := time.Parse(localLayout+"Z", value); err == nil && (ev.Changed.IsZero() || name == "LAST-MODIFIED") {
				ev.Changed = t
			}
		case name == "SEQUENCE":
			ev.Sequence, _ = strconv.Atoi(value)
		default:
			body.Write(raw)
			switch name {
			case "UID":
				ev.UID = value
			case "SUMMARY":
				ev.Title = unescapeText(value)
			case "LOCATION":
				ev.Location = unescapeText(value)
			case "DTSTART":
				ev.Start, ev.Date = readTime(p.line, name, value, zones)
			case "DTEND":
				ev.End, _ = readTime(p.line, name, value, zones)
			}
			if name == "END" && value == "VEVENT" {
				inEvent = false
				ev.Fingerprint = fingerprint(body.Bytes())
				events = append(events, ev)
			}
		}
	}
	return events, ours, true
}

// readTime reads a DTSTART or DTEND (the unfolded line, its name and its
// value) as Encoder writes them: a local time with the TZID of its zone
// (zones keeps those loaded), a time in UTC, or a date; zero where it is
// none of these.
func readTime(line, name, value string, zones map[string]*time.Location) (at time.Time, date string) {
	params := line[len(name) : len(line)-len(value)-1]
	switch {
	case params == ";VALUE=DATE":
		if d, err := time.Parse("20060102", value); err == nil {
			return time.Time{}, d.Format(time.DateOnly)
		}
	case params == "" && strings.HasSuffix(value, "Z"):
		if t, err := time.Parse(localLayout+"Z", value); err == nil {
			return t, t.Format(time.DateOnly)
		}
	case strings.HasPrefix(params, ";TZID=") && !strings.ContainsAny(params[1:], ";:\""):
		tzid := params[len(";TZID="):]
		loc, ok := zones[tzid]
		if !ok {
			loc, _ = time.LoadLocation(tzid)
			zones[tzid] = loc
		}
		if loc != nil {
			if t, err := time.ParseInLocation(localLayout, value, loc); err == nil {
				return t, t.Format(time.DateOnly)
			}
		}
	}
	return time.Time{}, ""
}

// property is one content line of serialised iCalendar text.
type property struct {
	raw         []byte // as written: folded, with its line ending
	line        string // unfolded, without the line ending
	name, value string
}

// properties yields the content lines of serialised iCalendar text in
// order.
func properties(data []byte) iter.Seq[property] {
	return func(yield func(property) bool) {
		for i := 0; i < len(data); {
			end := propertyEnd(data, i)
			p := property{raw: data[i:end], line: unfold(data[i:end])}
			p.name, p.value = propertyName(p.line)
			i = end
			if !yield(p) {
				return
			}
		}
	}
}

// unfold joins the lines of a folded property (RFC 5545 3.1) and drops the
// line ending.
func unfold(raw []byte) string {
	raw = bytes.TrimRight(raw, "\r\n")
	if !bytes.Contains(raw, []byte("\n")) {
		return string(raw)
	}
	var b bytes.Buffer
	for j, part := range bytes.Split(raw, []byte("\n")) {
		part = bytes.TrimSuffix(part, []byte("\r"))
		if j > 0 && len(part) > 0 {
			part = part[1:]
		}
		b.Write(part)
	}
	return b.String()
}

// propertyName splits an unfolded content line into its name and its
// value; parameters are dropped.
func propertyName(line string) (name, value string) {
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case ':':
			return line[:i], line[i+1:]
		case ';':
			name = line[:i]
			// The value starts after the first ':' outside quotes.
			quoted := false
			for j := i; j < len(line); j++ {
				switch {
				case line[j] == '"':
					quoted = !quoted
				case line[j] == ':' && !quoted:
					return name, line[j+1:]
				}
			}
			return name, ""
		}
	}
	return line, ""
}

// PublishedEvent returns the VEVENT of uid in a calendar agendacal wrote,
// without its revision (DTSTAMP, LAST-MODIFIED, SEQUENCE) and without what
// the calendar added to it (a reminder, an attendee): what
// Encoder.UsePublished takes, for every calendar that holds the event.
func PublishedEvent(data []byte, uid string) ([]byte, bool) {
	var body bytes.Buffer
	inEvent, found, inAlarm := false, false, false
	for p := range properties(data) {
		raw, name, value := p.raw, p.name, p.value
		switch {
		case !inEvent && name == "BEGIN" && value == "VEVENT":
			inEvent, found = true, false
			body.Reset()
			body.Write(raw)
		case !inEvent:
		case name == "BEGIN" && value == "VALARM":
			inAlarm = true
		case inAlarm:
			inAlarm = !(name == "END" && value == "VALARM")
		case name == "DTSTAMP", name == "LAST-MODIFIED", name == "SEQUENCE", name == "ATTENDEE":
		default:
			body.Write(raw)
			if name == "UID" && value == uid {
				found = true
			}
			if name == "END" && value == "VEVENT" {
				inEvent = false
				if found {
					return body.Bytes(), true
				}
			}
		}
	}
	return nil, false
}

// PublishedText is the title and the place of an event published before
// (PublishedEvent): its SUMMARY, without the prefix a cancelled event's
// starts with, and its LOCATION, their TEXT unescaped (RFC 5545 3.3.11).
func PublishedText(event []byte, cancelledPrefix string) (title, location string) {
	for p := range properties(event) {
		switch p.name {
		case "SUMMARY":
			title = strings.TrimPrefix(unescapeText(p.value), cancelledPrefix)
		case "LOCATION":
			location = unescapeText(p.value)
		}
	}
	return title, location
}

// unescapeText reads a TEXT value: \\, \;, \, and \n (or \N) stand for the
// characters, a backslash before anything else for nothing but it.
func unescapeText(value string) string {
	if !strings.Contains(value, `\`) {
		return value
	}
	var b strings.Builder
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c == '\\' && i+1 < len(value) {
			i++
			switch c = value[i]; c {
			case 'n', 'N':
				c = '\n'
			case '\\', ';', ',':
			default:
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// cancelled rewrites an event published before as cancelled: its STATUS
// CANCELLED and its SUMMARY starting with prefix, every other property as
// it was.
func cancelled(event []byte, prefix string) []byte {
	var out bytes.Buffer
	for p := range properties(event) {
		switch p.name {
		case "STATUS":
			out.WriteString("STATUS:CANCELLED\r\n")
		case "SUMMARY":
			line := p.line
			if !strings.HasPrefix(p.value, prefix) {
				line = line[:len(line)-len(p.value)] + prefix + p.value
			}
			writeFolded(&out, line)
		default:
			out.Write(p.raw)
		}
	}
	return out.Bytes()
}
