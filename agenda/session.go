package agenda

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// The years agendacal takes dates from: wide enough for any programme, past
// or planned, and narrow enough that a typo cannot make a VTIMEZONE of
// centuries or a DATE-TIME RFC 5545 cannot write.
const (
	minYear = 1900
	maxYear = 2200
)

// longSession is how long a session may last before its length looks like
// a typo (30h for 3h).
const longSession = 12 * time.Hour

func (d *decoder) day(n *yaml.Node, p *Programme, tracks map[string]*Track) []sessionSource {
	f := d.fields(n, "a day", d.keysOf("day"))
	if f == nil {
		return nil
	}
	dateText, ok := d.scalar(f.get("date"), "date")
	if !ok {
		d.missing(n, f.get("date"), "a day has no date: add date: 2017-06-29")
		return nil
	}
	items := d.list(f.get("sessions"), "sessions", "sessions: [{time: 09:30-10:30, title: Opening}]")
	date, err := time.Parse("2006-01-02", strings.TrimSpace(dateText))
	if err == nil && (date.Year() < minYear || date.Year() > maxYear) {
		d.errorf(f.get("date"), "date %q is out of range: agendacal takes dates from %d to %d", dateText, minYear, maxYear)
	} else if err != nil {
		why := "write dates as 2017-06-29"
		if strings.Contains(err.Error(), "out of range") {
			why = "that day does not exist"
		}
		d.errorf(f.get("date"), "invalid date %q: %s", dateText, why)
	}
	if d.bad[f.get("date")] {
		// The day's sessions are still checked, all but their instants,
		// so that one wrong date hides no other problem.
		undated := *p
		undated.Zone = nil
		for _, item := range items {
			d.session(item, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), "2000-01-01", &undated, tracks)
		}
		return nil
	}
	if len(items) == 0 {
		d.missing(n, f.get("sessions"), fmt.Sprintf("day %s has no sessions: add sessions: with at least one", dateText))
		return nil
	}
	out := make([]sessionSource, 0, len(items))
	var latest *Session // the latest-starting session so far this day
	day := date.Format("2006-01-02")
	for _, item := range items {
		src, ok := d.session(item, date, day, p, tracks)
		if !ok {
			continue
		}
		out = append(out, src)
		if p.Zone == nil {
			continue
		}
		if src.session.AllDay {
			continue
		}
		if latest != nil && afterMidnight(latest.Start.In(p.Zone), src.session.Start.In(p.Zone)) {
			next := date.AddDate(0, 0, 1).Format("2006-01-02")
			d.warnf(src.at.node(), "%q starts at %s, listed after %q at %s on %s: if it is after midnight, put it under date: %s",
				src.session.Title, src.session.Start.In(p.Zone).Format("15:04"), latest.Title, latest.Start.In(p.Zone).Format("15:04"), dateText, next)
		}
		if latest == nil || src.session.Start.After(latest.Start) {
			latest = src.session
		}
	}
	return out
}

// afterMidnight tells whether a session starting at next, listed after one
// starting at prev on the same day, looks like one that follows it after
// midnight: printed programmes list those under the evening's day, but a
// date is a calendar date.
func afterMidnight(prev, next time.Time) bool {
	return prev.Hour() >= 18 && next.Hour() < 6 && next.Before(prev)
}

