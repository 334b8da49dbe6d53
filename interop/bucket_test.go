package interop

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/agendacal/agendacal/internal/synth"
)

// s3Server is a versitygw serving a POSIX folder on loopback.
type s3Server struct {
	endpoint string // http://127.0.0.1:port
	client   *minio.Client
	log      string // the access log
}

const (
	s3Key    = "agendacal"
	s3Secret = "agendacal-test-secret"
)

// startS3 starts versitygw on a free loopback port, with an access log,
// and makes the bucket "calendars".
func startS3(t *testing.T) *s3Server {
	t.Helper()
	gopath, _ := exec.Command("go", "env", "GOPATH").Output()
	vgw := need(t, "versitygw", filepath.Join(strings.TrimSpace(string(gopath)), "bin", "versitygw"))
	work := t.TempDir()
	root := filepath.Join(work, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	s := &s3Server{endpoint: "http://" + addr, log: filepath.Join(work, "access.log")}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, vgw, "--port", addr, "--access", s3Key, "--secret", s3Secret, "--access-log", s.log, "--quiet", "posix", root)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	waitListening(t, addr)
	var err error
	s.client, err = minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(s3Key, s3Secret, ""), BucketLookup: minio.BucketLookupPath, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.client.MakeBucket(context.Background(), "calendars", minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("making the bucket: %v\n%s", err, out.String())
	}
	return s
}

// puts lists the keys the server was asked to write (PutObject) since the
// log was n lines long, and the log's length now.
func (s *s3Server) puts(t *testing.T, n int) ([]string, int) {
	t.Helper()
	data, err := os.ReadFile(s.log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	put := regexp.MustCompile(` s3_PutObject (\S+) `)
	var keys []string
	for _, line := range lines[min(n, len(lines)):] {
		if m := put.FindStringSubmatch(line); m != nil && !strings.HasSuffix(m[1], ".agendacal.lock") {
			keys = append(keys, m[1])
		}
	}
	slices.Sort(keys)
	return keys, len(lines)
}

// agendacal builds the command once per test.
func agendacalBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "agendacal")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/agendacal").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runAgendacal runs the command with the S3 server's credentials and a
// fixed build time; it returns standard output and the exit status.
func (s *s3Server) run(t *testing.T, bin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+s3Key, "AWS_SECRET_ACCESS_KEY="+s3Secret, "AWS_ENDPOINT_URL="+s.endpoint, "AWS_REGION=us-east-1", "SOURCE_DATE_EPOCH=1793520000")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), s3Secret) || strings.Contains(stdout.String(), s3Secret) {
		t.Errorf("the secret was printed")
	}
	if cmd.ProcessState.ExitCode() != 0 && cmd.ProcessState.ExitCode() != 4 {
		t.Logf("agendacal %s: exit %d\n%s", strings.Join(args, " "), cmd.ProcessState.ExitCode(), stderr.String())
	}
	return stdout.String(), cmd.ProcessState.ExitCode()
}

