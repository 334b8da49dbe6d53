package interop

import (
	"bytes"
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/publish"
	"github.com/agendacal/agendacal/serve"
)

// chromiumArgs start Debian's Chromium headless on this closed machine.
func chromiumArgs(profile string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile}
}

// TestPageInChromium renders the Pristina subscribe page in headless
// Chromium at a phone's and a desktop's width, keeps the screenshots
// (in $AGENDACAL_ARTEFACTS, else the test's folder), and checks the links
// of the page as Chromium built it.
func TestPageInChromium(t *testing.T) {
	chromium := need(t, "chromium")
	work := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "examples", "pristina.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, problems := agenda.Parse("pristina.yaml", data)
	if p == nil {
		t.Fatal(problems)
	}
	out := filepath.Join(work, "public")
	opts := publish.Options{Now: time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC), Wait: time.Minute, BaseURL: "https://events.example.org/pristina/"}
	if _, err := publish.Folder(context.Background(), out, p, opts); err != nil {
		t.Fatal(err)
	}
	page := "file://" + filepath.Join(out, "index.html")
	artefacts := os.Getenv("AGENDACAL_ARTEFACTS")
	if artefacts == "" {
		artefacts = work
	}
	os.MkdirAll(artefacts, 0o755)
	for _, size := range []struct{ name, window string }{{"phone", "390,1600"}, {"desktop", "1280,1400"}} {
		shot := filepath.Join(artefacts, "page-"+size.name+".png")
		args := append(chromiumArgs(filepath.Join(work, "profile-"+size.name)), "--window-size="+size.window, "--hide-scrollbars", "--screenshot="+shot, page)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, chromium, args...).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("chromium %s: %v\n%s", size.name, err, out)
		}
		if fi, err := os.Stat(shot); err != nil || fi.Size() < 10000 {
			t.Errorf("the %s screenshot is missing or blank: %v", size.name, err)
		}
		t.Logf("screenshot: %s", shot)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dom, err := exec.CommandContext(ctx, chromium, append(chromiumArgs(filepath.Join(work, "profile-dom")), "--dump-dom", page)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	hrefs := map[string]bool{}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllSubmatch(dom, -1) {
		hrefs[strings.ReplaceAll(string(m[1]), "&amp;", "&")] = true
	}
	for _, want := range []string{
		"programme.ics", "tracks/plenary.ics", "rooms/conference-room-castor.ics", "days/2017-06-29.ics", "sessions/opening.ics",
		"webcal://events.example.org/pristina/programme.ics",
		"https://calendar.google.com/calendar/r?cid=https%3A%2F%2Fevents.example.org%2Fpristina%2Fprogramme.ics",
		"https://outlook.live.com/calendar/0/addfromweb?name=Plenary&url=https%3A%2F%2Fevents.example.org%2Fpristina%2Ftracks%2Fplenary.ics",
		"https://outlook.office.com/calendar/0/addfromweb?name=Plenary&url=https%3A%2F%2Fevents.example.org%2Fpristina%2Ftracks%2Fplenary.ics",
	} {
		if !hrefs[want] {
			t.Errorf("Chromium's page has no link to %s", want)
		}
	}
	// Every session has its file and both add-event links.
	for _, s := range p.Sessions {
		if !hrefs["sessions/"+s.ID+".ics"] {
			t.Errorf("no link to the file of %s", s.ID)
		}
	}
	if n := bytes.Count(dom, []byte("calendar.google.com/calendar/render?action=TEMPLATE")); n != len(p.Sessions) {
		t.Errorf("%d add-to-Google links, want %d", n, len(p.Sessions))
	}
	clickLinks(t, chromium, out, work, hrefs)
}

// clickPage, put beside the page, loads it in a frame of the same origin,
// clicks every link and records where the browser would have gone (the
// navigation itself is cancelled: this machine reaches no other host).
const clickPage = `<!DOCTYPE html>
<html><body><iframe id="f" src="index.html"></iframe>
<script>
document.getElementById("f").onload = function () {
  var doc = this.contentDocument, went = [];
  doc.addEventListener("click", function (e) { var a = e.target.closest("a"); if (a) { went.push(a.href); e.preventDefault(); } }, true);
  doc.querySelectorAll("a[href]").forEach(function (a) { a.click(); });
  var out = document.createElement("pre"); out.id = "went"; out.textContent = went.join("\n"); document.body.appendChild(out);
};
</script></body></html>`

// clickLinks serves the folder with agendacal's own handler, has Chromium
// click every link of the page, and checks that each leads where the
// page's markup says.
func clickLinks(t *testing.T, chromium, folder, work string, hrefs map[string]bool) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(folder, "click.html"), []byte(clickPage), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: serve.Handler(folder, io.Discard)}
	go srv.Serve(l)
	defer srv.Close()
	base := "http://" + l.Addr().String() + "/"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append(chromiumArgs(filepath.Join(work, "profile-click")), "--virtual-time-budget=5000", "--dump-dom", base+"click.html")
	dom, err := exec.CommandContext(ctx, chromium, args...).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	m := regexp.MustCompile(`(?s)<pre id="went">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("Chromium clicked nothing:\n%s", dom)
	}
	clicked := map[string]bool{}
	for _, u := range strings.Split(html.UnescapeString(string(m[1])), "\n") {
		clicked[u] = true
	}
	for href := range hrefs {
		want := href
		if !strings.Contains(href, "://") {
			want = base + href // a file of the folder, resolved by the browser
		}
		if !clicked[want] {
			t.Errorf("clicking the link to %s did not lead there", href)
		}
	}
	t.Logf("Chromium clicked %d links", len(clicked))
}
