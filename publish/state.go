package publish

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/ical"
)

// stateName is the bookkeeping of an output folder: what it publishes.
const stateName = ".agendacal.state"

// stateVersion is the format of the bookkeeping; a newer one is refused.
const stateVersion = 1

// State is what a published folder remembers of its last build: which
// programme it publishes, every event a subscriber has seen with its
// fingerprint, SEQUENCE and when it last changed, and every file with the
// digest of its bytes. It is written as JSON to .agendacal.state.
type State struct {
	Version int `json:"version"`
	// Fresh comes right after the version: UpToDate reads only that far.
	Fresh     *fresh       `json:"fresh,omitempty"`
	Programme programmeRef `json:"programme"`
	Memory
	// Files are the calendars published, by path relative to the folder
	// with '/', each with the SHA-256 of its bytes ("" when unknown: a
	// build that stopped while it was being replaced).
	Files map[string]string `json:"files"`
	// Keys are the calendars' keys (ical.Encoder.Key), by path: a
	// calendar whose key is the same as last time has the same bytes, and
	// its digest is not worked out again.
	Keys map[string]string `json:"keys,omitempty"`
	// Rooms are the ids of the rooms ever published, by name: a room's
	// calendar keeps its address (agenda.Programme.KeepRoomIDs).
	Rooms map[string]string `json:"rooms,omitempty"`

	// read is the bookkeeping as read, "" for one rebuilt or to be
	// written anyway. Its strings are cut from it.
	read string
	// eventsAhead, when set, is the events' JSON being encoded while the
	// build writes its files.
	eventsAhead *eventsAhead
}

// programmeRef says which programme a folder publishes.
type programmeRef struct {
	Title     string `json:"title"`
	UIDDomain string `json:"uid_domain"`
}

// Event is what the bookkeeping keeps of one published event.
type Event struct {
	ID       string    `json:"id"`
	Derived  bool      `json:"derived,omitempty"`
	Date     string    `json:"date"`
	Title    string    `json:"title"` // agenda.Digest of the title
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Location string    `json:"location"` // agenda.Digest of the place
	// Fingerprint is what a subscriber sees of the event
	// (ical.Encoder.Fingerprint); a change raises Sequence.
	Fingerprint string    `json:"fingerprint"`
	Sequence    int       `json:"sequence"`
	Changed     time.Time `json:"changed"`
	// Removed is when the session left the programme; from then on it is
	// published as cancelled, from its own calendar file, until
	// --keep-removed has passed.
	Removed *time.Time `json:"removed,omitempty"`
	// Tracks are the ids of the session's tracks, Room the name of its room.
	Tracks []string `json:"tracks,omitempty"`
	Room   string   `json:"room,omitempty"`
	// ReadBack marks an event read back from a calendar when the
	// bookkeeping was lost: only its fingerprint, SEQUENCE and time are
	// known.
	ReadBack bool `json:"read_back,omitempty"`
}

// Memory is what the change tracking remembers of the events it has given
// out, in a published folder and in the invitations alike: every event's
// id, fingerprint, SEQUENCE and when it last changed, and the ids never to
// be given to another session.
type Memory struct {
	// Events are by UID: those in the programme and those removed from it
	// that are still published as cancelled.
	Events map[string]*Event `json:"events"`
	// Retired are the UIDs of events no longer published, never to be
	// given to another session.
	Retired []string `json:"retired,omitempty"`
	// RetiredSequences are the last SEQUENCE given out under each retired
	// UID: a session that comes back under its explicit id goes on from
	// there, so that no reader holding its cancellation takes the new
	// event for an older one (RFC 5546 2.1.5).
	RetiredSequences map[string]int `json:"retired_sequences,omitempty"`
}

// retire remembers that uid, last given out at SEQUENCE sequence, is no
// longer published.
func (m *Memory) retire(uid string, sequence int) {
	last, known := m.RetiredSequences[uid]
	if !known {
		m.Retired = append(m.Retired, uid)
	}
	if m.RetiredSequences == nil {
		m.RetiredSequences = map[string]int{}
	}
	m.RetiredSequences[uid] = max(last, sequence)
}

// KeepIDs gives the sessions of p whose ids are derived the ids they were
// given out under before (agenda.Programme.KeepIDs).
func (m *Memory) KeepIDs(p *agenda.Programme) {
	if len(m.Events) > 0 || len(m.Retired) > 0 {
		p.KeepIDs(m.published(), m.reserved())
	}
}

