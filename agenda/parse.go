package agenda

import (
	"fmt"
	"maps"
	"net/mail"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Parse decodes and validates the programme in data; file names it in the
// positions of problems. It returns every problem found, sorted by position,
// and the resolved programme unless one of them is an error.
func Parse(file string, data []byte) (*Programme, Problems) {
	return ParseFiles(file, string(data), nil)
}

// ParseFiles is Parse for a programme's text that may include other files
// (include: [other.yaml]): read reads one, by its name relative to the
// folder of the file that includes it. Problems in an included file are
// reported at their place in that file. With a nil read, include: is
// refused. The programme's strings are cut from text and the files read,
// not copied.
func ParseFiles(file string, text string, read func(name string) (string, error)) (*Programme, Problems) {
	return parseFiles(file, text, read, runtime.GOMAXPROCS(0), splitFrom)
}

// parseFiles is ParseFiles decoding a programme's days on up to workers
// goroutines, reading each just before it is decoded where they are
// deferFrom bytes or more (deferredDays; never where deferFrom is 0).
func parseFiles(file string, text string, read func(name string) (string, error), workers, deferFrom int) (*Programme, Problems) {
	read = readOnce(read)
	decode := func(deferFrom int) (*decoder, *Programme) {
		d := &decoder{file: file, read: read, fileOrder: map[string]int{file: 0}, workers: workers, deferFrom: deferFrom}
		if root := d.document(text); root != nil {
			return d, d.programme(root)
		}
		return d, nil
	}
	d, prog := decode(deferFrom)
	if d.refused || len(d.deferred) > 0 {
		// A deferred day was not read as the fast reader reads it in the
		// whole file, or a deferred list was never read (a second days:
		// key, a programme refused before its days): until its days are
		// read, nothing vouches that the list ends where its lines say.
		// All is decoded again, not deferred.
		d, prog = decode(0)
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
		kept.sort(d.fileOrder)
		return nil, kept
	}
	d.problems.sort(d.fileOrder)
	return prog, d.problems
}

// readOnce is read remembering what it gave for each file, so that a
// programme decoded twice (parseFiles) reads each file once.
func readOnce(read func(name string) (string, error)) func(name string) (string, error) {
	if read == nil {
		return nil
	}
	type result struct {
		text string
		err  error
	}
	seen := map[string]result{}
	return func(name string) (string, error) {
		r, ok := seen[name]
		if !ok {
			r.text, r.err = read(name)
			seen[name] = r
		}
		return r.text, r.err
	}
}

// sessionSource keeps where a session is written, for the checks that
// come after the days are decoded, when the nodes of a deferred list of
// days are gone (deferredDays).
type sessionSource struct {
	session *Session
	file    string // the file the session is written in
	at      spot
	idAt    spot   // the explicit id's, or the zero spot
	derived string // without an explicit id, the id derived from date and title (derivedID)
	date    time.Time
}

// spot is a node's line and column.
type spot struct{ line, col int }

func spotOf(n *yaml.Node) spot { return spot{n.Line, n.Column} }

// node is a node standing for the spot, for messages about it.
func (s spot) node() *yaml.Node { return &yaml.Node{Line: s.line, Column: s.col} }

func (d *decoder) programme(root *yaml.Node) *Programme {
	f := d.fields(root, "the programme", d.keysOf("programme"))
	if f == nil {
		return nil
	}
	p := &Programme{
		Title:       d.text(f.get("title"), "title", true),
		Project:     d.text(f.get("project"), "project", true),
		Description: d.text(f.get("description"), "description", false),
		URL:         d.url(f.get("url"), "url"),
	}
	if p.Title == "" {
		d.missing(root, f.get("title"), "the programme has no title: add title: Name of the meeting")
	}
	d.timezone(root, f.get("timezone"), p)
	p.UIDDomain = d.uidDomain(root, f.get("uid_domain"), p)
	if n := f.get("organizer"); n != nil {
		if o, ok := d.person(n, "organizer", true); ok {
			p.Organizer = &o
		}
	}
	if n := f.get("venue"); n != nil {
		p.Venue = d.venue(n)
	}
	p.Language = "en"
	if lang := d.text(f.get("language"), "language", true); lang != "" {
		if !validLanguage(lang) {
			d.errorf(f.get("language"), "language %q is not a language tag: write it as en, sq, sr-Latn or sr-Cyrl (BCP 47)", lang)
		}
		p.Language = lang
	}
	p.Online = d.url(f.get("online"), "online")
	if s := d.text(f.get("base_url"), "base_url", true); s != "" {
		var err error
		if p.BaseURL, err = CheckBaseURL(s); err != nil {
			d.errorf(f.get("base_url"), "base_url %s", err)
		}
	}
	parts := []part{{file: d.file, participants: f.get("participants"), tracks: f.get("tracks"), days: f.get("days")}}
	parts = append(parts, d.includes(f.get("include"))...)
	main := d.file
	for _, pt := range parts {
		d.file = pt.file
		p.Participants = d.participants(pt.participants, p.Participants)
	}
	for _, pt := range parts {
		d.file = pt.file
		p.Tracks = d.tracks(pt.tracks, p.Tracks)
	}
	d.file = main
	tracks := make(map[string]*Track, len(p.Tracks)) // by lower-case id
	for _, t := range p.Tracks {
		tracks[strings.ToLower(t.ID)] = t
	}
	hasDays := false
	for _, pt := range parts {
		hasDays = hasDays || pt.days != nil
	}
	if !hasDays {
		d.errorf(root, "the programme has no days: add days: with at least one date and its sessions")
		return p
	}
	var sources []sessionSource
	dates := map[string]string{}      // date → where it is first listed
	dayNodes := map[*yaml.Node]bool{} // a day repeated through an alias is that day
	for _, pt := range parts {
		d.file = pt.file
		sources = append(sources, d.days(pt.days, p, tracks, dates, dayNodes)...)
	}
	d.file = main
	if len(p.Participants) > 0 || d.firstInvite != nil {
		d.needOrganizerEmail(f.get("participants"), d.firstInvite, p)
	}
	d.assignIDs(sources)
	d.checkOverlaps(sources)
	d.file = main
	for _, s := range sources {
		p.Sessions = append(p.Sessions, s.session)
	}
	p.Rooms = assignRooms(p.Sessions)
	return p
}

// part is a file's share of the programme: the main file's, or an
// included one's.
type part struct {
	file                       string
	participants, tracks, days *yaml.Node
}

// days decodes the list of days of one file.
func (d *decoder) days(list *yaml.Node, p *Programme, tracks map[string]*Track, dates map[string]string, dayNodes map[*yaml.Node]bool) []sessionSource {
	if list == nil {
		return nil
	}
	if l := d.deferred[list]; l != nil {
		delete(d.deferred, list) // read: parseFiles asks for none left
		return d.deferredDays(l, p, tracks, dates)
	}
	var sources []sessionSource
	days := d.list(list, "days", "days: [{date: 2017-06-29, sessions: [...]}]")
	if n := d.deref(list); len(days) == 0 && n != nil && n.Kind == yaml.SequenceNode {
		d.errorf(list, "days is empty: add at least one date and its sessions")
	}
	// Days are decoded on several goroutines where no file had to be read
	// by yaml.v3, so that no alias can share nodes between days.
	atOnce := d.workers > 1 && !d.slow && len(days) > 1
	for _, day := range days {
		if dayNodes[d.deref(day)] || d.aliasesReported {
			if !atOnce {
				sources = append(sources, d.day(day, p, tracks)...)
			}
			continue
		}
		dayNodes[d.deref(day)] = true
		if n := d.lookup(day, "date"); n != nil && n.Kind == yaml.ScalarNode {
			d.listedTwice(n, dates)
		}
		if !atOnce {
			sources = append(sources, d.day(day, p, tracks)...)
		}
	}
	if atOnce {
		return d.daysAtOnce(days, p, tracks)
	}
	return sources
}

// listedTwice warns where the date n has is listed before, in dates
// (date → where), or adds it there.
func (d *decoder) listedTwice(n *yaml.Node, dates map[string]string) {
	date := strings.TrimSpace(n.Value)
	if first, twice := dates[date]; twice {
		d.warnf(n, "date %s is listed twice (first at %s): its sessions are merged into one day", date, first)
	} else {
		dates[date] = d.where(n)
	}
}

// deferredDays reads and decodes the days of a deferred list (see
// deferItems) on up to d.workers goroutines, in groups, as daysAtOnce
// decodes days read already: each day is read straight before it is
// decoded, into the nodes of the day before, so that no decoder may keep
// a node past its day. Where a day is not read as the lone parser would
// have read it, d.refused is set, and the programme is decoded again.
func (d *decoder) deferredDays(l *deferredList, p *Programme, tracks map[string]*Track, dates map[string]string) []sessionSource {
	type dated struct {
		date string
		at   spot // the zero spot where the day has no date to check
	}
	n := len(l.starts)
	groups := min(n, 4*d.workers)
	decoders := make([]*decoder, groups)
	sources := make([][]sessionSource, groups)
	listed := make([]dated, n)
	refused := make([]bool, groups)
	atOnce(d.workers, groups, func(g int) {
		c := &decoder{file: d.file, read: d.read, fileOrder: d.fileOrder, workers: 1}
		r := l.reader()
		for k := g * n / groups; k < (g+1)*n/groups; k++ {
			day := r.readDeferred(l, k)
			if day == nil {
				refused[g] = true
				return
			}
			if date := c.lookup(day, "date"); date != nil && date.Kind == yaml.ScalarNode {
				listed[k] = dated{date.Value, spotOf(date)}
			}
			sources[g] = append(sources[g], c.day(day, p, tracks)...)
			clear(c.bad) // their nodes are read into again
			clear(c.misspelt)
		}
		decoders[g] = c
	})
	if slices.Contains(refused, true) {
		d.refused = true
		return nil
	}
	if !d.aliasesReported {
		for _, day := range listed {
			if day.at != (spot{}) {
				date := day.at.node()
				date.Value = day.date
				d.listedTwice(date, dates)
			}
		}
	}
	return d.take(decoders, sources)
}

// daysAtOnce decodes days on up to d.workers goroutines, in groups, each
// by a decoder of its own whose problems and findings are then taken in
// the days' order: what decoding them one after the other gives, once
// problems are sorted by their place.
func (d *decoder) daysAtOnce(days []*yaml.Node, p *Programme, tracks map[string]*Track) []sessionSource {
	groups := min(len(days), 4*d.workers)
	decoders := make([]*decoder, groups)
	sources := make([][]sessionSource, groups)
	atOnce(d.workers, groups, func(g int) {
		c := &decoder{file: d.file, read: d.read, fileOrder: d.fileOrder, workers: 1}
		for _, day := range days[g*len(days)/groups : (g+1)*len(days)/groups] {
			sources[g] = append(sources[g], c.day(day, p, tracks)...)
		}
		decoders[g] = c
	})
	return d.take(decoders, sources)
}

// take takes the problems and findings of the decoders that decoded the
// days of sources, in the days' order.
func (d *decoder) take(decoders []*decoder, sources [][]sessionSource) []sessionSource {
	n := 0
	for _, s := range sources {
		n += len(s)
	}
	all := make([]sessionSource, 0, n)
	for g, c := range decoders {
		d.problems = append(d.problems, c.problems...)
		if len(c.bad) > 0 && d.bad == nil {
			d.bad = map[*yaml.Node]bool{}
		}
		maps.Copy(d.bad, c.bad)
		if len(c.misspelt) > 0 && d.misspelt == nil {
			d.misspelt = map[*yaml.Node]bool{}
		}
		maps.Copy(d.misspelt, c.misspelt)
		if d.firstInvite == nil {
			d.firstInvite = c.firstInvite
		}
		all = append(all, sources[g]...)
	}
	return all
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

// CheckBaseURL checks the address a published folder is served at (the
// page's links are its files' names after it) and gives it with its
// scheme in lower case: http or https, a host, no query and no fragment.
func CheckBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \"<>\\^`{|}"):
		return "", fmt.Errorf("%q is not a web address: write it as https://example.org/meeting/", s)
	case strings.ContainsAny(s, "?#"):
		return "", fmt.Errorf("%q has a query or a fragment: give the folder's own address, such as https://example.org/meeting/", s)
	}
	return u.Scheme + s[len(u.Scheme):], nil
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

