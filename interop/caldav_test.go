package interop

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	davclient "github.com/emersion/go-webdav/caldav"

	"github.com/agendacal/agendacal/agenda"
)

// davServer is a CalDAV server started for a test, with a calendar
// collection to sync into and its request log.
type davServer struct {
	name       string
	collection string // URL, ending in '/'
	user, pass string
	log        func() string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startRadicale starts Debian's Radicale on loopback, logging every
// request, with a calendar made by MKCALENDAR.
func startRadicale(t *testing.T) *davServer {
	radicale := need(t, "radicale", "/usr/bin/radicale")
	work := t.TempDir()
	addr := freeAddr(t)
	log := &lockedBuffer{}
	cmd := exec.Command(radicale, "--server-hosts", addr, "--storage-filesystem-folder", filepath.Join(work, "store"),
		"--auth-type", "none", "--rights-type", "owner_only", "--logging-level", "debug")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitListening(t, addr)
	s := &davServer{name: "radicale", collection: "http://" + addr + "/alice/meeting/", user: "alice", pass: "secret", log: log.String}
	req, _ := http.NewRequest("MKCALENDAR", s.collection, nil)
	req.SetBasicAuth(s.user, s.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("MKCALENDAR: %v %v\n%s", err, resp, log.String())
	}
	resp.Body.Close()
	return s
}

// startXandikos starts Debian's Xandikos on loopback with its default
// calendar.
func startXandikos(t *testing.T) *davServer {
	xandikos := need(t, "xandikos", "/usr/bin/xandikos")
	work := t.TempDir()
	addr := freeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	log := &lockedBuffer{}
	cmd := exec.Command(xandikos, "--defaults", "-d", filepath.Join(work, "store"), "-l", host, "-p", port)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitListening(t, addr)
	return &davServer{name: "xandikos", collection: "http://" + addr + "/user/calendars/calendar/", log: log.String}
}

// lockedBuffer is a server's output, written by the process while the test
// reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writes counts the PUT and DELETE requests in the server's log, once the
// log has settled: servers write it a moment after they answer.
func (s *davServer) writes() int {
	count := func() int {
		return len(regexp.MustCompile(`(?m)"?(PUT|DELETE) /|(PUT|DELETE) request for`).FindAllString(s.log(), -1))
	}
	n := count()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		m := count()
		if m == n {
			return n
		}
		n = m
	}
	return n
}

// resource is a calendar resource as read back with a REPORT.
type davResource struct {
	etag string
	cal  *goical.Calendar
}

// fullCalendar asks for every component with every property.
var fullCalendar = davclient.CalendarCompRequest{Name: "VCALENDAR", AllProps: true, Comps: []davclient.CalendarCompRequest{
	{Name: "VEVENT", AllProps: true},
	{Name: "VTIMEZONE", AllProps: true, Comps: []davclient.CalendarCompRequest{{Name: "STANDARD", AllProps: true}, {Name: "DAYLIGHT", AllProps: true}}},
}}

// report reads the collection back with a calendar-query REPORT (an
// independent client: go-webdav and go-ical), by UID.
func (s *davServer) report(t *testing.T) map[string]davResource {
	t.Helper()
	var hc webdav.HTTPClient = http.DefaultClient
	if s.user != "" {
		hc = webdav.HTTPClientWithBasicAuth(hc, s.user, s.pass)
	}
	c, err := davclient.NewClient(hc, s.collection)
	if err != nil {
		t.Fatal(err)
	}
	u := s.collection[strings.Index(s.collection[len("http://"):], "/")+len("http://"):]
	objs, err := c.QueryCalendar(context.Background(), u, &davclient.CalendarQuery{
		CompRequest: fullCalendar,
		CompFilter:  davclient.CompFilter{Name: "VCALENDAR"},
	})
	if err != nil {
		t.Fatalf("REPORT: %v", err)
	}
	out := map[string]davResource{}
	for _, o := range objs {
		for _, ev := range o.Data.Events() {
			uid, _ := ev.Props.Text(goical.PropUID)
			out[uid] = davResource{etag: o.ETag, cal: o.Data}
		}
	}
	return out
}

