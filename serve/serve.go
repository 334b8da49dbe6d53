// Package serve serves a published folder over HTTP as calendar programs
// and browsers want it: calendars as text/calendar, the page as text/html,
// both with their charset; strong ETags and a Last-Modified that hold still
// while a file's bytes do, so that conditional requests get 304; only GET
// and HEAD; nothing outside the folder and none of its dotfiles (the
// bookkeeping); and a feed that is gone answers 404, never 410, which
// makes Thunderbird disable a calendar.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

// Handler serves the folder dir, writing one line a request to log.
func Handler(dir string, log io.Writer) http.Handler {
	return &handler{dir: dir, log: log}
}

type handler struct {
	dir string
	log io.Writer
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	h.serve(rec, r)
	fmt.Fprintf(h.log, "%s %s %s %d %d %s\n", start.UTC().Format(time.RFC3339), r.Method, r.URL.Path, rec.status, rec.bytes, time.Since(start).Round(time.Microsecond))
}

func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "only GET and HEAD", http.StatusMethodNotAllowed)
		return
	}
	name, ok := fileName(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	// Opened afresh, inside the folder as it is now (a build swaps in a
	// new tree), never through a link that leads out of it.
	f, err := os.OpenInRoot(h.dir, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", contentType(name))
	w.Header().Set("ETag", etag(fi))
	// ServeContent answers If-None-Match (before If-Modified-Since),
	// HEAD and ranges.
	http.ServeContent(w, r, name, fi.ModTime(), f)
}

// fileName maps a request path to a file of the folder: "/" is the page;
// any part that starts with '.' (a dotfile, "..") is refused.
func fileName(p string) (string, bool) {
	if p == "/" || p == "" {
		return "index.html", true
	}
	name := strings.TrimPrefix(p, "/")
	for _, part := range strings.Split(name, "/") {
		if part == "" || strings.HasPrefix(part, ".") || strings.ContainsRune(part, '\\') {
			return "", false
		}
	}
	return path.Clean(name), true
}

// contentType is a file's type, with its charset where it is text.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".ics":
		return "text/calendar; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// etag is a strong entity tag: a build that changes a file's bytes writes
// a new file (a new modification time, to the nanosecond), and one that
// does not leaves it alone.
func etag(fi os.FileInfo) string {
	return fmt.Sprintf(`"%x-%x"`, fi.Size(), fi.ModTime().UnixNano())
}

// recorder notes the status and size of a response for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// Options say what Run serves and when it rebuilds.
type Options struct {
	// Dir is the published folder.
	Dir string
	// Watch is the programme file: when its size or modification time
	// changes, Rebuild is called.
	Watch   string
	Rebuild func() error
	// Log gets a line for each request and each rebuild.
	Log io.Writer
}

// pollEvery is how often the programme file is looked at: a change is
// published within two of these and a build.
const pollEvery = 500 * time.Millisecond

// Run serves the folder on the listener until ctx is done, then shuts
// down, letting requests under way finish.
func Run(ctx context.Context, l net.Listener, opts Options) error {
	srv := &http.Server{
		Handler:           Handler(opts.Dir, opts.Log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	go watch(ctx, opts)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// watch calls opts.Rebuild each time the programme file changes.
func watch(ctx context.Context, opts Options) {
	if opts.Watch == "" || opts.Rebuild == nil {
		return
	}
	last := stamp(opts.Watch)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := stamp(opts.Watch)
		if now == last {
			continue
		}
		last = now
		if err := opts.Rebuild(); err != nil {
			if msg := err.Error(); msg != "" {
				fmt.Fprintf(opts.Log, "rebuild failed, still serving the previous build: %s\n", msg)
			} else { // the problems are reported already
				fmt.Fprintf(opts.Log, "rebuild failed (the problems are above), still serving the previous build\n")
			}
			continue
		}
		fmt.Fprintf(opts.Log, "rebuilt from %s\n", opts.Watch)
	}
}

// stamp is what tells a changed file: its size and modification time.
func stamp(name string) string {
	fi, err := os.Stat(name)
	if err != nil {
		return ""
	}
	return fmt.Sprint(fi.Size(), fi.ModTime().UnixNano())
}
