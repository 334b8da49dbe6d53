package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/agendacal/agendacal/agenda"
)

// contentLine is one unfolded line: its name, raw parameters and value.
type contentLine struct {
	name, params, value string
}

// readLines checks the physical form of a calendar (CRLF endings only, at
// most 75 octets a line, no line that splits a UTF-8 character, no control
// character) and returns its unfolded content lines.
func readLines(t *testing.T, data []byte) []contentLine {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatalf("calendar does not end with CRLF")
	}
	var logical []string
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		switch {
		case len(line) > 75:
			t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
		case !utf8.ValidString(line):
			t.Errorf("line %d is not valid UTF-8 on its own (a character split by folding?): %q", i+1, line)
		case strings.ContainsAny(line, "\r\n"):
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
		for _, r := range line {
			if r < 0x20 && r != '\t' || r == 0x7f {
				t.Errorf("line %d holds the control character %U: %q", i+1, r, line)
			}
		}
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			if len(logical) == 0 {
				t.Fatalf("calendar starts with a continuation line")
			}
			logical[len(logical)-1] += line[1:]
			continue
		}
		logical = append(logical, line)
	}
	var out []contentLine
	for _, l := range logical {
		// The name ends at the first ';' or ':'; parameter values may be
		// quoted and hold ':'.
		end := strings.IndexAny(l, ";:")
		if end < 0 {
			t.Fatalf("content line without ':': %q", l)
		}
		cl := contentLine{name: l[:end]}
		rest := l[end:]
		quoted := false
		for i, r := range rest {
			if r == '"' {
				quoted = !quoted
			}
			if r == ':' && !quoted {
				cl.params, cl.value = rest[:i], rest[i+1:]
				break
			}
		}
		out = append(out, cl)
	}
	return out
}

// unescapeStrictly reverses RFC 5545's TEXT escaping, and fails the test on
// an escape the RFC does not know: the check on what Encoder writes.
func unescapeStrictly(t *testing.T, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			if c == ';' || c == ',' {
				t.Errorf("unescaped %q in TEXT value %q", c, s)
			}
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			t.Fatalf("TEXT value ends with a lone backslash: %q", s)
		}
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',':
			b.WriteByte(s[i])
		default:
			t.Errorf("invalid escape \\%c in %q", s[i], s)
		}
	}
	return b.String()
}

func testProgramme(t *testing.T, sessions ...*agenda.Session) *agenda.Programme {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Belgrade")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sessions {
		s.Start = s.Start.In(loc)
		s.End = s.End.In(loc)
	}
	return &agenda.Programme{Title: "T", ZoneName: "Europe/Belgrade", Zone: loc, UIDDomain: "example.org", Sessions: sessions}
}

func encode(t *testing.T, p *agenda.Programme, c Calendar) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := NewEncoder(p, Options{Stamp: time.Date(2017, 6, 1, 12, 0, 0, 0, time.UTC)}).Encode(&buf, c); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// events returns the properties of each VEVENT, by name.
func events(lines []contentLine) []map[string][]contentLine {
	var out []map[string][]contentLine
	var cur map[string][]contentLine
	for _, l := range lines {
		switch {
		case l.name == "BEGIN" && l.value == "VEVENT":
			cur = map[string][]contentLine{}
		case l.name == "END" && l.value == "VEVENT":
			out = append(out, cur)
			cur = nil
		case cur != nil:
			cur[l.name] = append(cur[l.name], l)
		}
	}
	return out
}