// session decodes a session of the day date, which day writes as
// 2017-06-29.
func (d *decoder) session(n *yaml.Node, date time.Time, day string, p *Programme, tracks map[string]*Track) (sessionSource, bool) {
	n = d.deref(n)
	f := d.fields(n, "a session", d.keysOf("session"))
	if f == nil {
		return sessionSource{}, false
	}
	before := len(d.problems)
	s := &Session{
		Date:        day,
		Title:       d.text(f.get("title"), "title", true),
		Kind:        KindSession,
		Status:      StatusConfirmed,
		Description: d.text(f.get("description"), "description", false),
		URL:         d.url(f.get("url"), "url"),
	}
	if s.Title == "" {
		d.missing(n, f.get("title"), "a session has no title: add title:")
	}
	if k := d.text(f.get("kind"), "kind", true); k != "" {
		switch kind := Kind(strings.ToLower(k)); kind {
		case KindSession, KindBreak:
			s.Kind = kind
		default:
			d.errorf(f.get("kind"), "kind %q must be session or break", k)
		}
	}
	if st := d.text(f.get("status"), "status", true); st != "" {
		switch status := Status(strings.ToLower(st)); status {
		case StatusConfirmed, StatusTentative, StatusCancelled:
			s.Status = status
		case "canceled":
			s.Status = StatusCancelled
		default:
			d.errorf(f.get("status"), "status %q must be confirmed, tentative or cancelled", st)
		}
	}
	if items := d.list(f.get("speakers"), "speakers", "speakers: [Jane Doe]"); len(items) > 0 {
		s.Speakers = make([]Person, 0, len(items))
		for _, item := range items {
			if sp, ok := d.person(item, "a speaker", false); ok {
				s.Speakers = append(s.Speakers, sp)
			}
		}
	}
	if items := d.list(f.get("topics"), "topics", "topics: [Legislation, Trends]"); len(items) > 0 {
		s.Topics = make([]string, 0, len(items))
		for _, item := range items {
			if t := d.text(item, "a topic", true); t != "" {
				s.Topics = append(s.Topics, t)
			}
		}
	}
	trackNodes := []*yaml.Node{f.get("track")}
	if n := d.deref(f.get("track")); n != nil && n.Kind == yaml.SequenceNode {
		trackNodes = n.Content // track: [a, b]
	}
	for _, tn := range trackNodes {
		id := d.text(tn, "track", true)
		if id == "" {
			continue
		}
		switch t := tracks[strings.ToLower(id)]; {
		case t == nil:
			d.unknownTrack(tn, id, tracks)
		case !slices.Contains(s.Tracks, t):
			s.Tracks = append(s.Tracks, t)
		}
	}
	room := d.text(f.get("room"), "room", true)
	floor := d.text(f.get("floor"), "floor", true)
	s.Location = d.text(f.get("location"), "location", true)
	if s.Location == "" {
		s.Venue, s.Location = d.placeOf(p.Venue, room, floor)
		if room == "" && s.Venue != nil {
			room = s.Venue.Room
		}
	}
	if room != "" {
		s.Room = &Room{Name: room}
	}
	s.Online = d.url(f.get("online"), "online")
	if s.Online == "" {
		s.Online = p.Online
	}
	switch allDay := strings.ToLower(d.text(f.get("all_day"), "all_day", true)); allDay {
	case "", "false":
		if f.get("until") != nil {
			d.errorf(f.get("until"), "until: is the last day of an all-day item: add all_day: true, or remove until:")
		}
		s.Start, s.End = d.times(n, f, date, p)
	case "true":
		s.AllDay = true
		s.Start, s.End = d.wholeDays(f, date, p)
	default:
		d.errorf(f.get("all_day"), "all_day %q must be true or false", allDay)
	}
	if invite := f.get("invite"); invite != nil && d.firstInvite == nil {
		d.firstInvite = spotOf(invite).node() // the tree may be gone when it is reported
	}
	s.Invitees = d.invitees(f.get("invite"), s, p)
	if len(d.problems) > before && d.problems[before:].Err(false) != nil {
		return sessionSource{}, false
	}
	var idAt spot
	if id := d.text(f.get("id"), "id", true); id != "" {
		if why := checkID(id); why != "" {
			d.errorf(f.get("id"), "session id %q %s", id, why)
			return sessionSource{}, false
		}
		s.ID, idAt = id, spotOf(f.get("id"))
	} else if f.get("id") != nil {
		d.errorf(f.get("id"), "session id is empty: give a short name or remove id: to derive one")
		return sessionSource{}, false
	}
	src := sessionSource{session: s, file: d.file, at: spotOf(n), idAt: idAt, date: date}
	if idAt == (spot{}) {
		src.derived = derivedID(day, s.Title) // here, on the goroutine decoding the day
	}
	return src, true
}

