package invite

import (
	"fmt"
	"strings"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/publish"
)

// describeChanges says what changed in a session since its attendees were
// last told (old and rec): "moved from 09:30 to 10:00", a new place, a new
// title; "details changed" when it is something else, such as the
// description or the speakers.
func describeChanges(old *publish.Event, rec *session, s *agenda.Session, zone *time.Location) string {
	if old == nil {
		return ""
	}
	var parts []string
	oldStart, oldEnd := old.Start.In(zone), old.End.In(zone)
	start, end := s.Start.In(zone), s.End.In(zone)
	switch {
	case !oldStart.Equal(start) && sameDay(oldStart, start):
		parts = append(parts, fmt.Sprintf("moved from %s to %s", clock(oldStart), clock(start)))
	case !oldStart.Equal(start):
		parts = append(parts, fmt.Sprintf("moved from %s %s to %s %s", day(oldStart), clock(oldStart), day(start), clock(start)))
	}
	if moved := !oldStart.Equal(start); !oldEnd.Equal(end) && (!moved || oldEnd.Sub(oldStart) != end.Sub(start)) {
		parts = append(parts, fmt.Sprintf("now ends at %s instead of %s", clock(end), clock(oldEnd)))
	}
	if rec.Location != s.Location {
		switch {
		case s.Location == "":
			parts = append(parts, "no longer at "+rec.Location)
		case rec.Location == "":
			parts = append(parts, "now at "+s.Location)
		default:
			parts = append(parts, fmt.Sprintf("now at %s, not %s", s.Location, rec.Location))
		}
	}
	if rec.Title != "" && rec.Title != s.Title {
		parts = append(parts, fmt.Sprintf("renamed from “%s”", rec.Title))
	}
	if rec.Online != s.Online && s.Online != "" {
		parts = append(parts, "a new link to join online")
	}
	if len(parts) == 0 {
		return "details changed"
	}
	return strings.Join(parts, "; ")
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

func clock(t time.Time) string { return t.Format("15:04") }

func day(t time.Time) string { return t.Format("Monday 2 January 2006") }

// when is a session's time in the programme's zone, as a reader says it:
// Thursday 29 June 2017, 09:30–10:30 CEST (Europe/Belgrade).
func when(s *agenda.Session, p *agenda.Programme) string {
	start, end := s.Start.In(p.Zone), s.End.In(p.Zone)
	if s.AllDay {
		first, after := s.WholeDays(p.Zone)
		if last := after.AddDate(0, 0, -1); !last.Equal(first) {
			return day(first) + " to " + day(last) + ", all day"
		}
		return day(first) + ", all day"
	}
	zone := start.Format("MST")
	if z := end.Format("MST"); z != zone {
		zone += "/" + z
	}
	if strings.HasPrefix(zone, "+") || strings.HasPrefix(zone, "-") {
		zone = "UTC" + zone
	}
	if sameDay(start, end) || end.Equal(time.Date(start.Year(), start.Month(), start.Day()+1, 0, 0, 0, 0, p.Zone)) {
		return fmt.Sprintf("%s, %s–%s %s (%s)", day(start), clock(start), clock(end), zone, p.ZoneName)
	}
	return fmt.Sprintf("%s %s – %s %s %s (%s)", day(start), clock(start), day(end), clock(end), zone, p.ZoneName)
}

// subject is the Subject of a letter.
func subject(p *agenda.Programme, l []delivery) string {
	d := l[0]
	if len(l) == 1 && d.title != "" {
		at := d.event.Start.In(p.Zone).Format("Mon 2 Jan 2006 15:04 MST")
		if d.event.AllDay {
			at = d.event.Start.In(p.Zone).Format("Mon 2 Jan 2006")
		}
		switch {
		case d.method == methodCancel:
			return fmt.Sprintf("Cancelled: %s (%s)", d.title, at)
		case d.changes != "":
			return fmt.Sprintf("Updated invitation: %s (%s)", d.title, at)
		default:
			return fmt.Sprintf("Invitation: %s (%s)", d.title, at)
		}
	}
	switch {
	case d.method == methodCancel:
		return fmt.Sprintf("Cancelled: %d sessions of %s", len(l), p.Title)
	case anyChanged(l):
		return "Updated invitation: " + p.Title
	default:
		return "Invitation: " + p.Title
	}
}

func anyChanged(l []delivery) bool {
	for _, d := range l {
		if d.changes != "" {
			return true
		}
	}
	return false
}

// body is the readable text of a letter: what, when in the programme's
// zone, where, who, the link to join online, and what changed.
func body(p *agenda.Programme, l []delivery) string {
	var b strings.Builder
	first := l[0]
	if first.to.Name != "" {
		fmt.Fprintf(&b, "Dear %s,\n\n", first.to.Name)
	}
	switch {
	case first.method == methodCancel && first.dropped:
		fmt.Fprintf(&b, "You are no longer invited to this session of %s:\n", p.Title)
	case first.method == methodCancel && len(l) == 1:
		fmt.Fprintf(&b, "This session of %s is cancelled:\n", p.Title)
	case first.method == methodCancel:
		fmt.Fprintf(&b, "These sessions of %s are cancelled:\n", p.Title)
	case len(l) == 1 && first.changes != "":
		fmt.Fprintf(&b, "A session of %s you are invited to has changed:\n", p.Title)
	case len(l) == 1:
		fmt.Fprintf(&b, "You are invited to this session of %s:\n", p.Title)
	default:
		fmt.Fprintf(&b, "You are invited to these sessions of %s:\n", p.Title)
	}
	for _, d := range l {
		s := d.event
		fmt.Fprintf(&b, "\n%s\n", d.title)
		field := func(name, value string) {
			if value != "" {
				fmt.Fprintf(&b, "  %-9s %s\n", name+":", value)
			}
		}
		if d.changes != "" {
			field("Changed", d.changes)
		}
		field("When", when(s, p))
		field("Where", s.Location)
		field("Online", s.Online)
		var speakers []string
		for _, sp := range s.Speakers {
			name := sp.Name
			if sp.Role != "" {
				name += " (" + sp.Role + ")"
			}
			speakers = append(speakers, name)
		}
		field("Speakers", strings.Join(speakers, ", "))
		if s.Status == agenda.StatusTentative {
			field("Status", "tentative: the time may still change")
		}
		if d.method != methodCancel && s.Description != "" {
			fmt.Fprintf(&b, "\n%s\n", s.Description)
		}
	}
	b.WriteString("\n")
	o := p.Organizer
	if first.method == methodCancel {
		fmt.Fprintf(&b, "Your calendar program removes it when you open the attached calendar.\n")
	} else {
		fmt.Fprintf(&b, "Answer with your calendar program's Accept, Maybe or Decline: the answer goes to %s.\n", o.Email)
	}
	if p.URL != "" {
		fmt.Fprintf(&b, "The programme: %s\n", p.URL)
	}
	name := o.Name
	if name == "" {
		name = o.Email
	}
	fmt.Fprintf(&b, "\n%s\n", name)
	return b.String()
}
