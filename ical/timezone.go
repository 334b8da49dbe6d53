package ical

import (
	"fmt"
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

// zone is the VTIMEZONE of one zone for the years a set of events spans,
// and the changes of the clocks in those years.
type zone struct {
	name        string
	loc         *time.Location
	changes     []agenda.ClockChange
	observances []observance
}

// observance is one STANDARD or DAYLIGHT component.
type observance struct {
	daylight bool
	start    time.Time // local wall time in the offset before, as a UTC time
	from, to int
	name     string
	rrule    string
}

// newZone builds the VTIMEZONE of loc for events from first to last. When
// the zone's rules are the same in every year the events span, it is one
// STANDARD and one DAYLIGHT observance with yearly rules starting in 1970
// (the form vzic and Outlook write, and the only one Outlook reads
// exactly); otherwise it is the exact changes, from a year before the first
// event. Either way every observance a reader needs starts before the first
// event.
func newZone(name string, loc *time.Location, first, last time.Time) *zone {
	y0, y1 := first.In(loc).Year(), last.In(loc).Year()
	windowStart := time.Date(y0-1, time.January, 1, 0, 0, 0, 0, time.UTC)
	windowEnd := time.Date(y1+1, time.January, 1, 0, 0, 0, 0, time.UTC).Add(14 * time.Hour)
	z := &zone{name: name, loc: loc, changes: agenda.ClockChanges(loc, windowStart.Add(-14*time.Hour), windowEnd)}
	if y0 > 1971 {
		if obs, ok := yearlyRules(z.changes, y0, y1, fixedObservance(first, loc, 1970)); ok {
			z.observances = obs
			return z
		}
	}
	z.observances = exactObservances(z.changes, fixedObservance(windowStart, loc, min(1970, y0-1)), windowStart)
	return z
}

// fixedObservance holds the state of loc's clocks at t from January 1 of
// year on.
func fixedObservance(t time.Time, loc *time.Location, year int) observance {
	off, name, dst := zoneAt(t, loc)
	return observance{
		daylight: dst,
		start:    time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC),
		from:     off,
		to:       off,
		name:     name,
	}
}

// exactObservances writes one observance for each change from windowStart
// on, after the initial one.
func exactObservances(changes []agenda.ClockChange, initial observance, windowStart time.Time) []observance {
	obs := []observance{initial}
	for _, c := range changes {
		if c.At.Before(windowStart) {
			continue
		}
		obs = append(obs, observance{
			daylight: c.DST,
			start:    c.WallBefore(),
			from:     c.OffsetBefore,
			to:       c.OffsetAfter,
			name:     c.Name,
		})
	}
	return obs
}

// yearlyRules returns a STANDARD and a DAYLIGHT observance with RRULEs when
// every year from y0 to y1 has exactly one change into and one out of
// daylight saving time, alternating, at the same offsets, names, local
// times and yearly rule, each change ending at the offset the other starts
// from; or the fixed observance when the zone does not change in those
// years at all.
func yearlyRules(changes []agenda.ClockChange, y0, y1 int, fixed observance) ([]observance, bool) {
	var inYears []agenda.ClockChange
	for _, c := range changes {
		if y := c.WallBefore().Year(); y >= y0 && y <= y1 {
			inYears = append(inYears, c)
		}
	}
	if len(inYears) == 0 {
		// No change in the span: the state of the first event holds. It is
		// written as STANDARD whatever the zone calls it, as vzic does.
		fixed.daylight = false
		return []observance{fixed}, true
	}
	if len(inYears) != 2*(y1-y0+1) {
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

// component returns the VTIMEZONE.
func (z *zone) component() *ics.VTimezone {
	tz := ics.NewTimezone(z.name)
	for _, o := range z.observances {
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
