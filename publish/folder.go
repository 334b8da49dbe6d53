// Package publish keeps an output folder in step with a programme. It
// decides what changed since the last build (the bookkeeping in
// .agendacal.state: every event's fingerprint, SEQUENCE and when it last
// changed, every file's digest), keeps the ids sessions were first
// published under, keeps removed sessions as cancelled events for a while,
// and rewrites exactly the files whose bytes change.
package publish

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/ical"
	"github.com/agendacal/agendacal/site"
)

// Options say how a build publishes.
type Options struct {
	// Now is the time of the build: the DTSTAMP and LAST-MODIFIED of every
	// event that is new or changed.
	Now time.Time
	// Wait is how long to wait for another build writing the same folder.
	Wait time.Duration
	// KeepRemoved is how long a session removed from the programme stays
	// published as a cancelled event.
	KeepRemoved time.Duration
	// Force publishes into a folder that holds another programme, and
	// adopts calendars in the way when the bookkeeping was lost.
	Force bool
	// BaseURL is the https address the folder is served at: the page then
	// offers subscriptions, not only downloads.
	BaseURL string
	// Alarm, when set, adds a reminder this long before each session to
	// the session files (feeds carry none: subscribed calendars drop or
	// ignore them).
	Alarm time.Duration

	// Source, when set, is what the build is made from: the bookkeeping
	// remembers it, so that UpToDate can tell a rebuild with nothing to do.
	Source *Source
	// ReadAhead, when set, is the folder's bookkeeping being read while
	// the programme was.
	ReadAhead *ReadAhead

	// inPlace publishes file by file even where the folder could be
	// swapped whole, so that tests reach that way on any machine.
	inPlace bool
	// digestOnWrite leaves the digest of a file the last build did not
	// publish to be worked out as it is written, in the same pass.
	digestOnWrite bool
	// forgetEvents lets NewPlan drop the last build's events once it has
	// revised the new ones, for their memory: the folder needs no more of
	// them, where a bucket's pending bookkeeping does.
	forgetEvents bool
}

// Report says what a build did.
type Report struct {
	// Recovered is how many events were read back from the published
	// calendars because the bookkeeping was missing (0 when it was there).
	Recovered int
	// Rebuilt tells that the bookkeeping was missing and rebuilt.
	Rebuilt bool
	// Written, Unchanged and Removed count calendar files.
	Written, Unchanged, Removed int

	// spared counts the files the new tree took from the spare as they
	// were.
	spared int
}

// Folder publishes the programme's calendars into dir:
//
//	programme.ics         every session
//	tracks/<track>.ics    one for each track
//	sessions/<id>.ics     one for each session
//	.agendacal.state      the bookkeeping
//
// Every file that changes is first written in full under a temporary name
// in its own folder; only when all are written are they renamed into place,
// so a reader never sees half a file and a build that fails or is
// cancelled before then leaves what was published before as it was, with
// no folder it did not find. Files whose bytes do not change are not
// touched. Only one build writes into a folder at a time.
func Folder(ctx context.Context, dir string, p *agenda.Programme, opts Options) (rep Report, err error) {
	made, err := mkdirs(dir)
	if err != nil {
		return rep, fmt.Errorf("creating the output folder: %w", err)
	}
	b := &build{dir: dir, opts: opts, made: made}
	defer func() {
		if err != nil {
			b.undo()
		}
	}()
	// The folder is worked on where it really is: a link to it stays one.
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return rep, fmt.Errorf("finding the output folder: %w", err)
	}
	b.dir = dir
	unlock, err := Lock(dir, opts.Wait)
	if err != nil {
		return rep, err
	}
	defer unlock()
	removeStaleTrees(dir)
	if b.swappable = !opts.inPlace && canSwap(dir); b.swappable {
		b.look = lookAtSpare(dir)
	}
	folder, folderErr := readFolder(dir)
	removeLeftovers(dir, folder)
	listed := make(chan folderListing, 1) // by name, while the build plans
	go func() { listed <- folder.listing() }()
	prev, err := b.previous(p)
	if err != nil {
		return rep, err
	}
	rep.Rebuilt, rep.Recovered = b.rebuilt, b.recovered
	opts.digestOnWrite, opts.forgetEvents = true, true
	pl, err := NewPlan(ctx, prev, p, opts, func(rel string) ([]byte, error) {
		return readRegular(filepath.Join(dir, filepath.FromSlash(rel)))
	})
	if err != nil {
		return rep, err
	}
	next, files, digests := pl.State, pl.files, pl.digests
	b.plan = pl
	next.encodeEventsAhead() // most of the bookkeeping, while files are written
	if folderErr != nil {
		return rep, folderErr
	}
	existing := <-listed
	var changed []int
	for i, f := range files {
		if digests[i] != "" && existing.regular(f.rel) && prev.Files[f.rel] == digests[i] {
			rep.Unchanged++
			continue
		}
		changed = append(changed, i)
	}
	if err := nothingInTheWay(dir, files, changed, existing, prev.Files, opts.Force); err != nil {
		return rep, err
	}
	stale := staleFiles(prev.Files, next.Files)
	if len(changed) == 0 && len(stale) == 0 {
		next.Fresh = freshness(opts.Source, dir, pl.all, next, opts)
		if prev.Unchanged(next) {
			return rep, nil // nothing to do, not even the bookkeeping
		}
		// Every file as it was: only the bookkeeping changes, in one
		// rename.
		if err := b.writeState(next); err != nil {
			return rep, err
		}
		os.Remove(filepath.Join(dir, pendingName))
		return rep, nil
	}
	err = b.publishTree(ctx, files, changed, next, prev)
	if err == nil {
		rep.Written, rep.Removed, rep.spared = len(changed), len(stale), b.spared
		return rep, nil
	}
	if !errors.Is(err, errCannotSwap) {
		return rep, err
	}
	b.dropStaging()
	return b.publishInPlace(ctx, rep, files, changed, stale, next)
}

