// Package ical writes the sessions of a resolved programme as RFC 5545
// iCalendar objects: one VEVENT a session, in the programme's zone, with a
// VTIMEZONE generated from the tz database (RFC 5545 3.6.5), text escaped
// (3.3.11), lines folded at 75 octets (3.1) and ended with CRLF.
package ical

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/agendacal/agendacal/agenda"
)

// ProdID identifies agendacal as the writer of a calendar (RFC 5545 3.7.3).
const ProdID = "-//agendacal//agendacal 1//EN"

// Options apply to every calendar an Encoder writes.
type Options struct {
	// Stamp is the DTSTAMP and LAST-MODIFIED of every event that has no
	// Revision of its own: when the calendar was made.
	Stamp time.Time
}

// Revision is what the change tracking says of one event: how many times
// it changed (SEQUENCE, RFC 5545 3.8.7.4) and when it last did (DTSTAMP
// and LAST-MODIFIED, 3.8.7.2 and 3.8.7.3).
type Revision struct {
	Sequence int
	Changed  time.Time
}

// Calendar says what one calendar holds.
type Calendar struct {
	// Sessions are the events, in order.
	Sessions []*agenda.Session
	// Track, when set, names the calendar after the track and gives it the
	// track's colour.
	Track *agenda.Track
	// Subtitle, when set, follows the programme's title in the calendar's
	// name: a room, a day.
	Subtitle string
	// Alarm, when set, adds a reminder (VALARM) this long before each
	// event.
	Alarm time.Duration
	// Feed marks a calendar that subscribers refresh, such as the whole
	// programme or a track: it says how often to refresh it.
	Feed bool
	// Method is the iTIP method (RFC 5546), such as REQUEST; empty for a
	// plain calendar.
	Method string
	// Attendee, when set, is the one ATTENDEE of every event: the person
	// an invitation is for. Feeds never have one.
	Attendee *agenda.Person
}

// Encoder writes calendars of one programme. It works out the zone's clock
// changes once and gives each calendar the VTIMEZONE of its own events'
// span (one per span, shared). After Prepare, every event is rendered once
// and copied into each calendar that holds it.
type Encoder struct {
	prog  *agenda.Programme
	opts  Options
	words Words
	zone  *zone
	// rendered holds each session's serialised VEVENT after Prepare, by
	// the session's place in the programme (index), without its revision:
	// that goes in at uidEnd, after the UID.
	rendered  [][]byte
	uidEnd    []int
	sums      [][sha256.Size]byte // of each rendered event; nil where Write has no use for them
	revisions []Revision
	// revised are the revisions' lines, made once by Revise (an event is
	// written into several calendars); unrevised those of an event not
	// revised, stamped when the encoder was made.
	revised   [][]byte
	unrevised []byte
	index     map[*agenda.Session]int
	// published are events written before, to be written cancelled.
	published map[*agenda.Session][]byte
	// buffers are where events are serialised before they are copied out
	// at their size.
	buffers sync.Pool
	// headers holds the serialised calendar properties by the calendar's
	// kind (headerKey → *part): thousands of session files share one.
	headers sync.Map
	// layout is the digest of a sample of what encode writes around the
	// events, for Key.
	layoutOnce sync.Once
	layout     [sha256.Size]byte
}

// headerKey is what a calendar's own properties depend on.
type headerKey struct {
	track    *agenda.Track
	subtitle string
	feed     bool
	method   string
}

// serialisation is how every calendar is written: RFC 5545's 75-octet
// lines ended with CRLF.
func serialisation() *ics.SerializationConfiguration {
	return &ics.SerializationConfiguration{MaxLength: 75, PropertyMaxLength: 75, NewLine: "\r\n"}
}

// NewEncoder returns an Encoder for the programme.
func NewEncoder(p *agenda.Programme, opts Options) *Encoder {
	e := &Encoder{prog: p, opts: opts, words: WordsFor(p.Language), unrevised: appendRevision(nil, Revision{Changed: opts.Stamp})}
	if len(p.Sessions) > 0 {
		first, last := span(p.Sessions)
		e.zone = newZone(p.ZoneName, p.Zone, first, last)
	}
	return e
}