// unknownTrack reports a session's track that the programme does not
// define. The advice for each distinct id is worked out once, and looking
// for the track it may be a typo of costs the same however many tracks
// there are, so a programme of thousands of unknown ids stays linear;
// past a hundred tracks it names none.
func (d *decoder) unknownTrack(n *yaml.Node, id string, tracks map[string]*Track) {
	if len(tracks) == 0 {
		d.errorf(n, "unknown track %q: the programme defines no tracks; add it under tracks:", id)
		return
	}
	advice, ok := d.trackAdvice[id]
	if !ok {
		if d.trackNames == nil {
			for _, t := range tracks {
				d.trackNames = append(d.trackNames, t.ID)
			}
			sort.Strings(d.trackNames)
			d.trackSuggester = newSuggester(d.trackNames)
			d.trackAdvice = map[string]string{}
		}
		switch c := d.trackSuggester.closest(id); {
		case c != "":
			advice = fmt.Sprintf(" (did you mean %q?)", c)
		case len(d.trackNames) <= 100:
			advice = "; the tracks are " + strings.Join(d.trackNames, ", ")
		default:
			advice = "; use the id of one of the tracks under tracks:"
		}
		d.trackAdvice[id] = advice
	}
	d.errorf(n, "unknown track %q%s", id, advice)
}

// placeOf returns the venue that applies to a session in room on floor
// (the programme's venue with the session's room, whose floor is the
// session's: the venue's floor is that of the venue's room), and its
// location text: the room, floor, venue name, address, city and country,
// comma-separated. Sessions in one room share both.
func (d *decoder) placeOf(v *Venue, room, floor string) (*Venue, string) {
	key := [2]string{room, floor}
	if at, ok := d.places[key]; ok {
		return at.venue, at.location
	}
	if d.places == nil {
		d.places = map[[2]string]placed{}
	}
	var at Venue
	if v != nil {
		at = *v
	}
	if room != "" {
		at.Room, at.Floor = room, floor
	} else if floor != "" {
		at.Floor = floor
	}
	var parts []string
	for _, part := range []string{at.Room, at.Floor, at.Name, at.Address, at.City, at.Country} {
		if part != "" {
			parts = append(parts, part)
		}
	}
	found := placed{location: strings.Join(parts, ", ")}
	if v != nil {
		found.venue = &at
	}
	d.places[key] = found
	return found.venue, found.location
}

// placed is a session's venue and location, as placeOf works them out.
type placed struct {
	venue    *Venue
	location string
}

// wholeDays resolves an all-day item's days: from its date to until
// (inclusive), from the start of the first to the start of the day after
// the last in the programme's zone.
func (d *decoder) wholeDays(f fieldSet, date time.Time, p *Programme) (start, end time.Time) {
	for _, key := range []string{"time", "start", "end", "duration"} {
		if f.get(key) != nil {
			d.errorf(f.get(key), "an all-day item has no %s: remove %s:, or all_day: true", key, key)
			return
		}
	}
	last := date
	if text, ok := d.scalar(f.get("until"), "until"); ok {
		var err error
		if last, err = time.Parse("2006-01-02", strings.TrimSpace(text)); err != nil {
			d.errorf(f.get("until"), "invalid date %q: write dates as 2017-06-29", text)
			return
		}
		switch {
		case last.Before(date):
			d.errorf(f.get("until"), "until %s is before the day it is listed under, %s: give the last day it lasts", text, date.Format("2006-01-02"))
			return
		case last.Sub(date) > maxDuration:
			d.errorf(f.get("until"), "until %s is more than %v after %s: an item may last at most that", text, maxDuration, date.Format("2006-01-02"))
			return
		}
	}
	if p.Zone == nil {
		return
	}
	// Where the clocks skip midnight (São Paulo's summer time began so),
	// a day begins when they move on.
	begins := func(day time.Time) time.Time {
		at, _, _ := resolveWall(day, 0, p.Zone)
		return at
	}
	return begins(date), begins(last.AddDate(0, 0, 1))
}