func TestHostileTextIsFoldedAndEscaped(t *testing.T) {
	hostile := []string{
		"plain",
		`a,b;c\d"e'f:g`,
		"two\nlines",
		"injected\r\nBEGIN:VEVENT\r\nUID:evil",
		"bare\rcarriage return and \x1b[31mescape\x00 and \x7f and \u0085",
		strings.Repeat("Përshëndetje, Приштина; ", 12),
		strings.Repeat("🎉", 40),
		strings.Repeat("x", 74) + "é" + strings.Repeat("漢", 30),
		"invalid \xff\xfe UTF-8",
		"line\u2028separator",
		"trailing backslash \\",
	}
	for _, text := range hostile {
		start := time.Date(2017, 6, 29, 6, 30, 0, 0, time.UTC)
		s := &agenda.Session{ID: "x", Title: text, Location: text, Description: text, Start: start, End: start.Add(time.Hour), URL: "https://example.org/a b\r\nX-EVIL:1"}
		data := encode(t, testProgramme(t, s), Calendar{Sessions: []*agenda.Session{s}})
		lines := readLines(t, data)
		evs := events(lines)
		if len(evs) != 1 {
			t.Fatalf("%q: %d events, want 1", text, len(evs))
		}
		ev := evs[0]
		wantNames := []string{"UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "DTSTART", "DTEND", "STATUS", "SUMMARY", "LOCATION", "DESCRIPTION", "URL"}
		if len(ev) != len(wantNames) {
			t.Errorf("%q: properties %v, want exactly %v", text, keys(ev), wantNames)
		}
		for _, n := range wantNames {
			if len(ev[n]) != 1 {
				t.Errorf("%q: %d %s properties, want 1", text, len(ev[n]), n)
			}
		}
		want := map[string]string{
			"SUMMARY":     cleanText(text),
			"LOCATION":    cleanText(text),
			"DESCRIPTION": cleanText(text + "\n\n" + s.URL),
		}
		for _, n := range []string{"SUMMARY", "LOCATION", "DESCRIPTION"} {
			if got := unescapeStrictly(t, ev[n][0].value); got != want[n] {
				t.Errorf("%s of %q reads back as %q, want %q", n, text, got, want[n])
			}
		}
		if u := ev["URL"][0].value; strings.ContainsAny(u, " \r\n") {
			t.Errorf("URL not encoded: %q", u)
		}
	}
}

func keys(m map[string][]contentLine) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\r\nb", "a\nb"},
		{"tab\tkept", "tab\tkept"},
		{"\x00\x1b\x7f\u0085x", "x"},
		{"bad \xff", "bad \uFFFD"},
		{"next\u0085line, \u00a0\u009f", "nextline, \u00a0"}, // C1 alone, beside a character that shares its lead byte
		{"cut \xc2", "cut \uFFFD"},
		{"kept \uFFFD\u2028", "kept \uFFFD\u2028"},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	params := []struct{ in, want string }{
		{"Hotel Sirius", "Hotel Sirius"},
		{"Programme Office, CoE Cybercrime, Strasbourg", `"Programme Office, CoE Cybercrime, Strasbourg"`},
		{`Hotel "Sirius"; Room 1:2 \ it's`, `"Hotel 'Sirius'; Room 1:2 \ it's"`},
		{"two\r\nlines\x00", "two lines"},
		{"line\u2028para\u2029end \u2027", "line para end \u2027"},
		// RFC 6868: ^n, ^' and ^^ are escapes; any other caret is itself.
		{`A^nB ^^ C^"D ^x ^`, `A^^nB ^^^ C^^'D ^x ^`},
	}
	for _, tt := range params {
		if got := paramValue(tt.in); got != tt.want {
			t.Errorf("paramValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got, want := cleanURI("https://example.org/a b\"<>\r\n"), "https://example.org/a%20b%22%3C%3E%20"; got != want {
		t.Errorf("cleanURI = %q, want %q", got, want)
	}
}

// Text is looked through eight octets at a time: every octet that matters
// is found at every offset, among ASCII and among Cyrillic letters, as a
// rune by rune reading finds it.
// Every ASCII octet, and every two-octet sequence from 0xc2 on, is
// escaped by escapeClean as it is cleaned, then escaped.
func TestEscapeCleanTakesEveryOctet(t *testing.T) {
	var odds []string
	for c := range 0x80 {
		odds = append(odds, string(rune(c)))
	}
	for lead := 0xc0; lead < 0x100; lead++ {
		for next := 0; next < 0x100; next += 0x11 {
			odds = append(odds, string([]byte{byte(lead), byte(next)}))
		}
	}
	for _, odd := range odds {
		s := "ab" + odd + "cd" + odd
		w, ref := &lineWriter{}, &lineWriter{}
		w.escapeClean(s)
		ref.escape(cleanText(s))
		if string(w.line) != string(ref.line) {
			t.Errorf("escapeClean(%q) = %q, want %q", s, w.line, ref.line)
		}
	}
}

func TestOctetsThatMatterAtEveryOffset(t *testing.T) {
	escaped := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)
	clean := func(s string, multiLine bool) bool {
		for _, r := range s {
			if isControl(r) && r != '\t' && (r != '\n' || !multiLine) || !multiLine && (r == '\u2028' || r == '\u2029') {
				return false
			}
		}
		return utf8.ValidString(s)
	}
	for _, filler := range []string{"abcdefghijklmnopqrstuvwx", "абвгдђежзијклљмнњопрстћу"} {
		for _, odd := range []string{"\\", ";", ",", "\n", "\t", "\r", "\x00", "\x1f", "\x7f", "\u0085", "\u00a0", "\u2028", "\u2029", "\u2027", "\xff", "\xc2", "€", "\xed\xa0\x80", "\xc0\xaf", "\xe2\x82", "\U0001F510", "\xd0", "\xdf\xbf", "\xc3"} {
			for at := 0; at <= len(filler); at++ {
				if !utf8.RuneStart(filler[min(at, len(filler)-1)]) && at < len(filler) {
					continue
				}
				s := filler[:at] + odd + filler[at:]
				w := &lineWriter{}
				w.escape(s)
				if got, want := string(w.line), escaped.Replace(s); got != want {
					t.Errorf("escape(%q) = %q, want %q", s, got, want)
				}
				// Checked and escaped at once: as cleaned, then escaped.
				w, ref := &lineWriter{line: []byte("X:")}, &lineWriter{line: []byte("X:")}
				w.escapeClean(s)
				ref.escape(cleanText(s))
				if string(w.line) != string(ref.line) {
					t.Errorf("escapeClean(%q) = %q, want %q", s, w.line, ref.line)
				}
				for _, multiLine := range []bool{false, true} {
					if got, want := isClean(s, multiLine), clean(s, multiLine); got != want {
						t.Errorf("isClean(%q, %v) = %v, want %v", s, multiLine, got, want)
					}
				}
			}
		}
	}
}

func TestTimesInZoneOrUTC(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Belgrade")
	at := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, time.UTC).In(loc)
	}
	sessions := []*agenda.Session{
		{ID: "before", Title: "before", Start: at(2026, 10, 24, 22, 0), End: at(2026, 10, 24, 23, 0)},
		{ID: "repeated", Title: "repeated", Start: at(2026, 10, 25, 0, 30), End: at(2026, 10, 25, 1, 30)},
		{ID: "after", Title: "after", Start: at(2026, 10, 25, 2, 0), End: at(2026, 10, 25, 3, 0)},
	}
	data := encode(t, testProgramme(t, sessions...), Calendar{Sessions: sessions})
	want := map[string][2]string{
		"before@example.org":   {";TZID=Europe/Belgrade:20261025T000000", ";TZID=Europe/Belgrade:20261025T010000"},
		"repeated@example.org": {":20261025T003000Z", ":20261025T013000Z"},
		"after@example.org":    {":20261025T020000Z", ";TZID=Europe/Belgrade:20261025T040000"},
	}
	for _, ev := range events(readLines(t, data)) {
		uid := ev["UID"][0].value
		got := [2]string{ev["DTSTART"][0].params + ":" + ev["DTSTART"][0].value, ev["DTEND"][0].params + ":" + ev["DTEND"][0].value}
		if got != want[uid] {
			t.Errorf("%s: DTSTART, DTEND = %q, want %q", uid, got, want[uid])
		}
		if _, ok := ev["DURATION"]; ok {
			t.Errorf("%s has DURATION", uid)
		}
	}
}

