package invite

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/ical"
	"github.com/agendacal/agendacal/publish"
)

// Options say how Write invites.
type Options struct {
	// Now is the time of the run: the Date of its messages, and the
	// DTSTAMP of events that are new or changed.
	Now time.Time
	// Meeting writes one message per attendee for all their sessions,
	// instead of one per attendee and session.
	Meeting bool
	// Published, when set, is the memory of the folder the feeds are
	// published in (publish.ReadMemory): an event the feeds publish as it
	// is now takes their SEQUENCE when that is higher, so that an
	// invitation is never older than the feed.
	Published *publish.Memory
}

// NoOrganizerError reports invitations with no address to come from.
type NoOrganizerError struct{}

func (*NoOrganizerError) Error() string {
	return "invitations need the organizer's e-mail address, which they come from and replies go to: add organizer: {name: …, email: …} to the programme"
}

// The iTIP methods agendacal sends.
const (
	methodRequest = "REQUEST"
	methodCancel  = "CANCEL"
)

// delivery is one event for one attendee: an invitation, an update or a
// cancellation.
type delivery struct {
	uid    string
	title  string          // the session's title as the programme has it
	event  *agenda.Session // what the calendar holds: cancelled for a CANCEL
	method string
	to     *agenda.Person
	seq    int
	// changes says what changed since the attendee was last invited; ""
	// for a first invitation.
	changes string
	// dropped tells a cancellation for an attendee taken off a session
	// that still takes place.
	dropped bool
}

// Write writes the messages the programme calls for since the last run
// into the folder and records them; it returns them in order. A run with
// nothing changed writes nothing.
func (f *Folder) Write(p *agenda.Programme, opts Options) ([]Message, error) {
	st := f.st
	if st.Programme.UIDDomain != "" && st.Programme.UIDDomain != p.UIDDomain {
		return nil, &publish.OtherProgrammeError{Dir: f.dir, Title: st.Programme.Title, UIDDomain: st.Programme.UIDDomain}
	}
	st.KeepIDs(p)
	deliveries, events, e, err := f.plan(p, opts)
	if err != nil {
		return nil, err
	}
	if len(deliveries) > 0 && (p.Organizer == nil || p.Organizer.Email == "") {
		return nil, &NoOrganizerError{}
	}
	var letters [][]delivery
	if opts.Meeting {
		letters = byAttendee(deliveries)
	} else {
		for _, d := range deliveries {
			letters = append(letters, []delivery{d})
		}
	}
	var written []Message
	for _, l := range letters {
		m, err := f.writeLetter(p, e, l, opts)
		if err != nil {
			return written, err
		}
		written = append(written, m)
		st.Outbox = append(st.Outbox, m)
		for _, d := range l {
			rec := st.Sessions[d.uid]
			key := strings.ToLower(d.to.Email)
			a := rec.Attendees[key]
			if a == nil {
				a = &attendee{Email: d.to.Email}
				rec.Attendees[key] = a
			}
			a.Name, a.Method, a.Sequence = d.to.Name, d.method, d.seq
			a.Messages++
		}
		if opts.Meeting {
			if st.Meeting == nil {
				st.Meeting = map[string]int{}
			}
			st.Meeting[strings.ToLower(l[0].to.Email)]++
		}
	}
	for uid, ev := range events {
		st.Events[uid] = ev
	}
	st.Programme = programme{Title: p.Title, UIDDomain: p.UIDDomain}
	if err := f.writeState(); err != nil {
		return written, err
	}
	return written, nil
}

