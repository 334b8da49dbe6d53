package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The collector waits for the budget, then paces as by default from its
// first collection on; a collector tuned from the environment is left be.
func TestCollectLater(t *testing.T) {
	defer debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	collectLater(1<<30, func(string) string { return "" })
	if limit := debug.SetMemoryLimit(-1); limit != 1<<30 {
		t.Errorf("memory limit %d, want the budget", limit)
	}
	if percent := debug.SetGCPercent(-1); percent != -1 {
		t.Errorf("GOGC %d before the first collection, want off", percent)
	}
	restored := false
	for deadline := time.Now().Add(5 * time.Second); !restored && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		percent := debug.SetGCPercent(-1)
		restored = percent == 100
		debug.SetGCPercent(percent)
	}
	if !restored {
		t.Fatal("the pace was not set back after a collection")
	}
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 {
		t.Errorf("memory limit %d after the first collection, want none", limit)
	}

	debug.SetGCPercent(50)
	collectLater(1<<30, func(name string) string {
		if name == "GOGC" {
			return "50"
		}
		return ""
	})
	if percent := debug.SetGCPercent(100); percent != 50 {
		t.Errorf("GOGC %d with GOGC set, want it left at 50", percent)
	}
}

// Whatever a build writes to, the budget is set from the programme's size
// once it is read: for standard output and buckets, and for check, nothing
// reads the file earlier, and a budget set before the reading gave them
// only the 64 MiB, which a 10,000-session programme's decode outgrows
// twice over (two collections, a sixth of its CPU).
func TestReadingAProgrammeBudgetsTheCollector(t *testing.T) {
	defer debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	file := filepath.Join("..", "..", "examples", "pristina.yaml")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"agendacal", "check", file}, nil, &bytes.Buffer{}, &stderr, func(string) string { return "" }); code != 0 {
		t.Fatalf("check: status %d\n%s", code, &stderr)
	}
	if limit, want := debug.SetMemoryLimit(-1), int64(64<<20+16*len(data)); limit != want {
		t.Errorf("memory limit %d after reading the programme, want %d", limit, want)
	}
}
