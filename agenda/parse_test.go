package agenda

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// programme wraps session lines (each indented by six spaces in the
// result) in a minimal valid programme on 2017-06-29 in Europe/Belgrade.
// The first session line is on line 7.
func programme(sessions ...string) string {
	return "title: T\n" +
		"timezone: Europe/Belgrade\n" +
		"tracks: [{id: plenary, name: Plenary}]\n" +
		"days:\n" +
		"  - date: 2017-06-29\n" +
		"    sessions:\n" +
		"      " + strings.Join(sessions, "\n      ") + "\n"
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // every problem, in order
	}{
		{"valid", programme("- {time: 09:30-10:30, title: A}"), nil},
		{"unknown key with suggestion", programme("- {strat: '09:30', end: '10:30', title: A}"),
			[]string{`p.yaml:7:10: unknown key "strat" in a session (did you mean "start"?)`}},
		{"speaker for speakers", programme("- {time: 09:30-10:30, title: A, speaker: [X]}"),
			[]string{`p.yaml:7:39: unknown key "speaker" in a session (did you mean "speakers"?)`}},
		{"unknown top-level key", "titel: T\ntimezone: UTC\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A}]}]\n",
			[]string{`p.yaml:1:1: unknown key "titel" in the programme (did you mean "title"?)`}},
		{"unknown key without suggestion", programme("- {time: 09:30-10:30, title: A, zzzzzzzzzz: 1}"),
			[]string{`p.yaml:7:39: unknown key "zzzzzzzzzz" in a session; known keys are id, time, start, end, duration, title, kind, status, speakers, topics, track, room, floor, location, online, description, url, invite, all_day, until`}},
		{"duplicate key", programme("- {time: 09:30-10:30, title: A, title: B}"),
			[]string{`p.yaml:7:39: key "title" appears twice in a session (first at line 7): keep one`}},
		{"speakers not a list", programme("- {time: 09:30-10:30, title: A, speakers: 3}"),
			[]string{`p.yaml:7:49: speakers must be a list, as in speakers: [Jane Doe], not "3"`}},
		{"days a mapping", "title: T\ntimezone: UTC\ndays: {}\n",
			[]string{`p.yaml:3:7: days must be a list, as in days: [{date: 2017-06-29, sessions: [...]}], not a mapping`}},
		{"missing title and time", programme("- {kind: break}"),
			[]string{`p.yaml:7:9: a session has no title: add title:`, `p.yaml:7:9: a session has no time: add time: 09:30-10:30, or start: with end: or duration:`}},
		{"missing programme fields", "project: X\n",
			[]string{`p.yaml:1:1: the programme has no title: add title: Name of the meeting`, `p.yaml:1:1: the programme has no timezone: add timezone: with an IANA zone name such as Europe/Belgrade`, `p.yaml:1:1: the programme has no days: add days: with at least one date and its sessions`}},
		{"impossible date", strings.Replace(programme("- {time: 09:30-10:30, title: A}"), "2017-06-29", "2017-02-30", 1),
			[]string{`p.yaml:5:11: invalid date "2017-02-30": that day does not exist`}},
		{"hour 25", programme("- {start: '25:00', end: '26:00', title: A}"),
			[]string{`p.yaml:7:17: invalid time "25:00": hours must be 0 to 23`}},
		{"dotted time", programme("- {time: 9.30-10.30, title: A}"), nil},
		{"comma time", programme("- {time: '9,30-10,30', title: A}"),
			[]string{`p.yaml:7:16: invalid time "9,30": write times as 09:30, 09h30 or 9:30 AM`}},
		{"end before start", programme("- {time: 10:30-09:30, title: A}"),
			[]string{`p.yaml:7:16: a session ends at 09:30, before it starts at 10:30: to end after midnight, give duration: instead of an end`}},
		{"end equals start", programme("- {start: '10:30', end: '10:30', title: A}"),
			[]string{`p.yaml:7:31: a session ends when it starts (10:30): give it a length`}},
		{"zero duration", programme("- {start: '10:30', duration: 0m, title: A}"),
			[]string{`p.yaml:7:36: invalid duration "0m": a session must last a positive time`}},
		{"time with start", programme("- {time: 09:30-10:30, start: '09:30', title: A}"),
			[]string{`p.yaml:7:36: a session has time and start: give either time: 09:30-10:30 or start with end or duration`}},
		{"start without end", programme("- {start: '09:30', title: A}"),
			[]string{`p.yaml:7:9: a session has a start but no end: add end: or duration:`}},
		{"end and duration", programme("- {start: '09:30', end: '10:00', duration: 30m, title: A}"),
			[]string{`p.yaml:7:50: a session has both end and duration: keep one`}},
		{"gap", strings.Replace(programme("- {time: 02:30-03:30, title: A}"), "2017-06-29", "2026-03-29", 1),
			[]string{`p.yaml:7:16: 02:30 on 2026-03-29 does not exist in Europe/Belgrade (clocks go forward on 2026-03-29 from 02:00 to 03:00): choose another time`}},
		{"ambiguous", strings.Replace(programme("- {time: 02:30-03:30, title: A}"), "2017-06-29", "2026-10-25", 1),
			[]string{`p.yaml:7:16: warning: 02:30 on 2026-10-25 happens twice in Europe/Belgrade (clocks go back on 2026-10-25 from 03:00 to 02:00): using the first, 02:30 CEST (UTC+02:00)`}},
		{"unknown track", programme("- {time: 09:30-10:30, title: A, track: plenery}"),
			[]string{`p.yaml:7:46: unknown track "plenery" (did you mean "plenary"?)`}},
		{"unsafe id", programme("- {id: ../x, time: 09:30-10:30, title: A}"),
			[]string{`p.yaml:7:14: session id "../x" must start with a letter or a digit`}},
		{"id with slash", programme("- {id: a/b, time: 09:30-10:30, title: A}"),
			[]string{`p.yaml:7:14: session id "a/b" contains '/': use only letters, digits, '-', '_' and '.'`}},
		{"windows name", programme("- {id: con, time: 09:30-10:30, title: A}"),
			[]string{`p.yaml:7:14: session id "con" is a name Windows reserves for a device`}},
		{"duplicate ids", programme("- {id: a, time: 09:30-10:30, title: A}", "- {id: A, time: 10:30-11:30, title: B}"),
			[]string{`p.yaml:8:14: duplicate session id "A" (first at line 7): give each session its own id`}},
		{"overlap", programme("- {time: 09:30-10:30, title: A, room: R}", "- {time: 10:00-11:00, title: B, room: R}"),
			[]string{`p.yaml:8:9: warning: "B" overlaps "A" (line 7) in R: move one of them, or make one a break`}},
		{"kind in capitals", programme("- {time: 09:30-10:30, title: A, kind: Break}"), nil},
		{"empty session", programme("- {}"), []string{
			`p.yaml:7:9: a session has no title: add title:`,
			`p.yaml:7:9: a session has no time: add time: 09:30-10:30, or start: with end: or duration:`}},
		{"short colour", "title: T\ntimezone: UTC\nuid_domain: x.org\ntracks: [{id: a, color: \"#1AF\"}, {id: b, color: RED}]\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A}]}]\n", nil},
		{"overlap with a break is fine", programme("- {time: 09:30-10:30, title: A, room: R}", "- {time: 10:00-11:00, title: B, room: R, kind: break}"), nil},
		{"newline in title", programme(`- {time: 09:30-10:30, title: "A\nB"}`),
			[]string{`p.yaml:7:36: title must be one line: remove the line break`}},
		{"carriage return in title", programme(`- {time: 09:30-10:30, title: "x\ry"}`),
			[]string{`p.yaml:7:36: title must be one line: remove the line break`}},
		{"escape character in description", programme(`- {time: 09:30-10:30, title: A, description: "x\x1by"}`),
			[]string{`p.yaml:7:52: description contains the control character U+001B: remove it`}},
		{"C1 control after Cyrillic in description", programme(`- {time: 09:30-10:30, title: A, description: "Ђорђе\u0085x"}`),
			[]string{`p.yaml:7:52: description contains the control character U+0085: remove it`}},
		{"line separator after Cyrillic in title", programme(`- {time: 09:30-10:30, title: "Сала\u2028B"}`),
			[]string{`p.yaml:7:36: title must be one line: remove the line break`}},
		{"paragraph separator in a description is a break", programme(`- {time: 09:30-10:30, title: A, description: "Ђ\u2029x"}`), nil},
		{"bidi isolate after Albanian", programme(`- {time: 09:30-10:30, title: "Çeku \u2066x\u2069"}`),
			[]string{`p.yaml:7:36: warning: title holds an invisible character that reorders text (U+202A–U+202E or U+2066–U+2069): calendar programs may show it in a different order`}},
		{"bidi override", programme(`- {time: 09:30-10:30, title: "abc\u202Edef"}`),
			[]string{`p.yaml:7:36: warning: title holds an invisible character that reorders text (U+202A–U+202E or U+2066–U+2069): calendar programs may show it in a different order`}},
		{"invisible title", programme(`- {time: 09:30-10:30, title: "\u200B\u200B"}`),
			[]string{`p.yaml:7:36: a session has no title: add title:`}},
		{"merge key", programme("- {<<: {title: A}, time: 09:30-10:30}"),
			[]string{`p.yaml:7:10: YAML merge keys (<<) are not supported in a session: write the keys out`}},
		{"bad url", programme("- {time: 09:30-10:30, title: A, url: 'javascript:alert(1)'}"),
			[]string{`p.yaml:7:44: url "javascript:alert(1)" is not a web address: write it as https://example.org/page`}},
		{"bad email", programme("- {time: 09:30-10:30, title: A, speakers: [{name: X, email: 'x@y\nBCC: z'}]}"),
			[]string{`p.yaml:7:67: a speaker email "x@y BCC: z" is not an e-mail address: write it as name@example.org`}},
		{"unknown zone", "title: T\ntimezone: Europe/Belgrad\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A}]}]\n",
			[]string{`p.yaml:2:11: unknown time zone "Europe/Belgrad"; did you mean "Europe/Belgrade" (UTC+01:00)?`}},
		{"pristina", "title: T\ntimezone: Priština\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A}]}]\n",
			[]string{`p.yaml:2:11: note: "Priština" has no zone of its own in the tz database; using Europe/Belgrade, whose time Kosovo keeps (CET/CEST)`}},
		{"bad colour", "title: T\ntimezone: UTC\ntracks: [{id: a, color: bleu}]\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A}]}]\n",
			[]string{`p.yaml:3:25: unknown colour "bleu": give a CSS colour name or #rrggbb (did you mean "blue"?)`}},
		{"latitude out of range", "title: T\ntimezone: UTC\nvenue: {geo: {lat: 91, lon: 0}}\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A}]}]\n",
			[]string{`p.yaml:3:20: lat "91" must be a number of degrees from -90 to 90`}},
		{"empty file", "", []string{`p.yaml:1:1: the programme is empty: start from 'agendacal init'`}},
		{"second document", programme("- {time: 09:30-10:30, title: A}") + "---\ntitle: B\n",
			[]string{`p.yaml:8:1: a second YAML document starts here: a programme is one document, remove the '---' line`}},
		{"tab indentation", "title: T\ntimezone: UTC\ndays:\n\t- date: 2017-06-29\n",
			[]string{`p.yaml:4:1: YAML syntax: a tab indents this line: indent with spaces, not tabs`}},
		{"unclosed quote", "title: \"T\ntimezone: UTC\n",
			[]string{`p.yaml:1:8: YAML syntax: this quote is never closed: close it, or remove it`}},
		{"invalid UTF-8", "title: T\xff\n", []string{`p.yaml:1:9: the file is not valid UTF-8: save it as UTF-8`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := Parse("p.yaml", []byte(tt.yaml))
			var got []string
			for _, p := range problems {
				if strings.Contains(p.Message, "no uid_domain or url") {
					continue // TestUIDDomainNote tests it
				}
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCRLFInDescriptionIsALineBreak(t *testing.T) {
	p, problems := Parse("p.yaml", []byte(programme(`- {time: 09:30-10:30, title: A, description: "one\r\ntwo\rthree"}`)))
	if p == nil {
		t.Fatal(problems)
	}
	if got := p.Sessions[0].Description; got != "one\ntwo\nthree" {
		t.Errorf("description %q, want CRLF and CR as line feeds", got)
	}
}

func TestParseByteOrderMark(t *testing.T) {
	p, problems := Parse("p.yaml", []byte("\uFEFF"+programme("- {time: 09:30-10:30, title: A}")+"uid_domain: example.org\n"))
	if p == nil || len(problems) != 0 {
		t.Fatalf("a byte-order mark should be accepted: %v", problems)
	}
}

func TestDerivedIDs(t *testing.T) {
	p, problems := Parse("p.yaml", []byte(programme(
		"- {time: 10:30-11:00, title: Coffee break, kind: break}",
		"- {time: 15:30-16:00, title: Coffee break, kind: break}",
		"- {time: 16:00-16:30, title: 'Coffee break', kind: break}",
		"- {time: 09:00-09:30, title: 'Përshëndetje: Приштина & Kosova!'}",
		"- {time: 11:00-11:30, title: '会議'}",
		"- {id: 2017-06-29-opening, time: 12:00-12:30, title: X}",
		"- {time: 12:30-13:00, title: Opening}",
	)))
	if p == nil {
		t.Fatal(problems)
	}
	var got []string
	for _, s := range p.Sessions {
		got = append(got, s.ID)
	}
	want := []string{
		"2017-06-29-coffee-break", "2017-06-29-coffee-break-2", "2017-06-29-coffee-break-3",
		"2017-06-29-pershendetje-pristina-kosova", "2017-06-29-s6f7de8e48ace", "2017-06-29-opening", "2017-06-29-opening-2",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("ids:\n%v\nwant\n%v", got, want)
	}
}

// An id derived from the date and title stays the same when everything else
// about the session changes.
func TestDerivedIDsAreStable(t *testing.T) {
	a, _ := Parse("p.yaml", []byte(programme("- {time: 09:30-10:30, title: Keynote, room: A, speakers: [X], description: one}")))
	b, _ := Parse("p.yaml", []byte(programme("- {start: '14:00', duration: 2h, title: Keynote, room: B, speakers: [Y, Z], description: two}")))
	if a == nil || b == nil || a.Sessions[0].ID != b.Sessions[0].ID {
		t.Fatalf("ids differ: %v, %v", a, b)
	}
}

func TestUIDDomain(t *testing.T) {
	tests := []struct {
		extra, domain, note string
	}{
		{"uid_domain: Example.ORG\n", "example.org", ""},
		{"url: https://meeting.example.net/programme\n", "meeting.example.net", ""},
		{"", "t.agendacal.invalid", "p.yaml:1:1: note: no uid_domain or url: UIDs end in @t.agendacal.invalid, made from the title; add uid_domain: with a domain of yours so that they stay the same when it changes"},
		{"project: iPROCEEDS\n", "iproceeds.agendacal.invalid", "p.yaml:1:1: note: no uid_domain or url: UIDs end in @iproceeds.agendacal.invalid, made from the project; add uid_domain: with a domain of yours so that they stay the same when it changes"},
	}
	for _, tt := range tests {
		p, problems := Parse("p.yaml", []byte(programme("- {time: 09:30-10:30, title: A}")+tt.extra))
		if p == nil || p.UIDDomain != tt.domain {
			t.Errorf("%q: domain %v, want %q (%v)", tt.extra, p, tt.domain, problems)
			continue
		}
		if got := problems.Error(); got != tt.note {
			t.Errorf("%q: problems %q, want %q", tt.extra, got, tt.note)
		}
	}
}

func TestAfterMidnightWarning(t *testing.T) {
	_, problems := Parse("p.yaml", []byte(programme(
		"- {start: '23:00', duration: 1h, title: Late}",
		"- {start: '00:15', duration: 1h, title: Later}",
	)+"uid_domain: example.org\n"))
	want := `p.yaml:8:9: warning: "Later" starts at 00:15, listed after "Late" at 23:00 on 2017-06-29: if it is after midnight, put it under date: 2017-06-30`
	if got := problems.Error(); got != want {
		t.Errorf("problems:\n%s\nwant:\n%s", got, want)
	}
}

func TestLongTitleIDsDifferByTheirEnds(t *testing.T) {
	date := "2017-06-29"
	long := strings.Repeat("Cooperation between the public and private sectors ", 5)
	a, b := derivedID(date, long+"part one"), derivedID(date, long+"part two")
	if a == b || checkID(a) != "" || checkID(b) != "" {
		t.Errorf("ids %q and %q: want two different safe ids", a, b)
	}
}

func TestLongTitleID(t *testing.T) {
	title := strings.Repeat("word ", 40)
	id := derivedID("2017-06-29", title)
	if len(id) > maxIDLength-len("-999") || strings.HasSuffix(id, "-") || checkID(id) != "" {
		t.Errorf("derived id %q (%d bytes) is not a safe, whole-word id", id, len(id))
	}
}

func TestPristinaExample(t *testing.T) {
	data, err := os.ReadFile("../examples/pristina.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, problems := Parse("pristina.yaml", data)
	if p == nil || len(problems) != 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(p.Sessions) != 12 {
		t.Fatalf("%d sessions, want 12", len(p.Sessions))
	}
	first, last := p.Sessions[0], p.Sessions[11]
	if got := first.Start.UTC().Format(time.RFC3339); got != "2017-06-29T06:30:00Z" {
		t.Errorf("registration starts at %s, want 2017-06-29T06:30:00Z (08h30 CEST)", got)
	}
	if got := last.Start.Format("15:04 MST"); got != "16:30 CEST" || last.Kind != KindBreak {
		t.Errorf("last slot starts at %s (%s), want the 16:30 CEST coffee break", got, last.Kind)
	}
	if got, want := first.Location, "Conference Room Castor, 8th floor, Hotel Sirius, Pristina, Kosovo"; got != want {
		t.Errorf("location %q, want %q", got, want)
	}
	for i := 1; i < len(p.Sessions); i++ {
		if !p.Sessions[i].Start.Equal(p.Sessions[i-1].End) {
			t.Errorf("slot %d starts at %v, not when slot %d ends", i+1, p.Sessions[i].Start, i)
		}
	}
}

func TestLateSessionByDuration(t *testing.T) {
	p, problems := Parse("p.yaml", []byte(programme("- {start: '21:00', duration: 4h, title: Social evening}")))
	if p == nil {
		t.Fatal(problems)
	}
	if got := p.Sessions[0].End.Format("2006-01-02 15:04"); got != "2017-06-30 01:00" {
		t.Errorf("ends %s, want 2017-06-30 01:00", got)
	}
}

// Hostile files fail with a clear message after bounded work: the memory
// the parser allocates for them stays a small multiple of their size.
func TestHostileFilesFailFast(t *testing.T) {
	bomb := "title: T\ntimezone: UTC\ndays:\n  - &d {date: 2017-06-29, sessions: [&s {time: 09:00-10:00, title: A, topics: [" +
		strings.TrimSuffix(strings.Repeat("a,", 1000), ",") + "]}, " + strings.TrimSuffix(strings.Repeat("*s, ", 1000), ", ") + "]}\n" +
		strings.Repeat("  - *d\n", 1000)
	deep := "title: T\ntimezone: UTC\ndays: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"
	tests := []struct {
		name, data, want string
	}{
		{"alias bomb", bomb, "aliases here expand to more than 10 times what the whole file holds"},
		{"deep nesting", deep, "YAML syntax: exceeded max depth of 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			p, problems := Parse("h.yaml", []byte(tt.data))
			runtime.ReadMemStats(&after)
			if p != nil || !strings.Contains(problems.Error(), tt.want) {
				t.Fatalf("problems %v, want %q", problems, tt.want)
			}
			// Expanded, the bomb is a billion topics; the deep file would
			// be a hundred thousand nested lists.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200*uint64(len(tt.data))+(8<<20) {
				t.Errorf("allocated %d bytes for a %d-byte file", alloc, len(tt.data))
			}
		})
	}
}

// Suggestions are looked for only for words short enough to be typos: the
// edit distance to every zone name of a megabyte-long name would take
// minutes.
func TestNoSuggestionsForHugeNames(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	if got := suggestZones(huge); got != nil {
		t.Errorf("suggestions for a huge zone name: %v", got)
	}
	if got := closest(huge, []string{"title", "timezone"}); got != "" {
		t.Errorf("suggestion for a huge key: %q", got)
	}
}

// A panel of speakers named once and reused in every session is ordinary
// YAML, not an attack.
func TestAliasesForReuse(t *testing.T) {
	var b strings.Builder
	b.WriteString("title: T\ntimezone: UTC\nuid_domain: example.org\ndays:\n  - date: 2017-06-29\n    sessions:\n")
	b.WriteString("      - {time: 08:00-08:30, title: Panel 0, speakers: &panel [{name: Ana, role: Chair}, {name: Bob, role: Prosecutor}, {name: Cem, role: Police}]}\n")
	for i := 1; i < 30; i++ {
		fmt.Fprintf(&b, "      - {start: '%02d:%02d', duration: 15m, title: Panel %d, speakers: *panel}\n", 8+i/4, 30+15*(i%2), i)
	}
	p, problems := Parse("p.yaml", []byte(b.String()))
	if p == nil || len(p.Sessions[29].Speakers) != 3 {
		t.Fatalf("reused speakers refused: %v", problems)
	}
}

// Thousands of distinct unknown track ids cost about what as many known
// ones do: finding what each may be a typo of does not compare it with
// every track (it once took 103 s for 8,000).
func TestUnknownTracksStayLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("times two parses of 8,000 sessions")
	}
	const n = 8000
	build := func(unknown bool) []byte {
		var b strings.Builder
		b.WriteString("title: T\ntimezone: Europe/Belgrade\ntracks:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - {id: track-%05d, name: T%d}\n", i, i)
		}
		b.WriteString("days:\n  - date: 2017-06-29\n    sessions:\n")
		for i := range n {
			id := fmt.Sprintf("track-%05d", i)
			if unknown {
				id = fmt.Sprintf("trakc-%05d", i)
			}
			fmt.Fprintf(&b, "      - {time: 09:00-10:00, title: S%d, track: %s, room: R%d}\n", i, id, i)
		}
		return []byte(b.String())
	}
	fastest := func(data []byte) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			Parse("p.yaml", data)
			best = min(best, time.Since(start))
		}
		return best
	}
	known, unknown := build(false), build(true)
	_, problems := Parse("p.yaml", unknown)
	if len(problems) != n || !strings.Contains(problems[0].Message, `(did you mean "track-00000"?)`) {
		t.Fatalf("%d problems, the first %v; want %d unknown tracks with a suggestion", len(problems), problems[0], n)
	}
	k, u := fastest(known), fastest(unknown)
	if u > 5*k {
		t.Errorf("8,000 unknown track ids took %v, 8,000 known ones %v: more than 5 times", u, k)
	}
	t.Logf("known %v, unknown %v", k, u)
}

