package show

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

func parse(t *testing.T, text string) *agenda.Programme {
	t.Helper()
	p, problems := agenda.Parse("p.yaml", []byte(text))
	if p == nil {
		t.Fatalf("%v", problems)
	}
	return p
}

func table(t *testing.T, p *agenda.Programme, opts Options) (string, int) {
	t.Helper()
	var b strings.Builder
	n, err := Table(&b, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), n
}

func TestPristina(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "examples", "pristina.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, string(data))
	out, n := table(t, p, Options{})
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if n != 12 || len(lines) != 3+12 {
		t.Fatalf("%d sessions, %d lines:\n%s", n, len(lines), out)
	}
	if !strings.HasSuffix(lines[0], "— times in Europe/Belgrade") || !strings.HasPrefix(lines[2], "DAY  ") {
		t.Errorf("heading:\n%s", out)
	}
	// Aligned: every title starts in the same column.
	col := strings.Index(lines[2], "TITLE") // the heading is ASCII
	for _, l := range lines[3:] {
		if r := []rune(l); string(r[col-2:col]) != "  " || r[col] == ' ' {
			t.Errorf("not aligned at column %d: %q", col, l)
		}
	}
	if !strings.Contains(lines[3], "Thu 29 Jun 2017  08:30–09:00  Conference Room Castor") {
		t.Errorf("first row: %q", lines[3])
	}
	if strings.Contains(out, "\x1b[") || strings.Contains(out, "*") {
		t.Errorf("colours or marks where none are wanted:\n%s", out)
	}
	only, n := table(t, p, Options{Track: "plenary"})
	if n != 8 || strings.Contains(only, "Coffee break") {
		t.Errorf("--track plenary: %d sessions\n%s", n, only)
	}
	coloured, _ := table(t, p, Options{Colour: true})
	if !strings.Contains(coloured, "\x1b[1mDAY\x1b[0m") || !strings.Contains(coloured, "\x1b[2mCoffee break\x1b[0m") {
		t.Errorf("no colours:\n%q", coloured)
	}
}

// In another zone, sessions that move to another day and sessions during
// which the clocks change are marked, and the marks explained.
func TestOtherZone(t *testing.T) {
	p := parse(t, `title: T
timezone: Europe/Belgrade
uid_domain: t.example.org
days:
  - date: 2026-03-28
    sessions:
      - {start: "23:00", duration: 4h, title: Night watch}
      - {time: 9:00-10:00, title: Morning}
`)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	out, _ := table(t, p, Options{Zone: tokyo})
	for _, want := range []string{"*  Sun 29 Mar 2026  07:00–11:00  Night watch", "   Sat 28 Mar 2026  17:00–18:00  Morning", "*  on another day in Asia/Tokyo than in the programme (Europe/Belgrade)"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	home, _ := table(t, p, Options{})
	for _, want := range []string{"~  Sat 28 Mar 2026  23:00–04:00 +1d  Night watch", "~  the clocks change while it lasts, in Europe/Belgrade"} {
		if !strings.Contains(home, want) {
			t.Errorf("no %q in\n%s", want, home)
		}
	}
}
