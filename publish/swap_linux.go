package publish

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// canSwap tells whether dir can be exchanged with a folder beside it: both
// on one file system, so dir is not a mount point.
func canSwap(dir string) bool {
	fi, err1 := os.Stat(dir)
	parent, err2 := os.Stat(besideDir(dir))
	if err1 != nil || err2 != nil {
		return false
	}
	return fi.Sys().(*syscall.Stat_t).Dev == parent.Sys().(*syscall.Stat_t).Dev
}

// exchange swaps the folders a and b in one atomic step
// (renameat2 with RENAME_EXCHANGE).
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}

// dirent is an entry of a folder as the system lists it.
type dirent struct {
	name         string
	ino          uint64
	regular, dir bool // false both where the system does not say
}

// readDirents reads the entries of the folder dir with their inode
// numbers, as the system lists them (getdents64), without a call a file.
func readDirents(dir string) ([]dirent, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	var out []dirent
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.ReadDirent(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "readdirent", Path: dir, Err: err}
		}
		if n == 0 {
			return out, nil
		}
		// struct linux_dirent64: d_ino, d_off, d_reclen, d_type, d_name.
		for rec := buf[:n]; len(rec) > 0; {
			if len(rec) < 19 {
				return nil, fmt.Errorf("reading %s: a malformed entry", dir)
			}
			size := int(binary.NativeEndian.Uint16(rec[16:18]))
			if size < 19 || size > len(rec) {
				return nil, fmt.Errorf("reading %s: a malformed entry", dir)
			}
			name := rec[19:size]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if s := string(name); s != "." && s != ".." {
				out = append(out, dirent{name: s, ino: binary.NativeEndian.Uint64(rec[0:8]), regular: rec[18] == unix.DT_REG, dir: rec[18] == unix.DT_DIR})
			}
			rec = rec[size:]
		}
	}
}

// linker hard-links files of the tree from into the tree to by the
// descriptors of their folders, opened once: the system then walks no
// path for each of the thousands of files a build takes unchanged.
type linker struct {
	from, to string
	fds      map[string][2]int // by folder: from's, to's
}

// newLinker opens the top folders of from and to and the subfolders both
// hold, never through a symbolic link; a folder either lacks is linked
// into by path.
func newLinker(from, to string) *linker {
	l := &linker{from: from, to: to, fds: map[string][2]int{}}
	for _, sub := range append([]string{"."}, subfolders...) {
		a, err := unix.Open(filepath.Join(from, sub), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		b, err := unix.Open(filepath.Join(to, sub), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			unix.Close(a)
			continue
		}
		l.fds[sub] = [2]int{a, b}
	}
	return l
}

// link makes to's file rel the file from's holds there.
func (l *linker) link(rel string) error {
	dir, name := path.Split(rel)
	if dir == "" {
		dir = "."
	}
	fds, ok := l.fds[strings.TrimSuffix(dir, "/")]
	if !ok {
		return os.Link(filepath.Join(l.from, filepath.FromSlash(rel)), filepath.Join(l.to, filepath.FromSlash(rel)))
	}
	for {
		err := unix.Linkat(fds[0], name, fds[1], name, 0)
		if err != unix.EINTR {
			return err
		}
	}
}

// close closes the folders.
func (l *linker) close() {
	for _, fds := range l.fds {
		unix.Close(fds[0])
		unix.Close(fds[1])
	}
}
