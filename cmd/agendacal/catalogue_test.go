package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogue runs 'agendacal check' on every mistaken or hostile
// programme in testdata/catalogue and compares the exit status and every
// message with NAME.txt (-update rewrites them). Every message must point
// at FILE:LINE:COL; a programme with errors must make build fail and write
// nothing; one with only warnings (NAME.warn.yaml) must pass, and fail
// under --strict. A file's first line may say "# exit N" to pin its status.
func TestCatalogue(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "catalogue")
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) < 50 {
		t.Fatalf("catalogue: %d files (%v)", len(files), err)
	}
	noEnv := func(string) string { return "" }
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			var stderr bytes.Buffer
			code := run([]string{"agendacal", "check", file}, nil, &bytes.Buffer{}, &stderr, noEnv)
			msgs := strings.ReplaceAll(stderr.String(), file, name)
			got := fmt.Sprintf("exit %d\n%s", code, msgs)
			wantFile := strings.TrimSuffix(file, ".yaml") + ".txt"
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("check %s:\n%s\nwant:\n%s", name, got, want)
			}
			data, _ := os.ReadFile(file)
			if m := regexp.MustCompile(`^# exit (\d)\n`).FindSubmatch(data); m != nil && string(m[1]) != fmt.Sprint(code) {
				t.Errorf("exit %d, but the file says %s", code, m[1])
			}
			position := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `:\d+:\d+: \S`)
			for _, line := range strings.Split(strings.TrimSpace(msgs), "\n") {
				if line != "" && !position.MatchString(line) {
					t.Errorf("message without FILE:LINE:COL: %q", line)
				}
			}
			warnOnly := strings.HasSuffix(name, ".warn.yaml")
			switch {
			case warnOnly && (code != 0 || !strings.Contains(msgs, ": warning: ")):
				t.Errorf("a warnings-only programme: exit %d, want 0 with a warning", code)
			case warnOnly:
				if c := run([]string{"agendacal", "check", "--strict", file}, nil, &bytes.Buffer{}, &bytes.Buffer{}, noEnv); c != 1 {
					t.Errorf("check --strict: exit %d, want 1", c)
				}
			case code == 1:
				out := filepath.Join(t.TempDir(), "public")
				if c := run([]string{"agendacal", "build", "--out", out, file}, nil, &bytes.Buffer{}, &bytes.Buffer{}, noEnv); c != 1 {
					t.Errorf("build: exit %d, want 1", c)
				}
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("build of a bad programme created %s", out)
				}
			}
		})
	}
}