// A session's room replaces the venue's room and floor, unless the
// session gives its floor too.
func TestSessionRoomAndFloor(t *testing.T) {
	venue := "venue: {name: Hotel Sirius, room: Castor, floor: 8th floor, city: Pristina}\n"
	tests := []struct{ session, want string }{
		{"{time: 09:00-10:00, title: A}", "Castor, 8th floor, Hotel Sirius, Pristina"},
		{"{time: 09:00-10:00, title: A, room: Lab 205}", "Lab 205, Hotel Sirius, Pristina"},
		{"{time: 09:00-10:00, title: A, room: Lab 205, floor: 2nd floor}", "Lab 205, 2nd floor, Hotel Sirius, Pristina"},
		{"{time: 09:00-10:00, title: A, floor: 9th floor}", "Castor, 9th floor, Hotel Sirius, Pristina"},
	}
	for _, tt := range tests {
		src := strings.Replace(programme("- "+tt.session), "days:\n", venue+"days:\n", 1)
		p, problems := Parse("p.yaml", []byte(src))
		if p == nil {
			t.Fatal(problems)
		}
		if got := p.Sessions[0].Location; got != tt.want {
			t.Errorf("%s: location %q, want %q", tt.session, got, tt.want)
		}
	}
}

// Every spelling of Kosovo and Pristina resolves to Europe/Belgrade with a
// note; old zone names that are not places get a warning naming the city.
func TestZoneSpellings(t *testing.T) {
	for _, name := range []string{"Kosovo", "Kosova", "Pristina", "Prishtina", "Priština", "Prishtinë", "Prishtine", "Europe/Prishtine", "Europe/Prishtinë", "europe/kosovo", "Pristnia"} {
		p, problems := Parse("p.yaml", []byte(strings.Replace(programme("- {time: 09:00-10:00, title: A}"), "Europe/Belgrade", name, 1)))
		if p == nil || p.ZoneName != "Europe/Belgrade" || !has(problems, Note, "whose time Kosovo keeps") {
			t.Errorf("%s: problems %v; want Europe/Belgrade with a note", name, problems)
		}
	}
	for name, city := range map[string]string{"CET": "Europe/Brussels", "EST5EDT": "America/New_York"} {
		_, problems := Parse("p.yaml", []byte(strings.Replace(programme("- {time: 09:00-10:00, title: A}"), "Europe/Belgrade", name, 1)))
		if !has(problems, Warning, city) {
			t.Errorf("%s: %v, want a warning naming %s", name, problems, city)
		}
	}
}