// person reads a speaker or organiser: a plain name, or a mapping. ok is
// false where it is not one.
func (d *decoder) person(n *yaml.Node, what string, mappingOnly bool) (p Person, ok bool) {
	n = d.deref(n)
	if n == nil {
		return p, false
	}
	if n.Kind == yaml.ScalarNode && !mappingOnly {
		name := d.text(n, what, true)
		if name == "" {
			d.errorf(n, "%s has no name", what)
			return p, false
		}
		return Person{Name: name}, true
	}
	f := d.fields(n, what, d.keysOf("person"))
	if f == nil {
		return p, false
	}
	p = Person{
		Name:  d.text(f.get("name"), what+" name", true),
		Role:  d.text(f.get("role"), what+" role", true),
		Email: d.email(f.get("email"), what+" email"),
	}
	if p.Name == "" {
		d.missing(n, f.get("name"), what+" has no name: add name:")
		return p, false
	}
	return p, true
}

func (d *decoder) venue(n *yaml.Node) *Venue {
	f := d.fields(n, "venue", d.keysOf("venue"))
	if f == nil {
		return nil
	}
	v := &Venue{
		Name:    d.text(f.get("name"), "venue name", true),
		Room:    d.text(f.get("room"), "venue room", true),
		Floor:   d.text(f.get("floor"), "venue floor", true),
		Address: d.text(f.get("address"), "venue address", true),
		City:    d.text(f.get("city"), "venue city", true),
		Country: d.text(f.get("country"), "venue country", true),
	}
	if g := f.get("geo"); g != nil {
		v.Geo = d.geo(g)
	}
	return v
}

