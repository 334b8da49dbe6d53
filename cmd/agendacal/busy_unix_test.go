//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A build that finds the output folder locked by another for longer than
// --wait exits 4 and says so.
func TestBuildBusyExitsFour(t *testing.T) {
	out := t.TempDir()
	// Another build holds a lock on the folder itself.
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	code := run([]string{"agendacal", "build", "--wait", "200ms", "--out", out, filepath.Join("..", "..", "examples", "pristina.yaml")},
		nil, &bytes.Buffer{}, &stderr, func(string) string { return "" })
	if code != exitBusy || !strings.Contains(stderr.String(), "another agendacal run is writing") {
		t.Errorf("exit %d, %q; want %d and a message about the other build", code, stderr.String(), exitBusy)
	}
	if _, err := os.Stat(filepath.Join(out, "programme.ics")); !os.IsNotExist(err) {
		t.Errorf("a build without the lock wrote programme.ics")
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a build without the lock left %v", entries)
	}
}
