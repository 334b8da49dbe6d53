//go:build !linux

package publish

import (
	"os"
	"path/filepath"
)

// canSwap tells whether dir can be exchanged atomically with another
// folder: only Linux has the system call (renameat2 with RENAME_EXCHANGE),
// so elsewhere builds publish file by file.
func canSwap(string) bool { return false }

func exchange(a, b string) error { return errCannotSwap }

type dirent struct {
	name         string
	ino          uint64
	regular, dir bool
}

func readDirents(string) ([]dirent, error) { return nil, errCannotSwap }

// linker hard-links files of the tree from into the tree to.
type linker struct{ from, to string }

func newLinker(from, to string) *linker { return &linker{from, to} }

func (l *linker) link(rel string) error {
	return os.Link(filepath.Join(l.from, filepath.FromSlash(rel)), filepath.Join(l.to, filepath.FromSlash(rel)))
}

func (l *linker) close() {}
