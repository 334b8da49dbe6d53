// Package show prints a programme as a table for a terminal: one line a
// session with its day, time, room, track, title and speakers, in the
// programme's zone or another one, for proofreading and for participants
// far away.
package show

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agendacal/agendacal/agenda"
)

// Options say what to show and how.
type Options struct {
	// Zone is where times are shown; nil for the programme's zone.
	Zone *time.Location
	// Track and Day, when set, keep only the sessions of a track (its id)
	// or of a day (as the programme lists it, 2006-01-02).
	Track, Day string
	// Colour adds ANSI colours: headings bold, breaks dim, cancelled
	// sessions red, marks yellow.
	Colour bool
}

// The marks of the first column.
const (
	markOtherDay    = "*" // on another day in the zone shown than in the programme
	markClockChange = "~" // the clocks change while it lasts, in the zone shown
)

// Table writes the programme's sessions as an aligned table; it returns
// how many it shows.
func Table(w io.Writer, p *agenda.Programme, opts Options) (int, error) {
	zone := opts.Zone
	if zone == nil {
		zone = p.Zone
	}
	header := []string{"", "DAY", "TIME", "ROOM", "TRACK", "TITLE", "SPEAKERS"}
	rows := [][]string{}
	var kinds []*agenda.Session
	otherDay, clockChange := false, false
	for _, s := range p.Sessions {
		if opts.Day != "" && s.Date != opts.Day || opts.Track != "" && !hasTrack(s, opts.Track) {
			continue
		}
		start, end := s.Start.In(zone), s.End.In(zone)
		mark := ""
		if start.Format(time.DateOnly) != s.Date && !s.AllDay {
			mark += markOtherDay
			otherDay = true
		}
		if _, a := start.Zone(); !s.AllDay {
			if _, b := end.Zone(); a != b {
				mark += markClockChange
				clockChange = true
			}
		}
		when := start.Format("15:04") + "–" + end.Format("15:04")
		day := start.Format("Mon 2 Jan 2006")
		if s.AllDay {
			when = "all day"
			first, after := s.WholeDays(p.Zone)
			day = first.Format("Mon 2 Jan 2006")
			if last := after.AddDate(0, 0, -1); last.Format(time.DateOnly) != s.Date {
				when = "all day, to " + last.Format("Mon 2 Jan")
			}
		} else if end.Format(time.DateOnly) != start.Format(time.DateOnly) {
			when += " +" + fmt.Sprint(int(end.Sub(time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, zone)).Hours()/24)) + "d"
		}
		room := ""
		if s.Room != nil {
			room = s.Room.Name
		}
		var tracks, speakers []string
		for _, t := range s.Tracks {
			tracks = append(tracks, t.ID)
		}
		for _, sp := range s.Speakers {
			speakers = append(speakers, sp.Name)
		}
		title := s.Title
		switch s.Status {
		case agenda.StatusCancelled:
			title = "CANCELLED: " + title
		case agenda.StatusTentative:
			title += " (tentative)"
		}
		rows = append(rows, []string{mark, day, when, room, strings.Join(tracks, ", "), title, strings.Join(speakers, ", ")})
		kinds = append(kinds, s)
	}
	// Columns with nothing in them are left out.
	used := make([]bool, len(header))
	for _, r := range rows {
		for i, cell := range r {
			used[i] = used[i] || cell != ""
		}
	}
	used[1], used[2], used[5] = true, true, true
	widths := make([]int, len(header))
	for i := range header {
		if !used[i] {
			continue
		}
		widths[i] = utf8.RuneCountInString(header[i])
		for _, r := range rows {
			widths[i] = max(widths[i], utf8.RuneCountInString(r[i]))
		}
	}
	paint := func(code, s string) string {
		if !opts.Colour || code == "" || s == "" {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	line := func(cells []string, style func(i int) string) string {
		var b strings.Builder
		for i, cell := range cells {
			if !used[i] {
				continue
			}
			if b.Len() > 0 {
				b.WriteString("  ")
			}
			pad := widths[i] - utf8.RuneCountInString(cell)
			if lastUsed(used, i) {
				pad = 0
			}
			b.WriteString(paint(style(i), cell) + strings.Repeat(" ", pad))
		}
		return strings.TrimRight(b.String(), " ") + "\n"
	}
	zoneName := p.ZoneName
	if opts.Zone != nil {
		zoneName = opts.Zone.String()
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%s — times in %s\n\n", p.Title, zoneName)
	out.WriteString(line(header, func(int) string { return "1" }))
	for n, r := range rows {
		s := kinds[n]
		out.WriteString(line(r, func(i int) string {
			switch {
			case i == 0:
				return "33"
			case s.Status == agenda.StatusCancelled:
				return "31"
			case s.Kind == agenda.KindBreak:
				return "2"
			}
			return ""
		}))
	}
	if otherDay || clockChange {
		out.WriteString("\n")
	}
	if otherDay {
		fmt.Fprintf(&out, "%s  on another day in %s than in the programme (%s)\n", paint("33", markOtherDay), zoneName, p.ZoneName)
	}
	if clockChange {
		fmt.Fprintf(&out, "%s  the clocks change while it lasts, in %s\n", paint("33", markClockChange), zoneName)
	}
	_, err := io.WriteString(w, out.String())
	return len(rows), err
}

func lastUsed(used []bool, i int) bool {
	for _, u := range used[i+1:] {
		if u {
			return false
		}
	}
	return true
}

func hasTrack(s *agenda.Session, id string) bool {
	for _, t := range s.Tracks {
		if strings.EqualFold(t.ID, id) {
			return true
		}
	}
	return false
}
