package ical

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/agendacal/agendacal/agenda"
)

// Publish writes every calendar of the programme into dir:
//
//	programme.ics         every session
//	tracks/<track>.ics    one for each track
//	sessions/<id>.ics     one for each session
//
// Every file is first written in full under a temporary name in its own
// folder; only when all are written are they renamed into place, so a reader
// never sees half a file and a failed run leaves what was published before
// as it was. Calendars of sessions and tracks that are no longer in the
// programme are then removed.
func Publish(dir string, p *agenda.Programme, opts Options) (err error) {
	e := NewEncoder(p, opts)
	var staged []stagedFile
	defer func() {
		if err != nil {
			for _, f := range staged {
				os.Remove(f.temp)
			}
		}
	}()
	stage := func(rel string, c Calendar) error {
		f, err := e.stage(dir, rel, c)
		if err != nil {
			return err
		}
		staged = append(staged, f)
		return nil
	}
	for _, sub := range []string{"tracks", "sessions"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("creating the output folder: %w", err)
		}
	}
	if err := stage("programme.ics", Calendar{Sessions: p.Sessions, Feed: true}); err != nil {
		return err
	}
	byTrack := make(map[*agenda.Track][]*agenda.Session, len(p.Tracks))
	for _, s := range p.Sessions {
		if s.Track != nil {
			byTrack[s.Track] = append(byTrack[s.Track], s)
		}
	}
	for _, t := range p.Tracks {
		if err := stage(filepath.Join("tracks", t.ID+".ics"), Calendar{Sessions: byTrack[t], Track: t, Feed: true}); err != nil {
			return err
		}
	}
	for _, s := range p.Sessions {
		if err := stage(filepath.Join("sessions", s.ID+".ics"), Calendar{Sessions: []*agenda.Session{s}}); err != nil {
			return err
		}
	}
	keep := make(map[string]bool, len(staged))
	for _, f := range staged {
		if err := os.Rename(f.temp, f.final); err != nil {
			return fmt.Errorf("publishing %s: %w", f.final, err)
		}
		keep[f.final] = true
	}
	return removeStale(dir, keep)
}

// stagedFile is a calendar written in full under a temporary name.
type stagedFile struct {
	temp, final string
}

// stage writes one calendar to a temporary file beside dir/rel.
func (e *Encoder) stage(dir, rel string, c Calendar) (stagedFile, error) {
	final := filepath.Join(dir, rel)
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".*.tmp")
	if err != nil {
		return stagedFile{}, fmt.Errorf("writing %s: %w", final, err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	err = e.Encode(w, c)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return stagedFile{}, fmt.Errorf("writing %s: %w", final, err)
	}
	return stagedFile{temp: f.Name(), final: final}, nil
}

// removeStale removes the calendars in dir's tracks and sessions folders
// that this run did not write: sessions and tracks since taken out of the
// programme.
func removeStale(dir string, keep map[string]bool) error {
	var errs []error
	for _, sub := range []string{"tracks", "sessions"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, ent := range entries {
			path := filepath.Join(dir, sub, ent.Name())
			if ent.Type().IsRegular() && strings.HasSuffix(ent.Name(), ".ics") && !keep[path] {
				if err := os.Remove(path); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing calendars no longer in the programme: %w", err)
	}
	return nil
}
