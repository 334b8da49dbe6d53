package ical

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

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
// never sees half a file and a run that fails before then leaves what was
// published before as it was. The calendars a build writes are listed in
// dir/.agendacal.manifest; those of sessions and tracks that are no longer
// in the programme are removed, and no other file is touched.
//
// Only one Publish writes into a folder at a time: it holds a lock on
// dir/.agendacal.lock, waiting up to wait for another build to finish
// before it gives up with a *BusyError.
func Publish(dir string, p *agenda.Programme, opts Options, wait time.Duration) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the output folder: %w", err)
	}
	unlock, err := lock(filepath.Join(dir, lockName), wait)
	if err != nil {
		return err
	}
	defer unlock()
	removeTemporaries(dir)
	for _, sub := range []string{"tracks", "sessions"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("creating the output folder: %w", err)
		}
	}
	e := NewEncoder(p, opts)
	if err := e.Prepare(workers); err != nil {
		return err
	}
	files := outputFiles(p)
	staged := make([]stagedFile, len(files))
	defer func() {
		if err != nil {
			for _, f := range staged {
				if f.temp != "" {
					os.Remove(f.temp)
				}
			}
		}
	}()
	// Each file streams through a small buffer, reused file after file: a
	// buffer holding a whole programme would cost more in fresh memory than
	// the copying it saves.
	buffers := make(chan *bufio.Writer, workers)
	for range workers {
		buffers <- bufio.NewWriterSize(nil, 64<<10)
	}
	err = parallel(len(files), workers, func(i int) error {
		bw := <-buffers
		defer func() { buffers <- bw }()
		f, err := stageFile(dir, files[i].rel, bw, func(w io.Writer) error { return e.Encode(w, files[i].calendar) })
		staged[i] = f
		return err
	})
	if err != nil {
		return err
	}
	previous := readManifest(dir)
	if err := nothingInTheWay(dir, staged, previous); err != nil {
		return err
	}
	// The manifest lists every calendar this build may leave behind, the
	// old ones and the new, before any is replaced, so that a build that
	// stops half-way still knows them all next time.
	var published []string
	for _, f := range staged {
		published = append(published, f.rel)
	}
	if err := publishManifest(dir, append(slices.Clone(published), previous...)); err != nil {
		return err
	}
	for i, f := range staged {
		if err := renameFile(f.temp, f.final); err != nil {
			return &PartialError{Published: i, Total: len(staged), Err: err}
		}
	}
	left, removeErr := removeStale(dir, previous, published)
	if err := publishManifest(dir, append(published, left...)); err != nil {
		return &PartialError{Published: len(staged), Total: len(staged), Err: err}
	}
	return removeErr
}

// Write writes the whole programme to w as one calendar, the one Publish
// writes as programme.ics.
func Write(w io.Writer, p *agenda.Programme, opts Options) error {
	e := NewEncoder(p, opts)
	if err := e.Prepare(workers); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := e.Encode(bw, programmeCalendar(p)); err != nil {
		return err
	}
	return bw.Flush()
}

// programmeCalendar is the calendar of every session: the feed
// participants subscribe to.
func programmeCalendar(p *agenda.Programme) Calendar {
	return Calendar{Sessions: p.Sessions, Feed: true}
}

// outputFiles lists the calendars of a programme's output folder.
func outputFiles(p *agenda.Programme) []outputFile {
	files := []outputFile{{"programme.ics", programmeCalendar(p)}}
	byTrack := make(map[*agenda.Track][]*agenda.Session, len(p.Tracks))
	for _, s := range p.Sessions {
		if s.Track != nil {
			byTrack[s.Track] = append(byTrack[s.Track], s)
		}
	}
	for _, t := range p.Tracks {
		files = append(files, outputFile{path.Join("tracks", t.ID+".ics"), Calendar{Sessions: byTrack[t], Track: t, Feed: true}})
	}
	for _, s := range p.Sessions {
		files = append(files, outputFile{path.Join("sessions", s.ID+".ics"), Calendar{Sessions: []*agenda.Session{s}}})
	}
	return files
}

// nothingInTheWay checks, before anything is replaced, that no folder or
// other non-file stands where a staged file goes (it would stop the renames
// half-way), and that no file agendacal did not write would be replaced: a
// file of the same name that the previous build's manifest does not list.
// Names are compared without case, as case-blind file systems see them.
// One listing of each folder costs less than a look at every file.
func nothingInTheWay(dir string, staged []stagedFile, previous []string) error {
	ours := map[string]bool{}
	for _, rel := range previous {
		ours[strings.ToLower(rel)] = true
	}
	existing := map[string]fs.DirEntry{}
	for _, sub := range []string{".", "tracks", "sessions"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return fmt.Errorf("reading the output folder: %w", err)
		}
		for _, ent := range entries {
			existing[strings.ToLower(path.Join(sub, ent.Name()))] = ent
		}
	}
	for _, f := range staged {
		ent, ok := existing[strings.ToLower(f.rel)]
		switch {
		case !ok:
		case !ent.Type().IsRegular():
			return fmt.Errorf("publishing %s: something other than a file is in the way; move it and build again", f.final)
		case !ours[strings.ToLower(f.rel)]:
			return fmt.Errorf("publishing %s: a file of that name is there, and agendacal did not write it (it is not in %s); move it away and build again", f.final, manifestName)
		}
	}
	return nil
}

