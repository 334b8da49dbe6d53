package ical

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

// parsedObservance is a STANDARD or DAYLIGHT read back from the text of a
// serialised VTIMEZONE.
type parsedObservance struct {
	kind     string
	start    time.Time // local wall time, as UTC
	rrule    map[string]string
	rdates   []time.Time
	from, to int
}

// serialisedObservances writes the zone's VTIMEZONE and reads its
// observances back from the text, so that the check below tests what a
// reader sees rather than our own structures.
func serialisedObservances(t *testing.T, z *zone, first, last time.Time) []parsedObservance {
	t.Helper()
	text := strings.ReplaceAll(string(z.vtimezone(first, last).text), "\r\n ", "")
	var out []parsedObservance
	var cur *parsedObservance
	for _, line := range strings.Split(text, "\r\n") {
		name, value, _ := strings.Cut(line, ":")
		switch name {
		case "BEGIN":
			if value == "STANDARD" || value == "DAYLIGHT" {
				out = append(out, parsedObservance{kind: value})
				cur = &out[len(out)-1]
			}
		case "DTSTART":
			st, err := time.Parse("20060102T150405", value)
			if err != nil {
				t.Fatalf("observance DTSTART %q: %v", value, err)
			}
			cur.start = st
		case "RDATE":
			rd, err := time.Parse("20060102T150405", value)
			if err != nil {
				t.Fatalf("observance RDATE %q: %v", value, err)
			}
			cur.rdates = append(cur.rdates, rd)
		case "RRULE":
			cur.rrule = map[string]string{}
			for _, part := range strings.Split(value, ";") {
				k, v, _ := strings.Cut(part, "=")
				cur.rrule[k] = v
			}
		case "TZOFFSETFROM":
			cur.from = parseOffset(t, value)
		case "TZOFFSETTO":
			cur.to = parseOffset(t, value)
		}
	}
	return out
}