// The method of a calendar is the hook for invitations (RFC 5546): set, it
// is written once at the calendar level; unset, there is none.
func TestMethod(t *testing.T) {
	start := time.Date(2017, 6, 29, 6, 30, 0, 0, time.UTC)
	s := &agenda.Session{ID: "x", Title: "X", Start: start, End: start.Add(time.Hour)}
	p := testProgramme(t, s)
	for method, want := range map[string]int{"": 0, "REQUEST": 1} {
		lines := readLines(t, encode(t, p, Calendar{Sessions: []*agenda.Session{s}, Method: method}))
		n := 0
		for _, l := range lines {
			if l.name == "METHOD" && l.value == method {
				n++
			}
		}
		if n != want {
			t.Errorf("method %q: %d METHOD lines, want %d", method, n, want)
		}
	}
}

func TestOrganizer(t *testing.T) {
	start := time.Date(2017, 6, 29, 6, 30, 0, 0, time.UTC)
	s := &agenda.Session{ID: "x", Title: "X", Start: start, End: start.Add(time.Hour)}
	p := testProgramme(t, s)
	p.Organizer = &agenda.Person{Name: `Office "Cyber", Europe; Council`, Email: "cybercrime@example.org"}
	ev := events(readLines(t, encode(t, p, Calendar{Sessions: []*agenda.Session{s}})))[0]
	got := ev["ORGANIZER"][0]
	if got.params != `;CN="Office 'Cyber', Europe; Council"` || got.value != "mailto:cybercrime@example.org" {
		t.Errorf("ORGANIZER%s:%s", got.params, got.value)
	}
}

