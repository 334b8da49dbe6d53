package site

import (
	"bytes"
	"html/template"
	"os"
	"path/filepath"
	"testing"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/internal/synth"
)

// sameAsTemplate checks that writeDay writes every day of a page as the
// template dayText does, and that it writes them all.
func sameAsTemplate(t *testing.T, name string, data *page) {
	t.Helper()
	tmpl := template.Must(template.New("day").Parse(dayText))
	for i := range data.Days {
		d := &data.Days[i]
		var want, got bytes.Buffer
		if err := tmpl.Execute(&want, d); err != nil {
			t.Fatal(err)
		}
		if !writeDay(&got, d) {
			t.Fatalf("%s, %s: written by the template", name, d.Date)
		}
		if got.String() != want.String() {
			t.Fatalf("%s, %s:\n got %q\nwant %q", name, d.Date, got.String(), want.String())
		}
	}
}

// Every day of every programme in the repository is written as the
// template writes it, with links to Google and Outlook and without.
func TestDaysMatchTemplate(t *testing.T) {
	files, err := filepath.Glob("../testdata/interop/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../examples/pristina.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		p, problems := agenda.Parse(name, data)
		if p == nil {
			t.Fatalf("%s: %v", name, problems)
		}
		sameAsTemplate(t, name, pageOf(p, nil, Options{BaseURL: "https://example.org/x/"}))
		p.Sessions[0].Status = agenda.StatusCancelled
		p.Sessions[len(p.Sessions)-1].Status = agenda.StatusTentative
		sameAsTemplate(t, name+" (statuses)", pageOf(p, nil, Options{}))
	}
	p, _, err := synth.Parsed(synth.Sizes[0])
	if err != nil {
		t.Fatal(err)
	}
	sameAsTemplate(t, "synth", pageOf(p, nil, Options{}))
}

// A track colour writeDay does not vouch for is left to the template.
func TestOddColourIsLeftToTheTemplate(t *testing.T) {
	d := &dayData{Date: "2017-06-29", Sessions: []sessionData{{ID: "a", Tracks: []trackData{{Name: "T", Color: "red; background: url(x)"}}}}}
	var b bytes.Buffer
	if writeDay(&b, d) || b.Len() > 0 {
		t.Error("writeDay wrote a colour that is not a hex colour")
	}
}

// FuzzDayMatchesTemplate puts arbitrary text in every value of a day:
// whatever writeDay writes, the template writes the same.
func FuzzDayMatchesTemplate(f *testing.F) {
	f.Add("2017-06-29", "opening", "Opening <b>&amp; \"welcome\"</b> + 'more'", "Hall A\x00", "https://meet.example.org/a b?c=d&e=%41%zz", "Ana Ó", "Main", "#1f77b4", "https://calendar.google.com/x?text=a%20b&dates=1%2F2", true, false, "sq")
	f.Add("", "", "", "", "javascript:alert(1)", "", "", "#ABC", "", false, true, "")
	f.Add("d", "x", "ë🔐\u2028", "<>", "mailto:a@b.org", "\"", "'", "#", "//x/y:z", true, true, "sr-Cyrl")
	f.Add("d", "x", "t", "", "HTTPS://X/Y", "", "", "", "a/b:c", false, false, "")
	f.Fuzz(func(t *testing.T, date, id, title, location, online, speaker, track, color, link string, cancelled, allDay bool, lang string) {
		w := wordsFor(lang)
		s := sessionData{
			ID: id, Title: title, Start: "09:00", End: "10:00", StartUTC: date, EndUTC: title,
			Location: location, Online: online, File: "sessions/" + id + ".ics",
			Cancelled: cancelled, Tentative: !cancelled && allDay, Break: allDay, AllDay: allDay, Until: location,
			Google: template.URL(link), Outlook: template.URL(online),
		}
		if speaker != "" {
			s.Speakers = []string{speaker, title}
		}
		if track != "" || color != "" {
			s.Tracks = []trackData{{Name: track, Color: color}, {Name: title, Color: "#fff"}}
		}
		d := &dayData{Date: date, W: w, Sessions: []sessionData{s, {ID: id + "2", Title: speaker, File: link}}}
		var want, got bytes.Buffer
		if err := template.Must(template.New("day").Parse(dayText)).Execute(&want, d); err != nil {
			t.Fatal(err)
		}
		if !writeDay(&got, d) {
			if got.Len() > 0 {
				t.Fatal("writeDay gave up after writing")
			}
			return
		}
		if got.String() != want.String() {
			t.Fatalf("\n got %q\nwant %q", got.String(), want.String())
		}
	})
}