// plan works out what each attendee is to be sent, and the events as the
// change tracking will remember them; the encoder holds every event to
// write, revised.
func (f *Folder) plan(p *agenda.Programme, opts Options) ([]delivery, map[string]*publish.Event, *ical.Encoder, error) {
	st := f.st
	all := *p
	all.Sessions = slices.Clone(p.Sessions)
	live := make(map[string]*agenda.Session, len(p.Sessions))
	for _, s := range p.Sessions {
		live[s.ID+"@"+p.UIDDomain] = s
	}
	// The sessions that left the programme and still have attendees who
	// were invited: cancelled now.
	var removed []string
	for uid, ev := range st.Events {
		if live[uid] == nil && ev.Removed == nil && st.Sessions[uid] != nil && st.Sessions[uid].invited() {
			removed = append(removed, uid)
		}
	}
	sort.Slice(removed, func(i, j int) bool {
		a, b := st.Events[removed[i]], st.Events[removed[j]]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return a.ID < b.ID
	})
	gone := map[string]*agenda.Session{}
	for _, uid := range removed {
		ev, rec := st.Events[uid], st.Sessions[uid]
		s := &agenda.Session{ID: ev.ID, Derived: ev.Derived, Date: ev.Date, Title: rec.Title, Kind: agenda.KindSession, Status: agenda.StatusCancelled,
			Start: ev.Start.In(p.Zone), End: ev.End.In(p.Zone), Location: rec.Location, Online: rec.Online, AllDay: rec.AllDay}
		gone[uid] = s
		all.Sessions = append(all.Sessions, s)
	}
	// Attendees taken off a session that takes place get it cancelled.
	dropped := map[string]*agenda.Session{}
	for _, s := range p.Sessions {
		uid := s.ID + "@" + p.UIDDomain
		rec := st.Sessions[uid]
		if rec == nil || s.Status == agenda.StatusCancelled {
			continue
		}
		for _, a := range rec.sortedAttendees() {
			if a.Method == methodRequest && !invites(s, a.Email) {
				c := *s
				c.Status = agenda.StatusCancelled
				dropped[uid] = &c
				all.Sessions = append(all.Sessions, &c)
				break
			}
		}
	}
	if len(all.Sessions) == 0 {
		return nil, nil, nil, nil
	}
	e := ical.NewEncoder(&all, ical.Options{Stamp: opts.Now})
	e.Prepare(runtime.GOMAXPROCS(0))
	events := map[string]*publish.Event{}
	var out []delivery
	for _, s := range p.Sessions {
		uid := s.ID + "@" + p.UIDDomain
		ev := publish.Record(s)
		ev.Fingerprint = e.Fingerprint(s)
		st.Revise(uid, ev, opts.Now)
		if fed := opts.Published; fed != nil {
			if pub := fed.Events[uid]; pub != nil && pub.Fingerprint == ev.Fingerprint && pub.Sequence > ev.Sequence {
				ev.Sequence, ev.Changed = pub.Sequence, pub.Changed
			}
		}
		rev := ical.Revision{Sequence: ev.Sequence, Changed: ev.Changed}
		e.Revise(s, rev)
		rec := st.Sessions[uid]
		if rec == nil {
			rec = &session{Attendees: map[string]*attendee{}}
			st.Sessions[uid] = rec
		}
		changes := describeChanges(st.Events[uid], rec, s, p.Zone)
		if s.Status == agenda.StatusCancelled {
			for _, a := range rec.sortedAttendees() {
				if a.Method == methodRequest {
					out = append(out, delivery{uid: uid, title: s.Title, event: s, method: methodCancel, to: &agenda.Person{Name: a.Name, Email: a.Email}, seq: ev.Sequence})
				}
			}
		} else {
			for _, person := range s.Invitees {
				a := rec.Attendees[strings.ToLower(person.Email)]
				switch {
				case a == nil || a.Method == methodCancel:
					out = append(out, delivery{uid: uid, title: s.Title, event: s, method: methodRequest, to: person, seq: ev.Sequence})
				case a.Sequence < ev.Sequence:
					out = append(out, delivery{uid: uid, title: s.Title, event: s, method: methodRequest, to: person, seq: ev.Sequence, changes: changes})
				}
			}
			if c := dropped[uid]; c != nil {
				// The event is as it was (its SEQUENCE too: the others'
				// copies do not change), but this message is newer than
				// the invitation it cancels: stamped now (RFC 5546 2.1.5
				// orders by SEQUENCE, then DTSTAMP).
				e.Revise(c, ical.Revision{Sequence: rev.Sequence, Changed: opts.Now})
				for _, a := range rec.sortedAttendees() {
					if a.Method == methodRequest && !invites(s, a.Email) {
						out = append(out, delivery{uid: uid, title: s.Title, event: c, method: methodCancel, to: &agenda.Person{Name: a.Name, Email: a.Email}, seq: ev.Sequence, dropped: true})
					}
				}
			}
		}
		rec.Title, rec.Location, rec.Online, rec.AllDay = s.Title, s.Location, s.Online, s.AllDay
		events[uid] = ev
	}
	for _, uid := range removed {
		s, rec := gone[uid], st.Sessions[uid]
		ev := *st.Events[uid]
		ev.Fingerprint = e.Fingerprint(s)
		st.Revise(uid, &ev, opts.Now)
		now := opts.Now.UTC()
		ev.Removed = &now
		e.Revise(s, ical.Revision{Sequence: ev.Sequence, Changed: ev.Changed})
		for _, a := range rec.sortedAttendees() {
			if a.Method == methodRequest {
				out = append(out, delivery{uid: uid, title: rec.Title, event: s, method: methodCancel, to: &agenda.Person{Name: a.Name, Email: a.Email}, seq: ev.Sequence})
			}
		}
		events[uid] = &ev
	}
	return out, events, e, nil
}