// has tells whether one of the problems has the severity and the text.
func has(problems Problems, sev Severity, text string) bool {
	for _, p := range problems {
		if p.Severity == sev && strings.Contains(p.Message, text) {
			return true
		}
	}
	return false
}

// An all-day item is whole days on the calendar wherever the clocks skip
// midnight: São Paulo's summer time began at 00:00 on 4 November 2018,
// and Samoa skipped 30 December 2011 whole.
func TestAllDayWhereTheClocksSkipMidnight(t *testing.T) {
	tests := []struct {
		zone, date, until string
		start, end        string // instants, in UTC
		first, after      string // the dates DTSTART and DTEND name
	}{
		{"America/Sao_Paulo", "2018-11-03", "", "2018-11-03T03:00:00Z", "2018-11-04T03:00:00Z", "2018-11-03", "2018-11-04"},
		{"America/Sao_Paulo", "2018-11-04", "", "2018-11-04T03:00:00Z", "2018-11-05T02:00:00Z", "2018-11-04", "2018-11-05"},
		{"America/Sao_Paulo", "2018-11-02", "2018-11-04", "2018-11-02T03:00:00Z", "2018-11-05T02:00:00Z", "2018-11-02", "2018-11-05"},
		{"Pacific/Apia", "2011-12-29", "", "2011-12-29T10:00:00Z", "2011-12-30T10:00:00Z", "2011-12-29", "2011-12-30"},
		{"Pacific/Apia", "2011-12-28", "2011-12-31", "2011-12-28T10:00:00Z", "2011-12-31T10:00:00Z", "2011-12-28", "2012-01-01"},
		{"Europe/Belgrade", "2017-03-26", "", "2017-03-25T23:00:00Z", "2017-03-26T22:00:00Z", "2017-03-26", "2017-03-27"},
	}
	for _, tt := range tests {
		item := "{all_day: true, title: Desk}"
		if tt.until != "" {
			item = "{all_day: true, title: Desk, until: " + tt.until + "}"
		}
		src := "title: T\ntimezone: " + tt.zone + "\nuid_domain: t.example\ndays:\n  - date: " + tt.date + "\n    sessions:\n      - " + item + "\n"
		p, problems := Parse("p.yaml", []byte(src))
		if p == nil || len(p.Sessions) != 1 {
			t.Fatalf("%s %s: %v", tt.zone, tt.date, problems)
		}
		s := p.Sessions[0]
		if got := s.Start.UTC().Format(time.RFC3339) + " " + s.End.UTC().Format(time.RFC3339); got != tt.start+" "+tt.end {
			t.Errorf("%s %s: from %s, want %s %s", tt.zone, tt.date, got, tt.start, tt.end)
		}
		first, after := s.WholeDays(p.Zone)
		if got := first.Format(time.DateOnly) + " " + after.Format(time.DateOnly); got != tt.first+" "+tt.after {
			t.Errorf("%s %s: dates %s, want %s %s", tt.zone, tt.date, got, tt.first, tt.after)
		}
	}
}

