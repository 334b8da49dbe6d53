// Package agenda reads meeting programmes written in YAML (format version 1)
// and resolves them into a Programme: every session with its instants in the
// programme's time zone, its stable id, track and location.
//
// Parse is the entry point. It decodes the YAML keeping every node's line and
// column, rejects unknown keys, validates every field and reports all
// problems at once, each with its position, sorted by position.
package agenda

import "time"

// Programme is a resolved programme: every field validated, every session
// placed at its instants in the programme's zone.
type Programme struct {
	Title       string
	Project     string
	Description string
	// ZoneName is the canonical IANA name of the programme's zone, after
	// aliases such as Pristina are resolved.
	ZoneName  string
	Zone      *time.Location
	URL       string
	UIDDomain string
	Organizer *Person
	Venue     *Venue
	// Language is the BCP 47 tag of the programme's text ("en" unless it
	// says otherwise).
	Language string
	// BaseURL is the address the published folder is served at, for the
	// subscribe page's links; "" when the programme does not say.
	BaseURL string
	// Online is where sessions take place online unless they say
	// otherwise; "" when they do not.
	Online string
	// Participants are the people sessions invite, each address once.
	Participants []*Participant
	Tracks       []*Track
	// Rooms are the rooms sessions take place in, in the order they first
	// appear.
	Rooms []*Room
	// Sessions are in programme order: day by day, as written.
	Sessions []*Session
}

// Person is a speaker or an organiser.
type Person struct {
	Name  string
	Role  string
	Email string
}

// Venue is where a programme or a session takes place.
type Venue struct {
	Name    string
	Room    string
	Floor   string
	Address string
	City    string
	Country string
	Geo     *Geo
}

// Geo is a position in decimal degrees (WGS 84).
type Geo struct {
	Lat float64
	Lon float64
}

// Track is a named strand of a programme, such as a room or a theme.
type Track struct {
	ID    string
	Name  string
	Color Color // the zero Color when the track has none
	// Common tells that the track's calendar also holds the sessions of
	// no track (plenaries, breaks): true unless the track says common:
	// false.
	Common bool
	at     string // where it is defined, for messages
}

// Room is a room sessions take place in, with an id made from its name.
type Room struct {
	ID   string
	Name string
}

// Kind tells a session from a break.
type Kind string

// The kinds of session.
const (
	KindSession Kind = "session"
	KindBreak   Kind = "break"
)

// Status is whether a session takes place (RFC 5545 3.8.1.11).
type Status string

// The statuses of a session.
const (
	StatusConfirmed Status = "confirmed"
	StatusTentative Status = "tentative"
	StatusCancelled Status = "cancelled"
)

// Session is one slot of a programme, resolved.
type Session struct {
	// ID is the explicit id or one derived from the date and the title; it is
	// unique in the programme and safe as a file name.
	ID string
	// Derived tells an id agendacal made from the date and the title from
	// one the programme gives.
	Derived bool
	// Date is the day the session is listed under, as 2006-01-02.
	Date   string
	Title  string
	Kind   Kind
	Status Status
	Start  time.Time // in the programme's zone
	End    time.Time // after Start
	// AllDay marks an item of whole days, such as a registration desk open
	// all day or a deadline: Start is when the first day begins, End when
	// the day after its last (until:) begins, in the programme's zone: at
	// midnight, or where the clocks skip midnight, as they move on.
	// WholeDays gives its dates.
	AllDay   bool
	Speakers []Person
	Topics   []string
	// Tracks are the session's tracks, none for a plenary or a break.
	Tracks      []*Track
	Description string
	URL         string
	// Online is the address where the session takes place online.
	Online string
	// Invitees are who is invited to the session: participants by its
	// invite: (all of them unless it says otherwise or is a break) and
	// its speakers who give an e-mail address, each address once.
	Invitees []*Person
	// Room is the room the session is in; nil when it has none.
	Room *Room
	// Location is the text of where the session is: the session's own
	// location, or its room, floor, venue name, address, city and country,
	// comma-separated.
	Location string
	// Venue is the venue that applies, with the session's room; nil when the
	// session gives its own location or the programme has no venue.
	Venue *Venue
}

// WholeDays are the dates of an all-day item in zone, the programme's: its
// first day, and the day after its last, which iCalendar's DTEND names;
// both at midnight UTC, for their dates only. They are counted on the
// calendar, not by the clocks: the day after the last is the next date,
// even one the clocks skip whole (Samoa's 30 December 2011).
func (s *Session) WholeDays(zone *time.Location) (first, after time.Time) {
	date := func(t time.Time) time.Time {
		y, m, d := t.In(zone).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return date(s.Start), date(s.End.Add(-time.Nanosecond)).AddDate(0, 0, 1)
}
