package agenda

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// clock is a wall-clock time of day in minutes after midnight; 24*60 stands
// for the midnight that ends a day.
type clock int

const endOfDay clock = 24 * 60

func (c clock) String() string {
	return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60)
}

// parseClock reads a time of day as programmes print it: 09:30, 9:30,
// 09h30, 9h00, 9h, 18.00, or with AM or PM (6pm, 6:30 pm, 9:00 AM,
// 9 a.m.). 24:00 is accepted only when allowEndOfDay is set.
func parseClock(s string, allowEndOfDay bool) (clock, error) {
	hint := "write times as 09:30, 09h30 or 9:30 AM"
	s = strings.TrimSpace(s)
	t := s
	half := ""
	lower := strings.ToLower(strings.ReplaceAll(t, ".", ""))
	for _, suffix := range []string{"am", "pm"} {
		if strings.HasSuffix(lower, suffix) && (strings.HasSuffix(strings.ToLower(t), suffix) || strings.HasSuffix(strings.ToLower(t), suffix[:1]+"."+suffix[1:]+".") || strings.HasSuffix(strings.ToLower(t), suffix[:1]+"."+suffix[1:])) {
			half = suffix
			t = strings.TrimSpace(t[:strings.LastIndexAny(strings.ToLower(t), suffix[:1])])
		}
	}
	sep := strings.IndexAny(t, ":hH.")
	if half != "" && sep < 0 && allDigits(t) && len(t) <= 2 {
		t, sep = t+":00", len(t) // 6pm
	}
	if sep < 1 || sep > 2 {
		return 0, fmt.Errorf("invalid time %q: %s", s, hint)
	}
	hours, mins := t[:sep], t[sep+1:]
	if mins == "" && (t[sep] == 'h' || t[sep] == 'H') {
		mins = "00"
	}
	if !allDigits(hours) || len(mins) != 2 || !allDigits(mins) {
		return 0, fmt.Errorf("invalid time %q: %s", s, hint)
	}
	h, _ := strconv.Atoi(hours)
	m, _ := strconv.Atoi(mins)
	if half != "" {
		if h < 1 || h > 12 {
			return 0, fmt.Errorf("invalid time %q: with AM or PM, hours are 1 to 12; write %02d:%02d without it", s, h, m)
		}
		h %= 12
		if half == "pm" {
			h += 12
		}
	}
	c := clock(h*60 + m)
	switch {
	case m > 59:
		return 0, fmt.Errorf("invalid time %q: minutes must be 00 to 59", s)
	case c == endOfDay && allowEndOfDay:
		return c, nil
	case h > 23:
		return 0, fmt.Errorf("invalid time %q: hours must be 0 to 23", s)
	}
	return c, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseRange reads a range of times such as 09:30-10:30, 08h30 - 9h00 or
// 09:30 – 10:30 (with an en or em dash).
func parseRange(s string) (start, end clock, err error) {
	i := strings.IndexAny(s, "-–—")
	if i < 0 {
		return 0, 0, fmt.Errorf("invalid time range %q: write it as 09:30-10:30, or use start and end", s)
	}
	_, width := utf8.DecodeRuneInString(s[i:])
	if start, err = parseClock(s[:i], false); err != nil {
		return 0, 0, err
	}
	if end, err = parseClock(s[i+width:], true); err != nil {
		return 0, 0, err
	}
	return start, end, nil
}

// maxDuration bounds a session's length; a longer one is almost surely a typo.
const maxDuration = 7 * 24 * time.Hour

// parseDuration reads a session's length such as 45m, 1h, 1h30m, 1h30,
// 90min or 1.5h.
func parseDuration(s string) (time.Duration, error) {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if allDigits(t) {
		return 0, fmt.Errorf("invalid duration %q: give the unit, as in %sm or 1h30m", s, t)
	}
	for _, unit := range []struct{ long, short string }{{"minutes", "m"}, {"minute", "m"}, {"mins", "m"}, {"min", "m"}, {"hours", "h"}, {"hour", "h"}, {"hrs", "h"}, {"hr", "h"}} {
		t = strings.ReplaceAll(t, unit.long, unit.short)
	}
	if i := strings.LastIndexByte(t, 'h'); i >= 0 && i < len(t)-1 && allDigits(t[i+1:]) {
		t += "m" // 1h30
	}
	d, err := time.ParseDuration(t)
	switch {
	case err != nil || strings.ContainsAny(t, "nuµs"):
		return 0, fmt.Errorf("invalid duration %q: write it in hours and minutes, as in 45m, 90min, 1h or 1h30m", s)
	case d <= 0:
		return 0, fmt.Errorf("invalid duration %q: a session must last a positive time", s)
	case d%time.Minute != 0:
		return 0, fmt.Errorf("invalid duration %q: give whole minutes", s)
	case d > maxDuration:
		return 0, fmt.Errorf("invalid duration %q: a session may last at most %v", s, maxDuration)
	}
	return d, nil
}

// wallKind tells how a local date and time maps to instants in a zone.
type wallKind int

const (
	wallUnique    wallKind = iota // exactly one instant
	wallGap                       // none: the clocks skip it
	wallAmbiguous                 // two: the clocks go back over it
)

// resolveWall returns the instant at which the clocks of loc show the given
// date and time, and the change of the clocks that makes the time special.
// In a gap it returns the instant the gap ends; when the time occurs twice
// it returns the first occurrence, as RFC 5545 (3.3.5) says.
func resolveWall(date time.Time, c clock, loc *time.Location) (time.Time, wallKind, ClockChange) {
	y, mo, d := date.Date()
	h, m := int(c)/60, int(c)%60
	t := time.Date(y, mo, d, h, m, 0, 0, loc)
	if from, to := t.ZoneBounds(); t.Hour() == h && t.Minute() == m &&
		(from.IsZero() || t.Sub(from) >= 26*time.Hour) && (to.IsZero() || to.Sub(t) > 26*time.Hour) {
		return t, wallUnique, ClockChange{} // the clocks do not change within a day
	}
	_, off := t.Zone()
	_, offBefore := t.Add(-26 * time.Hour).Zone()
	_, offAfter := t.Add(26 * time.Hour).Zone()
	// Try the wall time at every offset the zone has within a day and a
	// half of it, whichever side of a change it falls.
	wall := time.Date(y, mo, d, h, m, 0, 0, time.UTC)
	changes := ClockChanges(loc, wall.Add(-40*time.Hour), wall.Add(40*time.Hour))
	offsets := []int{offBefore, off, offAfter}
	for _, ch := range changes {
		offsets = append(offsets, ch.OffsetBefore, ch.OffsetAfter)
	}
	var found []time.Time
	for _, o := range offsets {
		at := wall.Add(-time.Duration(o) * time.Second)
		if _, oo := at.In(loc).Zone(); oo == o && !slices.ContainsFunc(found, at.Equal) {
			found = append(found, at)
		}
	}
	near := nearest(changes, wall)
	switch {
	case len(found) == 0:
		return near.At.In(loc), wallGap, near
	case len(found) == 1:
		return found[0].In(loc), wallUnique, near
	}
	return slices.MinFunc(found, time.Time.Compare).In(loc), wallAmbiguous, near
}

// nearest returns the change whose reading of the clocks is closest to the
// wall time, both as times in UTC.
func nearest(changes []ClockChange, wall time.Time) ClockChange {
	var best ClockChange
	bestD := time.Duration(math.MaxInt64)
	for _, ch := range changes {
		d := ch.WallBefore().Sub(wall).Abs()
		if d < bestD {
			best, bestD = ch, d
		}
	}
	return best
}

// clockChange describes a change of the clocks, such as "clocks go forward
// from 02:00 to 03:00".
func clockChange(ch ClockChange) string {
	direction := "forward"
	if ch.OffsetAfter < ch.OffsetBefore {
		direction = "back"
	}
	const day = "2006-01-02"
	before := ch.WallBefore()
	after := ch.At.In(time.FixedZone("", ch.OffsetAfter))
	if before.Format(day) == after.Format(day) {
		return fmt.Sprintf("clocks go %s on %s from %s to %s", direction, before.Format(day), before.Format("15:04"), after.Format("15:04"))
	}
	msg := fmt.Sprintf("clocks go %s from %s on %s to %s on %s", direction, before.Format("15:04"), before.Format(day), after.Format("15:04"), after.Format(day))
	// Whole days the clocks never show, as when Samoa crossed the date line.
	first := time.Date(before.Year(), before.Month(), before.Day(), 0, 0, 0, 0, time.UTC)
	if before.Hour() != 0 || before.Minute() != 0 || before.Second() != 0 {
		first = first.AddDate(0, 0, 1)
	}
	last := time.Date(after.Year(), after.Month(), after.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	switch {
	case direction == "back" || last.Before(first):
	case first.Equal(last):
		msg += ", skipping " + first.Format(day)
	default:
		msg += ", skipping " + first.Format(day) + " to " + last.Format(day)
	}
	return msg
}