// The address a folder is served at is a web address the files' names can
// follow: its scheme in lower case, no query, no fragment.
func TestCheckBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.org/meeting/":    "https://example.org/meeting/",
		"HTTPS://Events.Example.org/p/":   "https://Events.Example.org/p/",
		"Http://example.org":              "http://example.org",
		"https://example.org/p/?a=1":      "",
		"https://example.org/p/#x":        "",
		"https://example.org/p?":          "",
		"ftp://example.org/":              "",
		"javascript:alert(1)":             "",
		"https:///no-host":                "",
		"https://example.org/a b":         "",
		"https://example.org/%20encoded/": "https://example.org/%20encoded/",
	} {
		got, err := CheckBaseURL(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("CheckBaseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	p, problems := Parse("p.yaml", []byte("title: T\ntimezone: UTC\nbase_url: https://example.org/p/?a=1\ndays: []\n"))
	if p != nil || !strings.Contains(problems.Err(false).Error(), `p.yaml:3:11: base_url "https://example.org/p/?a=1" has a query or a fragment`) {
		t.Errorf("a base_url with a query: %v", problems)
	}
}

// An empty mapping is a mapping with nothing in it, whichever decoder
// meets it first: the programme's, or one of those that decode days at
// once.
func TestEmptyMappingsAreReported(t *testing.T) {
	data := []byte("title: T\ntimezone: UTC\nuid_domain: x.org\ndays:\n  - {}\n  - {date: 2017-06-29, sessions: [{}]}\n")
	want := []string{
		`p.yaml:5:5: a day has no date: add date: 2017-06-29`,
		`p.yaml:6:35: a session has no title: add title:`,
		`p.yaml:6:35: a session has no time: add time: 09:30-10:30, or start: with end: or duration:`,
	}
	for _, workers := range []int{1, 2} {
		_, problems := parseFiles("p.yaml", string(data), nil, workers, 1)
		var got []string
		for _, p := range problems {
			got = append(got, p.String())
		}
		if !slices.Equal(got, want) {
			t.Errorf("on %d goroutines:\n got %q\nwant %q", workers, got, want)
		}
	}
}
