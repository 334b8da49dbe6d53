// Package site writes the subscribe page of a published programme,
// index.html: the programme day by day in the programme's zone, and for the
// whole programme and each track, room and day the links participants
// need to subscribe (webcal, Google Calendar, Outlook) or download; for each
// session its file and links that add it to Google Calendar or Outlook.
// Plain HTML and CSS with no external resource; a small inline script only
// adds a switch to the viewer's own zone.
package site

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/agendacal/agendacal/agenda"
)

// Generator marks a page agendacal wrote, so that a build that lost its
// bookkeeping knows it may replace it.
const Generator = `<meta name="generator" content="agendacal">`

// Feed is a calendar of the folder participants may subscribe to.
type Feed struct {
	Name string // as the page shows it
	Path string // relative to the folder, with '/'
}

// linksAbove is the number of sessions past which the page links each
// session's file only, not also Google's and Outlook's forms: those two
// links make two thirds of a large programme's page (290 MB at 400,000
// sessions), which a browser would not open anyway.
const linksAbove = 1000

// Options say where the folder is served.
type Options struct {
	// BaseURL is the https address the folder is served at, with or
	// without a final '/'; without one the page offers downloads only.
	BaseURL string
}

// Page writes index.html for the programme and its feeds (the whole
// programme first), in parts to be written one after the other: a large
// programme's page is not copied into one buffer. Sessions' files are
// sessions/<id>.ics.
func Page(p *agenda.Programme, feeds []Feed, opts Options) ([][]byte, error) {
	data := pageOf(p, feeds, opts)
	// The days are written on all cores, directly (writeDay) where they
	// can be.
	dayTmpl, err := template.New("day").Parse(dayText)
	if err != nil {
		return nil, err
	}
	head, err := template.New("index.html").Parse(pageHead)
	if err != nil {
		return nil, err
	}
	parts := make([][]byte, len(data.Days)+2)
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	// Each day is written into a buffer that served days before it and
	// copied out at its size: buffers grown for each day anew allocated
	// three times the page.
	var scratch sync.Pool
	for i := range data.Days {
		g.Go(func() error {
			buf, _ := scratch.Get().(*bytes.Buffer)
			if buf == nil {
				buf = new(bytes.Buffer)
			}
			defer scratch.Put(buf)
			buf.Reset()
			var err error
			if !writeDay(buf, &data.Days[i]) {
				err = dayTmpl.Execute(buf, &data.Days[i])
			}
			parts[i+1] = bytes.Clone(buf.Bytes())
			return err
		})
	}
	g.Go(func() error {
		var buf bytes.Buffer
		err := head.Execute(&buf, data)
		parts[0] = buf.Bytes()
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("writing the page: %w", err)
	}
	parts[len(parts)-1] = []byte(pageTail)
	return parts, nil
}

// pageOf is what the page shows of a programme and its feeds.
func pageOf(p *agenda.Programme, feeds []Feed, opts Options) *page {
	w := wordsFor(p.Language)
	data := &page{Lang: p.Language, Title: p.Title, Description: p.Description, Zone: p.ZoneName, W: w}
	base := strings.TrimSuffix(opts.BaseURL, "/")
	for _, f := range feeds {
		data.Feeds = append(data.Feeds, feedLinks(f, base))
	}
	// Day by day, each in order of start: sessions removed from the
	// programme (still shown, cancelled) come after the others.
	sessions := slices.Clone(p.Sessions)
	sort.SliceStable(sessions, func(i, j int) bool {
		if sessions[i].Date != sessions[j].Date {
			return sessions[i].Date < sessions[j].Date
		}
		return sessions[i].Start.Before(sessions[j].Start)
	})
	var day *dayData
	for k, s := range sessions {
		start, end := s.Start.In(p.Zone), s.End.In(p.Zone)
		if day == nil || day.Date != s.Date {
			n := 1 // the day's sessions, which follow one another
			for n < len(sessions)-k && sessions[k+n].Date == s.Date {
				n++
			}
			data.Days = append(data.Days, dayData{Date: s.Date, W: w, Sessions: make([]sessionData, 0, n)})
			day = &data.Days[len(data.Days)-1]
		}
		var until string
		if s.AllDay {
			_, after := s.WholeDays(p.Zone)
			if last := after.AddDate(0, 0, -1).Format("2006-01-02"); last != s.Date {
				until = last
			}
		}
		sd := sessionData{
			Until:     until,
			ID:        s.ID,
			Title:     s.Title,
			Start:     start.Format("15:04"),
			End:       endClock(start, end),
			StartUTC:  s.Start.UTC().Format(time.RFC3339),
			EndUTC:    s.End.UTC().Format(time.RFC3339),
			Location:  s.Location,
			Online:    s.Online,
			Cancelled: s.Status == agenda.StatusCancelled,
			Tentative: s.Status == agenda.StatusTentative,
			Break:     s.Kind == agenda.KindBreak,
			File:      "sessions/" + s.ID + ".ics",
			AllDay:    s.AllDay,
		}
		if len(sessions) <= linksAbove {
			sd.Google, sd.Outlook = template.URL(googleEvent(p, s)), template.URL(outlookEvent(p, s))
		}
		for _, sp := range s.Speakers {
			sd.Speakers = append(sd.Speakers, sp.Name)
		}
		for _, t := range s.Tracks {
			sd.Tracks = append(sd.Tracks, trackData{Name: t.Name, Color: t.Color.Hex})
		}
		day.Sessions = append(day.Sessions, sd)
	}
	return data
}

// feedLinks are the ways to subscribe to a feed.
func feedLinks(f Feed, base string) feedData {
	fd := feedData{Name: f.Name, File: f.Path}
	if base == "" {
		return fd
	}
	https := base + "/" + f.Path
	fd.HTTPS = https
	if rest, ok := strings.CutPrefix(https, "https://"); ok {
		fd.Webcal = template.URL("webcal://" + rest)
	} else if rest, ok := strings.CutPrefix(https, "http://"); ok {
		fd.Webcal = template.URL("webcal://" + rest)
	}
	// Google takes the https address (its importer refuses webcal:// now
	// and then); Outlook's two sites take the address and a name.
	fd.Google = template.URL("https://calendar.google.com/calendar/r?cid=" + url.QueryEscape(https))
	q := query(url.Values{"url": {https}, "name": {f.Name}})
	fd.OutlookLive = template.URL("https://outlook.live.com/calendar/0/addfromweb?" + q)
	fd.OutlookOffice = template.URL("https://outlook.office.com/calendar/0/addfromweb?" + q)
	return fd
}

// endClock is how the page shows when a session ends that starts at
// start: the time of day, 24:00 for the midnight that ends its day, and
// the date before the time of an end on a later day.
func endClock(start, end time.Time) string {
	y, m, d := start.Date()
	switch next := time.Date(y, m, d+1, 0, 0, 0, 0, start.Location()); {
	case end.Before(next):
		return end.Format("15:04")
	case end.Equal(next) && end.Format("15:04") == "00:00":
		return "24:00"
	default:
		return end.Format("2006-01-02 15:04")
	}
}

// googleEvent is a link that adds one session to Google Calendar, with
// its times in UTC and the programme's zone.
func googleEvent(p *agenda.Programme, s *agenda.Session) string {
	q := url.Values{
		"action":   {"TEMPLATE"},
		"text":     {s.Title},
		"dates":    {googleDates(p, s)},
		"ctz":      {p.ZoneName},
		"location": {s.Location},
	}
	if d := details(s); d != "" {
		q.Set("details", d)
	}
	return "https://calendar.google.com/calendar/render?" + query(q)
}

// googleDates are a session's dates for Google: instants in UTC, or whole
// days.
func googleDates(p *agenda.Programme, s *agenda.Session) string {
	if s.AllDay {
		first, after := s.WholeDays(p.Zone)
		return first.Format("20060102") + "/" + after.Format("20060102")
	}
	return s.Start.UTC().Format("20060102T150405Z") + "/" + s.End.UTC().Format("20060102T150405Z")
}

// outlookEvent is a link that opens Outlook's form for a new event with
// the session in it, its times in UTC, or its whole days.
func outlookEvent(p *agenda.Programme, s *agenda.Session) string {
	q := url.Values{
		"path":     {"/calendar/action/compose"},
		"rru":      {"addevent"},
		"subject":  {s.Title},
		"startdt":  {s.Start.UTC().Format("2006-01-02T15:04:05Z")},
		"enddt":    {s.End.UTC().Format("2006-01-02T15:04:05Z")},
		"location": {s.Location},
	}
	if s.AllDay {
		q.Set("allday", "true")
		first, after := s.WholeDays(p.Zone)
		q.Set("startdt", first.Format("2006-01-02"))
		q.Set("enddt", after.Format("2006-01-02"))
	}
	if d := details(s); d != "" {
		q.Set("body", d)
	}
	return "https://outlook.live.com/calendar/0/deeplink/compose?" + query(q)
}

// query encodes a query string with spaces as %20, which every site takes
// (a '+' would be written &#43; in the page).
func query(v url.Values) string {
	return strings.ReplaceAll(v.Encode(), "+", "%20")
}

// details is what a one-off event carries of a session besides its title,
// times and place.
func details(s *agenda.Session) string {
	var parts []string
	for _, part := range []string{s.Online, s.Description, s.URL} {
		if part != "" {
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, "\n\n")
}

type page struct {
	Lang, Title, Description, Zone string
	W                              words
	Feeds                          []feedData
	Days                           []dayData
}

type feedData struct {
	Name, File, HTTPS          string
	Webcal, Google             template.URL
	OutlookLive, OutlookOffice template.URL
}

type dayData struct {
	Date     string
	W        words
	Sessions []sessionData
}

type sessionData struct {
	ID, Title, Start, End, StartUTC, EndUTC string
	Location, Online, File                  string
	Speakers                                []string
	Tracks                                  []trackData
	Cancelled, Tentative, Break, AllDay     bool
	// Until is an all-day item's last day, when it is not its first.
	Until           string
	Google, Outlook template.URL
}

type trackData struct {
	Name, Color string
}