// publishInPlace publishes where the output folder cannot be swapped
// whole: each changed file is written in full under a temporary name, and
// only when all are written are they renamed into place, one by one. A
// kill during the renames leaves some calendars old and some new, until
// the next build.
func (b *build) publishInPlace(ctx context.Context, rep Report, files []outputFile, changed []int, stale []string, next *State) (Report, error) {
	dir := b.dir
	for _, i := range changed {
		if sub := path.Dir(files[i].rel); sub != "." {
			made, err := mkdirs(filepath.Join(dir, sub))
			if err != nil {
				return rep, fmt.Errorf("creating the output folder: %w", err)
			}
			b.made = append(made, b.made...)
		}
	}
	buffers := make(chan *bufio.Writer, workers)
	for range workers {
		buffers <- bufio.NewWriterSize(nil, 64<<10)
	}
	b.staged = make([]stagedFile, len(changed))
	err := parallel(ctx, len(changed), func(j int) error {
		bw := <-buffers
		defer func() { buffers <- bw }()
		f := files[changed[j]]
		staged, err := stageFile(dir, f.rel, bw, b.plan.writer(changed[j]))
		b.staged[j] = staged
		return err
	})
	if err != nil {
		return rep, err
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	// Before anything is replaced, the files about to be are listed in
	// .agendacal.pending: a build that stops half-way leaves the previous
	// bookkeeping, which with that list knows every file there and which
	// of them it can no longer vouch for, and the next build rewrites
	// those.
	var replaced []string
	for _, i := range changed {
		replaced = append(replaced, files[i].rel)
	}
	if err := b.writePending(replaced); err != nil {
		return rep, err
	}
	b.made = nil // from here on, the folders hold published files
	for i, f := range b.staged {
		if err := renameFile(f.temp, f.final); err != nil {
			return rep, &PartialError{Published: i, Total: len(b.staged), Err: err}
		}
		b.staged[i].temp = ""
	}
	rep.Written = len(changed)
	b.plan.settle()
	left, removeErr := removeStale(dir, stale, next.Files)
	rep.Removed = len(stale) - len(left)
	for _, rel := range left {
		next.Files[rel] = ""
	}
	if len(left) == 0 && removeErr == nil {
		// With a calendar left that should have gone, the next build must
		// not find the folder up to date.
		next.Fresh = freshness(b.opts.Source, dir, b.plan.all, next, b.opts)
	}
	if err := b.writeState(next); err != nil {
		return rep, &PartialError{Published: len(changed), Total: len(changed), Err: err}
	}
	if b.rebuilt {
		os.Remove(filepath.Join(dir, legacyManifest)) // the state replaces it
	}
	os.Remove(filepath.Join(dir, pendingName))
	return rep, removeErr
}

// build is one run of Folder: what it made, to undo it when it fails.
type build struct {
	dir  string
	opts Options
	// made are the folders this build created, deepest first: removed
	// again when it fails.
	made   []string
	staged []stagedFile
	// staging is the new tree being assembled beside the folder, made
	// for this build; spare is the spare being edited into it instead.
	staging string
	spare   *spareUse
	spared  int
	// swappable tells that the folder can be swapped whole for a new
	// tree; look is then the spare, read while the build plans.
	swappable bool
	look      *spareLook
	// plan is the build's plan.
	plan *Plan
	// rebuilt tells that the bookkeeping was missing; recovered counts the
	// events read back from the calendars then.
	rebuilt   bool
	recovered int
}

// undo removes what a failed build wrote: its temporary files and the
// folders it created.
func (b *build) undo() {
	for _, f := range b.staged {
		if f.temp != "" {
			os.Remove(f.temp)
		}
	}
	b.dropStaging()
	for _, d := range b.made {
		os.Remove(d) // only when empty
	}
}

// dropStaging removes the tree this build was assembling beside the
// folder, where the build made it; of a spare that was there before, only
// what the build wrote into it goes (the next build takes from it only
// what it can vouch for, and the files it shares with the folder cost no
// room). It forgets the tree.
func (b *build) dropStaging() {
	if b.staging != "" {
		os.RemoveAll(b.staging)
	}
	if b.spare != nil {
		if b.spare.made {
			os.RemoveAll(b.spare.path)
		} else {
			clearSpare(b.spare, b.dir)
		}
	}
	b.staging, b.spare = "", nil
}

// previous returns the bookkeeping of the last build: read from
// .agendacal.state, or, when that is missing, rebuilt from the calendars in
// the folder.
func (b *build) previous(p *agenda.Programme) (*State, error) {
	st, err := b.opts.ReadAhead.state(b.dir)
	if err != nil {
		return nil, err
	}
	if st != nil {
		// The files a build that stopped half-way was publishing: any
		// of them may hold its bytes or the ones before.
		if data, err := readRegular(filepath.Join(b.dir, pendingName)); err == nil {
			for _, rel := range strings.Fields(string(data)) {
				if couldWrite(rel) {
					st.Files[rel] = ""
				}
			}
			st.read = "" // the bookkeeping is to be written again
		}
		if err := st.Claim(b.dir, p, b.opts.Force); err != nil {
			return nil, err
		}
		return st, nil
	}
	b.rebuilt = true
	candidates, err := calendarsIn(b.dir)
	if err != nil {
		return nil, err
	}
	st = Recovered(func(rel string) ([]byte, error) {
		return readRegular(filepath.Join(b.dir, filepath.FromSlash(rel)))
	}, p, candidates, b.opts.Force)
	if data, err := readRegular(filepath.Join(b.dir, "index.html")); err == nil && bytes.Contains(data, []byte(site.Generator)) {
		st.Files["index.html"] = digestOf(data)
	}
	if other := st.Programme.UIDDomain; other != "" && other != p.UIDDomain && !b.opts.Force {
		return nil, &OtherProgrammeError{Dir: b.dir, UIDDomain: other}
	}
	// A manifest of agendacal 1.0 lists the calendars it wrote.
	if data, err := readRegular(filepath.Join(b.dir, legacyManifest)); err == nil {
		for _, rel := range strings.Fields(string(data)) {
			if _, ok := st.Files[rel]; !ok && couldWrite(rel) {
				st.Files[rel] = ""
			}
		}
	}
	b.recovered = len(st.Events)
	return st, nil
}

// writeState replaces the bookkeeping with st.
func (b *build) writeState(st *State) error {
	if err := b.replace(stateName, st.writeTo); err != nil {
		return fmt.Errorf("writing the bookkeeping %s: %w", stateName, err)
	}
	return nil
}

// writePending lists in .agendacal.pending the files this build is about
// to add or replace.
func (b *build) writePending(rels []string) error {
	if len(rels) == 0 {
		return nil
	}
	list := func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Join(rels, "\n")+"\n")
		return err
	}
	if err := b.replace(pendingName, list); err != nil {
		return fmt.Errorf("writing the bookkeeping %s: %w", pendingName, err)
	}
	return nil
}