// A session's status and kind show in STATUS, SUMMARY and TRANSP.
func TestStatusAndTransparency(t *testing.T) {
	start := time.Date(2017, 6, 29, 6, 30, 0, 0, time.UTC)
	tests := []struct {
		status              agenda.Status
		kind                agenda.Kind
		summary, st, transp string
	}{
		{agenda.StatusConfirmed, agenda.KindSession, "Opening", "CONFIRMED", ""},
		{agenda.StatusTentative, agenda.KindSession, "Opening", "TENTATIVE", ""},
		{agenda.StatusCancelled, agenda.KindSession, "Cancelled: Opening", "CANCELLED", ""},
		{agenda.StatusConfirmed, agenda.KindBreak, "Opening", "CONFIRMED", "TRANSPARENT"},
	}
	for _, tt := range tests {
		s := &agenda.Session{ID: "x", Title: "Opening", Status: tt.status, Kind: tt.kind, Start: start, End: start.Add(time.Hour)}
		ev := events(readLines(t, encode(t, testProgramme(t, s), Calendar{Sessions: []*agenda.Session{s}})))[0]
		got := func(name string) string {
			if len(ev[name]) == 0 {
				return ""
			}
			return ev[name][0].value
		}
		if got("SUMMARY") != tt.summary || got("STATUS") != tt.st || got("TRANSP") != tt.transp {
			t.Errorf("%s %s: SUMMARY %q STATUS %q TRANSP %q, want %q %q %q", tt.status, tt.kind, got("SUMMARY"), got("STATUS"), got("TRANSP"), tt.summary, tt.st, tt.transp)
		}
	}
}