// Revise gives ev, the event given out now under uid with its
// fingerprint set (ical.Encoder.Fingerprint), its SEQUENCE and the time it
// last changed: those remembered, or the next SEQUENCE and now when what a
// reader sees of it changed.
func (m *Memory) Revise(uid string, ev *Event, now time.Time) {
	ev.Sequence, ev.Changed = 0, now.UTC()
	if last, ok := m.RetiredSequences[uid]; ok {
		ev.Sequence = last + 1
	}
	if old := m.Events[uid]; old != nil {
		ev.Sequence, ev.Changed = old.Sequence, old.Changed
		if old.Fingerprint != ev.Fingerprint {
			ev.Sequence, ev.Changed = old.Sequence+1, now.UTC()
		}
	}
}

// Record makes the bookkeeping of a session. Its title and place are kept
// as short digests: they serve only to match sessions whose ids are
// derived.
func Record(s *agenda.Session) *Event {
	ev := &Event{ID: s.ID, Derived: s.Derived, Date: s.Date, Title: agenda.Digest(s.Title), Start: s.Start.UTC(), End: s.End.UTC(), Location: agenda.Digest(s.Location)}
	for _, t := range s.Tracks {
		ev.Tracks = append(ev.Tracks, t.ID)
	}
	if s.Room != nil {
		ev.Room = s.Room.Name
	}
	return ev
}

// cancelled is a session that has left the programme, as far as placing
// its event goes: its id, times and track in p. Its event is the one last
// published, cancelled (ical.Encoder.UsePublished).
func (ev *Event) cancelled(p *agenda.Programme) *agenda.Session {
	s := &agenda.Session{
		ID: ev.ID, Derived: ev.Derived, Date: ev.Date, Title: ev.Title, Status: agenda.StatusCancelled,
		Start: ev.Start.In(p.Zone), End: ev.End.In(p.Zone), Location: ev.Location,
	}
	for _, t := range p.Tracks {
		if slices.Contains(ev.Tracks, t.ID) {
			s.Tracks = append(s.Tracks, t)
		}
	}
	for _, r := range p.Rooms {
		if r.Name == ev.Room {
			s.Room = r
		}
	}
	return s
}

// published lists the events for agenda.Programme.KeepIDs, in a stable
// order.
func (m *Memory) published() []agenda.PublishedID {
	// Sorted by small records, not by the ids themselves, which are
	// large to move.
	type byStart struct {
		sec  int64
		nsec int
		id   string
		ev   *Event
	}
	order := make([]byStart, 0, len(m.Events))
	for uid, ev := range m.Events {
		if ev.ReadBack && ev.Title == "" {
			// Read back from a calendar by an older agendacal: only the
			// id is known.
			id, _, _ := strings.Cut(uid, "@")
			order = append(order, byStart{sec: (time.Time{}).Unix(), id: id, ev: ev})
			continue
		}
		order = append(order, byStart{sec: ev.Start.Unix(), nsec: ev.Start.Nanosecond(), id: ev.ID, ev: ev})
	}
	slices.SortFunc(order, func(a, b byStart) int {
		if c := cmp.Compare(a.sec, b.sec); c != 0 {
			return c
		}
		if c := cmp.Compare(a.nsec, b.nsec); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]agenda.PublishedID, len(order))
	for i, o := range order {
		switch ev := o.ev; {
		case ev.ReadBack && ev.Title == "":
			out[i] = agenda.PublishedID{ID: o.id, Derived: true, OnlyID: true}
		case ev.ReadBack:
			// Whether its id was derived is not known: it is taken by a
			// session of that derived id first, then matched as others.
			out[i] = agenda.PublishedID{ID: ev.ID, Derived: true, Date: ev.Date, Title: ev.Title, Start: ev.Start, Location: ev.Location, IDFirst: true}
		default:
			out[i] = agenda.PublishedID{ID: ev.ID, Derived: ev.Derived, Date: ev.Date, Title: ev.Title, Start: ev.Start, Location: ev.Location, Removed: ev.Removed != nil}
		}
	}
	return out
}

// reserved tells whether a lower-case session id was ever published.
// Only sessions that keep no id ask, most builds none: the ids are
// gathered when first asked about.
func (m *Memory) reserved() func(string) bool {
	var ids map[string]bool
	return func(id string) bool {
		if ids == nil {
			ids = make(map[string]bool, len(m.Events)+len(m.Retired))
			add := func(uid string) {
				if i := strings.LastIndexByte(uid, '@'); i >= 0 {
					uid = uid[:i]
				}
				ids[strings.ToLower(uid)] = true
			}
			for uid := range m.Events {
				add(uid)
			}
			for _, uid := range m.Retired {
				add(uid)
			}
		}
		return ids[id]
	}
}

