//go:build unix

package ical

import (
	"os"
	"syscall"
)

// tryLock takes an exclusive advisory lock on the file at path without
// waiting; ok is false when another process holds it. The lock goes with
// the process, so a build that dies never leaves the folder locked.
func tryLock(path string) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, false, nil
		}
		return nil, false, err
	}
	return func() { f.Close() }, true, nil
}