// A revision sets SEQUENCE, DTSTAMP and LAST-MODIFIED and nothing else, and
// the events read back from a calendar carry the fingerprint, sequence and
// time they were written with.
func TestRevisionReadsBack(t *testing.T) {
	start := time.Date(2017, 6, 29, 6, 30, 0, 0, time.UTC)
	long := strings.Repeat("A title long enough to fold over several lines ", 4)
	a := &agenda.Session{ID: "a", Title: long, Start: start, End: start.Add(time.Hour)}
	b := &agenda.Session{ID: "b", Title: "B", Start: start.Add(time.Hour), End: start.Add(2 * time.Hour)}
	p := testProgramme(t, a, b)
	e := NewEncoder(p, Options{Stamp: time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC)})
	e.Prepare(2)
	changed := time.Date(2017, 6, 20, 10, 30, 0, 0, time.UTC)
	e.Revise(b, Revision{Sequence: 3, Changed: changed})
	var buf bytes.Buffer
	if err := e.Encode(&buf, Calendar{Sessions: p.Sessions}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "UID:b@example.org\r\nDTSTAMP:20170620T103000Z\r\nLAST-MODIFIED:20170620T103000Z\r\nSEQUENCE:3\r\n") {
		t.Errorf("the revision of b is not after its UID:\n%s", buf.String())
	}
	got, ours, calendar := ReadPublished(buf.Bytes())
	if !ours || !calendar || len(got) != 2 {
		t.Fatalf("read back %d events (ours %v, calendar %v), want 2 of ours", len(got), ours, calendar)
	}
	want := []Published{
		{UID: "a@example.org", Revision: Revision{Changed: time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC)}, Fingerprint: e.Fingerprint(a),
			Title: long, Start: a.Start, End: a.End, Date: "2017-06-29"},
		{UID: "b@example.org", Revision: Revision{Sequence: 3, Changed: changed}, Fingerprint: e.Fingerprint(b),
			Title: "B", Start: b.Start, End: b.End, Date: "2017-06-29"},
	}
	for i := range want {
		g := got[i]
		if g.Start.Equal(want[i].Start) && g.End.Equal(want[i].End) {
			g.Start, g.End = want[i].Start, want[i].End
		}
		if g != want[i] {
			t.Errorf("event %d reads back as %+v, want %+v", i, got[i], want[i])
		}
	}
	if e.Fingerprint(a) == e.Fingerprint(b) {
		t.Error("two different events have one fingerprint")
	}
	if _, _, calendar := ReadPublished([]byte("not a calendar")); calendar {
		t.Error("plain text read as a calendar")
	}
}

// PublishedText reads back a title and a place as they were written,
// without the prefix of a cancelled event.
func TestPublishedText(t *testing.T) {
	event := "BEGIN:VEVENT\r\nUID:a@x\r\nSUMMARY;LANGUAGE=en:Cancelled: Panel\\; Q&A\\, part\\\\1 \\N\\n \r\n \\x\r\nLOCATION:Hall\\, 2nd floor\r\nEND:VEVENT\r\n"
	title, location := PublishedText([]byte(event), "Cancelled: ")
	if title != "Panel; Q&A, part\\1 \n\n \\x" || location != "Hall, 2nd floor" {
		t.Errorf("read %q and %q", title, location)
	}
	if title, _ := PublishedText([]byte("SUMMARY:Cancelled\\: it\r\n"), "Cancelled: "); title != "Cancelled\\: it" {
		t.Errorf("read %q", title)
	}
}

// Times read back as Encoder writes them: in a zone by its TZID, in UTC,
// or as a date; anything else is not guessed at.
func TestReadTime(t *testing.T) {
	belgrade, _ := time.LoadLocation("Europe/Belgrade")
	tests := []struct {
		line string
		at   time.Time
		date string
	}{
		{"DTSTART;TZID=Europe/Belgrade:20170629T083000", time.Date(2017, 6, 29, 8, 30, 0, 0, belgrade), "2017-06-29"},
		{"DTSTART:20170629T063000Z", time.Date(2017, 6, 29, 6, 30, 0, 0, time.UTC), "2017-06-29"},
		{"DTSTART;VALUE=DATE:20170629", time.Time{}, "2017-06-29"},
		{"DTSTART;TZID=Nowhere/Atlantis:20170629T083000", time.Time{}, ""},
		{"DTSTART;TZID=../../etc/passwd:20170629T083000", time.Time{}, ""},
		{"DTSTART:20170629T083000", time.Time{}, ""},
		{"DTSTART;X-A=1;TZID=Europe/Belgrade:20170629T083000", time.Time{}, ""},
	}
	zones := map[string]*time.Location{}
	for _, tt := range tests {
		name, value := propertyName(tt.line)
		if at, date := readTime(tt.line, name, value, zones); !at.Equal(tt.at) || date != tt.date {
			t.Errorf("%s: read %v %q, want %v %q", tt.line, at, date, tt.at, tt.date)
		}
	}
}