// ReadMemory reads what the bookkeeping of a published folder remembers of
// its events; nil with no error when dir has none.
func ReadMemory(dir string) (*Memory, error) {
	st, err := readState(dir)
	if st == nil || err != nil {
		return nil, err
	}
	return &st.Memory, nil
}

// readState reads the bookkeeping of dir; nil with no error when there is
// none.
func readState(dir string) (*State, error) {
	data, err := readRegular(filepath.Join(dir, stateName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", stateName, err)
	}
	return ParseState(filepath.Join(dir, stateName), data)
}

// ReadAhead is the bookkeeping of an output folder read while the
// programme is being read, on another core: Folder takes it when the file
// is still the one read, and reads it again when not.
type ReadAhead struct {
	done chan struct{}
	st   *State
	err  error
	read fs.FileInfo // the file read; nil when there was none
}

// StartReadAhead starts reading the bookkeeping of the folder dir.
func StartReadAhead(dir string) *ReadAhead {
	ra := &ReadAhead{done: make(chan struct{})}
	go func() {
		defer close(ra.done)
		name := filepath.Join(dir, stateName)
		if ra.read, ra.err = os.Lstat(name); ra.err != nil {
			ra.read, ra.err = nil, nil
			return
		}
		ra.st, ra.err = readState(dir)
	}()
	return ra
}

// state is the bookkeeping of dir, the folder ra read ahead (or none):
// what ra read when the file there is still that one, else read now.
func (ra *ReadAhead) state(dir string) (*State, error) {
	if ra == nil {
		return readState(dir)
	}
	<-ra.done
	now, err := os.Lstat(filepath.Join(dir, stateName))
	if ra.read == nil || err != nil || !os.SameFile(now, ra.read) || now.Size() != ra.read.Size() || !now.ModTime().Equal(ra.read.ModTime()) {
		return readState(dir)
	}
	st, err := ra.st, ra.err
	ra.st, ra.read = nil, nil // a build changes the state it takes
	return st, err
}

// StateName is the name of the bookkeeping in a published folder or under
// a bucket's prefix.
const StateName = stateName

// NewState is the bookkeeping of a place nothing was published in.
func NewState() *State {
	return &State{Version: stateVersion, Memory: Memory{Events: map[string]*Event{}}, Files: map[string]string{}, Keys: map[string]string{}}
}

// ParseState reads bookkeeping written by Encode; where names it in
// messages.
func ParseState(where string, data []byte) (*State, error) {
	st := State{read: string(data)}
	if !readStateJSON(st.read, &st) {
		st = State{read: st.read}
		if err := json.Unmarshal(data, &st); err != nil {
			return nil, fmt.Errorf("reading %s: %v; remove it and build again: the published calendars are read back instead", where, err)
		}
	}
	if st.Version > stateVersion {
		return nil, fmt.Errorf("%s was written by a newer agendacal (format %d); build with that one", where, st.Version)
	}
	if st.Events == nil {
		st.Events = map[string]*Event{}
	}
	for rel := range st.Files {
		if !couldWrite(rel) {
			delete(st.Files, rel)
		}
	}
	if st.Files == nil {
		st.Files = map[string]string{}
	}
	return &st, nil
}

// Encode writes the bookkeeping: the same state gives the same bytes.
func (st *State) Encode(w io.Writer) error { return st.writeTo(w) }

// Unchanged tells whether next is the bookkeeping st was read as.
func (st *State) Unchanged(next *State) bool {
	if st.read == "" {
		return false
	}
	same := sameText{want: st.read}
	next.writeTo(&same) // comparing cannot fail
	return !same.differs && same.want == ""
}

// Claim checks that the bookkeeping is of p, a place where it may publish:
// one that publishes another programme is refused, unless force says to
// replace it (its files are then p's to replace and remove, its events
// forgotten).
func (st *State) Claim(where string, p *agenda.Programme, force bool) error {
	if st.Programme.UIDDomain == "" || st.Programme.UIDDomain == p.UIDDomain {
		return nil
	}
	if !force {
		return &OtherProgrammeError{Dir: where, Title: st.Programme.Title, UIDDomain: st.Programme.UIDDomain}
	}
	st.Events, st.Retired, st.RetiredSequences, st.Rooms = map[string]*Event{}, nil, nil, nil
	return nil
}

// StaleFiles lists the files prev published that next does not.
func StaleFiles(prev, next *State) []string { return staleFiles(prev.Files, next.Files) }

// writeTo serialises the state to w: the same state gives the same bytes.
func (st *State) writeTo(w io.Writer) error {
	sort.Strings(st.Retired)
	if done, err := writeStateJSON(w, st); done {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(st)
}

// sameText is a writer that tells whether what is written to it is want:
// want is what is left to come, differs set at the first difference.
type sameText struct {
	want    string
	differs bool
}

func (w *sameText) Write(p []byte) (int, error) {
	if w.differs || len(p) > len(w.want) || w.want[:len(p)] != string(p) {
		w.differs = true
		return len(p), nil
	}
	w.want = w.want[len(p):]
	return len(p), nil
}

// readRegular reads a regular file, never following a symbolic link.
func readRegular(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return os.ReadFile(path)
}

// Recovered rebuilds the bookkeeping of the programme p from the published
// calendars files (read reads one) when .agendacal.state is gone: every
// UID with its highest SEQUENCE, so that no SEQUENCE ever goes down, and
// its event's title, place, times and tracks, so that sessions whose ids
// are derived keep theirs (KeepIDs) and sessions removed meanwhile are
// published cancelled. Calendars agendacal wrote are adopted (they may be
// replaced and removed); with force, so is any other calendar. The
// programme's uid_domain is that of the events read back: another one when
// none of them is this programme's.
func Recovered(read func(rel string) ([]byte, error), p *agenda.Programme, files []string, force bool) *State {
	domain, prefix := p.UIDDomain, ical.WordsFor(p.Language).Cancelled
	st := NewState()
	tracks := map[string][]string{} // by UID, the tracks whose calendars hold it
	for _, rel := range files {
		data, err := read(rel)
		if err != nil {
			continue
		}
		events, ours, calendar := ical.ReadPublished(data)
		if !calendar || !ours && !force {
			continue
		}
		// What the file holds is known: a build that would write the
		// same bytes leaves it as it is.
		st.Files[rel] = digestOf(data)
		for _, pe := range events {
			if !strings.HasSuffix(pe.UID, "@"+domain) {
				if _, other, ok := strings.Cut(pe.UID, "@"); ok && st.Programme.UIDDomain == "" {
					st.Programme.UIDDomain = other // another programme's, unless one of ours shows up
				}
				continue
			}
			st.Programme.UIDDomain = domain
			if ev, ok := st.Events[pe.UID]; !ok || pe.Sequence > ev.Sequence {
				st.Events[pe.UID] = readBack(pe, domain, prefix)
			}
			if track, ok := strings.CutPrefix(rel, "tracks/"); ok && strings.HasSuffix(track, ".ics") && !slices.Contains(tracks[pe.UID], track) {
				tracks[pe.UID] = append(tracks[pe.UID], strings.TrimSuffix(track, ".ics"))
			}
		}
	}
	for uid, ev := range st.Events {
		ev.Tracks = tracks[uid]
	}
	return st
}

// digestOf is the digest the bookkeeping keeps of a file's bytes: their
// SHA-256, in hex.
func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// readBack is the bookkeeping of an event read back from a calendar of
// the programme whose uid_domain is domain, its title and place digested
// as Record digests them. The day it is listed under is the one its id
// starts with, where the id was derived, else the day it starts.
func readBack(pe ical.Published, domain, cancelledPrefix string) *Event {
	ev := &Event{Fingerprint: pe.Fingerprint, Sequence: pe.Sequence, Changed: pe.Changed, ReadBack: true}
	ev.ID = strings.TrimSuffix(pe.UID, "@"+domain)
	if pe.Title == "" && pe.Start.IsZero() && pe.Date == "" {
		return ev // nothing else to go by
	}
	ev.Date = pe.Date
	if len(ev.ID) > 11 && ev.ID[10] == '-' {
		if _, err := time.Parse(time.DateOnly, ev.ID[:10]); err == nil {
			ev.Date = ev.ID[:10]
		}
	}
	ev.Title = agenda.Digest(strings.TrimPrefix(pe.Title, cancelledPrefix))
	ev.Location = agenda.Digest(pe.Location)
	ev.Start, ev.End = pe.Start.UTC(), pe.End.UTC()
	return ev
}