// span is when the first of some sessions starts and the last ends.
func span(sessions []*agenda.Session) (first, last time.Time) {
	first, last = sessions[0].Start, sessions[0].End
	for _, s := range sessions[1:] {
		if s.Start.Before(first) {
			first = s.Start
		}
		if s.End.After(last) {
			last = s.End
		}
	}
	return first, last
}

// Prepare renders every session's event, on up to workers goroutines, so
// that calendars sharing sessions (the programme, its tracks, each
// session's own file) copy them instead of rendering them again.
func (e *Encoder) Prepare(workers int) { e.prepare(workers, true) }

// prepare is Prepare, digesting each event for Key and Fingerprint where
// digest says they will be asked.
func (e *Encoder) prepare(workers int, digest bool) {
	sessions := e.prog.Sessions
	e.rendered = make([][]byte, len(sessions))
	e.uidEnd = make([]int, len(sessions))
	if digest {
		e.sums = make([][sha256.Size]byte, len(sessions))
	}
	e.revisions = make([]Revision, len(sessions))
	e.revised = make([][]byte, len(sessions))
	e.index = make(map[*agenda.Session]int, len(sessions))
	for i, s := range sessions {
		e.index[s] = i
		e.revisions[i] = Revision{Changed: e.opts.Stamp}
	}
	// Each goroutine takes the next session not yet taken: one goroutine
	// a session would grow ten thousand stacks.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(workers, len(sessions))) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(sessions); i = int(next.Add(1) - 1) {
				e.render(i)
			}
		})
	}
	wg.Wait()
}

// render renders the event of the i-th session.
func (e *Encoder) render(i int) {
	s := e.prog.Sessions[i]
	if event, ok := e.published[s]; ok {
		e.rendered[i] = cancelled(event, e.words.Cancelled)
	} else {
		e.rendered[i] = e.serialiseEvent(s)
	}
	e.uidEnd[i] = propertyEnd(e.rendered[i], len("BEGIN:VEVENT\r\n"))
	if e.sums != nil {
		e.sums[i] = sha256.Sum256(e.rendered[i])
	}
}

// serialiseEvent writes the VEVENT of a session, without its revision.
// Properties whose parameters need quoting are written here: the library
// escapes parameter values with backslashes, which RFC 5545 does not know.
// The bytes are exactly as long as the event: thousands of them are kept.
func (e *Encoder) serialiseEvent(s *agenda.Session) []byte {
	w, _ := e.buffers.Get().(*lineWriter)
	if w == nil {
		w = &lineWriter{out: new(bytes.Buffer)}
	}
	defer e.buffers.Put(w)
	buf := w.out
	buf.Reset()
	e.writeEvent(w, s)
	const end = "END:VEVENT\r\n"
	if v := s.Venue; v != nil && v.Geo != nil {
		title := v.Name
		if title == "" {
			title = s.Location
		}
		// Sessions in one place share the line: each writer keeps those it
		// wrote.
		at := place{title, v.Address, v.City, v.Country, math.Float64bits(v.Geo.Lat), math.Float64bits(v.Geo.Lon)}
		line, ok := w.places[at]
		if !ok {
			line = structuredLocation(at)
			if w.places == nil {
				w.places = map[place]string{}
			}
			w.places[at] = line
		}
		buf.WriteString(line)
	}
	if s.Online != "" {
		// RFC 7986 5.11; most clients show only DESCRIPTION, which starts
		// with the same link.
		writeFolded(buf, "CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL="+paramValue(e.words.Online)+":"+cleanURI(s.Online))
	}
	if o := e.prog.Organizer; o != nil && o.Email != "" {
		line := "ORGANIZER"
		if o.Name != "" {
			line += ";CN=" + paramValue(o.Name)
		}
		writeFolded(buf, line+":mailto:"+cleanURI(o.Email))
	}
	buf.WriteString(end)
	return w.keep(buf.Bytes())
}

// place is what an event's X-APPLE-STRUCTURED-LOCATION is made of, its
// position by the bits of its numbers (-0 is written otherwise than 0).
type place struct {
	title, address, city, country string
	lat, lon                      uint64
}

