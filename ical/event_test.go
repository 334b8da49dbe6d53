package ical

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/internal/synth"
)

// sameAsLibrary checks every session of p: writeEvent's bytes must be
// golang-ical's serialisation of the event built with its setters.
func sameAsLibrary(t *testing.T, p *agenda.Programme) {
	t.Helper()
	e := NewEncoder(p, benchOptions())
	for _, s := range p.Sessions {
		var want bytes.Buffer
		if err := libraryEvent(e, s).SerializeTo(&want, serialisation()); err != nil {
			t.Fatal(err)
		}
		w := &lineWriter{out: new(bytes.Buffer)}
		e.writeEvent(w, s)
		w.out.WriteString("END:VEVENT\r\n")
		if got := w.out.String(); got != want.String() {
			t.Fatalf("session %q:\n got %q\nwant %q", s.ID, got, want.String())
		}
	}
}

func TestEventMatchesLibrary(t *testing.T) {
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
		sameAsLibrary(t, p)
	}
	p, _, err := synth.Parsed(synth.Sizes[0])
	if err != nil {
		t.Fatal(err)
	}
	sameAsLibrary(t, p)
}

// FuzzEventMatchesLibrary puts arbitrary text in a session's fields:
// long words, spaces and angle brackets where lines fold, escapes.
func FuzzEventMatchesLibrary(f *testing.F) {
	f.Add("Opening", "Room <A>", "Line one\nline two; with, commas \\ and a long tail of words to fold across lines", "https://x.org/a b", "de-CH")
	f.Add(strings.Repeat("ë", 80), strings.Repeat("<>", 50), strings.Repeat("a ", 100), "", "")
	f.Add(strings.Repeat("ab<c", 40), strings.Repeat("xy>z", 40), strings.Repeat("é<", 90), "", "")
	f.Add(strings.Repeat("🔐", 40), "", strings.Repeat("x", 200), "mailto:a@b", "sq")
	// Octets that are not UTF-8 in a parameter fold a line of clean text
	// as the library folds them.
	f.Add("Сала", "", strings.Repeat("дуг опис ", 20), "", "sr\xc0\xff")
	f.Fuzz(func(t *testing.T, title, location, description, url, lang string) {
		p := &agenda.Programme{
			Title: "T", UIDDomain: "fuzz.example.org", ZoneName: "Europe/Belgrade", Language: lang,
			Sessions: []*agenda.Session{{
				ID: "s1", Title: title, Location: location, Description: description, URL: url, Online: url,
				Topics: []string{title, location}, Speakers: []agenda.Person{{Name: location, Role: description}, {Name: title}},
			}},
		}
		zone, _, err := agenda.ResolveZone("Europe/Belgrade")
		if err != nil {
			t.Fatal(err)
		}
		p.Zone = zone
		s := p.Sessions[0]
		s.Start = time.Date(2026, 10, 25, 2, 30, 0, 0, zone)
		s.End = s.Start.Add(time.Hour)
		sameAsLibrary(t, p)
	})
}

// description is the text of a session's DESCRIPTION put together whole,
// the oracle writeDescription, which escapes it piece by piece, is held
// to: the link to join online, the session's description, its topics, its
// speakers with their roles, and its web address.
func (e *Encoder) description(s *agenda.Session) string {
	var parts []string
	if s.Online != "" {
		parts = append(parts, e.words.Online+": "+s.Online)
	}
	if s.Description != "" {
		parts = append(parts, s.Description)
	}
	if len(s.Topics) > 0 {
		parts = append(parts, e.words.Topics+":\n- "+strings.Join(s.Topics, "\n- "))
	}
	if len(s.Speakers) > 0 {
		var b strings.Builder
		b.WriteString(e.words.Speakers + ":")
		for _, sp := range s.Speakers {
			b.WriteString("\n- " + sp.Name)
			if sp.Role != "" {
				b.WriteString(" (" + sp.Role + ")")
			}
		}
		parts = append(parts, b.String())
	}
	if s.URL != "" {
		parts = append(parts, s.URL)
	}
	return strings.Join(parts, "\n\n")
}

