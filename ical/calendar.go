// Package ical writes the sessions of a resolved programme as RFC 5545
// iCalendar objects: one VEVENT a session, in the programme's zone, with a
// VTIMEZONE generated from the tz database (RFC 5545 3.6.5), text escaped
// (3.3.11), lines folded at 75 octets (3.1) and ended with CRLF.
package ical

import (
	"bytes"
	"fmt"
	"io"
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
	// Stamp is every event's DTSTAMP: when the calendar was made. Builds
	// with the same Stamp are byte-identical.
	Stamp time.Time
}

// Calendar says what one calendar holds.
type Calendar struct {
	// Sessions are the events, in order.
	Sessions []*agenda.Session
	// Track, when set, names the calendar after the track and gives it the
	// track's colour.
	Track *agenda.Track
	// Feed marks a calendar that subscribers refresh, such as the whole
	// programme or a track: it says how often to refresh it.
	Feed bool
	// Method is the iTIP method (RFC 5546), such as REQUEST; empty for a
	// plain calendar.
	Method string
}

// Encoder writes calendars of one programme. It works out the programme's
// VTIMEZONE once, for the years all its sessions span, and uses it in every
// calendar, so that every file agrees on the zone. After Prepare, every
// event is rendered once and copied into each calendar that holds it.
type Encoder struct {
	prog *agenda.Programme
	opts Options
	zone *zone
	// timezone is the serialised VTIMEZONE.
	timezone []byte
	// rendered holds each session's serialised VEVENT after Prepare, by
	// the session's place in the programme (index).
	rendered [][]byte
	index    map[*agenda.Session]int
	// headers holds the serialised calendar properties by the calendar's
	// kind: thousands of session files share one.
	mu      sync.Mutex
	headers map[headerKey][]byte
}

// headerKey is what a calendar's own properties depend on.
type headerKey struct {
	track  *agenda.Track
	feed   bool
	method string
}

// serialisation is how every calendar is written: RFC 5545's 75-octet
// lines ended with CRLF.
func serialisation() *ics.SerializationConfiguration {
	return &ics.SerializationConfiguration{MaxLength: 75, PropertyMaxLength: 75, NewLine: "\r\n"}
}

// NewEncoder returns an Encoder for the programme.
func NewEncoder(p *agenda.Programme, opts Options) *Encoder {
	e := &Encoder{prog: p, opts: opts}
	if len(p.Sessions) > 0 {
		first, last := p.Sessions[0].Start, p.Sessions[0].End
		for _, s := range p.Sessions {
			if s.Start.Before(first) {
				first = s.Start
			}
			if s.End.After(last) {
				last = s.End
			}
		}
		e.zone = newZone(p.ZoneName, p.Zone, first, last)
		var buf bytes.Buffer
		// Writing to a bytes.Buffer cannot fail.
		_ = e.zone.component().SerializeTo(&buf, serialisation())
		e.timezone = buf.Bytes()
	}
	return e
}

// Prepare renders every session's event, on up to workers goroutines, so
// that calendars sharing sessions (the programme, its tracks, each
// session's own file) copy them instead of rendering them again.
func (e *Encoder) Prepare(workers int) error {
	sessions := e.prog.Sessions
	e.rendered = make([][]byte, len(sessions))
	e.index = make(map[*agenda.Session]int, len(sessions))
	for i, s := range sessions {
		e.index[s] = i
	}
	return parallel(len(sessions), workers, func(i int) error {
		var buf bytes.Buffer
		buf.Grow(2048)
		if err := e.event(sessions[i]).SerializeTo(&buf, serialisation()); err != nil {
			return fmt.Errorf("writing the event of session %q: %w", sessions[i].ID, err)
		}
		e.rendered[i] = buf.Bytes()
		return nil
	})
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
	if _, err := w.Write(header); err != nil {
		return err
	}
	if _, err := w.Write(e.timezone); err != nil {
		return err
	}
	for _, s := range c.Sessions {
		if i, ok := e.index[s]; ok {
			if _, err := w.Write(e.rendered[i]); err != nil {
				return err
			}
			continue
		}
		if err := e.event(s).SerializeTo(w, serialisation()); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "END:VCALENDAR\r\n")
	return err
}