// structuredLocation is the X-APPLE-STRUCTURED-LOCATION line of a place,
// folded, with its CRLF.
func structuredLocation(at place) string {
	params := []string{}
	if address := joinNonEmpty(", ", at.address, at.city, at.country); address != "" {
		params = append(params, "X-ADDRESS="+paramValue(address))
	}
	params = append(params, "X-APPLE-RADIUS=70", "X-TITLE="+paramValue(at.title), "VALUE=URI")
	var b bytes.Buffer
	writeFolded(&b, "X-APPLE-STRUCTURED-LOCATION;"+strings.Join(params, ";")+fmt.Sprintf(":geo:%.6f,%.6f", math.Float64frombits(at.lat), math.Float64frombits(at.lon)))
	return b.String()
}

// UsePublished makes a session's event, before Prepare, the one published
// before (as PublishedEvent gives it), cancelled: the event of a session
// that has left the programme.
func (e *Encoder) UsePublished(s *agenda.Session, event []byte) {
	if e.published == nil {
		e.published = map[*agenda.Session][]byte{}
	}
	e.published[s] = event
}

// Fingerprint identifies what a subscriber sees of a prepared session's
// event: every property but those of its Revision.
func (e *Encoder) Fingerprint(s *agenda.Session) string {
	sum := e.sums[e.index[s]]
	return hex.EncodeToString(sum[:])
}

// sampleLayout digests what encode writes of a sample event in two
// calendars, one with every addition (revision, attendee, reminder,
// method, and the sample cancelled beside it, which no reminder is for)
// and one with none: keys then change with the way calendars are
// laid out, so that a build by another agendacal never takes a calendar
// it would lay out otherwise for an unchanged one.
func (e *Encoder) sampleLayout() {
	zone := e.prog.Zone
	if zone == nil {
		zone = time.UTC
	}
	start := time.Date(2017, 6, 29, 9, 0, 0, 0, zone)
	s := &agenda.Session{ID: "sample", Title: "Sample", Start: start, End: start.Add(time.Hour)}
	// An encoder of its own, stamped at a fixed time: the sample must not
	// change with the time of the build.
	sample := &Encoder{prog: e.prog, opts: Options{Stamp: start}, words: e.words, zone: e.zone, unrevised: appendRevision(nil, Revision{Changed: start})}
	off := *s
	off.ID, off.Status = "sample-cancelled", agenda.StatusCancelled
	h := sha256.New()
	if e.zone != nil {
		sample.encode(h, Calendar{Sessions: []*agenda.Session{s, &off}, Alarm: time.Minute, Attendee: &agenda.Person{Name: "A", Email: "a@example.org"}, Method: "REQUEST"})
		sample.encode(h, Calendar{Sessions: []*agenda.Session{s}})
	}
	sample.encode(h, Calendar{})
	h.Sum(e.layout[:0])
}

// Key identifies the bytes Encode writes for c, at a small part of their
// cost: a digest of what they are made of (the calendar's header and
// VTIMEZONE, each event's rendering and revision, and what the calendar
// adds to each event) rather than of the bytes themselves. Equal keys mean
// equal bytes. It is "" when the calendar cannot be written.
func (e *Encoder) Key(c Calendar) string {
	header, err := e.headerOf(c)
	if err != nil {
		return ""
	}
	e.layoutOnce.Do(e.sampleLayout)
	// What the key is made of is gathered and digested at once: headers
	// and VTIMEZONEs by their digests, then a fixed-size record of each
	// event (and, with an alarm, its title, whose length goes before it).
	k := make([]byte, 0, 3*sha256.Size+64+(sha256.Size+16)*len(c.Sessions))
	number := func(v int64) { k = binary.LittleEndian.AppendUint64(k, uint64(v)) }
	text := func(b string) {
		number(int64(len(b)))
		k = append(k, b...)
	}
	k = append(k, e.layout[:]...)
	k = append(k, header.sum[:]...)
	if len(c.Sessions) > 0 {
		k = append(k, e.zone.vtimezone(span(c.Sessions)).sum[:]...)
	}
	number(int64(c.Alarm))
	text(c.Method)
	if a := c.Attendee; a != nil {
		text(a.Name)
		text(a.Email)
	}
	for _, s := range c.Sessions {
		rev := Revision{Changed: e.opts.Stamp}
		if i, ok := e.index[s]; ok {
			k = append(k, e.sums[i][:]...)
			rev = e.revisions[i]
		} else {
			sum := sha256.Sum256(e.serialiseEvent(s))
			k = append(k, sum[:]...)
		}
		number(int64(rev.Sequence))
		number(rev.Changed.Unix()) // written to the second
		if c.Alarm > 0 {
			text(s.Title)
		}
	}
	sum := sha256.Sum256(k)
	return hex.EncodeToString(sum[:16])
}

