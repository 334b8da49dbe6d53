package agenda

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Parse decodes and validates the programme in data; file names it in the
// positions of problems. It returns every problem found, sorted by position,
// and the resolved programme unless one of them is an error.
func Parse(file string, data []byte) (*Programme, Problems) {
	d := &decoder{file: file}
	var prog *Programme
	if root := d.document(data); root != nil {
		prog = d.programme(root)
	}
	if d.problems.Err(false) != nil {
		// With errors to mend, notes (how an alias resolved, advice) are
		// noise: they come back once the programme is valid.
		kept := d.problems[:0]
		for _, p := range d.problems {
			if p.Severity != Note {
				kept = append(kept, p)
			}
		}
		kept.sort()
		return nil, kept
	}
	d.problems.sort()
	return prog, d.problems
}

// sessionSource keeps the nodes of a session that later checks point at.
type sessionSource struct {
	session *Session
	node    *yaml.Node
	id      *yaml.Node // the explicit id, or nil
	date    time.Time
}

func (d *decoder) programme(root *yaml.Node) *Programme {
	f := d.fields(root, "the programme", []string{"title", "project", "description", "timezone", "url", "uid_domain", "organizer", "venue", "language", "online", "base_url", "participants", "tracks", "days"})
	if f == nil {
		return nil
	}
	p := &Programme{
		Title:       d.text(f["title"], "title", true),
		Project:     d.text(f["project"], "project", true),
		Description: d.text(f["description"], "description", false),
		URL:         d.url(f["url"], "url"),
	}
	if p.Title == "" {
		d.missing(root, f["title"], "the programme has no title: add title: Name of the meeting")
	}
	d.timezone(root, f["timezone"], p)
	p.UIDDomain = d.uidDomain(root, f["uid_domain"], p)
	if n := f["organizer"]; n != nil {
		p.Organizer = d.person(n, "organizer", true)
	}
	if n := f["venue"]; n != nil {
		p.Venue = d.venue(n)
	}
	p.Language = "en"
	if lang := d.text(f["language"], "language", true); lang != "" {
		if !validLanguage(lang) {
			d.errorf(f["language"], "language %q is not a language tag: write it as en, sq, sr-Latn or sr-Cyrl (BCP 47)", lang)
		}
		p.Language = lang
	}
	p.Online = d.url(f["online"], "online")
	p.BaseURL = d.url(f["base_url"], "base_url")
	p.Participants = d.participants(f["participants"])
	p.Tracks = d.tracks(f["tracks"])
	tracks := make(map[string]*Track, len(p.Tracks)) // by lower-case id
	for _, t := range p.Tracks {
		tracks[strings.ToLower(t.ID)] = t
	}
	if f["days"] == nil {
		d.errorf(root, "the programme has no days: add days: with at least one date and its sessions")
		return p
	}
	var sources []sessionSource
	days := d.list(f["days"], "days", "days: [{date: 2017-06-29, sessions: [...]}]")
	if n := d.deref(f["days"]); len(days) == 0 && n != nil && n.Kind == yaml.SequenceNode {
		d.errorf(f["days"], "days is empty: add at least one date and its sessions")
	}
	dates := map[string]int{}         // date → line it is first listed at
	dayNodes := map[*yaml.Node]bool{} // a day repeated through an alias is that day
	for _, day := range days {
		if dayNodes[d.deref(day)] || d.aliasesReported {
			sources = append(sources, d.day(day, p, tracks)...)
			continue
		}
		dayNodes[d.deref(day)] = true
		if n := d.lookup(day, "date"); n != nil && n.Kind == yaml.ScalarNode {
			date := strings.TrimSpace(n.Value)
			if line, twice := dates[date]; twice {
				d.warnf(n, "date %s is listed twice (first at line %d): its sessions are merged into one day", date, line)
			} else {
				dates[date] = n.Line
			}
		}
		sources = append(sources, d.day(day, p, tracks)...)
	}
	if len(p.Participants) > 0 || d.firstInvite != nil {
		d.needOrganizerEmail(f["participants"], d.firstInvite, p)
	}
	d.assignIDs(sources)
	d.checkOverlaps(sources)
	for _, s := range sources {
		p.Sessions = append(p.Sessions, s.session)
	}
	p.Rooms = assignRooms(p.Sessions)
	return p
}

// missing records a required field that is absent (at its parent) or empty
// (at its value).
func (d *decoder) missing(parent, value *yaml.Node, msg string) {
	if value == nil && d.misspelt[d.deref(parent)] {
		return
	}
	if value != nil && d.bad[value] {
		return // the value is reported already: it is there but wrong
	}
	if value != nil {
		d.errorf(value, "%s", msg)
		return
	}
	d.errorf(parent, "%s", msg)
}

func (d *decoder) timezone(root, n *yaml.Node, p *Programme) {
	name, ok := d.scalar(n, "timezone")
	if !ok {
		d.missing(root, n, "the programme has no timezone: add timezone: with an IANA zone name such as Europe/Belgrade")
		return
	}
	loc, canonical, note, err := lookupZone(name)
	if err != nil {
		d.errorf(n, "%v", err)
		return
	}
	if note != "" {
		d.notef(n, "%s", note)
	}
	if city, ok := legacyZones[canonical]; ok {
		d.warnf(n, "time zone %q is an old name that is not a place's zone, and calendar programs read it differently; write the zone of the place, such as %s", canonical, city)
	}
	p.Zone, p.ZoneName = loc, canonical
}