// PartialError reports a build that failed after it had started to replace
// the published files: some are new, the others as before.
type PartialError struct {
	Published, Total int
	Err              error
}

func (e *PartialError) Error() string {
	if e.Published == e.Total {
		return fmt.Sprintf("every calendar is published, but %v", e.Err)
	}
	return fmt.Sprintf("%d of %d files were replaced before %v; build again once it is fixed", e.Published, e.Total, e.Err)
}

func (e *PartialError) Unwrap() error { return e.Err }

// workers is how many goroutines render and write files. Measured on two
// cores, four beat two: while some wait in the file system to create a
// file, the others render.
const workers = 4

// outputFile is one calendar of the output folder.
type outputFile struct {
	rel      string // with '/'
	calendar Calendar
}

// stagedFile is a file written in full under a temporary name.
type stagedFile struct {
	temp, final string
	rel         string // the final name, relative to the output folder, with '/'
}

// stageFile writes a new temporary file beside dir/rel with write, through
// bw. Its mode is 0644 less the umask, as for any file a program creates:
// run builds that a web server serves with a umask that lets it read them.
func stageFile(dir, rel string, bw *bufio.Writer, write func(io.Writer) error) (stagedFile, error) {
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		// agenda's ids cannot do this; the check keeps it so.
		return stagedFile{}, fmt.Errorf("refusing to write %q: it is outside the output folder", rel)
	}
	final := filepath.Join(dir, filepath.FromSlash(rel))
	// The lock keeps other builds out, and O_EXCL any file of the same name.
	temp := filepath.Join(filepath.Dir(final), "."+filepath.Base(final)+tempSuffix)
	if err := createFile(temp, bw, write); err != nil {
		os.Remove(temp)
		return stagedFile{}, fmt.Errorf("writing %s: %w", final, err)
	}
	return stagedFile{temp: temp, final: final, rel: rel}, nil
}

// tempSuffix ends the names of files not yet published.
const tempSuffix = ".agendacal-tmp"

// removeTemporaries removes what builds killed half-way left behind. The
// caller holds the lock, so no other build is writing them.
func removeTemporaries(dir string) {
	for _, sub := range []string{".", "tracks", "sessions"} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, ent := range entries {
			if ent.Type().IsRegular() && strings.HasPrefix(ent.Name(), ".") && strings.HasSuffix(ent.Name(), tempSuffix) {
				os.Remove(filepath.Join(dir, sub, ent.Name()))
			}
		}
	}
}

// manifestName lists the calendars the last build published, one a line.
const manifestName = ".agendacal.manifest"

// sameFile tells whether two paths name one file.
func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// publishManifest replaces the manifest with the list of files rels, each
// once.
func publishManifest(dir string, rels []string) error {
	seen := make(map[string]bool, len(rels))
	f, err := stageFile(dir, manifestName, bufio.NewWriter(nil), func(w io.Writer) error {
		for _, rel := range rels {
			if seen[rel] {
				continue
			}
			seen[rel] = true
			if _, err := io.WriteString(w, rel+"\n"); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = renameFile(f.temp, f.final)
	}
	if err != nil {
		return fmt.Errorf("writing the list of published calendars: %w", err)
	}
	return nil
}

// readManifest returns the files the last build published.
func readManifest(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}

// lockName is the lock file in the output folder.
const lockName = ".agendacal.lock"

// BusyError reports that another build held the output folder's lock for
// longer than Publish would wait.
type BusyError struct {
	Lock   string
	Waited time.Duration
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("another agendacal build is writing this folder (it holds %s); gave up after %v", e.Lock, e.Waited)
}

// lock takes the lock at path, trying every tenth of a second for up to
// wait.
func lock(path string, wait time.Duration) (unlock func(), err error) {
	deadline := time.Now().Add(wait)
	for {
		unlock, ok, err := tryLock(path)
		if err != nil {
			return nil, fmt.Errorf("locking the output folder: %w", err)
		}
		if ok {
			return unlock, nil
		}
		if time.Now().After(deadline) {
			return nil, &BusyError{Lock: path, Waited: wait}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// removeStale removes the calendars the previous build published that this
// one did not: sessions and tracks taken out of the programme. Only files
// in the previous manifest are candidates, so nothing agendacal did not
// write is ever removed. Names are compared without regard to case: on a
// file system that ignores it, "Opening.ics" is the file just published
// as "opening.ics". It returns the files it could not remove.
func removeStale(dir string, previous, published []string) (left []string, err error) {
	keep := make(map[string]string, len(published)) // lower-case name → name
	for _, rel := range published {
		keep[strings.ToLower(rel)] = rel
	}
	var errs []error
	for _, rel := range previous {
		if !filepath.IsLocal(filepath.FromSlash(rel)) || !strings.HasSuffix(rel, ".ics") {
			continue
		}
		old := filepath.Join(dir, filepath.FromSlash(rel))
		if now, ok := keep[strings.ToLower(rel)]; ok {
			// The same calendar, or one whose name changed only in case:
			// on a case-blind file system that is the file just published.
			if now == rel || sameFile(old, filepath.Join(dir, filepath.FromSlash(now))) {
				continue
			}
		}
		if err := os.Remove(old); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			left = append(left, rel)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return left, &PartialError{Published: len(published), Total: len(published), Err: fmt.Errorf("calendars no longer in the programme could not be removed (the next build tries again): %w", err)}
	}
	return nil, nil
}
