package agenda

import (
	"strings"
	"testing"
	"time"
)

func TestParseClock(t *testing.T) {
	tests := []struct {
		in      string
		want    clock
		endOK   bool
		wantErr string
	}{
		{in: "09:30", want: 9*60 + 30},
		{in: "9:30", want: 9*60 + 30},
		{in: "09h30", want: 9*60 + 30},
		{in: "9h00", want: 9 * 60},
		{in: "9H00", want: 9 * 60},
		{in: "9h", want: 9 * 60},
		{in: " 16:30 ", want: 16*60 + 30},
		{in: "0:00", want: 0},
		{in: "23:59", want: 23*60 + 59},
		{in: "24:00", endOK: true, want: 24 * 60},
		{in: "24:00", wantErr: `invalid time "24:00": hours must be 0 to 23`},
		{in: "25:00", wantErr: `invalid time "25:00": hours must be 0 to 23`},
		{in: "9.30", want: 9*60 + 30},
		{in: "9:5", wantErr: `invalid time "9:5": write times as 09:30, 09h30 or 9:30 AM`},
		{in: "09:60", wantErr: `invalid time "09:60": minutes must be 00 to 59`},
		{in: "930", wantErr: `invalid time "930": write times as 09:30, 09h30 or 9:30 AM`},
		{in: "", wantErr: `invalid time "": write times as 09:30, 09h30 or 9:30 AM`},
		{in: "9:30pm", want: 21*60 + 30},
		{in: "-1:00", wantErr: `invalid time "-1:00": write times as 09:30, 09h30 or 9:30 AM`},
	}
	for _, tt := range tests {
		got, err := parseClock(tt.in, tt.endOK)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("parseClock(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseClock(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		in         string
		start, end clock
		wantErr    string
	}{
		{in: "09:30-10:30", start: 570, end: 630},
		{in: "08h30 - 9h00", start: 510, end: 540},
		{in: "09:30–10:30", start: 570, end: 630},
		{in: "09:30 — 10:30", start: 570, end: 630},
		{in: "22:00-24:00", start: 22 * 60, end: 24 * 60},
		{in: "09:30", wantErr: `invalid time range "09:30": write it as 09:30-10:30, or use start and end`},
		{in: "09:30-", wantErr: `invalid time "": write times as 09:30, 09h30 or 9:30 AM`},
		{in: "9,30-10,30", wantErr: `invalid time "9,30": write times as 09:30, 09h30 or 9:30 AM`},
	}
	for _, tt := range tests {
		start, end, err := parseRange(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("parseRange(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || start != tt.start || end != tt.end {
			t.Errorf("parseRange(%q) = %v, %v, %v; want %v, %v", tt.in, start, end, err, tt.start, tt.end)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "60m", want: time.Hour},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "4h", want: 4 * time.Hour},
		{in: "0m", wantErr: `invalid duration "0m": a session must last a positive time`},
		{in: "-30m", wantErr: `invalid duration "-30m": a session must last a positive time`},
		{in: "60", wantErr: `invalid duration "60": give the unit, as in 60m or 1h30m`},
		{in: "90s", wantErr: `invalid duration "90s": write it in hours and minutes, as in 45m, 90min, 1h or 1h30m`},
		{in: "1 fortnight", wantErr: `invalid duration "1 fortnight": write it in hours and minutes, as in 45m, 90min, 1h or 1h30m`},
		{in: "200h", wantErr: `invalid duration "200h": a session may last at most 168h0m0s`},
	}
	for _, tt := range tests {
		got, err := parseDuration(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("parseDuration(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestResolveWall(t *testing.T) {
	belgrade, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	sydney, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		loc  *time.Location
		date string
		at   clock
		want string // the instant in UTC
		kind wallKind
	}{
		{"summer", belgrade, "2017-06-29", 8*60 + 30, "2017-06-29T06:30:00Z", wallUnique},
		{"winter", belgrade, "2017-12-01", 9 * 60, "2017-12-01T08:00:00Z", wallUnique},
		{"gap", belgrade, "2026-03-29", 2*60 + 30, "2026-03-29T01:00:00Z", wallGap},
		{"gap edge after", belgrade, "2026-03-29", 3 * 60, "2026-03-29T01:00:00Z", wallUnique},
		{"before gap", belgrade, "2026-03-29", 1*60 + 59, "2026-03-29T00:59:00Z", wallUnique},
		{"repeated hour takes the first", belgrade, "2026-10-25", 2*60 + 30, "2026-10-25T00:30:00Z", wallAmbiguous},
		{"repeated hour start", belgrade, "2026-10-25", 2 * 60, "2026-10-25T00:00:00Z", wallAmbiguous},
		{"after repeated hour", belgrade, "2026-10-25", 3 * 60, "2026-10-25T02:00:00Z", wallUnique},
		{"southern gap", sydney, "2026-10-04", 2*60 + 30, "2026-10-03T16:00:00Z", wallGap},
		{"southern repeat", sydney, "2026-04-05", 2*60 + 30, "2026-04-04T15:30:00Z", wallAmbiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			date, _ := time.Parse("2006-01-02", tt.date)
			got, kind, _ := resolveWall(date, tt.at, tt.loc)
			if g := got.UTC().Format(time.RFC3339); g != tt.want || kind != tt.kind {
				t.Errorf("resolveWall(%s %v) = %s, %v; want %s, %v", tt.date, tt.at, g, kind, tt.want, tt.kind)
			}
		})
	}
}

// The change a skipped or repeated time is reported with is the one that
// skips or repeats it, in every zone: Time.ZoneBounds names the change
// before a gap in zones where Go resolves a skipped time backwards.
func TestClockChangeNamed(t *testing.T) {
	tests := []struct {
		zone, date string
		at         clock
		kind       wallKind
		want       string
	}{
		{"Europe/Belgrade", "2026-03-29", 2*60 + 30, wallGap, "clocks go forward on 2026-03-29 from 02:00 to 03:00"},
		{"Europe/Belgrade", "2026-10-25", 2*60 + 30, wallAmbiguous, "clocks go back on 2026-10-25 from 03:00 to 02:00"},
		{"America/New_York", "2026-03-08", 2*60 + 30, wallGap, "clocks go forward on 2026-03-08 from 02:00 to 03:00"},
		{"America/New_York", "2038-03-14", 2*60 + 30, wallGap, "clocks go forward on 2038-03-14 from 02:00 to 03:00"},
		{"America/Santiago", "2026-09-06", 0, wallGap, "clocks go forward on 2026-09-06 from 00:00 to 01:00"},
		{"Australia/Lord_Howe", "2026-10-04", 2*60 + 15, wallGap, "clocks go forward on 2026-10-04 from 02:00 to 02:30"},
		{"Pacific/Apia", "2011-12-30", 12 * 60, wallGap, "clocks go forward from 00:00 on 2011-12-30 to 00:00 on 2011-12-31, skipping 2011-12-30"},
		{"America/Havana", "2026-03-08", 0, wallGap, "clocks go forward on 2026-03-08 from 00:00 to 01:00"},
	}
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		date, _ := time.Parse("2006-01-02", tt.date)
		_, kind, change := resolveWall(date, tt.at, loc)
		if got := clockChange(change); kind != tt.kind || got != tt.want {
			t.Errorf("%s %s %v: %v, %q; want %v, %q", tt.zone, tt.date, tt.at, kind, got, tt.kind, tt.want)
		}
	}
}

func TestEndOfDayWhereMidnightIsSkipped(t *testing.T) {
	p, problems := Parse("p.yaml", []byte("title: T\ntimezone: America/Santiago\nuid_domain: example.org\ndays: [{date: 2026-09-05, sessions: [{time: \"22:00-24:00\", title: Late}]}]\n"))
	if p == nil {
		t.Fatal(problems)
	}
	// Santiago skips from 00:00 to 01:00 on 6 September 2026: the day ends
	// at 01:00 -03, which is 04:00 UTC.
	if got := p.Sessions[0].End.UTC().Format(time.RFC3339); got != "2026-09-06T04:00:00Z" {
		t.Errorf("ends %s, want 2026-09-06T04:00:00Z", got)
	}
}

// resolveWall agrees with brute force: every quarter hour of 2026 in zones
// of both hemispheres, whole-hour and half-hour changes, east and west of
// UTC, is compared with the instants whose local time it is.
func TestResolveWallAgainstBruteForce(t *testing.T) {
	for _, name := range []string{"Europe/Belgrade", "Australia/Sydney", "Pacific/Auckland", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kathmandu"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		instants := map[time.Time][]time.Time{} // local wall time as UTC → instants
		for at := time.Date(2025, 12, 30, 0, 0, 0, 0, time.UTC); at.Before(time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC)); at = at.Add(15 * time.Minute) {
			l := at.In(loc)
			wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
			instants[wall] = append(instants[wall], at)
		}
		failures := 0
		for wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); wall.Year() == 2026 && failures < 5; wall = wall.Add(15 * time.Minute) {
			date := time.Date(wall.Year(), wall.Month(), wall.Day(), 0, 0, 0, 0, time.UTC)
			got, kind, _ := resolveWall(date, clock(wall.Hour()*60+wall.Minute()), loc)
			want := instants[wall]
			wantKind := []wallKind{wallGap, wallUnique, wallAmbiguous}[min(len(want), 2)]
			if kind != wantKind || len(want) > 0 && !got.Equal(want[0]) {
				t.Errorf("%s %s: %v %v, want %v %v", name, wall.Format("2006-01-02 15:04"), got.UTC(), kind, want, wantKind)
				failures++
			}
		}
	}
}

// A session may end when the clocks go forward, but not start in the hour
// they skip.
func TestEndAtStartOfGap(t *testing.T) {
	src := "title: T\ntimezone: Australia/Sydney\ndays:\n  - date: 2026-10-04\n    sessions:\n      - {time: 01:00-02:00, title: Before the change}\n"
	p, problems := Parse("p.yaml", []byte(src))
	if p == nil {
		t.Fatalf("an end at the start of the gap: %v", problems)
	}
	s := p.Sessions[0]
	if got, want := s.End.UTC().Format(time.RFC3339), "2026-10-03T16:00:00Z"; got != want || s.End.Sub(s.Start) != time.Hour {
		t.Errorf("ends at %s after %v, want %s after an hour", got, s.End.Sub(s.Start), want)
	}
	_, problems = Parse("p.yaml", []byte(strings.Replace(src, "01:00-02:00", "02:00-04:00", 1)))
	if len(problems) != 1 || !strings.Contains(problems[0].Message, "02:00 on 2026-10-04 does not exist") {
		t.Errorf("a start at the start of the gap: %v", problems)
	}
}