// Revise sets the revision a prepared session's event is written with.
func (e *Encoder) Revise(s *agenda.Session, r Revision) {
	i := e.index[s]
	e.revisions[i], e.revised[i] = r, appendRevision(nil, r)
}

// fingerprint is the SHA-256, in hex, of a serialised VEVENT without its
// revision properties.
func fingerprint(event []byte) string {
	sum := sha256.Sum256(event)
	return hex.EncodeToString(sum[:])
}

// propertyEnd returns where the property that starts at i in a serialised
// component ends, its folded lines included.
func propertyEnd(b []byte, i int) int {
	for {
		j := bytes.Index(b[i:], []byte("\r\n"))
		if j < 0 {
			return len(b)
		}
		i += j + 2
		if i == len(b) || b[i] != ' ' && b[i] != '\t' {
			return i
		}
	}
}

// writeAlarm writes a display reminder before a session (RFC 5545 3.6.6).
func (e *Encoder) writeAlarm(w io.Writer, s *agenda.Session, before time.Duration) error {
	var b bytes.Buffer
	b.WriteString("BEGIN:VALARM\r\nACTION:DISPLAY\r\n")
	fmt.Fprintf(&b, "TRIGGER:-PT%dM\r\n", int(before.Round(time.Minute)/time.Minute))
	writeFolded(&b, "DESCRIPTION:"+escapeText(cleanText(s.Title)))
	b.WriteString("END:VALARM\r\n")
	_, err := w.Write(b.Bytes())
	return err
}

// writeAttendee writes the ATTENDEE of an invitation (RFC 5545 3.8.4.1):
// asked to reply to a REQUEST (RFC 5546 3.2.2), told of a CANCEL.
func writeAttendee(w io.Writer, p *agenda.Person, method string) error {
	var b bytes.Buffer
	line := "ATTENDEE"
	if p.Name != "" {
		line += ";CN=" + paramValue(cleanText(p.Name))
	}
	line += ";ROLE=REQ-PARTICIPANT"
	if method != "CANCEL" {
		line += ";PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
	}
	writeFolded(&b, line+":mailto:"+cleanURI(p.Email))
	_, err := w.Write(b.Bytes())
	return err
}

// appendRevision appends the lines of a revision to b.
func appendRevision(b []byte, r Revision) []byte {
	b = append(b, "DTSTAMP:"...)
	at := len(b)
	b = appendStamp(b, r.Changed.UTC(), localLayout+"Z")
	stamp := len(b)
	b = append(b, "\r\nLAST-MODIFIED:"...)
	b = append(b, b[at:stamp]...)
	b = append(b, "\r\nSEQUENCE:"...)
	b = strconv.AppendInt(b, int64(r.Sequence), 10)
	return append(b, "\r\n"...)
}

// Encode writes one calendar to w.
func (e *Encoder) Encode(w io.Writer, c Calendar) error {
	if err := e.encode(w, c); err != nil {
		return fmt.Errorf("writing calendar: %w", err)
	}
	return nil
}