func parseOffset(t *testing.T, s string) int {
	sign := 1
	if s[0] == '-' {
		sign = -1
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	sec := 0
	if len(s) == 7 {
		sec, _ = strconv.Atoi(s[5:7])
	}
	return sign * (h*3600 + m*60 + sec)
}

// onsets lists the instants at which an observance takes effect up to year
// last, following RFC 5545's RRULE for the subset VTIMEZONEs use.
func (o parsedObservance) onsets(t *testing.T, last int) []time.Time {
	toInstant := func(wall time.Time) time.Time { return wall.Add(-time.Duration(o.from) * time.Second) }
	if o.rrule == nil {
		out := []time.Time{toInstant(o.start)}
		for _, rd := range o.rdates {
			out = append(out, toInstant(rd))
		}
		return out
	}
	if o.rrule["FREQ"] != "YEARLY" {
		t.Fatalf("unexpected RRULE %v", o.rrule)
	}
	month, _ := strconv.Atoi(o.rrule["BYMONTH"])
	var out []time.Time
	for y := o.start.Year(); y <= last; y++ {
		var day int
		if md, ok := o.rrule["BYMONTHDAY"]; ok {
			day, _ = strconv.Atoi(md)
		} else {
			byday := o.rrule["BYDAY"]
			n, _ := strconv.Atoi(byday[:len(byday)-2])
			wd := strings.Index("SUMOTUWETHFRSA", byday[len(byday)-2:]) / 2
			var candidates []int
			for d := 1; d <= 31; d++ {
				date := time.Date(y, time.Month(month), d, 0, 0, 0, 0, time.UTC)
				if date.Month() == time.Month(month) && int(date.Weekday()) == wd {
					candidates = append(candidates, d)
				}
			}
			if n > 0 {
				day = candidates[n-1]
			} else {
				day = candidates[len(candidates)+n]
			}
		}
		wall := time.Date(y, time.Month(month), day, o.start.Hour(), o.start.Minute(), o.start.Second(), 0, time.UTC)
		if !wall.Before(o.start) {
			out = append(out, toInstant(wall))
		}
	}
	return out
}

// onset is an instant at which the VTIMEZONE says the offset becomes to.
type onset struct {
	at time.Time
	to int
}

// allOnsets lists every onset of the observances up to year last, sorted.
func allOnsets(t *testing.T, obs []parsedObservance, last int) []onset {
	var out []onset
	for _, o := range obs {
		for _, at := range o.onsets(t, last) {
			out = append(out, onset{at, o.to})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// offsetAt evaluates the VTIMEZONE at an instant: the offset of the latest
// onset at or before it.
func offsetAt(onsets []onset, at time.Time) (int, bool) {
	i := sort.Search(len(onsets), func(i int) bool { return onsets[i].at.After(at) })
	if i == 0 {
		return 0, false
	}
	return onsets[i-1].to, true
}

func TestVTimezoneMatchesGo(t *testing.T) {
	tests := []struct {
		zone        string
		first, last string
		form        string // yearly: two observances with RRULEs; fixed: one; exact: several, no RRULE
	}{
		{"Europe/Belgrade", "2017-06-29", "2017-06-29", "yearly"},
		{"Europe/Belgrade", "2017-01-02", "2019-12-30", "yearly"},
		{"Europe/Belgrade", "2026-10-20", "2026-10-30", "yearly"},
		{"Asia/Tokyo", "2024-05-01", "2024-05-03", "fixed"},
		{"Asia/Kolkata", "2024-05-01", "2024-05-03", "fixed"},
		{"Asia/Kathmandu", "2024-05-01", "2025-05-03", "fixed"},
		{"Australia/Sydney", "2026-03-30", "2026-10-10", "yearly"},
		{"America/Sao_Paulo", "2018-10-01", "2020-03-01", "exact"},
		{"Europe/Belgrade", "1985-06-01", "1990-06-01", "yearly"},
		{"Europe/Belgrade", "1995-06-01", "1997-06-01", "exact"},
		{"Europe/Moscow", "2010-06-01", "2015-06-01", "exact"},
		{"America/New_York", "2006-06-01", "2008-06-01", "exact"},
		{"Africa/Casablanca", "2015-05-01", "2015-09-01", "exact"},
		{"Pacific/Apia", "2011-12-20", "2012-01-10", "exact"},
		{"Asia/Tehran", "2020-01-01", "2021-12-31", "exact"},
		{"America/Santiago", "2022-01-01", "2023-12-31", "exact"},
		{"Europe/Dublin", "2023-01-01", "2023-12-31", "yearly"},
		{"Antarctica/Troll", "2023-01-01", "2023-12-31", "yearly"},
		{"Europe/Belgrade", "1970-06-01", "1970-06-01", "fixed"},
		// Zones that changed their standard offset along with a DST change:
		// yearly rules would contradict themselves there.
		{"America/Indiana/Vincennes", "2007-01-10", "2007-07-10", "exact"},
		{"America/Indiana/Petersburg", "2007-01-10", "2007-12-10", "exact"},
		{"America/Resolute", "2007-01-10", "2007-12-10", "exact"},
		{"America/Dawson_Creek", "1972-01-10", "1972-12-10", "exact"},
		{"Atlantic/Stanley", "1985-01-10", "1985-12-10", "exact"},
		{"Australia/Lord_Howe", "1985-01-10", "1985-12-10", "exact"},
		// A rule for one year only (Ramadan) is no yearly rule.
		{"Africa/Casablanca", "2026-01-10", "2026-12-20", "exact"},
		// Changes the tz database flags all as summer time: a standard
		// time before them comes too.
		{"Africa/Casablanca", "2019-05-04", "2019-05-05", "exact"},
		{"Europe/Moscow", "2014-01-01", "2014-12-31", "exact"},
		{"America/Sao_Paulo", "2018-01-01", "2020-12-31", "exact"},
		{"Europe/Belgrade", "1995-01-01", "1997-12-31", "exact"},
		// Brazil's last summer time ended in February 2019: a day in June
		// needs that change only, not a yearly rule.
		{"America/Sao_Paulo", "2019-06-01", "2019-06-01", "fixed"},
		{"Europe/Belgrade", "1900-01-01", "2200-12-31", "exact"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s..%s", tt.zone, tt.first, tt.last), func(t *testing.T) {
			loc, err := time.LoadLocation(tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := time.ParseInLocation("2006-01-02", tt.first, loc)
			last, _ := time.ParseInLocation("2006-01-02", tt.last, loc)
			last = last.Add(24 * time.Hour)
			z := newZone(tt.zone, loc, first, last)
			obs := serialisedObservances(t, z, first, last)
			rrules := 0
			for _, o := range obs {
				if o.rrule != nil {
					rrules++
				}
				// Every observance a reader needs must start before the
				// first event: one in the event's own year makes some
				// readers fall back to UTC.
				if wallYear := o.start.Year(); o.rrule != nil && wallYear != 1970 {
					t.Errorf("yearly observance starts in %d, want 1970", wallYear)
				}
			}
			// ical.js takes offset 0 before the first observance: every
			// component must start before the first event.
			earliest := obs[0].start.Add(-time.Duration(obs[0].from) * time.Second)
			for _, o := range obs {
				if at := o.start.Add(-time.Duration(o.from) * time.Second); at.Before(earliest) {
					earliest = at
				}
				if o.from == o.to && len(obs) > 1 {
					t.Errorf("an observance changes nothing: %+v", o)
				}
			}
			if earliest.After(first) {
				t.Errorf("the first observance starts %v, after the first event", earliest)
			}
			// python-dateutil (under vobject) fails without a STANDARD
			// component on a time before every onset.
			if !slices.ContainsFunc(obs, func(o parsedObservance) bool { return o.kind == "STANDARD" }) {
				t.Errorf("no STANDARD component: %+v", obs)
			}
			// Ruby's icalendar gem needs an onset of every component before
			// every event, by wall time and by instant.
			firstWall := time.Date(first.Year(), first.Month(), first.Day(), first.Hour(), first.Minute(), first.Second(), 0, time.UTC)
			for _, o := range obs {
				if o.start.After(firstWall) || o.start.Add(-time.Duration(o.from)*time.Second).After(first) {
					t.Errorf("an observance starts %v, after the first event", o.start)
				}
			}
			switch {
			case tt.form == "yearly" && (len(obs) != 2 || rrules != 2):
				t.Errorf("want one STANDARD and one DAYLIGHT with yearly rules, got %d observances, %d with RRULE", len(obs), rrules)
			case tt.form == "fixed" && (len(obs) != 1 || rrules != 0):
				t.Errorf("want one fixed observance, got %d observances, %d with RRULE", len(obs), rrules)
			case tt.form == "exact" && (len(obs) < 2 || rrules != 0):
				t.Errorf("rules change in the span: want exact observances, got %d observances, %d with RRULE", len(obs), rrules)
			}
			onsets := allOnsets(t, obs, last.Year()+1)
			for at := first.Add(-24 * time.Hour); at.Before(last.Add(24 * time.Hour)); at = at.Add(30 * time.Minute) {
				got, ok := offsetAt(onsets, at)
				_, want := at.In(loc).Zone()
				if !ok || got != want {
					t.Fatalf("at %s the VTIMEZONE gives %s (found %v), Go gives %s", at.UTC().Format(time.RFC3339), formatUTCOffset(got), ok, formatUTCOffset(want))
				}
			}
		})
	}
}

func TestInRepeatedHour(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Belgrade")
	z := newZone("Europe/Belgrade", loc, time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC))
	tests := []struct {
		utc  string
		want bool
	}{
		{"2026-10-24T23:59:00Z", false}, // 01:59 CEST
		{"2026-10-25T00:00:00Z", true},  // 02:00 CEST, the first edge
		{"2026-10-25T00:30:00Z", true},  // 02:30 CEST
		{"2026-10-25T01:30:00Z", true},  // 02:30 CET
		{"2026-10-25T02:00:00Z", true},  // 03:00 CET, the last edge
		{"2026-10-25T02:01:00Z", false}, // 03:01 CET
		{"2026-03-29T01:00:00Z", false}, // 03:00 CEST, after a gap
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.utc)
		if got := z.inRepeatedHour(at); got != tt.want {
			t.Errorf("inRepeatedHour(%s) = %v, want %v", tt.utc, got, tt.want)
		}
	}
}

// TestVTimezoneAllZones checks the VTIMEZONE of every zone for several
// spans of years against Go's zone data: daily, and a minute either side
// of every change.
func TestVTimezoneAllZones(t *testing.T) {
	spans := [][2]int{{1975, 1976}, {1985, 1985}, {1996, 1997}, {2007, 2007}, {2016, 2017}, {2026, 2027}}
	for _, name := range agenda.ZoneNames() {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, span := range spans {
			first := time.Date(span[0], time.January, 2, 12, 0, 0, 0, loc)
			last := time.Date(span[1], time.December, 30, 12, 0, 0, 0, loc)
			z := newZone(name, loc, first, last)
			if z.utc {
				continue // written in UTC, without a VTIMEZONE
			}
			onsets := allOnsets(t, serialisedObservances(t, z, first, last), span[1]+1)
			check := func(at time.Time) {
				got, ok := offsetAt(onsets, at)
				if _, want := at.In(loc).Zone(); !ok || got != want {
					t.Errorf("%s %d–%d: at %s the VTIMEZONE gives %s, Go %s", name, span[0], span[1], at.UTC().Format(time.RFC3339), formatUTCOffset(got), formatUTCOffset(want))
				}
			}
			for at := first; at.Before(last); at = at.Add(24 * time.Hour) {
				check(at)
			}
			for _, c := range z.changes {
				if c.At.After(first) && c.At.Before(last) {
					check(c.At.Add(-time.Minute))
					check(c.At.Add(time.Minute))
				}
			}
		}
	}
}

// Each calendar's VTIMEZONE holds the changes of its own span only, and a
// programme in UTC has no VTIMEZONE and writes its times with Z.
func TestVTimezoneOfTheCalendarsOwnSpan(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Belgrade")
	first := time.Date(1900, 1, 2, 12, 0, 0, 0, loc)
	last := time.Date(2200, 12, 30, 12, 0, 0, 0, loc)
	z := newZone("Europe/Belgrade", loc, first, last)
	whole := string(z.vtimezone(first, last).text)
	one := string(z.vtimezone(time.Date(1996, 6, 1, 9, 0, 0, 0, loc), time.Date(1996, 6, 1, 10, 0, 0, 0, loc)).text)
	// The summer time in force, and the standard time it ended, which
	// vobject needs: a VTIMEZONE of DAYLIGHT alone fails python-dateutil.
	if d, s := strings.Count(one, "BEGIN:DAYLIGHT"), strings.Count(one, "BEGIN:STANDARD"); d != 1 || s != 1 || strings.Contains(one, "RDATE") ||
		!strings.Contains(one, "BEGIN:STANDARD\r\nDTSTART:19950924T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n") {
		t.Errorf("a one-hour session in June 1996 has %d DAYLIGHT and %d STANDARD, want the one in force and the standard time before it:\n%s", d, s, one)
	}
	if n := strings.Count(whole, "BEGIN:DAYLIGHT") + strings.Count(whole, "BEGIN:STANDARD"); n > 30 || len(whole) > 40000 {
		t.Errorf("1900–2200: %d observances, %d bytes: want one per kind of change", n, len(whole))
	}

	start := time.Date(2026, 6, 29, 9, 0, 0, 0, time.UTC)
	s := &agenda.Session{ID: "x", Title: "X", Start: start, End: start.Add(time.Hour)}
	p := &agenda.Programme{Title: "T", ZoneName: "UTC", Zone: time.UTC, UIDDomain: "example.org", Sessions: []*agenda.Session{s}}
	data := string(encode(t, p, Calendar{Sessions: p.Sessions}))
	if strings.Contains(data, "VTIMEZONE") || !strings.Contains(data, "DTSTART:20260629T090000Z\r\n") || strings.Contains(data, "TZID") {
		t.Errorf("a programme in UTC:\n%s", data)
	}
}

// Times before 1970 and after 2037 are written in UTC: readers that go by
// the zone's name have no data there.
func TestFarTimesInUTC(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Belgrade")
	for _, tt := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(1943, 7, 1, 12, 0, 0, 0, loc), "DTSTART:19430701T100000Z"},
		{time.Date(2100, 7, 1, 12, 0, 0, 0, loc), "DTSTART:21000701T100000Z"},
		{time.Date(2026, 7, 1, 12, 0, 0, 0, loc), "DTSTART;TZID=Europe/Belgrade:20260701T120000"},
	} {
		s := &agenda.Session{ID: "x", Title: "X", Start: tt.at, End: tt.at.Add(time.Hour)}
		p := testProgramme(t, s)
		if data := string(encode(t, p, Calendar{Sessions: p.Sessions})); !strings.Contains(data, tt.want+"\r\n") {
			t.Errorf("%v: want %s in\n%s", tt.at, tt.want, data)
		}
	}
}