// sameAsFolder fetches every file of a folder build from the bucket over
// HTTP (presigned GETs) and checks its bytes and headers.
func (s *s3Server) sameAsFolder(t *testing.T, folder, prefix string) {
	t.Helper()
	var files []string
	filepath.WalkDir(folder, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(folder, path)
			if !strings.HasPrefix(filepath.Base(rel), ".") {
				files = append(files, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatal("the folder build is empty")
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var mu sync.Mutex
	for _, rel := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			want, _ := os.ReadFile(filepath.Join(folder, filepath.FromSlash(rel)))
			u, err := s.client.PresignedGetObject(context.Background(), "calendars", prefix+rel, time.Hour, nil)
			if err != nil {
				t.Error(err)
				return
			}
			resp, err := http.Get(u.String())
			if err != nil {
				t.Error(err)
				return
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			wantType := "text/calendar; charset=utf-8"
			if strings.HasSuffix(rel, ".html") {
				wantType = "text/html; charset=utf-8"
			}
			switch {
			case resp.StatusCode != http.StatusOK:
				t.Errorf("%s: %s", rel, resp.Status)
			case !bytes.Equal(got, want):
				t.Errorf("%s: %d bytes from the bucket differ from the folder's %d", rel, len(got), len(want))
			case resp.Header.Get("Content-Type") != wantType || resp.Header.Get("Cache-Control") != "public, max-age=300":
				t.Errorf("%s: Content-Type %q, Cache-Control %q", rel, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
			}
		}()
	}
	wg.Wait()
}

// TestBucket publishes the Pristina programme to a versitygw bucket and
// checks it against a folder build; a rebuild with nothing changed uploads
// nothing, and moving one session uploads only the files that hold it.
func TestBucket(t *testing.T) {
	s := startS3(t)
	bin := agendacalBinary(t)
	programme := filepath.Join(t.TempDir(), "pristina.yaml")
	example, _ := os.ReadFile(filepath.Join("..", "examples", "pristina.yaml"))
	writeFile(t, programme, string(example))
	folder := filepath.Join(t.TempDir(), "public")
	if _, code := s.run(t, bin, "build", "--out", folder, programme); code != 0 {
		t.Fatal("the folder build failed")
	}
	out, code := s.run(t, bin, "build", "--out", "s3://calendars/meetings/pristina", programme)
	if code != 0 || out != "s3://calendars/meetings/pristina/: 17 created, 0 updated, 0 deleted, 0 unchanged\n" {
		t.Fatalf("first build: exit %d: %s", code, out)
	}
	s.sameAsFolder(t, folder, "meetings/pristina/")
	_, n := s.puts(t, 0)

	out, code = s.run(t, bin, "build", "--out", "s3://calendars/meetings/pristina", programme)
	if code != 0 || out != "s3://calendars/meetings/pristina/: 0 created, 0 updated, 0 deleted, 17 unchanged\n" {
		t.Errorf("unchanged build: exit %d: %s", code, out)
	}
	var keys []string
	if keys, n = s.puts(t, n); len(keys) > 0 {
		t.Errorf("an unchanged build uploaded %v", keys)
	}

	writeFile(t, programme, strings.Replace(string(example), "time: 16h00 - 16h30", "time: 16h05 - 16h30", 1))
	if _, code := s.run(t, bin, "build", "--out", folder, programme); code != 0 {
		t.Fatal("the folder build failed")
	}
	s.run(t, bin, "build", "--out", "s3://calendars/meetings/pristina", programme)
	keys, _ = s.puts(t, n)
	// The bookkeeping twice: first marking the files about to change,
	// then saying what they hold.
	want := []string{"meetings/pristina/.agendacal.state", "meetings/pristina/.agendacal.state", "meetings/pristina/days/2017-06-29.ics", "meetings/pristina/index.html", "meetings/pristina/programme.ics",
		"meetings/pristina/rooms/conference-room-castor.ics", "meetings/pristina/sessions/closing.ics", "meetings/pristina/tracks/plenary.ics"}
	if !slices.Equal(keys, want) {
		t.Errorf("moving one session uploaded\n  %s\nwant\n  %s", strings.Join(keys, "\n  "), strings.Join(want, "\n  "))
	}
	s.sameAsFolder(t, folder, "meetings/pristina/")
}

// TestBucketAtScale publishes 10,000 sessions, first and unchanged, and
// logs the times; two builds at once leave one complete set.
func TestBucketAtScale(t *testing.T) {
	s := startS3(t)
	bin := agendacalBinary(t)
	work := t.TempDir()
	programme := filepath.Join(work, "congress.yaml")
	f, err := os.Create(programme)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := synth.Write(w, synth.Size{Days: 50, Rooms: 10, Slots: 20}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	f.Close()
	folder := filepath.Join(work, "public")
	if _, code := s.run(t, bin, "build", "--out", folder, programme); code != 0 {
		t.Fatal("the folder build failed")
	}
	start := time.Now()
	out, code := s.run(t, bin, "build", "--out", "s3://calendars/congress", programme)
	first := time.Since(start)
	if code != 0 || !strings.HasPrefix(out, "s3://calendars/congress/: 10") {
		t.Fatalf("first build: exit %d: %s", code, out)
	}
	_, n := s.puts(t, 0)
	start = time.Now()
	out, code = s.run(t, bin, "build", "--out", "s3://calendars/congress", programme)
	unchanged := time.Since(start)
	if keys, _ := s.puts(t, n); code != 0 || len(keys) > 0 || !strings.Contains(out, " 0 created, 0 updated, 0 deleted,") {
		t.Errorf("unchanged build: exit %d: %s; uploaded %d objects", code, out, len(keys))
	}
	t.Logf("10,000 sessions to versitygw on loopback: first build %v, unchanged rebuild %v", first.Round(10*time.Millisecond), unchanged.Round(10*time.Millisecond))
	s.sameAsFolder(t, folder, "congress/")

	// Two builds at once, of two versions: they take turns, and what is
	// left is one version, complete, as its bookkeeping says.
	other := filepath.Join(work, "other.yaml")
	data, _ := os.ReadFile(programme)
	writeFile(t, other, strings.Replace(string(data), "title: Synthetic congress", "title: Synthetic congress, revised", 1))
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, p := range []string{programme, other} {
		wg.Add(1)
		go func() { defer wg.Done(); _, codes[i] = s.run(t, bin, "build", "--out", "s3://calendars/pair", p) }()
	}
	wg.Wait()
	if codes[0] != 0 || codes[1] != 0 {
		t.Fatalf("two builds at once: exit %v", codes)
	}
	checkComplete(t, s, "pair/")
}

// checkComplete checks that every file the bookkeeping under prefix lists
// is there with the bytes it says, and that there is no other.
func checkComplete(t *testing.T, s *s3Server, prefix string) {
	t.Helper()
	ctx := context.Background()
	obj, err := s.client.GetObject(ctx, "calendars", prefix+".agendacal.state", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Files map[string]string `json:"files"`
	}
	if err := json.NewDecoder(obj).Decode(&st); err != nil {
		t.Fatal(err)
	}
	obj.Close()
	seen := 0
	for info := range s.client.ListObjects(ctx, "calendars", minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		rel := strings.TrimPrefix(info.Key, prefix)
		if strings.HasPrefix(rel, ".agendacal") {
			continue
		}
		want, ok := st.Files[rel]
		if !ok {
			t.Errorf("%s is not in the bookkeeping", rel)
			continue
		}
		o, err := s.client.GetObject(ctx, "calendars", info.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		io.Copy(h, o)
		o.Close()
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("%s does not hold the bytes the bookkeeping says", rel)
		}
		seen++
	}
	if seen != len(st.Files) {
		t.Errorf("%d objects, the bookkeeping lists %d", seen, len(st.Files))
	}
}

// faultProxy stands between agendacal and the S3 server, answering 503 to
// the PUTs of keys that contain fail: each once (then passing them on),
// or always. It counts the PUTs of each key it sees.
type faultProxy struct {
	mu     sync.Mutex
	fail   string
	always bool
	failed map[string]bool
	puts   map[string]int
}

func (f *faultProxy) set(fail string, always bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail, f.always, f.failed, f.puts = fail, always, map[string]bool{}, map[string]int{}
}

func (f *faultProxy) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.puts[key]
}

// startFaultProxy serves a faultProxy for s on a free loopback port: an
// S3 server of its own for agendacal, with the same keys and bucket.
func startFaultProxy(t *testing.T, s *s3Server) (*s3Server, *faultProxy) {
	t.Helper()
	target, err := url.Parse(s.endpoint)
	if err != nil {
		t.Fatal(err)
	}
	f := &faultProxy{}
	f.set("", false)
	forward := httputil.NewSingleHostReverseProxy(target)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			f.mu.Lock()
			f.puts[r.URL.Path]++
			fail := f.fail != "" && strings.Contains(r.URL.Path, f.fail) && (f.always || !f.failed[r.URL.Path])
			if fail {
				f.failed[r.URL.Path] = true
			}
			f.mu.Unlock()
			if fail {
				io.Copy(io.Discard, r.Body)
				http.Error(w, "injected", http.StatusServiceUnavailable)
				return
			}
		}
		forward.ServeHTTP(w, r)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	proxied := *s
	proxied.endpoint = "http://" + l.Addr().String()
	return &proxied, f
}

// object is the text of an object in the bucket.
func (s *s3Server) object(t *testing.T, key string) string {
	t.Helper()
	obj, err := s.client.GetObject(context.Background(), "calendars", key, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	data, err := io.ReadAll(obj)
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	return string(data)
}

// eventLine is a property of the event of uid in a calendar's text.
func eventLine(calendar, uid, name string) string {
	for _, ev := range strings.Split(calendar, "BEGIN:VEVENT\r\n")[1:] {
		if strings.Contains(ev, "\r\nUID:"+uid+"\r\n") || strings.HasPrefix(ev, "UID:"+uid+"\r\n") {
			if m := regexp.MustCompile(`(?m)^` + name + `[:;](.*)\r$`).FindStringSubmatch(ev); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// A PUT answered 503 once is tried again; a build stopped by one that
// keeps failing leaves the bookkeeping such that the next build lowers no
// SEQUENCE and restamps no event it did not change.
func TestBucketFaults(t *testing.T) {
	s := startS3(t)
	proxied, faults := startFaultProxy(t, s)
	bin := agendacalBinary(t)
	programme := filepath.Join(t.TempDir(), "pristina.yaml")
	example, _ := os.ReadFile(filepath.Join("..", "examples", "pristina.yaml"))
	build := func(s *s3Server, text string) (string, int) {
		writeFile(t, programme, text)
		return s.run(t, bin, "build", "--out", "s3://calendars/p", programme)
	}
	const (
		private = "private-sector@iproceeds.example.org"
		opening = "opening@iproceeds.example.org"
	)
	v1 := string(example)
	v2 := strings.Replace(v1, "time: 09h30 - 10h30", "time: 09h35 - 10h30", 1)
	v3 := strings.Replace(v1, "time: 09h30 - 10h30", "time: 09h40 - 10h30", 1)
	v4 := strings.Replace(v1, "time: 09h30 - 10h30", "time: 09h45 - 10h30", 1)
	if out, code := build(s, v1); code != 0 {
		t.Fatalf("first build: exit %d: %s", code, out)
	}
	if !strings.Contains(s.object(t, "p/programme.ics"), "UID:"+private) {
		t.Fatalf("the programme has no %s: the test's UIDs are out of date", private)
	}
	stamp := eventLine(s.object(t, "p/programme.ics"), opening, "DTSTAMP")
	if out, code := build(s, v2); code != 0 || eventLine(s.object(t, "p/programme.ics"), private, "SEQUENCE") != "1" {
		t.Fatalf("moving a session: exit %d: %s", code, out)
	}

	// Every session file answered 503 once: tried again, the build goes
	// through.
	faults.set("/sessions/", false)
	if out, code := build(proxied, v3); code != 0 {
		t.Fatalf("with one 503 for each session file: exit %d: %s", code, out)
	}
	if n := faults.count("/calendars/p/sessions/private-sector.ics"); n < 2 {
		t.Errorf("the session file was put %d times, want it tried again", n)
	}
	if got := eventLine(s.object(t, "p/sessions/private-sector.ics"), private, "SEQUENCE"); got != "2" {
		t.Errorf("after the retried build: SEQUENCE %s, want 2", got)
	}

	// The feed refused every time: the build stops, the session file is
	// up with SEQUENCE 3; the next build keeps it.
	faults.set("/programme.ics", true)
	if out, code := build(proxied, v4); code != 3 {
		t.Fatalf("with the feed refused: exit %d, want 3: %s", code, out)
	}
	if got := eventLine(s.object(t, "p/sessions/private-sector.ics"), private, "SEQUENCE"); got != "3" {
		t.Fatalf("the stopped build uploaded SEQUENCE %s, want 3", got)
	}
	if out, code := build(s, v4); code != 0 {
		t.Fatalf("after the stopped build: exit %d: %s", code, out)
	}
	feed := s.object(t, "p/programme.ics")
	if got := eventLine(feed, private, "SEQUENCE"); got != "3" {
		t.Errorf("after the stopped build: SEQUENCE %s in the feed, want 3 as uploaded", got)
	}
	if got := eventLine(feed, opening, "DTSTAMP"); got != stamp {
		t.Errorf("an event no build changed is stamped %s, was %s", got, stamp)
	}
	checkComplete(t, s, "p/")
}
