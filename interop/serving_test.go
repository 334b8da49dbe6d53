package interop

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nginxSite is the README's nginx snippet, for a folder published at
// /meeting/ (the test fills in the port and the folder).
const nginxSite = `
    location /meeting/ {
        alias %s/;
        types { text/calendar ics; text/html html; }
        default_type application/octet-stream;
        charset utf-8;
        charset_types text/calendar text/html;
        etag on;
        add_header Access-Control-Allow-Origin * always;
        if ($request_method !~ ^(GET|HEAD)$) { return 405; }
        location ~ /\. { return 404; }
    }
`

// TestNginx serves a published folder with Debian's nginx and the README's
// snippet, and checks the headers calendar programs rely on, as for
// 'agendacal serve'.
func TestNginx(t *testing.T) {
	nginx := need(t, "nginx", "/usr/sbin/nginx")
	files := build(t, filepath.Join("..", "examples", "pristina.yaml"))
	dir := filepath.Dir(files[0].path)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	prefix := t.TempDir()
	conf := filepath.Join(prefix, "nginx.conf")
	os.MkdirAll(filepath.Join(prefix, "logs"), 0o755)
	config := fmt.Sprintf("pid %s/nginx.pid;\nerror_log %s/logs/error.log;\nevents {}\nhttp {\n  access_log off;\n  server {\n    listen %s;\n%s  }\n}\n",
		prefix, prefix, addr, fmt.Sprintf(nginxSite, dir))
	if err := os.WriteFile(conf, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	// nginx drops to "nobody" for its workers; the folder must be readable.
	for d := dir; d != "/"; d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	cmd := exec.Command(nginx, "-p", prefix, "-c", conf, "-g", "daemon off; user root;")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// SIGTERM lets the master stop its workers; the wait is bounded.
	cmd.WaitDelay = 5 * time.Second
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	checkServing(t, "http://"+addr+"/meeting", func() string {
		data, _ := os.ReadFile(filepath.Join(prefix, "logs", "error.log"))
		return string(data)
	})
}

// need returns the path of a program the test runs (looked for on PATH,
// then at the paths given), skipping the test when it is not installed,
// or failing it under AGENDACAL_INTEROP=require.
func need(t *testing.T, name string, paths ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if required() {
		t.Fatalf("%s is not installed (AGENDACAL_INTEROP=require)", name)
	}
	t.Skipf("%s is not installed", name)
	return ""
}

// checkServing checks a server of a published Pristina folder at base.
func checkServing(t *testing.T, base string, log func() string) {
	t.Helper()
	get := func(method, path string, header ...string) (*http.Response, string) {
		t.Helper()
		var resp *http.Response
		var err error
		for try := 0; try < 50; try++ { // the server may still be starting
			req, _ := http.NewRequest(method, base+path, nil)
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			if resp, err = http.DefaultClient.Do(req); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("%v\n%s", err, log())
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	resp, body := get("GET", "/programme.ics")
	etag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != 200 || !strings.EqualFold(resp.Header.Get("Content-Type"), "text/calendar; charset=utf-8") || !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") ||
		etag == "" || modified == "" || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Content-Disposition") != "" {
		t.Fatalf("GET /programme.ics: %d %v\n%s", resp.StatusCode, resp.Header, log())
	}
	if resp, _ := get("GET", "/index.html"); resp.StatusCode != 200 || !strings.EqualFold(resp.Header.Get("Content-Type"), "text/html; charset=utf-8") {
		t.Errorf("GET /index.html: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, body := get("HEAD", "/programme.ics"); resp.StatusCode != 200 || body != "" {
		t.Errorf("HEAD: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := get("GET", "/programme.ics", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("If-None-Match: %d, want 304", resp.StatusCode)
	}
	if resp, _ := get("GET", "/programme.ics", "If-Modified-Since", modified); resp.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d, want 304", resp.StatusCode)
	}
	for _, path := range []string{"/.agendacal.state", "/sessions/nothing.ics"} {
		if resp, _ := get("GET", path); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := get("POST", "/programme.ics"); resp.StatusCode != 405 {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}

// TestServeUnderLoad runs 'agendacal serve' on the Pristina programme and
// loads it with wrk for a bounded few seconds, asking for the whole
// programme and then revalidating it (304); the figures go to the log.
func TestServeUnderLoad(t *testing.T) {
	wrk := need(t, "wrk")
	work := t.TempDir()
	bin := agendacalBinary(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--out", filepath.Join(work, "public"), filepath.Join("..", "examples", "pristina.yaml"))
	cmd.Stdout = io.Discard
	var log strings.Builder
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmd.WaitDelay = 5 * time.Second
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	base := "http://" + addr
	checkServing(t, base, func() string { return "" })
	resp, err := http.Get(base + "/programme.ics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	etag := resp.Header.Get("ETag")
	for _, run := range []struct{ name, header string }{{"200", ""}, {"304", "If-None-Match: " + etag}} {
		args := []string{"-t", "2", "-c", "16", "-d", "3s", "--latency"}
		if run.header != "" {
			args = append(args, "-H", run.header)
		}
		out, err := exec.Command(wrk, append(args, base+"/programme.ics")...).CombinedOutput()
		if err != nil {
			t.Fatalf("wrk: %v\n%s", err, out)
		}
		if strings.Contains(string(out), "Non-2xx or 3xx responses") || strings.Contains(string(out), "Socket errors") {
			t.Errorf("wrk (%s) saw errors:\n%s", run.name, out)
		}
		t.Logf("wrk, %s responses of programme.ics:\n%s", run.name, out)
	}
}

// TestManPage renders 'agendacal man' with groff, as man does, and
// requires no warning.
func TestManPage(t *testing.T) {
	groff := need(t, "groff")
	bin := agendacalBinary(t)
	page, err := exec.Command(bin, "man").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-man", "-Tutf8", "-ww", "-z"}, {"-k", "-man", "-Tutf8", "-ww", "-z"}} {
		cmd := exec.Command(groff, args...)
		cmd.Stdin = strings.NewReader(string(page))
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("groff %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
