//go:build !linux

package publish

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