// times resolves a session's start and end instants from time, or from
// start with end or duration.
func (d *decoder) times(n *yaml.Node, f fieldSet, date time.Time, p *Programme) (start, end time.Time) {
	var startClock, endClock clock
	var startNode, endNode *yaml.Node
	var duration time.Duration
	switch {
	case f.get("time") != nil && (f.get("start") != nil || f.get("end") != nil || f.get("duration") != nil):
		other := "start"
		if f.get("start") == nil {
			other = "end"
			if f.get("end") == nil {
				other = "duration"
			}
		}
		d.errorf(f.get(other), "a session has time and %s: give either time: 09:30-10:30 or start with end or duration", other)
		return
	case f.get("time") != nil:
		s, ok := d.scalar(f.get("time"), "time")
		if !ok {
			d.errorf(f.get("time"), "time is empty: write it as 09:30-10:30")
			return
		}
		var err error
		if startClock, endClock, err = parseRange(s); err != nil {
			d.errorf(f.get("time"), "%v", err)
			return
		}
		startNode, endNode = f.get("time"), f.get("time")
	case f.get("start") != nil:
		startNode = f.get("start")
		var ok bool
		if startClock, ok = d.clock(startNode, "start", false); !ok {
			return
		}
		switch {
		case f.get("end") != nil && f.get("duration") != nil:
			d.errorf(f.get("duration"), "a session has both end and duration: keep one")
			return
		case f.get("end") != nil:
			endNode = f.get("end")
			if endClock, ok = d.clock(endNode, "end", true); !ok {
				return
			}
		case f.get("duration") != nil:
			s, ok := d.scalar(f.get("duration"), "duration")
			if !ok {
				if !d.bad[d.deref(f.get("duration"))] {
					d.errorf(f.get("duration"), "duration is empty: write it as 45m, 1h or 1h30m")
				}
				return
			}
			var err error
			if duration, err = parseDuration(s); err != nil {
				d.errorf(f.get("duration"), "%v", err)
				return
			}
			if duration > longSession {
				d.warnf(f.get("duration"), "duration %q is longer than %d hours: is it a typo? For something open all day, write all_day: true", s, int(longSession.Hours()))
			}
		default:
			d.missing(n, nil, "a session has a start but no end: add end: or duration:")
			return
		}
	case f.get("end") != nil || f.get("duration") != nil:
		d.missing(n, nil, "a session has no start: add start:")
		return
	default:
		d.missing(n, nil, "a session has no time: add time: 09:30-10:30, or start: with end: or duration:")
		return
	}
	switch {
	case duration > 0:
	case endClock == startClock:
		d.errorf(endNode, "a session ends when it starts (%v): give it a length", startClock)
		return
	case endClock < startClock:
		d.errorf(endNode, "a session ends at %v, before it starts at %v: to end after midnight, give duration: instead of an end", endClock, startClock)
		return
	}
	if p.Zone == nil {
		return // the zone is reported already; the times are as valid as can be told
	}
	start = d.instant(startNode, date, startClock, p, false)
	if duration > 0 {
		return start, start.Add(duration)
	}
	end = d.instant(endNode, date, endClock, p, true)
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		d.errorf(endNode, "a session ends at %v, not after it starts at %v once the clock change is counted: give duration: instead", end.Format("15:04 MST"), start.Format("15:04 MST"))
	}
	return start, end
}

func (d *decoder) clock(n *yaml.Node, what string, allowEndOfDay bool) (clock, bool) {
	s, ok := d.scalar(n, what)
	if !ok {
		d.errorf(n, "%s is empty: write it as 09:30", what)
		return 0, false
	}
	c, err := parseClock(s, allowEndOfDay)
	if err != nil {
		d.errorf(n, "%v", err)
		return 0, false
	}
	return c, true
}

