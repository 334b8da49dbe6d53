package serve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/publish"
)

// lockedBuffer is a log the server and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// publishFile builds the programme in file into dir.
func publishFile(file, dir string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	p, problems := agenda.Parse(file, data)
	if p == nil {
		return problems
	}
	_, err = publish.Folder(context.Background(), dir, p, publish.Options{Now: time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC), Wait: time.Minute, KeepRemoved: time.Hour})
	return err
}

// TestServe serves a published Pristina programme on a real loopback
// socket and checks what calendar programs and browsers rely on.
func TestServe(t *testing.T) {
	work := t.TempDir()
	programme, dir := filepath.Join(work, "programme.yaml"), filepath.Join(work, "public")
	example, err := os.ReadFile("../examples/pristina.yaml")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(programme, example, 0o644)
	if err := publishFile(programme, dir); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	log := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, l, Options{Dir: dir, Watch: programme, Log: log, Rebuild: func() error { return publishFile(programme, dir) }})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	get := func(method, path string, header ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}

	resp, body := get("GET", "/programme.ics")
	etag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" || !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") ||
		!strings.HasPrefix(etag, `"`) || modified == "" || resp.Header.Get("Content-Disposition") != "" || resp.Header.Values("Access-Control-Allow-Origin")[0] != "*" || len(resp.Header.Values("Access-Control-Allow-Origin")) != 1 {
		t.Fatalf("GET /programme.ics: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := get("GET", "/"); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("GET /: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, body := get("HEAD", "/programme.ics"); resp.StatusCode != 200 || body != "" || resp.Header.Get("ETag") != etag {
		t.Errorf("HEAD: %d, %d bytes, %v", resp.StatusCode, len(body), resp.Header)
	}
	if resp, _ := get("GET", "/programme.ics", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	if resp, _ := get("GET", "/programme.ics", "If-Modified-Since", modified); resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d, want 304", resp.StatusCode)
	}
	for _, path := range []string{"/.agendacal.state", "/../programme.ics", "/sessions/../.agendacal.state", "/%2e%2e/etc/passwd", "/sessions/", "/sessions/nothing.ics"} {
		if resp, _ := get("GET", path); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := get("POST", "/programme.ics"); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v, want 405", resp.StatusCode, resp.Header)
	}

	// An unchanged feed keeps its ETag across a rebuild; a changed
	// programme is served within two seconds, with a new one.
	if err := publishFile(programme, dir); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get("GET", "/programme.ics", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("after an unchanged rebuild: %d, want 304", resp.StatusCode)
	}
	changed := bytes.Replace(example, []byte("title: Registration"), []byte("title: Check-in"), 1)
	if err := os.WriteFile(programme, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		resp, body := get("GET", "/programme.ics", "If-None-Match", etag)
		if resp.StatusCode == 200 && strings.Contains(body, "SUMMARY;LANGUAGE=en:Check-in") && resp.Header.Get("ETag") != etag {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the change was not served within two seconds (%d)", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(log.String(), " GET /programme.ics 304 ") {
		t.Errorf("no log line for a request:\n%s", log.String())
	}
}

// A failed rebuild is logged with its reason, or, where the build has
// reported its problems already (an error without words), as such.
func TestWatchLogsAFailedRebuild(t *testing.T) {
	file := filepath.Join(t.TempDir(), "programme.yaml")
	if err := os.WriteFile(file, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	reasons := make(chan error, 2)
	reasons <- errors.New("the disk is full")
	reasons <- errors.New("")
	log := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		watch(ctx, Options{Watch: file, Log: log, Rebuild: func() error { return <-reasons }})
	}()
	want := "rebuild failed, still serving the previous build: the disk is full\n" +
		"rebuild failed (the problems are above), still serving the previous build\n"
	for i := 1; i <= 2 && !t.Failed(); i++ {
		time.Sleep(pollEvery)
		if err := os.WriteFile(file, bytes.Repeat([]byte("a"), i+1), 0o644); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * pollEvery); strings.Count(log.String(), "\n") < i && time.Now().Before(deadline); {
			time.Sleep(pollEvery / 10)
		}
	}
	cancel()
	<-done
	if got := log.String(); got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
}