func (e *Encoder) encode(w io.Writer, c Calendar) error {
	header, err := e.headerOf(c)
	if err != nil {
		return err
	}
	if _, err := w.Write(header.text); err != nil {
		return err
	}
	if len(c.Sessions) > 0 {
		if _, err := w.Write(e.zone.vtimezone(span(c.Sessions)).text); err != nil {
			return err
		}
	}
	for _, s := range c.Sessions {
		var ev []byte
		var at int
		revised := e.unrevised
		if i, ok := e.index[s]; ok {
			ev, at = e.rendered[i], e.uidEnd[i]
			if e.revised[i] != nil {
				revised = e.revised[i]
			}
		} else {
			ev = e.serialiseEvent(s)
			at = propertyEnd(ev, len("BEGIN:VEVENT\r\n"))
		}
		if _, err := w.Write(ev[:at]); err != nil {
			return err
		}
		if _, err := w.Write(revised); err != nil {
			return err
		}
		if c.Alarm > 0 || c.Attendee != nil {
			// The attendee and the reminder go last, inside the event.
			const end = "END:VEVENT\r\n"
			if _, err := w.Write(ev[at : len(ev)-len(end)]); err != nil {
				return err
			}
			if c.Attendee != nil {
				if err := writeAttendee(w, c.Attendee, c.Method); err != nil {
					return err
				}
			}
			// A cancelled session reminds no one.
			if c.Alarm > 0 && s.Status != agenda.StatusCancelled {
				if err := e.writeAlarm(w, s, c.Alarm); err != nil {
					return err
				}
			}
			ev, at = []byte(end), 0
		}
		if _, err := w.Write(ev[at:]); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "END:VCALENDAR\r\n")
	return err
}

// headerOf returns the serialised start of a calendar: BEGIN:VCALENDAR and
// the calendar's own properties.
func (e *Encoder) headerOf(c Calendar) (*part, error) {
	key := headerKey{track: c.Track, subtitle: c.Subtitle, feed: c.Feed, method: c.Method}
	if h, ok := e.headers.Load(key); ok {
		return h.(*part), nil
	}
	buf := bytes.NewBufferString("BEGIN:VCALENDAR\r\n")
	for _, prop := range e.header(c).CalendarProperties {
		if err := prop.SerializeTo(buf, serialisation()); err != nil {
			return nil, err
		}
	}
	h, _ := e.headers.LoadOrStore(key, newPart(buf.Bytes()))
	return h.(*part), nil
}

// part is calendar text written once and shared by many calendars (a
// header, a VTIMEZONE), with its SHA-256 for their keys.
type part struct {
	text []byte
	sum  [sha256.Size]byte
}

func newPart(text []byte) *part { return &part{text: text, sum: sha256.Sum256(text)} }

// header holds the calendar's own properties.
func (e *Encoder) header(c Calendar) *ics.Calendar {
	cal := ics.NewCalendarFor("agendacal")
	cal.SetProductId(ProdID)
	cal.SetCalscale("GREGORIAN")
	if c.Method != "" {
		cal.SetMethod(ics.Method(c.Method))
	}
	p := e.prog
	name := p.Title
	switch {
	case c.Track != nil:
		name = p.Title + " — " + c.Track.Name
	case c.Subtitle != "":
		name = p.Title + " — " + c.Subtitle
	}
	cal.SetName(cleanText(name))
	if p.Description != "" {
		cal.SetDescription(cleanText(p.Description))
		cal.SetXWRCalDesc(cleanText(p.Description))
	}
	cal.SetXWRTimezone(p.ZoneName)
	if p.URL != "" {
		cal.SetUrl(cleanURI(p.URL), ics.WithValue(string(ics.ValueDataTypeUri)))
	}
	if c.Track != nil && c.Track.Color.Name != "" {
		cal.SetColor(c.Track.Color.Name)
		cal.CalendarProperties = append(cal.CalendarProperties, ics.CalendarProperty{BaseProperty: ics.BaseProperty{
			IANAToken: "X-APPLE-CALENDAR-COLOR", Value: strings.ToUpper(c.Track.Color.Hex),
		}})
	}
	if c.Feed {
		cal.SetRefreshInterval("PT1H") // the library adds VALUE=DURATION itself
		cal.SetXPublishedTTL("PT1H")
	}
	return cal
}

// Write writes the whole programme to w as one calendar: every event new,
// stamped opts.Stamp, with SEQUENCE 0. The output folder's programme.ics
// holds the same events with their revisions.
func Write(w io.Writer, p *agenda.Programme, opts Options) error {
	e := NewEncoder(p, opts)
	e.prepare(runtime.GOMAXPROCS(0), false) // one calendar, written once: no keys
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := e.Encode(bw, Calendar{Sessions: p.Sessions, Feed: true}); err != nil {
		return err
	}
	return bw.Flush()
}