// instant resolves a wall-clock time on date in the programme's zone; a
// time the clocks skip is an error (but for an end at the very time they
// go forward), one they pass twice a warning. 24:00 is the first instant of
// the next day, even where that day's midnight is skipped or repeated.
func (d *decoder) instant(n *yaml.Node, date time.Time, c clock, p *Programme, isEnd bool) time.Time {
	endOfDay := c == endOfDay
	if endOfDay {
		date, c = date.AddDate(0, 0, 1), 0
	}
	t, kind, change := resolveWall(date, c, p.Zone)
	day := func() string { return date.Format("2006-01-02") }
	switch {
	case endOfDay:
	case kind == wallGap && isEnd && change.WallBefore().Equal(time.Date(date.Year(), date.Month(), date.Day(), int(c)/60, int(c)%60, 0, 0, time.UTC)):
		// An end when the clocks go forward ends at that instant: 02:00
		// ends a session when 02:00 becomes 03:00.
		return change.At.In(p.Zone)
	case kind == wallGap:
		d.errorf(n, "%v on %s does not exist in %s (%s): choose another time", c, day(), p.ZoneName, clockChange(change))
		return time.Time{}
	case kind == wallAmbiguous:
		name, off := t.Zone()
		d.warnf(n, "%v on %s happens twice in %s (%s): using the first, %v %s (UTC%s)", c, day(), p.ZoneName, clockChange(change), c, name, formatOffset(off))
	}
	return t
}

// formatOffset formats a UTC offset in seconds as +02:00.
func formatOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	return fmt.Sprintf("%s%02d:%02d", sign, seconds/3600, seconds/60%60)
}

// assignIDs checks explicit ids for duplicates and derives the others from
// date and title, numbering repeats (-2, -3, …) in programme order.
func (d *decoder) assignIDs(sources []sessionSource) {
	taken := make(map[string]string, len(sources)) // lower-case id → where
	for _, s := range sources {
		if s.idAt == (spot{}) {
			continue
		}
		d.file = s.file
		key := strings.ToLower(s.session.ID)
		if first, dup := taken[key]; dup {
			d.errorf(s.idAt.node(), "duplicate session id %q (first at %s): give each session its own id", s.session.ID, first)
			continue
		}
		taken[key] = d.where(s.idAt.node())
	}
	// The ids derived from dates and titles, numbered in the sessions'
	// order.
	next := make(map[string]int, len(sources))
	for _, s := range sources {
		if s.idAt != (spot{}) {
			continue
		}
		base := s.derived
		id := base
		for n := max(next[base], 2); ; n++ {
			if _, dup := taken[id]; !dup {
				next[base] = n
				break
			}
			id = numbered(base, n)
		}
		taken[id] = ""
		s.session.ID, s.session.Derived = id, true
	}
}

// checkOverlaps warns about sessions (not breaks) that overlap in the same
// place. Sessions are grouped by location and sorted, so the check costs
// n log n.
func (d *decoder) checkOverlaps(sources []sessionSource) {
	byPlace := map[string][]sessionSource{}
	for _, s := range sources {
		if s.session.Kind == KindBreak || s.session.AllDay || s.session.Location == "" {
			continue
		}
		byPlace[s.session.Location] = append(byPlace[s.session.Location], s)
	}
	for _, group := range byPlace {
		sort.SliceStable(group, func(i, j int) bool { return group[i].session.Start.Before(group[j].session.Start) })
		var latest sessionSource
		for i, s := range group {
			if i > 0 && s.session.Start.Before(latest.session.End) {
				d.file = latest.file
				first := d.where(latest.at.node())
				d.file = s.file
				d.warnf(s.at.node(), "%q overlaps %q (%s) in %s: move one of them, or make one a break", s.session.Title, latest.session.Title, first, s.session.Location)
			}
			if i == 0 || s.session.End.After(latest.session.End) {
				latest = s
			}
		}
	}
}