// invited tells whether anyone holds an invitation to the session.
func (rec *session) invited() bool {
	for _, a := range rec.Attendees {
		if a.Method == methodRequest {
			return true
		}
	}
	return false
}

// sortedAttendees are the session's attendees by address.
func (rec *session) sortedAttendees() []*attendee {
	out := make([]*attendee, 0, len(rec.Attendees))
	for _, a := range rec.Attendees {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Email) < strings.ToLower(out[j].Email) })
	return out
}

// invites tells whether a session invites an address.
func invites(s *agenda.Session, addr string) bool {
	return slices.ContainsFunc(s.Invitees, func(p *agenda.Person) bool { return strings.EqualFold(p.Email, addr) })
}

// byAttendee groups deliveries into one letter per attendee and method, in
// the order the attendees first appear.
func byAttendee(ds []delivery) [][]delivery {
	var order []string
	groups := map[string][]delivery{}
	for _, d := range ds {
		key := d.method + " " + strings.ToLower(d.to.Email)
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], d)
	}
	out := make([][]delivery, 0, len(order))
	for _, k := range order {
		out = append(out, groups[k])
	}
	return out
}

// writeLetter writes the message of one letter into the folder.
func (f *Folder) writeLetter(p *agenda.Programme, e *ical.Encoder, l []delivery, opts Options) (Message, error) {
	first := l[0]
	addr := strings.ToLower(first.to.Email)
	var dir, base string
	var n int // messages written before to the attendee, in this place
	if opts.Meeting {
		dir, n = "meeting", f.st.Meeting[addr]
		base = fileName(addr)
		if n > 0 {
			base += "." + strconv.Itoa(n+1)
		}
	} else {
		dir = first.event.ID
		if a := f.st.Sessions[first.uid].Attendees[addr]; a != nil {
			n = a.Messages
		}
		base = fileName(addr)
		if n > 0 {
			base += "." + strconv.Itoa(first.seq)
		}
	}
	if first.method == methodCancel && n > 0 {
		base += ".cancel"
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%t", first.method, addr, n, opts.Meeting)
	for _, d := range l {
		fmt.Fprintf(h, "\x00%s\x00%d", d.uid, d.seq)
	}
	id := hex.EncodeToString(h.Sum(nil))[:32] + "@" + p.UIDDomain
	var cal bytes.Buffer
	sessions := make([]*agenda.Session, len(l))
	for i, d := range l {
		sessions[i] = d.event
	}
	if err := e.Encode(&cal, ical.Calendar{Sessions: sessions, Method: first.method, Attendee: first.to}); err != nil {
		return Message{}, err
	}
	data := compose(letter{
		from: p.Organizer, to: first.to, subject: subject(p, l), date: opts.Now, id: id,
		text: body(p, l), calendar: cal.Bytes(), method: first.method,
	})
	m := Message{ID: id, From: p.Organizer.Email, To: first.to.Email, Method: first.method}
	if err := os.MkdirAll(filepath.Join(f.dir, dir), 0o755); err != nil {
		return m, fmt.Errorf("creating the folder of invitations: %w", err)
	}
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name += "-" + strconv.Itoa(i)
		}
		m.Path = path.Join(dir, name+".eml")
		full := filepath.Join(f.dir, filepath.FromSlash(m.Path))
		err := createNew(full, data)
		if err == nil {
			return m, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return m, fmt.Errorf("writing %s: %w", full, err)
		}
		// There already: the same message, written by a run that stopped
		// before it recorded it, or another one, never replaced.
		if old, err := os.ReadFile(full); err == nil && messageID(old) == id {
			return m, nil
		}
	}
}

// fileName makes an address safe as a file name.
func fileName(addr string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '@', r == '.', r == '-', r == '_', r == '+':
			return r
		}
		return '_'
	}, addr)
}

// messageID returns the Message-ID of a message, without brackets.
func messageID(data []byte) string {
	for _, line := range strings.Split(string(data), "\r\n") {
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Message-ID: <"); ok {
			return strings.TrimSuffix(v, ">")
		}
	}
	return ""
}
