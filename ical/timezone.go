package ical

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/agendacal/agendacal/agenda"
)

// zoneAt is what a zone's clocks show at an instant.
func zoneAt(t time.Time, loc *time.Location) (off int, name string, dst bool) {
	lt := t.In(loc)
	name, off = lt.Zone()
	return off, name, lt.IsDST()
}

// zone is one zone's clock changes and the VTIMEZONEs (RFC 5545 3.6.5)
// the calendars of a programme need: each calendar gets the observances of
// the span of its own events, so a one-hour session's file holds only the
// changes around its date.
type zone struct {
	name string
	loc  *time.Location
	// utc marks UTC itself: times are written with Z and no calendar has
	// a VTIMEZONE.
	utc bool
	// changes are in order every change from the last one before the
	// first event to two years after the last event.
	changes []agenda.ClockChange

	// texts are the VTIMEZONEs written, by span: spanKey → *part.
	texts sync.Map
	// none is the VTIMEZONE of UTC: nothing.
	none part
}

// spanKey is what a VTIMEZONE depends on: the years of the events and the
// changes around them.
type spanKey struct{ y0, y1, i, j int }

// observance is one STANDARD or DAYLIGHT component.
type observance struct {
	daylight bool
	start    time.Time // local wall time in the offset before, as a UTC time
	from, to int
	name     string
	rrule    string
	rdates   []time.Time // further onsets, as start
}

// utcNames are the names of UTC itself.
var utcNames = map[string]bool{"UTC": true, "Etc/UTC": true, "Etc/UCT": true, "UCT": true, "Etc/Universal": true, "Universal": true, "Etc/Zulu": true, "Zulu": true}

