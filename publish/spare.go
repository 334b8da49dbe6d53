package publish

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// The tree a swap takes out of the output folder is the tree published
// before. It is kept beside the folder, as the spare, and the next build
// edits it into its new tree: only the files that differ between the two
// are linked, written or removed, where assembling a tree anew links every
// file and removing the old one unlinks every file again. A build of one
// changed session then costs a handful of calls to the system, not two for
// each of the folder's files.

// spareSuffix ends the name of the spare, after stagingPrefix.
const spareSuffix = "previous"

// spareRecord is what the bookkeeping knows of the spare: which tree it is
// and where it differs from the folder.
type spareRecord struct {
	// State is the SHA-256 of the spare's own bookkeeping: the spare is
	// used only while it holds exactly that. A build removes it before it
	// touches the spare, so a build that stops half-way leaves a spare
	// that is never trusted.
	State string `json:"state"`
	// Files are the files where the spare differs from the folder, with
	// their digest in the spare; "" where it has none, or not that the
	// bookkeeping can vouch for.
	Files map[string]string `json:"files,omitempty"`
	// Swap counts the swaps, so that no two trees in turn have the same
	// bookkeeping.
	Swap int `json:"swap"`
}

// sparePath is where the spare of the output folder dir is kept.
func sparePath(dir string) string {
	return filepath.Join(besideDir(dir), stagingPrefix(dir)+spareSuffix)
}

// spareUse is the spare taken as a build's staging tree.
type spareUse struct {
	path   string
	unlock func()
	// known tells that it holds prev's files but where prev's record of
	// the spare says otherwise; it is empty when not.
	known bool
	// made tells that this build made it: it goes if the build fails.
	made bool
}

// useSpare takes the spare of the folder dir as this build's staging
// tree, locked, emptied unless it is the tree prev's record names; false
// when it is in use by another build or cannot be made.
func useSpare(dir string, prev *State) (*spareUse, bool) {
	sp := &spareUse{path: sparePath(dir)}
	fi, err := os.Lstat(sp.path)
	if err == nil && !fi.IsDir() {
		os.Remove(sp.path) // not a tree agendacal left: the name is its own
	}
	if err != nil || !fi.IsDir() {
		if err := os.Mkdir(sp.path, 0o755); err != nil {
			return nil, false
		}
		sp.made = true
	}
	unlock, locked, err := tryLock(sp.path)
	if err != nil || !locked {
		return nil, false
	}
	sp.unlock = unlock
	bookkeeping := filepath.Join(sp.path, stateName)
	if rec := prev.Spare; rec != nil && rec.State != "" && prev.digestRead != "" {
		if data, err := readRegular(bookkeeping); err == nil && sha256hex(data) == rec.State {
			// From here on the spare is being changed: never trusted again
			// until it is the folder's tree.
			if os.Remove(bookkeeping) == nil {
				sp.known = true
				return sp, true
			}
		}
	}
	entries, err := readDir(sp.path)
	if err != nil {
		unlock()
		return nil, false
	}
	for _, ent := range entries {
		if err := os.RemoveAll(filepath.Join(sp.path, ent.Name())); err != nil {
			unlock()
			return nil, false
		}
	}
	return sp, true
}

// spareHolds tells what the spare holds at rel, going by prev and its
// record of the spare and by what is there (left by pruneSpare): the
// file's digest, or false when it holds none or one the bookkeeping cannot
// vouch for.
func spareHolds(prev *State, left map[string]bool, rel string) (digest string, ok bool) {
	if !left[rel] {
		return "", false
	}
	if d, differs := prev.Spare.Files[rel]; differs {
		return d, d != ""
	}
	d, published := prev.Files[rel]
	return d, published && d != ""
}

// pruneSpare removes from the spare at staging what the new tree does not
// hold of it: the files and folders agendacal did not write (they are
// carried from the folder afresh), and the calendars the new tree does
// not publish (next lists what it does). It returns the calendars left,
// which are there as regular files.
func pruneSpare(staging string, prev *State, next map[string]string) (map[string]bool, error) {
	left := make(map[string]bool, len(next))
	mine := func(rel string) bool {
		if _, ok := prev.Spare.Files[rel]; ok {
			return true
		}
		_, ok := prev.Files[rel]
		return ok
	}
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := readDir(filepath.Join(staging, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		for _, ent := range entries {
			r := path.Join(rel, ent.Name())
			if rel == "." && isSubfolder(r) && ent.IsDir() {
				if err := walk(r); err != nil {
					return err
				}
				continue
			}
			if ent.Type().IsRegular() && mine(r) {
				if _, published := next[r]; published {
					left[r] = true
					continue
				}
			}
			if err := os.RemoveAll(filepath.Join(staging, filepath.FromSlash(r))); err != nil {
				return err
			}
		}
		return nil
	}
	return left, walk(".")
}

// recordSpare is the record of the spare a swap leaves: the folder's tree
// until now, which holds prev's files, as far as the folder held them
// (existing), and differs from next wherever a file was written or
// removed.
func recordSpare(prev, next *State, existing folderListing) *spareRecord {
	if prev.digestRead == "" {
		return nil // the tree was not left by a whole build
	}
	rec := &spareRecord{State: prev.digestRead, Files: map[string]string{}}
	if prev.Spare != nil {
		rec.Swap = prev.Spare.Swap + 1
	}
	for rel, d := range prev.Files {
		if !existing.regular(rel) {
			d = ""
		}
		if d == "" || next.Files[rel] != d {
			rec.Files[rel] = d
		}
	}
	for rel := range next.Files {
		if _, ok := prev.Files[rel]; !ok {
			rec.Files[rel] = ""
		}
	}
	return rec
}

// removeIfThere removes the file at name, if there is one.
func removeIfThere(name string) error {
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