func (d *decoder) geo(n *yaml.Node) *Geo {
	f := d.fields(n, "geo", d.keysOf("geo"))
	if f == nil {
		return nil
	}
	lat, okLat := d.degrees(n, f.get("lat"), "lat", 90)
	lon, okLon := d.degrees(n, f.get("lon"), "lon", 180)
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

// tracks reads a track list, adding its tracks to those read before.
func (d *decoder) tracks(n *yaml.Node, out []*Track) []*Track {
	firstAt := map[string]string{}
	for _, t := range out {
		firstAt[strings.ToLower(t.ID)] = t.at
	}
	for _, item := range d.list(n, "tracks", "tracks: [{id: plenary, name: Plenary}]") {
		f := d.fields(item, "a track", d.keysOf("track"))
		if f == nil {
			continue
		}
		t := &Track{
			ID:     d.text(f.get("id"), "track id", true),
			Name:   d.text(f.get("name"), "track name", true),
			Common: true,
		}
		switch c := strings.ToLower(d.text(f.get("common"), "common", true)); c {
		case "", "true":
		case "false":
			t.Common = false
		default:
			d.errorf(f.get("common"), "common %q must be true or false", c)
		}
		if t.ID == "" {
			d.missing(item, f.get("id"), "a track has no id: add id: short-name")
			continue
		}
		if why := checkID(t.ID); why != "" {
			d.errorf(f.get("id"), "track id %q %s", t.ID, why)
			continue
		}
		key := strings.ToLower(t.ID)
		if first, dup := firstAt[key]; dup {
			d.errorf(f.get("id"), "duplicate track id %q (first at %s): give each track its own id", t.ID, first)
			continue
		}
		t.at = d.where(d.deref(f.get("id")))
		firstAt[key] = t.at
		if t.Name == "" {
			t.Name = t.ID
		}
		if s := d.text(f.get("color"), "track color", true); s != "" {
			c, err := parseColor(s)
			if err != nil {
				d.errorf(f.get("color"), "%v", err)
			}
			t.Color = c
		}
		out = append(out, t)
	}
	return out
}

// includes reads the files include: names, each a share of the programme
// with participants, tracks and days of its own.
func (d *decoder) includes(n *yaml.Node) []part {
	if n == nil {
		return nil
	}
	items := []*yaml.Node{n}
	if m := d.deref(n); m != nil && m.Kind == yaml.SequenceNode {
		items = m.Content
	}
	var out []part
	for _, item := range items {
		name := d.text(item, "include", true)
		if name == "" {
			continue
		}
		if d.read == nil {
			d.errorf(item, "include: needs the programme to be read from a file: give its name rather than -")
			continue
		}
		path := name
		if !filepath.IsAbs(name) && d.file != "<stdin>" {
			path = filepath.Join(filepath.Dir(d.file), name)
		}
		if _, seen := d.fileOrder[path]; seen {
			d.errorf(item, "%s is included twice, or is the programme itself: include it once", name)
			continue
		}
		data, err := d.read(path)
		if err != nil {
			d.errorf(item, "cannot read the included file %s: %v", name, err)
			continue
		}
		d.fileOrder[path] = len(d.fileOrder)
		main := d.file
		d.file = path
		if root := d.document(data); root != nil {
			if f := d.fields(root, "an included file", d.keysOf("included")); f != nil {
				out = append(out, part{file: path, participants: f.get("participants"), tracks: f.get("tracks"), days: f.get("days")})
			}
		}
		d.file = main
	}
	return out
}

// where names a node's place in the file being read, for a message about
// another place: its line, with the file's name when the programme is in
// several files.
func (d *decoder) where(n *yaml.Node) string {
	if len(d.fileOrder) > 1 {
		return fmt.Sprintf("%s:%d", d.file, n.Line)
	}
	return fmt.Sprintf("line %d", n.Line)
}
