//go:build !unix

package publish

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// tryLock takes the lock by creating the file .agendacal.lock in dir,
// which must not exist; ok is false when it does. Unlike the advisory lock
// on Unix, a build killed while it holds the lock leaves the file behind,
// and the message that reports it names the folder.
func tryLock(dir string) (unlock func(), ok bool, err error) {
	path := filepath.Join(dir, legacyLock)
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

// createFile creates a new file at path, failing if it exists, and fills
// it with write through bw.
func createFile(path string, bw *bufio.Writer, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	bw.Reset(f)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// renameFile moves the file at from to to, replacing any file there.
func renameFile(from, to string) error {
	return os.Rename(from, to)
}