// newZone prepares the VTIMEZONEs of loc for events from first to last.
func newZone(name string, loc *time.Location, first, last time.Time) *zone {
	from := time.Date(first.UTC().Year()-1, time.January, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(last.UTC().Year()+2, time.January, 1, 0, 0, 0, 0, time.UTC)
	changes := agenda.ClockChanges(loc, from, to)
	// Look further back, twenty years at a time, for the change in force
	// at the first event (Tokyo's last was in 1951).
	floor := time.Date(1850, time.January, 1, 0, 0, 0, 0, time.UTC)
	for from.After(floor) && (len(changes) == 0 || changes[0].At.After(first)) {
		earlier := from.AddDate(-20, 0, 0)
		if earlier.Before(floor) {
			earlier = floor
		}
		changes = append(agenda.ClockChanges(loc, earlier, from), changes...)
		from = earlier
	}
	return &zone{name: name, loc: loc, utc: utcNames[name], changes: changes}
}

// vtimezone returns the serialised VTIMEZONE for events from first to
// last.
func (z *zone) vtimezone(first, last time.Time) *part {
	if z.utc {
		return &z.none
	}
	y0, y1 := first.In(z.loc).Year(), last.In(z.loc).Year()
	// i is the last change at or before the first event, j the first one
	// after the last.
	i := sort.Search(len(z.changes), func(k int) bool { return z.changes[k].At.After(first) }) - 1
	j := sort.Search(len(z.changes), func(k int) bool { return z.changes[k].At.After(last) })
	key := spanKey{y0, y1, i, j}
	if text, ok := z.texts.Load(key); ok {
		return text.(*part)
	}
	var buf bytes.Buffer
	// Writing to a bytes.Buffer cannot fail.
	_ = z.component(z.observances(first, y0, y1, i, j)).SerializeTo(&buf, serialisation())
	text, _ := z.texts.LoadOrStore(key, newPart(buf.Bytes()))
	return text.(*part)
}

// observances are the VTIMEZONE's components for events in the years y0
// to y1, from the first, with changes[i] the last change before them and
// changes[j] the first after. Where the zone follows one yearly rule from
// the year before the events to the year after, they are one STANDARD and
// one DAYLIGHT observance with yearly rules from 1970 (the form vzic and
// Outlook write, and the only one Outlook reads exactly); otherwise one
// component for each kind of change (its offsets and name) that the span
// needs, its DTSTART the first such change and RDATEs the others, starting
// with the change in force when the first event begins. No observance
// changes nothing, but where the zone never moved its clocks before the
// events.
func (z *zone) observances(first time.Time, y0, y1, i, j int) []observance {
	if y0 > 1971 {
		if obs, ok := yearlyRules(z.changes, y0-1, y1+1); ok {
			return obs
		}
	}
	// A change of name or of the daylight saving flag alone moves no
	// clock: it makes no observance.
	moves := func(c agenda.ClockChange) bool { return c.OffsetBefore != c.OffsetAfter }
	for i >= 0 && !moves(z.changes[i]) {
		i--
	}
	var obs []observance
	if i < 0 {
		off, name, dst := zoneAt(first, z.loc)
		obs = append(obs, observance{daylight: dst, start: time.Date(y0-1, time.January, 1, 0, 0, 0, 0, time.UTC), from: off, to: off, name: name})
		i = 0
	}
	index := map[agenda.ClockChange]int{} // a kind of change, its instant zeroed → component
	var inForce, inForceWall time.Time    // when the first observance starts
	if len(obs) > 0 {
		inForceWall = obs[0].start
		inForce = obs[0].start.Add(-time.Duration(obs[0].from) * time.Second)
	}
	for _, c := range z.changes[i:j] {
		if !moves(c) {
			continue
		}
		kind := c
		kind.At = time.Time{}
		k, ok := index[kind]
		if !ok {
			k = len(obs)
			index[kind] = k
			o := observance{daylight: c.DST, start: c.WallBefore(), from: c.OffsetBefore, to: c.OffsetAfter, name: c.Name}
			if k == 0 {
				inForce, inForceWall = c.At, c.WallBefore()
			} else {
				// Ruby's icalendar gem fails on a component with no onset
				// before an event: every component but the first starts a
				// few seconds before it, as a wall time and as an instant
				// (readers compare either), and its real onsets are RDATEs.
				// Those seconds come before every event of the calendar.
				o.start = inForceWall.Add(-time.Duration(k) * time.Second)
				if asInstant := inForce.Add(time.Duration(c.OffsetBefore-k) * time.Second).UTC(); asInstant.Before(o.start) {
					o.start = asInstant
				}
				o.rdates = []time.Time{c.WallBefore()}
			}
			obs = append(obs, o)
			continue
		}
		obs[k].rdates = append(obs[k].rdates, c.WallBefore())
	}
	// ical.js takes the onsets of a component with RDATEs from its RDATEs
	// alone: the first component's DTSTART is one of them too.
	if len(obs) > 0 && len(obs[0].rdates) > 0 && index != nil {
		obs[0].rdates = append([]time.Time{obs[0].start}, obs[0].rdates...)
	}
	// python-dateutil (vobject reads with it) fails on a time before
	// every onset when no component is STANDARD: where all are DAYLIGHT
	// (a summer's span; Morocco's and Samoa's changes in the tz database),
	// the last change to standard time before them comes too, at its own
	// onset (or, were that not before every other component's, a second
	// before them). It is history the first onset ends: no event of the
	// calendar falls before that.
	if len(obs) > 0 && !slices.ContainsFunc(obs, func(o observance) bool { return !o.daylight }) {
		earliest := obs[0].start
		for _, o := range obs[1:] {
			if o.start.Before(earliest) {
				earliest = o.start
			}
		}
		for k := i - 1; k >= 0; k-- {
			if c := z.changes[k]; !c.DST && moves(c) {
				o := observance{start: c.WallBefore(), from: c.OffsetBefore, to: c.OffsetAfter, name: c.Name}
				if !o.start.Before(earliest) {
					o.start = earliest.Add(-time.Second)
				}
				obs = append(obs, o)
				break
			}
		}
	}
	return obs
}

// yearlyRules returns a STANDARD and a DAYLIGHT observance with RRULEs when
// every year from y0 to y1 has exactly one change into and one out of
// daylight saving time, alternating, at the same offsets, names, local
// times and yearly rule, each change ending at the offset the other starts
// from.
func yearlyRules(changes []agenda.ClockChange, y0, y1 int) ([]observance, bool) {
	var inYears []agenda.ClockChange
	for _, c := range changes {
		if y := c.WallBefore().Year(); y >= y0 && y <= y1 {
			inYears = append(inYears, c)
		}
	}
	if len(inYears) == 0 || len(inYears) != 2*(y1-y0+1) {
		return nil, false
	}
	var onsets, ends []agenda.ClockChange
	for i, c := range inYears {
		if i > 0 && c.DST == inYears[i-1].DST {
			return nil, false // two changes the same way in a row
		}
		if c.DST {
			onsets = append(onsets, c)
		} else {
			ends = append(ends, c)
		}
	}
	if len(onsets) != len(ends) {
		return nil, false
	}
	// Each change must leave the clocks where the other picks them up, or
	// yearly rules would invent an offset the zone never had.
	if on, off := onsets[0], ends[0]; on.OffsetAfter != off.OffsetBefore || off.OffsetAfter != on.OffsetBefore {
		return nil, false
	}
	var obs []observance
	for _, group := range [][]agenda.ClockChange{ends, onsets} {
		rule, ok := commonRule(group)
		if !ok {
			return nil, false
		}
		c := group[0]
		for _, o := range group[1:] {
			if o.OffsetBefore != c.OffsetBefore || o.OffsetAfter != c.OffsetAfter || o.Name != c.Name {
				return nil, false
			}
		}
		w := c.WallBefore()
		obs = append(obs, observance{
			daylight: c.DST,
			start:    rule.in1970(w.Hour(), w.Minute(), w.Second()),
			from:     c.OffsetBefore,
			to:       c.OffsetAfter,
			name:     c.Name,
			rrule:    rule.String(),
		})
	}
	return obs, true
}

// yearlyRule is a date that recurs every year: the nth (or, with nth -1, the
// last) weekday of a month, or a fixed day of a month when weekday is -1.
type yearlyRule struct {
	month   time.Month
	nth     int
	weekday time.Weekday
	day     int
}

func (r yearlyRule) String() string {
	if r.weekday < 0 {
		return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYMONTHDAY=%d", r.month, r.day)
	}
	return fmt.Sprintf("FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s", r.month, r.nth, weekdayCode(r.weekday))
}

func weekdayCode(d time.Weekday) string {
	return [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[d]
}

// in1970 is the first occurrence of the rule in 1970, at a time of day.
func (r yearlyRule) in1970(h, m, s int) time.Time {
	return r.date(1970).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
}

// date is the rule's date in a year, as midnight UTC.
func (r yearlyRule) date(year int) time.Time {
	if r.weekday < 0 {
		return time.Date(year, r.month, r.day, 0, 0, 0, 0, time.UTC)
	}
	if r.nth < 0 {
		last := time.Date(year, r.month+1, 0, 0, 0, 0, 0, time.UTC)
		return last.AddDate(0, 0, -((int(last.Weekday()) - int(r.weekday) + 7) % 7))
	}
	first := time.Date(year, r.month, 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, 0, (int(r.weekday)-int(first.Weekday())+7)%7+7*(r.nth-1))
}

// commonRule finds a yearly rule, and a local time of day, that every
// change in group follows; the last-weekday form is preferred, as the tz
// database and Outlook write most rules that way.
func commonRule(group []agenda.ClockChange) (yearlyRule, bool) {
	w0 := group[0].WallBefore()
	candidates := []yearlyRule{
		{month: w0.Month(), nth: -1, weekday: w0.Weekday()},
		{month: w0.Month(), nth: (w0.Day()-1)/7 + 1, weekday: w0.Weekday()},
		{month: w0.Month(), weekday: -1, day: w0.Day()},
	}
	for _, rule := range candidates {
		if rule.nth > 4 {
			continue
		}
		ok := true
		for _, c := range group {
			w := c.WallBefore()
			d := rule.date(w.Year())
			if w.Month() != d.Month() || w.Day() != d.Day() ||
				w.Hour() != w0.Hour() || w.Minute() != w0.Minute() || w.Second() != w0.Second() {
				ok = false
				break
			}
		}
		if ok {
			return rule, true
		}
	}
	return yearlyRule{}, false
}

// inRepeatedHour tells whether t's local time lies in, or on an edge of, a
// stretch of local time that the clocks pass twice. Readers disagree on
// which instant such a local time means, so it is written in UTC.
func (z *zone) inRepeatedHour(t time.Time) bool {
	_, off := t.In(z.loc).Zone()
	wall := t.Unix() + int64(off)
	for _, c := range z.changes {
		if c.OffsetAfter >= c.OffsetBefore {
			continue
		}
		at := c.At.Unix()
		if wall >= at+int64(c.OffsetAfter) && wall <= at+int64(c.OffsetBefore) {
			return true
		}
	}
	return false
}

// component returns a VTIMEZONE of the observances.
func (z *zone) component(observances []observance) *ics.VTimezone {
	tz := ics.NewTimezone(z.name)
	for _, o := range observances {
		var cb *ics.ComponentBase
		if o.daylight {
			d := &ics.Daylight{}
			tz.Components = append(tz.Components, d)
			cb = &d.ComponentBase
		} else {
			s := &ics.Standard{}
			tz.Components = append(tz.Components, s)
			cb = &s.ComponentBase
		}
		cb.AddProperty(ics.ComponentPropertyDtStart, o.start.Format(localLayout))
		if o.rrule != "" {
			cb.AddProperty(ics.ComponentPropertyRrule, o.rrule)
		}
		for _, r := range o.rdates {
			cb.AddProperty(ics.ComponentPropertyRdate, r.Format(localLayout))
		}
		cb.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), formatUTCOffset(o.from))
		cb.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), formatUTCOffset(o.to))
		if o.name != "" {
			cb.AddProperty(ics.ComponentProperty(ics.PropertyTzname), o.name)
		}
	}
	return tz
}

// localLayout is RFC 5545's form of a local DATE-TIME.
const localLayout = "20060102T150405"

// formatUTCOffset writes an offset as RFC 5545's UTC-OFFSET: +0100, or
// +013000 when it has seconds.
func formatUTCOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	s := fmt.Sprintf("%s%02d%02d", sign, seconds/3600, seconds/60%60)
	if seconds%60 != 0 {
		s += fmt.Sprintf("%02d", seconds%60)
	}
	return s
}