// libraryEvent builds a session's VEVENT with golang-ical's setters, as
// the encoder did before it wrote events itself: the oracle for writeEvent.
func libraryEvent(e *Encoder, s *agenda.Session) *ics.VEvent {
	// The revision (DTSTAMP, LAST-MODIFIED, SEQUENCE) goes in after the
	// UID when the event is written: see Encoder.Revise.
	ev := ics.NewEvent(s.ID + "@" + e.prog.UIDDomain)
	if s.AllDay {
		// Whole days (RFC 5545 3.6.1): dates, the end the day after the
		// last, in no zone.
		first, after := s.WholeDays(e.prog.Zone)
		ev.SetProperty(ics.ComponentPropertyDtStart, first.Format("20060102"), ics.WithValue(string(ics.ValueDataTypeDate)))
		ev.SetProperty(ics.ComponentPropertyDtEnd, after.Format("20060102"), ics.WithValue(string(ics.ValueDataTypeDate)))
	} else {
		librarySetTime(e, ev, ics.ComponentPropertyDtStart, s.Start)
		librarySetTime(e, ev, ics.ComponentPropertyDtEnd, s.End)
	}
	// LANGUAGE (RFC 5545 3.2.10) on the programme's own text; its tag
	// is letters, digits and '-', which the library writes as they are.
	var lang []ics.PropertyParameter
	if e.prog.Language != "" {
		lang = append(lang, &ics.KeyValues{Key: string(ics.ParameterLanguage), Value: []string{e.prog.Language}})
	}
	summary := s.Title
	switch s.Status {
	case agenda.StatusCancelled:
		// Outlook shows a cancelled event as if it took place; the title
		// says it does not.
		summary = e.words.Cancelled + summary
		ev.SetStatus(ics.ObjectStatusCancelled)
	case agenda.StatusTentative:
		ev.SetStatus(ics.ObjectStatusTentative)
	default:
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	ev.SetSummary(cleanText(summary), lang...)
	if s.Kind == agenda.KindBreak || s.AllDay {
		// A break, or something open all day, keeps nobody busy (RFC 5545
		// 3.8.2.7).
		ev.SetTimeTransparency(ics.TransparencyTransparent)
	}
	if s.Location != "" {
		ev.SetLocation(cleanText(s.Location), lang...)
	}
	if s.Venue != nil && s.Venue.Geo != nil {
		// X-APPLE-STRUCTURED-LOCATION follows: see serialiseEvent.
		g := s.Venue.Geo
		ev.SetProperty(ics.ComponentPropertyGeo, fmt.Sprintf("%.6f;%.6f", g.Lat, g.Lon))
	}
	if d := e.description(s); d != "" {
		ev.SetDescription(cleanText(d), lang...)
	}
	if s.URL != "" {
		ev.SetURL(cleanURI(s.URL))
	}
	var categories []string
	for _, t := range s.Tracks {
		categories = append(categories, t.Name)
	}
	if s.Kind == agenda.KindBreak {
		categories = append(categories, e.words.Break)
	}
	for _, c := range categories {
		ev.AddProperty(ics.ComponentPropertyCategories, cleanText(c), lang...)
	}
	if len(s.Tracks) > 0 && s.Tracks[0].Color.Name != "" {
		ev.SetColor(s.Tracks[0].Color.Name)
	}
	// ORGANIZER follows: see serialiseEvent.
	return ev
}

// setTime writes DTSTART or DTEND as local time with the zone's TZID, or in
// UTC where readers would not agree on the local time: in the hour the
// clocks pass twice, before 1970 and after 2037 (readers that go by the
// zone's name lack that history, or stop in 2037, as pytz does), and in
// UTC itself.
func librarySetTime(e *Encoder, ev *ics.VEvent, prop ics.ComponentProperty, t time.Time) {
	if y := t.UTC().Year(); e.zone.utc || y < 1970 || y > 2037 || e.zone.inRepeatedHour(t) {
		ev.SetProperty(prop, t.UTC().Format(localLayout+"Z"))
		return
	}
	ev.SetProperty(prop, t.In(e.zone.loc).Format(localLayout), ics.WithTZID(e.zone.name))
}

// An event's X-APPLE-STRUCTURED-LOCATION is the one of its own place,
// whatever the writer wrote before: places alike but for one part, or for
// the sign of a zero.
func TestStructuredLocationIsEachPlaces(t *testing.T) {
	base := agenda.Venue{Name: "Hotel Sirius", Room: "Castor", Address: "Rr. Garibaldi", City: "Pristina", Country: "Kosovo", Geo: &agenda.Geo{Lat: 42.6629, Lon: 21.1655}}
	negZero := math.Copysign(0, -1)
	variants := []func(v *agenda.Venue){
		func(v *agenda.Venue) {},
		func(v *agenda.Venue) { v.Address = "Rr. Agim Ramadani" },
		func(v *agenda.Venue) { v.City = "Prizren" },
		func(v *agenda.Venue) { v.Country = "" },
		func(v *agenda.Venue) { v.Name = "" }, // titled by the session's location
		func(v *agenda.Venue) { v.Geo = &agenda.Geo{Lat: 0, Lon: 0} },
		func(v *agenda.Venue) { v.Geo = &agenda.Geo{Lat: negZero, Lon: 0} },
		func(v *agenda.Venue) { v.Geo = &agenda.Geo{Lat: 0, Lon: negZero} },
		func(v *agenda.Venue) {},
	}
	var sessions []*agenda.Session
	start := time.Date(2017, 6, 29, 9, 0, 0, 0, time.UTC)
	for i, change := range variants {
		v := base
		g := *base.Geo
		v.Geo = &g
		change(&v)
		sessions = append(sessions, &agenda.Session{
			ID: fmt.Sprintf("s%d", i), Title: "Session", Start: start, End: start.Add(time.Hour),
			Venue: &v, Location: fmt.Sprintf("Room %d, %s", i, v.Name),
		})
	}
	p := testProgramme(t, sessions...)
	shared := NewEncoder(p, benchOptions())
	for _, s := range sessions {
		v := s.Venue
		title := v.Name
		if title == "" {
			title = s.Location
		}
		want := "X-APPLE-STRUCTURED-LOCATION;"
		if address := joinNonEmpty(", ", v.Address, v.City, v.Country); address != "" {
			want += "X-ADDRESS=" + paramValue(address) + ";"
		}
		want += "X-APPLE-RADIUS=70;X-TITLE=" + paramValue(title) + ";VALUE=URI:" + fmt.Sprintf("geo:%.6f,%.6f", v.Geo.Lat, v.Geo.Lon) + "\r\n"
		got := strings.ReplaceAll(string(shared.serialiseEvent(s)), "\r\n ", "")
		if !strings.Contains(got, want) {
			t.Errorf("session %q at %+v, %+v: no %q in\n%s", s.ID, *v, *v.Geo, want, got)
		}
	}
}

// appendStamp writes what AppendFormat writes, for every layout it takes
// and any other, in every zone, over years of every width.
func TestAppendStampIsAppendFormat(t *testing.T) {
	belgrade, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	layouts := []string{"20060102", localLayout, localLayout + "Z", time.RFC3339}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		at := time.Unix(rng.Int64N(600e9)-300e9, 0)
		for _, loc := range []*time.Location{time.UTC, belgrade, time.FixedZone("", -5*3600-1800)} {
			for _, layout := range layouts {
				if got, want := string(appendStamp([]byte("x"), at.In(loc), layout)), "x"+at.In(loc).Format(layout); got != want {
					t.Fatalf("appendStamp(%v, %q) = %q, want %q", at.In(loc), layout, got, want)
				}
			}
		}
	}
}
