//go:build unix

package publish

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// tryLock takes an exclusive advisory lock on the folder dir itself
// without waiting; ok is false when another process holds it. Locking the
// folder leaves no lock file to delete from under a build, and the lock
// goes with the process, so a build that dies never leaves it locked.
func tryLock(dir string) (unlock func(), ok bool, err error) {
	f, err := os.Open(dir)
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
	// A build that finished meanwhile may have swapped a new tree in at
	// dir: the lock must be on the folder that is there now.
	locked, err1 := f.Stat()
	now, err2 := os.Stat(dir)
	if err1 != nil || err2 != nil || !os.SameFile(locked, now) {
		f.Close()
		return nil, false, nil
	}
	// agendacal 1.0 locked a file in the folder: it is not needed now.
	if fi, err := os.Lstat(filepath.Join(dir, legacyLock)); err == nil && fi.Mode().IsRegular() {
		os.Remove(filepath.Join(dir, legacyLock))
	}
	return func() { f.Close() }, true, nil
}

// createFile creates a new file at path, readable by all, failing if it
// exists, and fills it with write through bw. It calls the system directly:
// os.OpenFile tries to put every file in the network poller, five system
// calls a file that thousands of small calendars pay for nothing.
func createFile(path string, bw *bufio.Writer, write func(io.Writer) error) error {
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return &os.PathError{Op: "create", Path: path, Err: err}
	}
	bw.Reset(fdWriter(fd))
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := syscall.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		return &os.PathError{Op: "write", Path: path, Err: err}
	}
	return nil
}

// fdWriter writes to a file descriptor.
type fdWriter int

func (fd fdWriter) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := syscall.Write(int(fd), p[written:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

// renameFile moves the file at from to to, replacing any file there. Unlike
// os.Rename, it does not look at the target first: Publish already has.
func renameFile(from, to string) error {
	if err := syscall.Rename(from, to); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}
