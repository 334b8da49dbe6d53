//go:build linux

package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agendacal/agendacal/internal/synth"
)

// TestKilledBuildsPublishAllOrNothing kills a 10,000-session build at 30
// random instants, each over the complete output of an older build, and
// checks after each kill that every calendar in the folder comes from one
// build and is whole; then interrupts builds with SIGTERM and checks that
// they leave nothing behind. It runs the real binary and takes minutes, so
// it runs only with AGENDACAL_HEAVY set (as .ci/run does).
func TestKilledBuildsPublishAllOrNothing(t *testing.T) {
	if os.Getenv("AGENDACAL_HEAVY") == "" {
		t.Skip("set AGENDACAL_HEAVY=1 to kill builds at random instants (minutes)")
	}
	work := t.TempDir()
	bin := filepath.Join(work, "agendacal")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var base bytes.Buffer
	if err := synth.Write(&base, synth.Size{Days: 50, Rooms: 10, Slots: 20}); err != nil {
		t.Fatal(err)
	}
	programme := filepath.Join(work, "programme.yaml")
	out := filepath.Join(work, "public")
	writeBuild := func(n int) {
		data := regexp.MustCompile(`(?m)^title: .*$`).ReplaceAll(base.Bytes(), []byte("title: Build "+strconv.Itoa(n)))
		if err := os.WriteFile(programme, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "build", "--quiet", "--out", out, programme)
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=1790000000")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	writeBuild(0)
	began := time.Now()
	if err := start().Wait(); err != nil {
		t.Fatalf("the first build: %v", err)
	}
	full := time.Since(began)
	published := 0
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 1; i <= 30; i++ {
		writeBuild(i)
		cmd := start()
		time.Sleep(time.Duration(rng.Int64N(int64(full + full/2))))
		cmd.Process.Kill()
		cmd.Wait()
		n := checkOneBuild(t, out, 10000)
		if n != published && n != i {
			t.Fatalf("after kill %d the folder holds build %d, want %d or %d", i, n, published, i)
		}
		published = n
	}
	// Interrupted builds stop, say so, and leave no temporary file and no
	// tree beside the folder.
	for i := 31; i <= 35; i++ {
		writeBuild(i)
		cmd := start()
		time.Sleep(time.Duration(rng.Int64N(int64(full))))
		cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); err != nil && code != exitOutput {
			t.Errorf("an interrupted build exited %d (%v), want 0 or %d", code, err, exitOutput)
		}
		checkOneBuild(t, out, 10000)
		checkNoLeftovers(t, out)
	}
	writeBuild(40)
	if err := start().Wait(); err != nil {
		t.Fatalf("the last build: %v", err)
	}
	if n := checkOneBuild(t, out, 10000); n != 40 {
		t.Errorf("the last build published build %d", n)
	}
	checkNoLeftovers(t, out)
}

// checkOneBuild checks that every calendar in dir is whole, that they all
// come from one build (their NAME), that every session has its file, and
// returns the build.
func checkOneBuild(t *testing.T, dir string, sessions int) int {
	t.Helper()
	name := regexp.MustCompile(`\r\nNAME:Build (\d+)[\r ]`)
	build, count := -1, 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".ics") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m := name.FindSubmatch(data)
		if m == nil || !bytes.HasPrefix(data, []byte("BEGIN:VCALENDAR\r\n")) || !bytes.HasSuffix(data, []byte("END:VCALENDAR\r\n")) {
			t.Fatalf("%s is not a whole calendar", path)
		}
		n, _ := strconv.Atoi(string(m[1]))
		if build >= 0 && n != build {
			t.Fatalf("%s is from build %d, others from build %d", path, n, build)
		}
		build = n
		if strings.Contains(path, string(filepath.Separator)+"sessions"+string(filepath.Separator)) {
			count++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != sessions {
		t.Fatalf("%d session files, want %d", count, sessions)
	}
	return build
}

// checkNoLeftovers checks that no temporary file is in dir and no tree is
// beside it but the spare, the tree published before.
func checkNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	beside, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".public.agendacal-*"))
	for _, tree := range beside {
		if filepath.Base(tree) != ".public.agendacal-previous" {
			t.Errorf("tree left beside the folder: %s", tree)
		}
	}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".agendacal-tmp") {
			t.Errorf("temporary file left: %s", path)
		}
		return err
	})
}
