//go:build !unix

package ical

import (
	"errors"
	"os"
)

// tryLock takes the lock by creating the file at path, which must not
// exist; ok is false when it does. Unlike the advisory lock on Unix, a
// build killed while it holds the lock leaves the file behind, and the
// message that reports it names the file to remove.
func tryLock(path string) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	f.Close()
	return func() { os.Remove(path) }, true, nil
}
