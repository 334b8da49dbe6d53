package publish

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// errCannotSwap says that the output folder cannot be exchanged with a new
// tree (another system, a mount point, a parent folder agendacal may not
// write): the build publishes file by file instead.
var errCannotSwap = errors.New("the output folder cannot be swapped")

// stagingPrefix starts the name of the folder, beside the output folder,
// where a build assembles the new tree; the old tree goes there after the
// swap until it is removed.
func stagingPrefix(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return "." + filepath.Base(dir) + ".agendacal-"
}

// besideDir is the folder that holds dir.
func besideDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return filepath.Dir(dir)
	}
	return filepath.Dir(abs)
}

// publishTree publishes all or nothing: it assembles the complete new tree
// in a folder beside dir (new and changed files written, unchanged ones
// hard-linked so that they keep their inode and modification time, every
// file and folder agendacal did not write linked or recreated as it is),
// then exchanges the two trees in one atomic step. A kill at any instant
// leaves either the old tree or the new one at dir, never a mix.
func (b *build) publishTree(ctx context.Context, files []outputFile, changed []int, next *State, prev *State) error {
	if !b.swappable {
		return errCannotSwap
	}
	// The tree published before, kept beside the folder by the last swap,
	// is edited into the new one; failing that, one is made afresh.
	var staging string
	sp, ok := useSpare(b.dir)
	var err error
	if ok {
		defer sp.unlock()
		staging, b.spare = sp.path, sp
	} else {
		if staging, err = os.MkdirTemp(besideDir(b.dir), stagingPrefix(b.dir)); err != nil {
			return errCannotSwap
		}
		b.staging = staging
	}
	if fi, err := os.Stat(b.dir); err == nil {
		os.Chmod(staging, fi.Mode().Perm())
	}
	isChanged := make([]bool, len(files))
	for _, i := range changed {
		isChanged[i] = true
	}
	var kept map[string]bool
	if ok {
		unchanged := make(map[string]bool, len(files))
		for i, f := range files {
			unchanged[f.rel] = !isChanged[i]
		}
		if kept, err = keepFromSpare(sp, b.dir, b.look, unchanged); err != nil {
			return fmt.Errorf("editing the tree published before: %w", err)
		}
		b.spared = len(kept)
	}
	for _, sub := range subfolders {
		for _, f := range files {
			if path.Dir(f.rel) == sub {
				if err := os.Mkdir(filepath.Join(staging, sub), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
					return fmt.Errorf("creating the new tree: %w", err)
				}
				break
			}
		}
	}
	// What the organiser put into the folder is carried into the new tree
	// while the calendars are written into it: the two never share a name
	// (carry refuses a file of a calendar's name), and the subfolders are
	// made already.
	carried := make(chan error, 1)
	go func() { carried <- carry(b.dir, staging, ".", &carrying{mine: prev.Files, files: files}) }()
	buffers := make(chan *bufio.Writer, workers)
	for range workers {
		buffers <- bufio.NewWriterSize(nil, 64<<10)
	}
	links := newLinker(b.dir, staging)
	defer links.close()
	err = parallel(ctx, len(files), func(i int) error {
		f := files[i]
		if kept[f.rel] {
			return nil // the spare holds it already
		}
		if !isChanged[i] && links.link(f.rel) == nil {
			return nil
		}
		bw := <-buffers
		defer func() { buffers <- bw }()
		if err := createFile(filepath.Join(staging, filepath.FromSlash(f.rel)), bw, b.plan.writer(i)); err != nil {
			return fmt.Errorf("writing %s: %w", f.rel, err)
		}
		return nil
	})
	if err := <-carried; err != nil {
		return err
	}
	if err != nil {
		return err
	}
	for _, sub := range subfolders {
		os.Remove(filepath.Join(staging, sub)) // only when it is left empty
	}
	b.plan.settle()
	next.Fresh = freshness(b.opts.Source, staging, b.plan.all, next, b.opts)
	if err := createFile(filepath.Join(staging, stateName), bufio.NewWriterSize(nil, 64<<10), next.writeTo); err != nil {
		return fmt.Errorf("writing the bookkeeping %s: %w", stateName, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := exchange(staging, b.dir); err != nil {
		return errCannotSwap
	}
	// The old tree is where the new one was. Kept as the spare, it is the
	// next build's staging tree; otherwise it goes, and with it the
	// calendars no longer published.
	b.made = nil
	if b.staging != "" {
		os.RemoveAll(b.staging)
		b.staging = ""
	}
	b.spare = nil
	if ok && len(prev.Files) == 0 {
		fillSpare(ctx, sp.path, b.dir, files)
	}
	return nil
}

// carrying is what carry goes by: the files agendacal wrote (the
// bookkeeping's, by name), and those the build writes.
type carrying struct {
	mine  map[string]string
	files []outputFile
	lower map[string]string // the build's files by lower-case name, made when first asked
}

// inTheWay tells the file the build writes where the organiser's entry
// rel is, on a case-blind disk too. A subfolder is no file's name: the
// build's files are looked up only for what the organiser put there.
func (c *carrying) inTheWay(rel string, ent fs.DirEntry) (string, bool) {
	if ent.IsDir() && isSubfolder(rel) {
		return "", false
	}
	if c.lower == nil {
		c.lower = make(map[string]string, len(c.files))
		for _, f := range c.files {
			c.lower[strings.ToLower(f.rel)] = f.rel
		}
	}
	name, ok := c.lower[strings.ToLower(rel)]
	return name, ok
}

// carry recreates in to what from holds under rel that agendacal did not
// write (c.mine lists what it did), never following a symbolic link:
// folders are made again, files hard-linked (or copied where a link is
// refused), links recreated. A file agendacal did not write where a new
// calendar goes is an error, as is a symbolic link where agendacal needs a
// folder.
func carry(from, to, rel string, c *carrying) error {
	// Read now, not when the build began: a file the organiser adds
	// while a build plans goes into the new tree too.
	entries, err := readDir(filepath.Join(from, rel))
	if err != nil {
		return fmt.Errorf("reading the output folder: %w", err)
	}
	for _, ent := range entries {
		r := inFolder(rel, ent.Name())
		// What sits where agendacal wrote a calendar but is not a file
		// (a folder made there since) is the organiser's, and goes too.
		if _, mine := c.mine[r]; mine && ent.Type().IsRegular() || isBookkeeping(r) || isTemporary(ent.Name()) {
			continue
		}
		src, dst := filepath.Join(from, filepath.FromSlash(r)), filepath.Join(to, filepath.FromSlash(r))
		if name, ok := c.inTheWay(r, ent); ok {
			return fmt.Errorf("publishing %s: a file of that name is there, and agendacal did not write it (the bookkeeping %s does not list it); move it away, or give --force to replace calendars in the way, and build again", filepath.Join(from, filepath.FromSlash(name)), stateName)
		}
		switch t := ent.Type(); {
		case t.IsDir():
			fi, err := ent.Info()
			if err != nil {
				return err
			}
			if err := os.Mkdir(dst, fi.Mode().Perm()); errors.Is(err, fs.ErrExist) && isSubfolder(r) {
				os.Chmod(dst, fi.Mode().Perm()) // the spare's own
			} else if err != nil {
				return fmt.Errorf("creating the new tree: %w", err)
			}
			if err := carry(from, to, r, c); err != nil {
				return err
			}
		case t&fs.ModeSymlink != 0:
			if isSubfolder(r) {
				return fmt.Errorf("%s is a symbolic link: agendacal writes only into folders of its own there; replace it with a folder and build again", src)
			}
			target, err := os.Readlink(src)
			if err == nil {
				err = os.Symlink(target, dst)
			}
			if err != nil {
				return fmt.Errorf("keeping %s: %w", src, err)
			}
		case t.IsRegular():
			if err := linkOrCopy(src, dst); err != nil {
				return fmt.Errorf("keeping %s: %w", src, err)
			}
		default:
			return fmt.Errorf("%s is neither a file, a folder nor a link; move it out of the output folder and build again", src)
		}
	}
	return nil
}

// linkOrCopy makes dst the file src: a hard link, or a copy where the
// system refuses one (a file of another user, say).
func linkOrCopy(src, dst string) error {
	if os.Link(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// isBookkeeping tells agendacal's own files at the top of the output
// folder, which every build writes anew.
func isBookkeeping(rel string) bool {
	switch rel {
	case stateName, pendingName, legacyManifest, legacyLock:
		return true
	}
	return false
}

// isTemporary tells a file a killed build left half-written.
func isTemporary(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, tempSuffix)
}

func isSubfolder(rel string) bool {
	for _, sub := range subfolders {
		if rel == sub {
			return true
		}
	}
	return false
}

// removeStaleTrees removes the trees builds left beside dir when they were
// killed, but none another build is still removing (it holds its lock).
func removeStaleTrees(dir string) {
	matches, _ := filepath.Glob(filepath.Join(besideDir(dir), stagingPrefix(dir)+"*"))
	for _, m := range matches {
		if fi, err := os.Lstat(m); err != nil || !fi.IsDir() || m == sparePath(dir) {
			continue
		}
		unlock, ok, err := tryLock(m)
		if err != nil || !ok {
			continue
		}
		os.RemoveAll(m)
		unlock()
	}
}