// headerOf returns the serialised start of a calendar: BEGIN:VCALENDAR and
// the calendar's own properties.
func (e *Encoder) headerOf(c Calendar) ([]byte, error) {
	key := headerKey{track: c.Track, feed: c.Feed, method: c.Method}
	e.mu.Lock()
	defer e.mu.Unlock()
	if h, ok := e.headers[key]; ok {
		return h, nil
	}
	buf := bytes.NewBufferString("BEGIN:VCALENDAR\r\n")
	for _, prop := range e.header(c).CalendarProperties {
		if err := prop.SerializeTo(buf, serialisation()); err != nil {
			return nil, err
		}
	}
	if e.headers == nil {
		e.headers = map[headerKey][]byte{}
	}
	e.headers[key] = buf.Bytes()
	return buf.Bytes(), nil
}

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
	if c.Track != nil {
		name = p.Title + " — " + c.Track.Name
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

// parallel calls do(i) for i in [0, n) on up to workers goroutines and
// returns the first error.
func parallel(n, workers int, do func(i int) error) error {
	workers = max(1, min(workers, n))
	var (
		wg       sync.WaitGroup
		next     atomic.Int64
		firstErr error
		once     sync.Once
		failed   atomic.Bool
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := do(i); err != nil {
					once.Do(func() { firstErr = err })
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// event builds the VEVENT of a session.
func (e *Encoder) event(s *agenda.Session) *ics.VEvent {
	ev := ics.NewEvent(s.ID + "@" + e.prog.UIDDomain)
	ev.SetDtStampTime(e.opts.Stamp.UTC())
	e.setTime(ev, ics.ComponentPropertyDtStart, s.Start)
	e.setTime(ev, ics.ComponentPropertyDtEnd, s.End)
	ev.SetSummary(cleanText(s.Title))
	if s.Location != "" {
		ev.SetLocation(cleanText(s.Location))
	}
	if s.Venue != nil && s.Venue.Geo != nil {
		g := s.Venue.Geo
		ev.SetProperty(ics.ComponentPropertyGeo, fmt.Sprintf("%.6f;%.6f", g.Lat, g.Lon))
		title := s.Venue.Name
		if title == "" {
			title = s.Location
		}
		ev.SetProperty("X-APPLE-STRUCTURED-LOCATION", fmt.Sprintf("geo:%.6f,%.6f", g.Lat, g.Lon),
			ics.WithValue(string(ics.ValueDataTypeUri)),
			&ics.KeyValues{Key: "X-APPLE-RADIUS", Value: []string{"70"}},
			&ics.KeyValues{Key: "X-TITLE", Value: []string{cleanParam(title)}},
		)
	}
	if d := description(s); d != "" {
		ev.SetDescription(cleanText(d))
	}
	if s.URL != "" {
		ev.SetURL(cleanURI(s.URL))
	}
	var categories []string
	if s.Track != nil {
		categories = append(categories, s.Track.Name)
	}
	if s.Kind == agenda.KindBreak {
		categories = append(categories, "Break")
	}
	for _, c := range categories {
		ev.AddProperty(ics.ComponentPropertyCategories, cleanText(c))
	}
	if s.Track != nil && s.Track.Color.Name != "" {
		ev.SetColor(s.Track.Color.Name)
	}
	if o := e.prog.Organizer; o != nil && o.Email != "" {
		// The library writes parameter values with backslash escapes RFC
		// 5545 does not know: the name is cleaned of what it would escape.
		ev.SetOrganizer("mailto:"+cleanURI(o.Email), ics.WithCN(cleanParam(o.Name)))
	}
	return ev
}

// setTime writes DTSTART or DTEND as local time with the zone's TZID, or in
// UTC when the local time lies where the clocks go back.
func (e *Encoder) setTime(ev *ics.VEvent, prop ics.ComponentProperty, t time.Time) {
	if e.zone.inRepeatedHour(t) {
		ev.SetProperty(prop, t.UTC().Format(localLayout+"Z"))
		return
	}
	ev.SetProperty(prop, t.In(e.zone.loc).Format(localLayout), ics.WithTZID(e.zone.name))
}

// description is the text of a session's DESCRIPTION: its speakers with
// their roles, its topics as a list, its description and its web address.
func description(s *agenda.Session) string {
	var parts []string
	if len(s.Speakers) > 0 {
		var b strings.Builder
		b.WriteString("Speakers:")
		for _, sp := range s.Speakers {
			b.WriteString("\n- " + sp.Name)
			if sp.Role != "" {
				b.WriteString(" (" + sp.Role + ")")
			}
		}
		parts = append(parts, b.String())
	}
	if len(s.Topics) > 0 {
		parts = append(parts, "Topics:\n- "+strings.Join(s.Topics, "\n- "))
	}
	if s.Description != "" {
		parts = append(parts, s.Description)
	}
	if s.URL != "" {
		parts = append(parts, s.URL)
	}
	return strings.Join(parts, "\n\n")
}