// put writes a resource directly, as another client would.
func (s *davServer) put(t *testing.T, name, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, s.collection+name, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	if s.user != "" {
		req.SetBasicAuth(s.user, s.pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("PUT %s: %v %v", name, err, resp)
	}
	resp.Body.Close()
}

func (s *davServer) get(t *testing.T, href string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, href, nil)
	if s.user != "" {
		req.SetBasicAuth(s.user, s.pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// sync runs agendacal sync into the server's collection.
func (s *davServer) sync(t *testing.T, bin, programme, state string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(bin, append(append([]string{"sync", "--caldav", s.collection, "--state", state}, args...), programme)...)
	cmd.Env = append(os.Environ(), "AGENDACAL_CALDAV_USER="+s.user, "AGENDACAL_CALDAV_PASSWORD="+s.pass, "SOURCE_DATE_EPOCH=1793520000")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
		t.Fatalf("agendacal sync: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if s.pass != "" && strings.Contains(stdout.String()+stderr.String(), s.pass) {
		t.Error("the password was printed")
	}
	return stdout.String(), stderr.String()
}

// checkEquals checks that the collection holds the programme's sessions
// (and the foreign resource, untouched), read back with a REPORT.
func checkEquals(t *testing.T, got map[string]davResource, p *agenda.Programme, foreign string) {
	t.Helper()
	var uids []string
	for uid := range got {
		if uid != foreign {
			uids = append(uids, uid)
		}
	}
	sort.Strings(uids)
	var want []string
	for _, s := range p.Sessions {
		want = append(want, s.ID+"@"+p.UIDDomain)
		res, ok := got[s.ID+"@"+p.UIDDomain]
		if !ok {
			continue
		}
		ev := res.cal.Events()[0]
		start, err := ev.DateTimeStart(time.UTC)
		summary, _ := ev.Props.Text(goical.PropSummary)
		location, _ := ev.Props.Text(goical.PropLocation)
		if err != nil || !start.Equal(s.Start) || summary != s.Title || location != s.Location {
			t.Errorf("%s: start %v (%v) summary %q location %q; want %v %q %q", s.ID, start, err, summary, location, s.Start, s.Title, s.Location)
		}
	}
	sort.Strings(want)
	if !slices.Equal(uids, want) {
		t.Errorf("the collection holds\n  %v\nwant\n  %v", uids, want)
	}
	if _, ok := got[foreign]; !ok {
		t.Errorf("the foreign resource is gone")
	}
}

// TestCalDAVSync keeps a Radicale and a Xandikos calendar in step with the
// Pristina programme through edits, a removal and an edit on the server.
func TestCalDAVSync(t *testing.T) {
	bin := agendacalBinary(t)
	example, err := os.ReadFile(filepath.Join("..", "examples", "pristina.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, start := range []func(*testing.T) *davServer{startRadicale, startXandikos} {
		s := start(t)
		t.Run(s.name, func(t *testing.T) {
			work := t.TempDir()
			programme, state := filepath.Join(work, "pristina.yaml"), filepath.Join(work, "caldav-state")
			writeFile(t, programme, string(example))
			const foreign = "someone-elses@example.net"
			s.put(t, "theirs.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//example//EN\r\nBEGIN:VEVENT\r\nUID:"+foreign+"\r\nDTSTAMP:20170601T000000Z\r\nDTSTART:20170629T070000Z\r\nDTEND:20170629T080000Z\r\nSUMMARY:Breakfast\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
			p := parseText(t, string(example))

			out, _ := s.sync(t, bin, programme, state)
			if out != s.collection+": 12 created, 0 updated, 0 deleted, 0 unchanged\n" {
				t.Errorf("first sync: %s", out)
			}
			before := s.report(t)
			checkEquals(t, before, p, foreign)

			// Nothing changed: no write request.
			writes := s.writes()
			if out, _ := s.sync(t, bin, programme, state); out != s.collection+": 0 created, 0 updated, 0 deleted, 12 unchanged\n" || s.writes() != writes {
				t.Errorf("an unchanged sync: %s; %d write requests", out, s.writes()-writes)
			}

			// One session moved: only its resource changes.
			edited := strings.Replace(string(example), "time: 16h00 - 16h30", "time: 16h05 - 16h30", 1)
			writeFile(t, programme, edited)
			if out, _ := s.sync(t, bin, programme, state); out != s.collection+": 0 created, 1 updated, 0 deleted, 11 unchanged\n" {
				t.Errorf("a moved session: %s", out)
			}
			after := s.report(t)
			checkEquals(t, after, parseText(t, edited), foreign)
			for uid, r := range after {
				if changed := r.etag != before[uid].etag; changed != (uid == "closing@iproceeds.example.org") {
					t.Errorf("%s: ETag changed %v", uid, changed)
				}
			}

			// Removed: cancelled first, deleted after --keep-removed.
			removed := strings.Replace(edited, "      - time: 15h30 - 16h00\n        id: way-forward\n        title: Memoranda of understanding and the way forward\n        track: plenary\n", "", 1)
			if removed == edited {
				t.Fatal("the session to remove is not in the example")
			}
			writeFile(t, programme, removed)
			s.sync(t, bin, programme, state)
			status, _ := s.report(t)["way-forward@iproceeds.example.org"].cal.Events()[0].Props.Text(goical.PropStatus)
			if status != "CANCELLED" {
				t.Errorf("a removed session is %q, want CANCELLED", status)
			}
			if out, _ := s.sync(t, bin, programme, state, "--keep-removed", "0s"); out != s.collection+": 0 created, 0 updated, 1 deleted, 11 unchanged\n" {
				t.Errorf("past --keep-removed: %s", out)
			}
			checkEquals(t, s.report(t), parseText(t, removed), foreign)

			// Edited on the server: reported, not overwritten, unless --force.
			href := s.collection + "opening@iproceeds.example.org.ics"
			phone := strings.Replace(s.get(t, href), "SUMMARY;LANGUAGE=en:Opening session", "SUMMARY:Opening session (moved to the lobby)", 1)
			if !strings.Contains(phone, "moved to the lobby") {
				t.Fatalf("could not edit the resource:\n%s", phone)
			}
			s.put(t, "opening@iproceeds.example.org.ics", phone)
			retitled := strings.Replace(removed, "title: Opening session", "title: Opening", 1)
			writeFile(t, programme, retitled)
			writes = s.writes()
			_, stderr := s.sync(t, bin, programme, state)
			if !strings.Contains(stderr, "opening@iproceeds.example.org.ics: changed on the server since agendacal wrote it") || s.writes() != writes {
				log := strings.Split(strings.TrimSpace(s.log()), "\n")
				t.Errorf("an edit on the server: %q, %d writes; the server's log ends:\n%s", stderr, s.writes()-writes, strings.Join(log[max(0, len(log)-6):], "\n"))
			}
			if !strings.Contains(s.get(t, href), "moved to the lobby") {
				t.Errorf("the server's edit was overwritten")
			}
			s.sync(t, bin, programme, state, "--force")
			if got := s.get(t, href); !strings.Contains(got, "SUMMARY;LANGUAGE=en:Opening\r\n") {
				t.Errorf("--force did not write the programme's version:\n%s", got)
			}
			checkEquals(t, s.report(t), parseText(t, retitled), foreign)
			if !strings.Contains(s.get(t, s.collection+"theirs.ics"), "SUMMARY:Breakfast") {
				t.Errorf("the foreign resource changed")
			}
		})
	}
}

func parseText(t *testing.T, text string) *agenda.Programme {
	t.Helper()
	p, problems := agenda.Parse("programme.yaml", []byte(text))
	if p == nil {
		t.Fatalf("programme does not parse:\n%v", problems)
	}
	return p
}
