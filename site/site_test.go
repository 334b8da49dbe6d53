package site

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/agendacal/agendacal/agenda"
)

func pristina(t *testing.T) *agenda.Programme {
	t.Helper()
	data, err := os.ReadFile("../examples/pristina.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, problems := agenda.Parse("pristina.yaml", data)
	if p == nil {
		t.Fatal(problems)
	}
	return p
}

// The page's links are exactly what Google, Outlook and calendar programs
// take.
func TestPageLinks(t *testing.T) {
	p := pristina(t)
	page, err := Page(p, []Feed{{Name: p.Title, Path: "programme.ics"}, {Name: "Plenary", Path: "tracks/plenary.ics"}}, Options{BaseURL: "https://events.example.org/pristina/"})
	if err != nil {
		t.Fatal(err)
	}
	html := string(bytes.Join(page, nil))
	for _, want := range []string{
		`<html lang="en">`,
		`<meta name="viewport" content="width=device-width, initial-scale=1">`,
		`value="https://events.example.org/pristina/tracks/plenary.ics"`,
		`href="webcal://events.example.org/pristina/programme.ics"`,
		`href="https://calendar.google.com/calendar/r?cid=https%3A%2F%2Fevents.example.org%2Fpristina%2Fprogramme.ics"`,
		`href="https://outlook.live.com/calendar/0/addfromweb?name=Plenary&amp;url=https%3A%2F%2Fevents.example.org%2Fpristina%2Ftracks%2Fplenary.ics"`,
		`href="https://outlook.office.com/calendar/0/addfromweb?name=Plenary&amp;url=https%3A%2F%2Fevents.example.org%2Fpristina%2Ftracks%2Fplenary.ics"`,
		`href="sessions/opening.ics" download`,
		// 09:00 in Belgrade is 07:00 UTC.
		`<time datetime="2017-06-29T07:00:00Z">09:00</time>`,
		`dates=20170629T070000Z%2F20170629T073000Z`,
		`ctz=Europe%2FBelgrade`,
		`startdt=2017-06-29T07%3A00%3A00Z&amp;subject=Opening%20session`,
		`Times are in <strong id="_zone">Europe/Belgrade</strong>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(html, "<script src") || strings.Contains(html, `<link rel="stylesheet"`) || strings.Contains(html, "http://") {
		t.Error("the page loads an external resource")
	}
}

// Without a base address the page offers downloads, and nothing that
// needs one; a cancelled session is marked as such.
func TestPageWithoutBaseURL(t *testing.T) {
	p := pristina(t)
	p.Sessions[1].Status = agenda.StatusCancelled
	p.Language = "sq"
	page, err := Page(p, []Feed{{Name: p.Title, Path: "programme.ics"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	html := string(bytes.Join(page, nil))
	if strings.Contains(html, "webcal://") || strings.Contains(html, "addfromweb") || !strings.Contains(html, `href="programme.ics" download`) {
		t.Error("subscription links without a base address")
	}
	if !strings.Contains(html, `class="session cancelled" id="opening"`) || !strings.Contains(html, `<span class="status">Anuluar:</span>`) {
		t.Error("the cancelled session is not marked, in Albanian")
	}
}

// A session removed from the programme, published as cancelled after the
// others, is shown in its day and at its time.
func TestPageOrder(t *testing.T) {
	p := pristina(t)
	removed := *p.Sessions[0]
	removed.ID, removed.Status = "gone", agenda.StatusCancelled
	p.Sessions = append(p.Sessions[1:], &removed)
	page, err := Page(p, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	html := string(bytes.Join(page, nil))
	if n := strings.Count(html, `id="_day-2017-06-29"`); n != 1 {
		t.Errorf("the day is shown %d times", n)
	}
	if gone, opening := strings.Index(html, `id="gone"`), strings.Index(html, `id="opening"`); gone < 0 || gone > opening {
		t.Error("the removed 08:30 session is not shown first")
	}
}

// Past linksAbove sessions, each session links its file only: the forms
// of Google and Outlook would make most of the page.
func TestLargePageLinksFilesOnly(t *testing.T) {
	var b strings.Builder
	b.WriteString("title: T\ntimezone: UTC\nuid_domain: t.example.org\ndays:\n")
	for d := 1; d <= 6; d++ {
		fmt.Fprintf(&b, "  - date: 2026-03-%02d\n    sessions:\n", d)
		for h := 0; h < 24*60; h += 8 {
			fmt.Fprintf(&b, "      - {start: \"%02d:%02d\", duration: 8m, title: S}\n", h/60, h%60)
		}
	}
	p, problems := agenda.Parse("big.yaml", []byte(b.String()))
	if p == nil || len(p.Sessions) <= linksAbove {
		t.Fatalf("%d sessions: %v", len(p.Sessions), problems)
	}
	page, err := Page(p, []Feed{{Name: p.Title, Path: "programme.ics"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	html := string(bytes.Join(page, nil))
	if n := strings.Count(html, `download>`); n < len(p.Sessions) {
		t.Errorf("%d file links for %d sessions", n, len(p.Sessions))
	}
	if strings.Contains(html, "calendar.google.com/calendar/render") || strings.Contains(html, "deeplink/compose") {
		t.Errorf("a large page has per-session Google or Outlook links")
	}
	small, _ := Page(pristina(t), nil, Options{})
	if strings.Count(string(bytes.Join(small, nil)), "calendar.google.com/calendar/render") != 12 {
		t.Errorf("the Pristina page lacks its per-session Google links")
	}
}

// The page's own element ids start with '_', which no session id may: a
// session called zone, programme or day-2030-06-01 shares no id with it.
func TestPageIDsAreUnique(t *testing.T) {
	var b strings.Builder
	b.WriteString("title: T\ntimezone: UTC\nuid_domain: t.example.org\ndays:\n  - date: 2030-06-01\n    sessions:\n")
	for i, id := range []string{"zone", "programme", "calendars", "local", "myzone", "day-2030-06-01"} {
		fmt.Fprintf(&b, "      - {start: \"%02d:00\", duration: 30m, id: %s, title: S}\n", 8+i, id)
	}
	p, problems := agenda.Parse("ids.yaml", []byte(b.String()))
	if p == nil {
		t.Fatal(problems)
	}
	page, err := Page(p, []Feed{{Name: p.Title, Path: "programme.ics"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range regexp.MustCompile(` id="([^"]*)"`).FindAllStringSubmatch(string(bytes.Join(page, nil)), -1) {
		seen[m[1]]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("id %q is on %d elements", id, n)
		}
	}
	if len(seen) < 12 {
		t.Errorf("ids %v", seen)
	}
}

// A session that ends at midnight ends at 24:00 on the page, and one that
// ends on a later day says which.
func TestPageEndsOnLaterDays(t *testing.T) {
	src := "title: T\ntimezone: Europe/Belgrade\nuid_domain: t.example.org\ndays:\n  - date: 2026-12-30\n    sessions:\n" +
		"      - {time: 00:00-24:00, id: whole, title: Whole day}\n" +
		"      - {start: '23:00', duration: 26h, id: long, title: Long}\n" +
		"      - {time: 09:00-10:00, id: short, title: Short}\n"
	p, problems := agenda.Parse("late.yaml", []byte(src))
	if p == nil {
		t.Fatal(problems)
	}
	page, err := Page(p, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	html := string(bytes.Join(page, nil))
	for _, want := range []string{">00:00</time>–<time datetime=\"2026-12-30T23:00:00Z\">24:00</time>", ">23:00</time>–<time datetime=\"2027-01-01T00:00:00Z\">2027-01-01 01:00</time>", ">09:00</time>–<time datetime=\"2026-12-30T09:00:00Z\">10:00</time>"} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}