func (d *decoder) uidDomain(root, n *yaml.Node, p *Programme) string {
	if s := d.text(n, "uid_domain", true); s != "" {
		for _, r := range s {
			if !isAlnum(r) && r != '-' && r != '.' {
				d.errorf(n, "uid_domain %q must be a domain name such as example.org", s)
				return ""
			}
		}
		return strings.ToLower(s)
	}
	if u, err := url.Parse(p.URL); err == nil && u.Hostname() != "" {
		return strings.ToLower(u.Hostname())
	}
	// No domain of the organiser's: one made from the programme's name under
	// the reserved .invalid domain stays unique among programmes and never
	// claims someone else's domain.
	name := p.Project
	if name == "" {
		name = p.Title
	}
	slug, _ := slugify(name, 40)
	if slug == "" {
		slug = "p" + shortHash(name)
	}
	domain := slug + ".agendacal.invalid"
	from := "title"
	if p.Project != "" {
		from = "project"
	}
	d.notef(root, "no uid_domain or url: UIDs end in @%s, made from the %s; add uid_domain: with a domain of yours so that they stay the same when it changes", domain, from)
	return domain
}

func (d *decoder) url(n *yaml.Node, what string) string {
	s := d.text(n, what, true)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \"<>\\^`{|}") {
		d.errorf(n, "%s %q is not a web address: write it as https://example.org/page", what, s)
		return ""
	}
	return s
}

func (d *decoder) email(n *yaml.Node, what string) string {
	s := d.text(n, what, true)
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		d.errorf(n, "%s %q is not an e-mail address: write it as name@example.org", what, s)
		return ""
	}
	return s
}

// person reads a speaker or organiser: a plain name, or a mapping.
func (d *decoder) person(n *yaml.Node, what string, mappingOnly bool) *Person {
	n = d.deref(n)
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode && !mappingOnly {
		name := d.text(n, what, true)
		if name == "" {
			d.errorf(n, "%s has no name", what)
			return nil
		}
		return &Person{Name: name}
	}
	f := d.fields(n, what, []string{"name", "role", "email"})
	if f == nil {
		return nil
	}
	p := &Person{
		Name:  d.text(f["name"], what+" name", true),
		Role:  d.text(f["role"], what+" role", true),
		Email: d.email(f["email"], what+" email"),
	}
	if p.Name == "" {
		d.missing(n, f["name"], what+" has no name: add name:")
		return nil
	}
	return p
}

func (d *decoder) venue(n *yaml.Node) *Venue {
	f := d.fields(n, "venue", []string{"name", "room", "floor", "address", "city", "country", "geo"})
	if f == nil {
		return nil
	}
	v := &Venue{
		Name:    d.text(f["name"], "venue name", true),
		Room:    d.text(f["room"], "venue room", true),
		Floor:   d.text(f["floor"], "venue floor", true),
		Address: d.text(f["address"], "venue address", true),
		City:    d.text(f["city"], "venue city", true),
		Country: d.text(f["country"], "venue country", true),
	}
	if g := f["geo"]; g != nil {
		v.Geo = d.geo(g)
	}
	return v
}

func (d *decoder) geo(n *yaml.Node) *Geo {
	f := d.fields(n, "geo", []string{"lat", "lon"})
	if f == nil {
		return nil
	}
	lat, okLat := d.degrees(n, f["lat"], "lat", 90)
	lon, okLon := d.degrees(n, f["lon"], "lon", 180)
	if !okLat || !okLon {
		return nil
	}
	return &Geo{Lat: lat, Lon: lon}
}

func (d *decoder) degrees(parent, n *yaml.Node, what string, limit float64) (float64, bool) {
	s, ok := d.scalar(n, what)
	if !ok {
		d.missing(parent, n, fmt.Sprintf("geo has no %s: give both lat and lon in decimal degrees", what))
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < -limit || v > limit || v != v {
		d.errorf(n, "%s %q must be a number of degrees from -%v to %v", what, s, limit, limit)
		return 0, false
	}
	return v, true
}

// tracks reads the track list.
func (d *decoder) tracks(n *yaml.Node) []*Track {
	var out []*Track
	firstLine := map[string]int{}
	for _, item := range d.list(n, "tracks", "tracks: [{id: plenary, name: Plenary}]") {
		f := d.fields(item, "a track", []string{"id", "name", "color", "common"})
		if f == nil {
			continue
		}
		t := &Track{
			ID:     d.text(f["id"], "track id", true),
			Name:   d.text(f["name"], "track name", true),
			Common: true,
		}
		switch c := strings.ToLower(d.text(f["common"], "common", true)); c {
		case "", "true":
		case "false":
			t.Common = false
		default:
			d.errorf(f["common"], "common %q must be true or false", c)
		}
		if t.ID == "" {
			d.missing(item, f["id"], "a track has no id: add id: short-name")
			continue
		}
		if why := checkID(t.ID); why != "" {
			d.errorf(f["id"], "track id %q %s", t.ID, why)
			continue
		}
		key := strings.ToLower(t.ID)
		if line, dup := firstLine[key]; dup {
			d.errorf(f["id"], "duplicate track id %q (first at line %d): give each track its own id", t.ID, line)
			continue
		}
		firstLine[key] = f["id"].Line
		if t.Name == "" {
			t.Name = t.ID
		}
		if s := d.text(f["color"], "track color", true); s != "" {
			c, err := parseColor(s)
			if err != nil {
				d.errorf(f["color"], "%v", err)
			}
			t.Color = c
		}
		out = append(out, t)
	}
	return out
}
