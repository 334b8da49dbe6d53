package publish

import (
	"os"
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
