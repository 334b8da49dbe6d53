package publish

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// The tree a swap takes out of the output folder is the tree published
// before. It is kept beside the folder, as the spare, and the next build
// edits it into its new tree instead of assembling one anew: where the
// spare's file is the very file the folder publishes (the same inode:
// the two trees share their unchanged files as hard links) and the build
// does not change it, it stays; everything else in the spare is removed,
// and the new tree's other files linked or written as in a tree made
// anew. A build of one changed session then makes a handful of calls to
// the system, not two for each of the folder's files (a link into the new
// tree, an unlink from the old one). Nothing in the spare is trusted but
// that identity, so a build killed while editing it, a stray file or a
// file replaced there by hand cannot reach the folder.

// spareSuffix ends the name of the spare, after stagingPrefix.
const spareSuffix = "previous"

// sparePath is where the spare of the output folder dir is kept.
func sparePath(dir string) string {
	return filepath.Join(besideDir(dir), stagingPrefix(dir)+spareSuffix)
}

// spareUse is the spare taken as a build's staging tree.
type spareUse struct {
	path   string
	unlock func()
	// made tells that this build made it: it goes if the build fails.
	made bool
}

// useSpare takes the spare of the folder dir as this build's staging
// tree, locked, making it where there is none; false when another build
// holds it or it cannot be made.
func useSpare(dir string) (*spareUse, bool) {
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
		if sp.made {
			os.Remove(sp.path)
		}
		return nil, false
	}
	sp.unlock = unlock
	return sp, true
}

// spareLook is the spare as a build found it, read while the build
// plans (lookAtSpare): its entries, each marked where it was the very
// file the folder publishes.
type spareLook struct {
	done    chan struct{}
	there   bool // the spare was there to read
	entries []spareEntry
	err     error
}

// spareEntry is a file or folder in the spare, by path relative to it.
type spareEntry struct {
	rel       string
	published bool // a regular file with the inode of the folder's file of that name
}

// lookAtSpare starts reading the spare of the folder dir on a goroutine
// of its own: the two listings of every folder are most of what editing
// the spare costs, and the build has a core to spare while it plans.
// Only builds of dir, which hold its lock, change the spare or the
// folder.
func lookAtSpare(dir string) *spareLook {
	l := &spareLook{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		l.there, l.entries, l.err = readSpare(sparePath(dir), dir)
	}()
	return l
}

// readSpare lists what the spare at staging holds but its subfolders,
// each entry marked where it is the file the folder live publishes; false
// where there is no spare.
func readSpare(staging, live string) (bool, []spareEntry, error) {
	var out []spareEntry
	there := false
	for _, sub := range append([]string{"."}, subfolders...) {
		spare, err := readDirents(filepath.Join(staging, sub))
		if errors.Is(err, fs.ErrNotExist) || sub != "." && (errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ELOOP)) {
			// A subfolder that is a file or a link is listed at the top,
			// as no folder of the spare: removed like any stray entry.
			continue
		}
		if err != nil {
			return false, nil, err
		}
		there = true
		published := make(map[string]uint64, len(spare))
		if entries, err := readDirents(filepath.Join(live, sub)); err == nil {
			for _, ent := range entries {
				if ent.regular {
					published[ent.name] = ent.ino
				}
			}
		}
		for _, ent := range spare {
			rel := inFolder(sub, ent.name)
			if sub == "." && ent.dir && isSubfolder(rel) {
				continue // listed in its turn
			}
			out = append(out, spareEntry{rel: rel, published: ent.regular && published[ent.name] == ent.ino})
		}
	}
	return there, out, nil
}

// keepFromSpare empties the spare sp of all but the files the new tree
// takes from it as they are: those the folder live publishes
// unchanged (as unchanged says), where the spare's file is the folder's
// (the same inode). It returns those it kept; the subfolders stay. look
// is the spare as the build found it, if read ahead: it serves where it
// saw the spare as the build took it (there, or made anew, empty).
func keepFromSpare(sp *spareUse, live string, look *spareLook, unchanged map[string]bool) (map[string]bool, error) {
	var entries []spareEntry
	var err error
	if look != nil {
		<-look.done
	}
	if look != nil && look.err == nil && look.there != sp.made {
		entries = look.entries
	} else if _, entries, err = readSpare(sp.path, live); err != nil {
		return nil, err
	}
	kept := make(map[string]bool, len(entries))
	for _, ent := range entries {
		if ent.published && unchanged[ent.rel] {
			kept[ent.rel] = true
			continue
		}
		if err := os.RemoveAll(filepath.Join(sp.path, filepath.FromSlash(ent.rel))); err != nil {
			return nil, err
		}
	}
	return kept, nil
}

// clearSpare removes from the spare sp what is not the file the folder
// live publishes under its name: what a build that failed wrote there,
// which might otherwise fill the disk until the next build.
func clearSpare(sp *spareUse, live string) {
	_, entries, err := readSpare(sp.path, live)
	if err != nil {
		os.RemoveAll(sp.path)
		return
	}
	for _, ent := range entries {
		if !ent.published {
			os.RemoveAll(filepath.Join(sp.path, filepath.FromSlash(ent.rel)))
		}
	}
}

// fillSpare links every file of the tree just published at live into the
// spare, when the tree published before (the spare now) held none of
// agendacal's files: after a first build, say. Otherwise the first change
// after it would link them all into the spare itself, its one session
// waiting on as many calls to the system as the folder has files; from
// then on the spare is the tree published before, and each build edits it
// by the files that changed. The folder is published already: a spare
// left part-filled, by a kill or a refused link, is edited like any other.
// The links are made one after another: the system takes a folder's lock
// for each, and goroutines waiting on it only spin.
func fillSpare(ctx context.Context, spare, live string, files []outputFile) {
	for _, sub := range subfolders {
		if fi, err := os.Lstat(filepath.Join(live, sub)); err == nil && fi.IsDir() {
			os.Mkdir(filepath.Join(spare, sub), 0o755)
		}
	}
	links := newLinker(live, spare)
	defer links.close()
	for _, f := range files {
		if ctx.Err() != nil {
			return
		}
		links.link(f.rel)
	}
}
