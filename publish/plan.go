package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/ical"
	"github.com/agendacal/agendacal/site"
)

// Plan is what one build publishes, worked out before anything is
// written: every file with the digest of its bytes, and the bookkeeping
// that goes with them. A target (the output folder, a bucket) then makes a
// place hold exactly that.
type Plan struct {
	// State is the bookkeeping after the build.
	State   *State
	all     *agenda.Programme
	files   []outputFile
	digests []string
	enc     *ical.Encoder
}

// NewPlan plans a build of p over the bookkeeping of the last one, prev:
// ids kept, every event rendered once, fingerprinted and given its
// SEQUENCE, every file's bytes digested (kept from prev where the file's
// key is the same; for the output folder, left to the writing where prev
// has no such file). published reads a file as the last build published
// it: the events of sessions removed since are written cancelled from
// there.
func NewPlan(ctx context.Context, prev *State, p *agenda.Programme, opts Options, published func(rel string) ([]byte, error)) (*Plan, error) {
	prev.KeepIDs(p)
	p.KeepRoomIDs(prev.Rooms)
	next, all, kept := planState(prev, p, opts, published)
	e := ical.NewEncoder(all, ical.Options{Stamp: opts.Now})
	for s, event := range kept {
		e.UsePublished(s, event)
	}
	// The page needs no event: it is written while the events are.
	files := outputFiles(all, opts.Now, opts.Alarm)
	var page [][]byte
	var pageErr error
	pageDone := make(chan struct{})
	go func() {
		defer close(pageDone)
		page, pageErr = site.Page(all, feedsOf(all, files), site.Options{BaseURL: opts.BaseURL})
	}()
	e.Prepare(workers)
	<-pageDone
	if pageErr != nil {
		return nil, pageErr
	}
	// Each event is revised on its own: the maps are only read.
	err := parallel(ctx, len(all.Sessions), func(i int) error {
		s := all.Sessions[i]
		uid := s.ID + "@" + p.UIDDomain
		ev := next.Events[uid]
		ev.Fingerprint = e.Fingerprint(s)
		prev.Revise(uid, ev, opts.Now)
		e.Revise(s, ical.Revision{Sequence: ev.Sequence, Changed: ev.Changed})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if opts.forgetEvents {
		prev.Events = nil // done with: its memory serves the files
	}
	files = append(files, outputFile{rel: "index.html", page: page})
	// A calendar made of the same parts as last time has the same bytes:
	// only the others are digested, and a file the last build did not
	// publish, which is written whatever its digest, is digested as it is
	// written when the target says so (digests "" until then).
	digests, keys := make([]string, len(files)), make([]string, len(files))
	// The page, last of the files and as large as the feeds, is taken
	// first with them: after the thousands of session files it would be
	// digested alone at the end.
	err = parallel(ctx, len(files), func(n int) error {
		i := (n + len(files) - 1) % len(files)
		f := files[i]
		if f.page == nil {
			keys[i] = e.Key(f.calendar)
			if d := prev.Files[f.rel]; keys[i] != "" && keys[i] == prev.Keys[f.rel] && d != "" {
				digests[i] = d
				return nil
			}
		}
		if _, published := prev.Files[f.rel]; opts.digestOnWrite && !published {
			return nil
		}
		h := sha256.New()
		if err := f.write(h, e); err != nil {
			return err
		}
		digests[i] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, f := range files {
		next.Files[f.rel] = digests[i]
		if keys[i] != "" {
			next.Keys[f.rel] = keys[i]
		}
	}
	return &Plan{State: next, all: all, files: files, digests: digests, enc: e}, nil
}

// Len is how many files the plan publishes.
func (pl *Plan) Len() int { return len(pl.files) }

// File is the i-th file's path (relative, with '/') and the SHA-256 of its
// bytes, in hex.
func (pl *Plan) File(i int) (rel, digest string) { return pl.files[i].rel, pl.digests[i] }

// ContentType is the media type the i-th file is served with.
func (pl *Plan) ContentType(i int) string {
	if pl.files[i].page != nil {
		return "text/html; charset=utf-8"
	}
	return "text/calendar; charset=utf-8"
}

// Write writes the i-th file's bytes to w.
func (pl *Plan) Write(w io.Writer, i int) error { return pl.files[i].write(w, pl.enc) }

// writer writes the i-th file, working out its digest on the way where
// the plan has none yet (settle then puts it into the bookkeeping). Files
// are written on several goroutines, each file by one.
func (pl *Plan) writer(i int) func(io.Writer) error {
	if pl.digests[i] != "" {
		return func(w io.Writer) error { return pl.Write(w, i) }
	}
	return func(w io.Writer) error {
		h := sha256.New()
		if err := pl.Write(io.MultiWriter(w, h), i); err != nil {
			return err
		}
		pl.digests[i] = hex.EncodeToString(h.Sum(nil))
		return nil
	}
}

// settle puts the digests worked out while writing into the bookkeeping.
func (pl *Plan) settle() {
	for i, f := range pl.files {
		pl.State.Files[f.rel] = pl.digests[i]
	}
}

// planState works out the bookkeeping of a build, without fingerprints
// yet, and the programme to write: p's sessions, then those removed from
// it that are still published as cancelled, by start, with their events as
// last published.
func planState(prev *State, p *agenda.Programme, opts Options, published func(rel string) ([]byte, error)) (*State, *agenda.Programme, map[*agenda.Session][]byte) {
	next := &State{
		Version:   stateVersion,
		Programme: programmeRef{Title: p.Title, UIDDomain: p.UIDDomain},
		Memory:    Memory{Events: make(map[string]*Event, len(p.Sessions)), Retired: slices.Clone(prev.Retired), RetiredSequences: maps.Clone(prev.RetiredSequences)},
		Files:     map[string]string{},
		Keys:      map[string]string{},
		Rooms:     maps.Clone(prev.Rooms),
	}
	for _, r := range p.Rooms {
		if next.Rooms == nil {
			next.Rooms = make(map[string]string, len(p.Rooms))
		}
		next.Rooms[r.Name] = r.ID
	}
	all := *p
	all.Sessions = slices.Clone(p.Sessions)
	records := make([]*Event, len(p.Sessions))
	_ = parallel(context.Background(), len(p.Sessions), func(i int) error {
		records[i] = Record(p.Sessions[i])
		return nil // a record cannot fail
	})
	liveIDs := make(map[string]bool, len(p.Sessions)) // lower-case
	for i, s := range p.Sessions {
		next.Events[s.ID+"@"+p.UIDDomain] = records[i]
		liveIDs[strings.ToLower(s.ID)] = true
	}
	var removed []*agenda.Session
	kept := map[*agenda.Session][]byte{}
	for uid, ev := range prev.Events {
		if _, live := next.Events[uid]; live {
			continue
		}
		gone := opts.Now.UTC()
		if ev.Removed != nil {
			gone = *ev.Removed
		}
		// The event as last published, from the session's own file.
		var event []byte
		if (!ev.ReadBack || !ev.Start.IsZero()) && !liveIDs[strings.ToLower(ev.ID)] && opts.Now.Sub(gone) < opts.KeepRemoved {
			if data, err := published("sessions/" + ev.ID + ".ics"); err == nil {
				event, _ = ical.PublishedEvent(data, uid)
			}
		}
		if event == nil {
			// Gone for longer than --keep-removed; or read back from a
			// calendar without its start (a whole day, or an older
			// agendacal's bookkeeping), or its file lost, with nothing
			// to place or write it from;
			// or a session whose id changed only in case, which would
			// share its file on a case-blind disk and lives on as that.
			next.retire(uid, ev.Sequence)
			continue
		}
		still := *ev
		still.Removed = &gone
		if ev.ReadBack {
			// Known now as the sessions are, its id taken as derived.
			still.ReadBack, still.Derived = false, true
		}
		next.Events[uid] = &still
		s := still.cancelled(p)
		// The bookkeeping keeps digests of the title and the place: the
		// page shows them as the event has them.
		s.Title, s.Location = ical.PublishedText(event, ical.WordsFor(p.Language).Cancelled)
		kept[s] = event
		removed = append(removed, s)
	}
	sort.Slice(removed, func(i, j int) bool {
		if !removed[i].Start.Equal(removed[j].Start) {
			return removed[i].Start.Before(removed[j].Start)
		}
		return removed[i].ID < removed[j].ID
	})
	all.Sessions = append(all.Sessions, removed...)
	return next, &all, kept
}
