package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite golden files and the golden sections of scripts")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"agendacal": func() { os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv)) },
	})
}

// TestScripts runs the command-line scenarios in testdata/script, one file
// a feature; -update rewrites the files their cmp commands compare with.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			example, err := os.ReadFile(filepath.Join("..", "..", "examples", "pristina.yaml"))
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(env.WorkDir, "pristina.yaml"), example, 0o644)
		},
	})
}

// TestPristinaGolden builds the example programme and compares every file
// with testdata/golden/pristina; -update rewrites them.
func TestPristinaGolden(t *testing.T) {
	out := t.TempDir()
	var stderr bytes.Buffer
	getenv := func(k string) string {
		if k == "SOURCE_DATE_EPOCH" {
			return "1498000000"
		}
		return ""
	}
	code := run([]string{"agendacal", "build", "--out", out, filepath.Join("..", "..", "examples", "pristina.yaml")}, nil, &bytes.Buffer{}, &stderr, getenv)
	if code != 0 {
		t.Fatalf("build exited %d: %s", code, stderr.String())
	}
	golden := filepath.Join("..", "..", "testdata", "golden", "pristina")
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(golden, os.DirFS(out)); err != nil {
			t.Fatal(err)
		}
		state := filepath.Join(golden, ".agendacal.state")
		data, err := os.ReadFile(state)
		if err == nil {
			err = os.WriteFile(state, withoutFresh(t, data), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	got := treeFiles(t, out)
	want := treeFiles(t, golden)
	for name, data := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s is missing", name)
		} else if !bytes.Equal(g, data) {
			t.Errorf("%s differs from the golden file (rerun with -update if the change is intended):\n%s", name, firstDifference(g, data))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s is not in the golden files", name)
		}
	}
	if len(want) != 1+1+1+1+12+1+1 {
		t.Errorf("%d golden files, want programme.ics, one track, one room, one day, 12 sessions, the page and the bookkeeping", len(want))
	}
}

func treeFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		if rel == ".agendacal.state" {
			data = withoutFresh(t, data)
		}
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// withoutFresh removes from the bookkeeping what depends on the machine:
// the digest of the binary and the tz database, the folders' times.
func withoutFresh(t *testing.T, data []byte) []byte {
	t.Helper()
	if i := bytes.Index(data, []byte(`"fresh":{`)); i >= 0 {
		j := bytes.Index(data[i:], []byte(`},"programme":`))
		if j < 0 {
			t.Fatalf("the bookkeeping's fresh has no end: %.200s", data[i:])
		}
		data = append(data[:i:i], data[i+j+2:]...)
	}
	return data
}

func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			// Around the first differing byte: bookkeeping is one long line.
			at := 0
			for at < len(g[i]) && at < len(w[i]) && g[i][at] == w[i][at] {
				at++
			}
			around := func(s string) string { return s[max(0, at-60):min(len(s), at+60)] }
			return fmt.Sprintf("line %d, byte %d:\n got  …%q…\n want …%q…", i+1, at+1, around(g[i]), around(w[i]))
		}
	}
	return "one is a prefix of the other"
}