// replace replaces the file rel in the output folder, whole, with what
// write writes.
func (b *build) replace(rel string, write func(io.Writer) error) error {
	f, err := stageFile(b.dir, rel, bufio.NewWriterSize(nil, 64<<10), write)
	if err == nil {
		err = renameFile(f.temp, f.final)
	}
	return err
}

// OtherProgrammeError reports a folder that publishes another programme.
type OtherProgrammeError struct {
	Dir, Title, UIDDomain string
}

func (e *OtherProgrammeError) Error() string {
	name := ""
	if e.Title != "" {
		name = fmt.Sprintf(" %q", e.Title)
	}
	return fmt.Sprintf("%q publishes another programme%s (uid_domain %s); build into another folder, or give --force to replace it", e.Dir, name, e.UIDDomain)
}

// programmeCalendar is the calendar of every session: the feed
// participants subscribe to.
func programmeCalendar(p *agenda.Programme) ical.Calendar {
	return ical.Calendar{Sessions: p.Sessions, Feed: true}
}

// outputFile is one file of the output folder: a calendar, or the page.
type outputFile struct {
	rel      string // with '/'
	calendar ical.Calendar
	page     [][]byte // the page's parts, written in turn
}

// write writes the file's bytes.
func (f outputFile) write(w io.Writer, e *ical.Encoder) error {
	if f.page != nil {
		for _, part := range f.page {
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
		return nil
	}
	return e.Encode(w, f.calendar)
}

// upcomingAbove is the number of sessions past which a programme also
// gets upcoming.ics: Google stops reading feeds at about 1 MB.
const upcomingAbove = 1000

// feedsOf lists the calendars of the folder that participants subscribe
// to, for the page: all but the sessions' own.
func feedsOf(p *agenda.Programme, files []outputFile) []site.Feed {
	var feeds []site.Feed
	for _, f := range files {
		switch c := f.calendar; {
		case strings.HasPrefix(f.rel, "sessions/"):
		case c.Track != nil:
			feeds = append(feeds, site.Feed{Name: c.Track.Name, Path: f.rel})
		case c.Subtitle != "":
			feeds = append(feeds, site.Feed{Name: c.Subtitle, Path: f.rel})
		default:
			feeds = append(feeds, site.Feed{Name: p.Title, Path: f.rel})
		}
	}
	return feeds
}

// outputFiles lists the calendars of a programme's output folder: the
// whole programme; each track with the sessions of no track unless the
// track is not common; each room; each day; each session, with a reminder
// when alarm is set; and, for a large programme, the sessions not yet
// ended at now.
func outputFiles(p *agenda.Programme, now time.Time, alarm time.Duration) []outputFile {
	byTrack := make(map[*agenda.Track][]*agenda.Session, len(p.Tracks))
	byRoom := make(map[*agenda.Room][]*agenda.Session, len(p.Rooms))
	byDay := map[string][]*agenda.Session{}
	var days []string
	for _, s := range p.Sessions {
		if len(s.Tracks) == 0 {
			for _, t := range p.Tracks {
				if t.Common {
					byTrack[t] = append(byTrack[t], s)
				}
			}
		}
		for _, t := range s.Tracks {
			byTrack[t] = append(byTrack[t], s)
		}
		if s.Room != nil {
			byRoom[s.Room] = append(byRoom[s.Room], s)
		}
		if _, ok := byDay[s.Date]; !ok {
			days = append(days, s.Date)
		}
		byDay[s.Date] = append(byDay[s.Date], s)
	}
	files := make([]outputFile, 0, 2+len(p.Tracks)+len(p.Rooms)+len(days)+len(p.Sessions))
	files = append(files, outputFile{rel: "programme.ics", calendar: programmeCalendar(p)})
	if len(p.Sessions) > upcomingAbove {
		upcoming := make([]*agenda.Session, 0, len(p.Sessions))
		for _, s := range p.Sessions {
			if s.End.After(now) {
				upcoming = append(upcoming, s)
			}
		}
		files = append(files, outputFile{rel: "upcoming.ics", calendar: ical.Calendar{Sessions: upcoming, Subtitle: ical.WordsFor(p.Language).Upcoming, Feed: true}})
	}
	for _, t := range p.Tracks {
		files = append(files, outputFile{rel: "tracks/" + t.ID + ".ics", calendar: ical.Calendar{Sessions: byTrack[t], Track: t, Feed: true}})
	}
	for _, r := range p.Rooms {
		if len(byRoom[r]) > 0 {
			files = append(files, outputFile{rel: "rooms/" + r.ID + ".ics", calendar: ical.Calendar{Sessions: byRoom[r], Subtitle: r.Name, Feed: true}})
		}
	}
	sort.Strings(days)
	// A session that goes on into later days of the programme (a desk
	// open all week, a night that ends after midnight) is in their
	// calendars too, before the sessions that start there.
	var carried map[string][]*agenda.Session
	for _, s := range p.Sessions {
		last := lastDay(s, p.Zone)
		if last <= s.Date {
			continue
		}
		for i := sort.SearchStrings(days, s.Date) + 1; i < len(days) && days[i] <= last; i++ {
			if carried == nil {
				carried = map[string][]*agenda.Session{}
			}
			carried[days[i]] = append(carried[days[i]], s)
		}
	}
	for _, d := range days {
		sessions := byDay[d]
		if c := carried[d]; c != nil {
			sessions = append(c, sessions...)
		}
		files = append(files, outputFile{rel: "days/" + d + ".ics", calendar: ical.Calendar{Sessions: sessions, Subtitle: d, Feed: true}})
	}
	for _, s := range p.Sessions {
		files = append(files, outputFile{rel: "sessions/" + s.ID + ".ics", calendar: ical.Calendar{Sessions: []*agenda.Session{s}, Alarm: alarm}})
	}
	return files
}

// lastDay is the last date, in zone, that s takes up: the day before the
// midnight it ends at.
func lastDay(s *agenda.Session, zone *time.Location) string {
	if s.AllDay {
		_, after := s.WholeDays(zone)
		return after.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	end := s.End.In(zone)
	y, m, d := end.Date()
	if sy, sm, sd := s.Start.In(zone).Date(); y == sy && m == sm && d == sd {
		return s.Date // most sessions: ended the day they began
	}
	if end.Equal(time.Date(y, m, d, 0, 0, 0, 0, zone)) {
		end = end.Add(-time.Nanosecond)
	}
	return end.Format(time.DateOnly)
}

// couldWrite tells whether agendacal could have written a calendar of this
// name: index.html, programme.ics, upcoming.ics, or a file of one of its
// subfolders.
// Bookkeeping that names anything else (edited, or written by a hostile
// hand) is ignored, so that no build ever replaces or removes a file
// elsewhere.
func couldWrite(rel string) bool {
	if rel == "index.html" {
		return true
	}
	dir, name := path.Split(rel)
	if !strings.HasSuffix(name, ".ics") || strings.HasPrefix(name, ".") || strings.ContainsAny(name, `\:`) {
		return false
	}
	return dir == "" && (name == "programme.ics" || name == "upcoming.ics") || isSubfolder(strings.TrimSuffix(dir, "/"))
}

// subfolders are the folders of the output folder that hold calendars.
var subfolders = []string{"tracks", "rooms", "days", "sessions"}

// entry is a name in the output folder.
type entry struct {
	name    string // with '/', as the folder spells it
	regular bool
}

// folderListing holds the names of the output folder and its subfolders
// by lower-case name: a case-blind file system sees them so.
type folderListing map[string][]entry

// regular tells whether a regular file of exactly this name is there.
func (l folderListing) regular(rel string) bool {
	for _, ent := range l[strings.ToLower(rel)] {
		if ent.name == rel {
			return ent.regular
		}
	}
	return false
}

// listing lists the output folder and its subfolders: one listing of each
// folder costs less than a look at every file.
func listing(dir string) (folderListing, error) {
	entries, err := readFolder(dir)
	if err != nil {
		return nil, err
	}
	return entries.listing(), nil
}

// folderEntries are what the output folder holds at its top (".") and in
// its subfolders, read once by a build, in no order.
type folderEntries map[string][]fs.DirEntry

// readFolder reads the top of the output folder and its subfolders; the
// error is a subfolder that is a symbolic link.
func readFolder(dir string) (folderEntries, error) {
	out := folderEntries{}
	var linked error
	for _, sub := range append([]string{"."}, subfolders...) {
		fi, err := os.Lstat(filepath.Join(dir, sub))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			if linked == nil {
				linked = fmt.Errorf("%s is a symbolic link: agendacal writes only into folders of its own there; replace it with a folder and build again", filepath.Join(dir, sub))
			}
			continue
		}
		if err != nil || !fi.IsDir() {
			continue // reported by nothingInTheWay
		}
		entries, err := readDir(filepath.Join(dir, sub))
		if err != nil {
			return nil, fmt.Errorf("reading the output folder: %w", err)
		}
		out[sub] = entries
	}
	return out, linked
}

// listing is what the entries are, by name.
func (fe folderEntries) listing() folderListing {
	out := folderListing{}
	for sub, entries := range fe {
		for _, ent := range entries {
			rel := inFolder(sub, ent.Name())
			key := strings.ToLower(rel)
			out[key] = append(out[key], entry{name: rel, regular: ent.Type().IsRegular()})
		}
	}
	return out
}

// inFolder is the path of the entry name listed in the folder rel ("."
// for the top), as path.Join makes it: names the system lists hold no
// '/' and are never "." or "..".
func inFolder(rel, name string) string {
	if rel == "." {
		return name
	}
	return rel + "/" + name
}

// readDir reads a folder's entries in the order the system gives them:
// sorting ten thousand names is work no caller needs.
func readDir(name string) ([]fs.DirEntry, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// calendarsIn lists the .ics files of the output folder.
func calendarsIn(dir string) ([]string, error) {
	all, err := listing(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ents := range all {
		for _, ent := range ents {
			if ent.regular && strings.HasSuffix(ent.name, ".ics") {
				out = append(out, ent.name)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// nothingInTheWay checks, before anything is replaced, that no folder or
// other non-file stands where a changed file goes (it would stop the
// renames half-way), and that no file agendacal did not write would be
// replaced: one the bookkeeping does not list. Names are compared without
// case, as case-blind file systems see them: a file that differs from a
// new calendar's name only in case is in the way too, unless agendacal
// wrote it. force tells that the build was given --force, which a file in
// the way withstood.
func nothingInTheWay(dir string, files []outputFile, changed []int, existing folderListing, ours map[string]string, force bool) error {
	for _, sub := range subfolders {
		for _, ent := range existing[sub] {
			if !ent.isDir(dir) {
				return fmt.Errorf("publishing into %s: something other than a folder is in the way; move it and build again", filepath.Join(dir, ent.name))
			}
		}
	}
	for _, i := range changed {
		rel := files[i].rel
		for _, ent := range existing[strings.ToLower(rel)] {
			final := filepath.Join(dir, filepath.FromSlash(ent.name))
			if !ent.regular {
				return fmt.Errorf("publishing %s: something other than a file is in the way; move it and build again", final)
			}
			if _, mine := ours[ent.name]; !mine {
				hint := "move it away, or give --force to replace calendars in the way, and build again"
				if force || !strings.HasSuffix(rel, ".ics") {
					hint = "move it away and build again (--force replaces only calendars it can read)"
				}
				return fmt.Errorf("publishing %s: a file of that name is there, and agendacal did not write it (the bookkeeping %s does not list it); %s", final, stateName, hint)
			}
		}
	}
	return nil
}

func (ent entry) isDir(dir string) bool {
	fi, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(ent.name)))
	return err == nil && fi.IsDir()
}

// staleFiles are the calendars the last build published that this one
// does not.
func staleFiles(prev, next map[string]string) []string {
	var out []string
	for rel := range prev {
		if _, ok := next[rel]; !ok {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
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

// parallel calls do(i) for i in [0, n) on up to workers goroutines, each
// taking the next i not yet taken, and returns the first error; once one
// fails or ctx is done, no more start.
func parallel(ctx context.Context, n int, do func(i int) error) error {
	g, ctx := errgroup.WithContext(ctx)
	var next atomic.Int64
	for range min(workers, n) {
		g.Go(func() error {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := do(i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// stagedFile is a file written in full under a temporary name.
type stagedFile struct {
	temp, final string
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
	return stagedFile{temp: temp, final: final}, nil
}

// tempSuffix ends the names of files not yet published.
const tempSuffix = ".agendacal-tmp"

// pendingName lists the files a build is publishing that the bookkeeping
// does not list yet, while it publishes them.
const pendingName = ".agendacal.pending"

// legacyManifest and legacyLock are the bookkeeping of agendacal 1.0: the
// manifest is read once to adopt its calendars, and both are removed.
const (
	legacyManifest = ".agendacal.manifest"
	legacyLock     = ".agendacal.lock"
)

// removeLeftovers removes what builds killed half-way left behind. The
// caller holds the lock, so no other build is writing them.
func removeLeftovers(dir string, folder folderEntries) {
	for sub, entries := range folder {
		for _, ent := range entries {
			if ent.Type().IsRegular() && strings.HasPrefix(ent.Name(), ".") && strings.HasSuffix(ent.Name(), tempSuffix) {
				os.Remove(filepath.Join(dir, sub, ent.Name()))
			}
		}
	}
}

// mkdirs creates dir and any missing parents, and returns those it
// created, deepest first.
func mkdirs(dir string) ([]string, error) {
	var made []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		made = append(made, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		for _, d := range made {
			os.Remove(d)
		}
		return nil, err
	}
	return made, nil
}

// BusyError reports that another build held the output folder's lock for
// longer than Folder would wait.
type BusyError struct {
	Dir    string
	Waited time.Duration
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("another agendacal run is writing %q; gave up after %v", e.Dir, e.Waited)
}

// Lock locks a folder agendacal writes (the output folder, the folder of
// invitations) against other runs, trying every tenth of a second for up to
// wait.
func Lock(dir string, wait time.Duration) (unlock func(), err error) {
	deadline := time.Now().Add(wait)
	for {
		unlock, ok, err := tryLock(dir)
		if err != nil {
			return nil, fmt.Errorf("locking the output folder: %w", err)
		}
		if ok {
			return unlock, nil
		}
		if time.Now().After(deadline) {
			return nil, &BusyError{Dir: dir, Waited: wait}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// removeStale removes the calendars the previous build published that this
// one does not: sessions and tracks taken out of the programme. Only files
// the bookkeeping lists are candidates, so nothing agendacal did not write
// is ever removed. On a file system that ignores case, "Opening.ics" may
// be the file just published as "opening.ics": it stays. It returns the
// files it could not remove, and the folders left empty go too.
func removeStale(dir string, stale []string, published map[string]string) (left []string, err error) {
	keep := make(map[string]string, len(published)) // lower-case name → name
	for rel := range published {
		keep[strings.ToLower(rel)] = rel
	}
	var errs []error
	for _, rel := range stale {
		if !couldWrite(rel) {
			continue
		}
		old := filepath.Join(dir, filepath.FromSlash(rel))
		if now, ok := keep[strings.ToLower(rel)]; ok && (sameFile(old, filepath.Join(dir, filepath.FromSlash(now))) || caseBlind(filepath.Dir(old))) {
			continue
		}
		if err := os.Remove(old); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			left = append(left, rel)
		}
	}
	for _, sub := range subfolders {
		os.Remove(filepath.Join(dir, sub)) // only when empty
	}
	if err := errors.Join(errs...); err != nil {
		return left, &PartialError{Published: len(published), Total: len(published), Err: fmt.Errorf("calendars no longer in the programme could not be removed (the next build tries again): %w", err)}
	}
	return nil, nil
}

// caseBlind tells whether the file system of dir ignores the case of names
// (FAT, macOS, Windows shares), where inodes may not tell: it makes a file
// and looks for it under another case.
func caseBlind(dir string) bool {
	f, err := os.CreateTemp(dir, ".agendacal-case-")
	if err != nil {
		return false
	}
	name := f.Name()
	f.Close()
	defer os.Remove(name)
	_, err = os.Lstat(filepath.Join(dir, strings.ToUpper(filepath.Base(name))))
	return err == nil
}

// sameFile tells whether two paths name one file.
func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}
