package invite

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/agendacal/agendacal/agenda"
	"github.com/agendacal/agendacal/publish"
)

var (
	t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	t1 = t0.Add(24 * time.Hour)
	t2 = t1.Add(24 * time.Hour)
)

func parse(t *testing.T, text string) *agenda.Programme {
	t.Helper()
	p, problems := agenda.Parse("p.yaml", []byte(text))
	if p == nil {
		t.Fatalf("programme does not parse:\n%v", problems)
	}
	return p
}

func pristina(t *testing.T) *agenda.Programme {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "examples", "pristina.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, string(data))
}

// write runs one invite into dir.
func write(t *testing.T, dir string, p *agenda.Programme, opts Options) []Message {
	t.Helper()
	f, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msgs, err := f.Write(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// parsed is a message as an independent MIME parser reads it, with its
// calendar as an independent iCalendar parser reads it.
type parsed struct {
	header   mail.Header
	subject  string
	text     string
	method   string // of the inline part's Content-Type
	calendar *ics.Calendar
	raw      []byte
}

// read parses a message the way a mail client does, checking its form on
// the way: CRLF lines of at most 78 characters, multipart/mixed of a
// multipart/alternative (text/plain, then text/calendar with a method) and
// an application/ics attachment invite.ics equal to the inline calendar.
func read(t *testing.T, path string) parsed {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\r\n") {
		if len(line) > maxLine || strings.Contains(line, "\n") {
			t.Fatalf("%s: line %d is %d characters or ends without CR: %q", path, i+1, len(line), line)
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out := parsed{header: m.Header, raw: data}
	if out.subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("MIME-Version") != "1.0" || m.Header.Get("Date") == "" {
		t.Errorf("%s: MIME-Version %q, Date %q", path, m.Header.Get("MIME-Version"), m.Header.Get("Date"))
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("%s: Date: %v", path, err)
	}
	parts := multiparts(t, m.Header.Get("Content-Type"), m.Body, "multipart/mixed")
	if len(parts) != 2 {
		t.Fatalf("%s: %d parts in multipart/mixed, want 2", path, len(parts))
	}
	alt := multiparts(t, parts[0].header.Get("Content-Type"), bytes.NewReader(parts[0].body), "multipart/alternative")
	if len(alt) != 2 {
		t.Fatalf("%s: %d parts in multipart/alternative, want 2", path, len(alt))
	}
	if ct, params, _ := mime.ParseMediaType(alt[0].header.Get("Content-Type")); ct != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("%s: first alternative is %s", path, alt[0].header.Get("Content-Type"))
	}
	out.text = string(alt[0].body)
	ct, params, _ := mime.ParseMediaType(alt[1].header.Get("Content-Type"))
	if ct != "text/calendar" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("%s: second alternative is %s", path, alt[1].header.Get("Content-Type"))
	}
	out.method = params["method"]
	ct, params, _ = mime.ParseMediaType(parts[1].header.Get("Content-Type"))
	_, disp, _ := mime.ParseMediaType(parts[1].header.Get("Content-Disposition"))
	if ct != "application/ics" || disp["filename"] != "invite.ics" || params["name"] != "invite.ics" {
		t.Errorf("%s: attachment is %s, %s", path, parts[1].header.Get("Content-Type"), parts[1].header.Get("Content-Disposition"))
	}
	if !bytes.Equal(parts[1].body, alt[1].body) {
		t.Errorf("%s: the attached calendar differs from the inline one", path)
	}
	if out.calendar, err = ics.ParseCalendar(bytes.NewReader(alt[1].body)); err != nil {
		t.Fatalf("%s: the calendar does not parse: %v", path, err)
	}
	return out
}

type part struct {
	header textproto.MIMEHeader
	body   []byte
}

// multiparts reads the parts of a multipart body, decoded.
func multiparts(t *testing.T, contentType string, body io.Reader, want string) []part {
	t.Helper()
	ct, params, err := mime.ParseMediaType(contentType)
	if err != nil || ct != want {
		t.Fatalf("Content-Type %q, want %s", contentType, want)
	}
	r := multipart.NewReader(body, params["boundary"])
	var out []part
	for {
		p, err := r.NextPart() // decodes quoted-printable itself
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			data = decodeBase64(t, data)
		}
		out = append(out, part{header: p.Header, body: data})
	}
}

// prop returns the value of a component's only property of a kind, and
// how many there are.
func props(c *ics.VEvent, name ics.ComponentProperty) []*ics.IANAProperty {
	var out []*ics.IANAProperty
	for i := range c.Properties {
		if c.Properties[i].IANAToken == string(name) {
			out = append(out, &c.Properties[i])
		}
	}
	return out
}

func TestInvitationsArePerAttendeeAndSession(t *testing.T) {
	p := pristina(t)
	dir := t.TempDir()
	msgs := write(t, dir, p, Options{Now: t0})
	want := 0
	for _, s := range p.Sessions {
		want += len(s.Invitees)
	}
	if len(msgs) != want || want == 0 {
		t.Fatalf("%d messages, want %d", len(msgs), want)
	}
	for _, m := range msgs {
		s := sessionOf(t, p, m)
		got := read(t, filepath.Join(dir, m.Path))
		if m.Path != s.ID+"/"+m.To+".eml" {
			t.Errorf("message at %s", m.Path)
		}
		from, _ := mail.ParseAddress(got.header.Get("From"))
		to, _ := mail.ParseAddress(got.header.Get("To"))
		if from == nil || from.Address != p.Organizer.Email || from.Name != p.Organizer.Name || to == nil || to.Address != m.To {
			t.Errorf("%s: From %q To %q", m.Path, got.header.Get("From"), got.header.Get("To"))
		}
		if got.header.Get("Message-ID") != "<"+m.ID+">" {
			t.Errorf("%s: Message-ID %q, recorded %q", m.Path, got.header.Get("Message-ID"), m.ID)
		}
		if !strings.HasPrefix(got.subject, "Invitation: "+s.Title+" (Thu 29 Jun 2017 ") {
			t.Errorf("%s: Subject %q", m.Path, got.subject)
		}
		for _, want := range []string{s.Title, "Thursday 29 June 2017, " + s.Start.Format("15:04") + "–" + s.End.Format("15:04") + " CEST (Europe/Belgrade)", s.Location} {
			if !strings.Contains(got.text, want) {
				t.Errorf("%s: the text does not say %q:\n%s", m.Path, want, got.text)
			}
		}
		checkCalendar(t, m.Path, got, "REQUEST", p, s.ID, 0, m.To)
	}
	// A name that is not ASCII is an RFC 2047 encoded-word.
	for _, m := range msgs {
		if m.To == "cybercrime-unit@example.org" {
			raw := read(t, filepath.Join(dir, m.Path)).raw
			if !bytes.Contains(bytes.ToLower(raw), []byte("to: =?utf-8?q?nj=c3=absia_p=c3=abr")) {
				t.Errorf("the To of %s is not encoded:\n%s", m.Path, raw[:300])
			}
			break
		}
	}
}

// sessionOf finds the session a message is about.
func sessionOf(t *testing.T, p *agenda.Programme, m Message) *agenda.Session {
	t.Helper()
	id, _, _ := strings.Cut(m.Path, "/")
	for _, s := range p.Sessions {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no session for %s", m.Path)
	return nil
}

// checkCalendar checks an invitation's calendar: its METHOD (that of the
// MIME part too), one event with the feeds' UID, SEQUENCE, the organizer,
// and exactly one ATTENDEE, the recipient.
func checkCalendar(t *testing.T, where string, got parsed, method string, p *agenda.Programme, id string, seq int, to string) *ics.VEvent {
	t.Helper()
	var calMethod string
	for _, prop := range got.calendar.CalendarProperties {
		if prop.IANAToken == "METHOD" {
			calMethod = prop.Value
		}
	}
	if calMethod != method || got.method != method {
		t.Errorf("%s: METHOD %q, Content-Type method %q, want %s", where, calMethod, got.method, method)
	}
	events := got.calendar.Events()
	if len(events) != 1 {
		t.Fatalf("%s: %d events", where, len(events))
	}
	ev := events[0]
	if ev.Id() != id+"@"+p.UIDDomain {
		t.Errorf("%s: UID %q", where, ev.Id())
	}
	if s := props(ev, ics.ComponentPropertySequence); len(s) != 1 || s[0].Value != itoa(seq) {
		t.Errorf("%s: SEQUENCE %v, want %d", where, s, seq)
	}
	org := props(ev, ics.ComponentPropertyOrganizer)
	if len(org) != 1 || org[0].Value != "mailto:"+p.Organizer.Email {
		t.Errorf("%s: ORGANIZER %v", where, org)
	}
	att := props(ev, ics.ComponentPropertyAttendee)
	if len(att) != 1 || att[0].Value != "mailto:"+to {
		t.Fatalf("%s: ATTENDEE %v, want one, %s", where, att, to)
	}
	if method == "REQUEST" {
		params := att[0].ICalParameters
		if !slices.Equal(params["RSVP"], []string{"TRUE"}) || !slices.Equal(params["PARTSTAT"], []string{"NEEDS-ACTION"}) || !slices.Equal(params["ROLE"], []string{"REQ-PARTICIPANT"}) {
			t.Errorf("%s: ATTENDEE parameters %v", where, params)
		}
	} else if st := props(ev, ics.ComponentPropertyStatus); len(st) != 1 || st[0].Value != "CANCELLED" {
		t.Errorf("%s: STATUS %v, want CANCELLED", where, st)
	}
	return ev
}

func itoa(n int) string { return strconv.Itoa(n) }

func decodeBase64(t *testing.T, data []byte) []byte {
	t.Helper()
	out, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

const before = `title: Workshop
timezone: Europe/Belgrade
uid_domain: workshop.example.org
organizer: {name: Office, email: office@example.org}
participants:
  - {name: Ana, email: ana@example.org, groups: [police]}
  - {name: Besnik, email: besnik@example.org, groups: [banks]}
  - {name: Dea, email: dea@example.org, groups: [banks]}
days:
  - date: 2017-06-29
    sessions:
      - {time: 09:30-10:30, title: Opening}
      - {time: 11:00-12:00, title: Banks, invite: [banks]}
      - {time: 13:00-14:00, title: Police, invite: [police]}
      - {time: 15:00-16:00, title: Closing}
`

// after moves the opening, takes Dea off Banks, cancels Police and
// removes Closing.
var after = strings.NewReplacer(
	"{time: 09:30-10:30, title: Opening}", "{time: 10:00-11:00, title: Opening}",
	"invite: [banks]}", "invite: [besnik@example.org]}",
	"title: Police, invite: [police]}", "title: Police, invite: [police], status: cancelled}",
	"      - {time: 15:00-16:00, title: Closing}\n", "",
).Replace(before)

func TestUpdatesAndCancellations(t *testing.T) {
	dir, feeds := t.TempDir(), t.TempDir()
	publishAt(t, feeds, parse(t, before), t0)
	first := write(t, dir, parse(t, before), Options{Now: t0})
	if len(first) != 3+2+1+3 {
		t.Fatalf("%d first messages", len(first))
	}
	written := map[string][]byte{}
	for _, m := range first {
		written[m.Path], _ = os.ReadFile(filepath.Join(dir, m.Path))
	}
	p := parse(t, after)
	feed := publishAt(t, feeds, p, t1)
	second := write(t, dir, p, Options{Now: t1})
	var got []string
	for _, m := range second {
		got = append(got, m.Method+" "+m.Path)
	}
	want := []string{
		"REQUEST 2017-06-29-opening/ana@example.org.1.eml",
		"REQUEST 2017-06-29-opening/besnik@example.org.1.eml",
		"REQUEST 2017-06-29-opening/dea@example.org.1.eml",
		"CANCEL 2017-06-29-banks/dea@example.org.0.cancel.eml",
		"CANCEL 2017-06-29-police/ana@example.org.1.cancel.eml",
		"CANCEL 2017-06-29-closing/ana@example.org.1.cancel.eml",
		"CANCEL 2017-06-29-closing/besnik@example.org.1.cancel.eml",
		"CANCEL 2017-06-29-closing/dea@example.org.1.cancel.eml",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("second run wrote\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, m := range second {
		msg := read(t, filepath.Join(dir, m.Path))
		id, _, _ := strings.Cut(m.Path, "/")
		seq := 1
		if id == "2017-06-29-banks" {
			seq = 0 // Banks did not change: only Dea is taken off it
		}
		ev := checkCalendar(t, m.Path, msg, m.Method, p, id, seq, m.To)
		// The same SEQUENCE as the feed, for what the feed still holds.
		if fe := feed.Events[ev.Id()]; fe != nil && fe.Sequence != seq {
			t.Errorf("%s: SEQUENCE %d, the feed's %d", m.Path, seq, fe.Sequence)
		}
		switch {
		case id == "2017-06-29-opening":
			if !strings.Contains(msg.text, "moved from 09:30 to 10:00") || !strings.HasPrefix(msg.subject, "Updated invitation: Opening") {
				t.Errorf("%s does not say the opening moved: %q\n%s", m.Path, msg.subject, msg.text)
			}
		case id == "2017-06-29-banks":
			if !strings.Contains(msg.text, "no longer invited") {
				t.Errorf("%s does not say Dea is no longer invited:\n%s", m.Path, msg.text)
			}
			// Newer than the invitation it cancels, at one SEQUENCE.
			if stamp := ev.GetProperty(ics.ComponentPropertyDtstamp); stamp == nil || stamp.Value != t1.UTC().Format("20060102T150405Z") {
				t.Errorf("%s is stamped %v, want the time of the run that wrote it", m.Path, stamp)
			}
		default:
			if !strings.HasPrefix(msg.subject, "Cancelled: ") || !strings.Contains(msg.text, "is cancelled") {
				t.Errorf("%s: %q\n%s", m.Path, msg.subject, msg.text)
			}
		}
	}
	// Nothing written before was touched.
	for rel, data := range written {
		now, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil || !bytes.Equal(now, data) {
			t.Errorf("%s changed or went: %v", rel, err)
		}
	}
	if third := write(t, dir, p, Options{Now: t2}); len(third) != 0 {
		t.Errorf("a run with nothing changed wrote %d messages", len(third))
	}
	// Dea back on Banks: invited again.
	again := write(t, dir, parse(t, strings.Replace(after, "invite: [besnik@example.org]}", "invite: [banks]}", 1)), Options{Now: t2})
	if len(again) != 1 || again[0].Method != "REQUEST" || again[0].Path != "2017-06-29-banks/dea@example.org.0.eml" {
		t.Errorf("Dea back on Banks: %v", again)
	}
}

// publishAt publishes a programme's feeds at a time, and returns what
// their bookkeeping remembers.
func publishAt(t *testing.T, dir string, p *agenda.Programme, now time.Time) *publish.Memory {
	t.Helper()
	if _, err := publish.Folder(context.Background(), dir, p, publish.Options{Now: now, Wait: time.Second, KeepRemoved: 30 * 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	m, err := publish.ReadMemory(dir)
	if err != nil || m == nil {
		t.Fatalf("reading the feeds' bookkeeping: %v", err)
	}
	return m
}

// With the feeds' bookkeeping, an invitation takes their SEQUENCE when
// the feeds saw an edit invite did not.
func TestSequenceFollowsTheFeeds(t *testing.T) {
	dir, feeds := t.TempDir(), t.TempDir()
	publishAt(t, feeds, parse(t, before), t0)
	write(t, dir, parse(t, before), Options{Now: t0})
	// Built twice (two edits), invited once.
	publishAt(t, feeds, parse(t, strings.Replace(before, "09:30-10:30, title: Opening", "09:45-10:30, title: Opening", 1)), t1)
	p := parse(t, after)
	fed := publishAt(t, feeds, p, t2)
	msgs := write(t, dir, p, Options{Now: t2, Published: fed})
	for _, m := range msgs {
		if strings.HasPrefix(m.Path, "2017-06-29-opening/") {
			checkCalendar(t, m.Path, read(t, filepath.Join(dir, m.Path)), "REQUEST", p, "2017-06-29-opening", 2, m.To)
		}
	}
}

func TestMeeting(t *testing.T) {
	p := parse(t, before)
	dir := t.TempDir()
	msgs := write(t, dir, p, Options{Now: t0, Meeting: true})
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want one per attendee", len(msgs))
	}
	counts := map[string]int{"ana@example.org": 3, "besnik@example.org": 3, "dea@example.org": 3}
	for _, m := range msgs {
		got := read(t, filepath.Join(dir, m.Path))
		if m.Path != "meeting/"+m.To+".eml" || got.subject != "Invitation: Workshop" {
			t.Errorf("%s: %q", m.Path, got.subject)
		}
		if n := len(got.calendar.Events()); n != counts[m.To] {
			t.Errorf("%s: %d events, want %d", m.Path, n, counts[m.To])
		}
		for _, ev := range got.calendar.Events() {
			if att := props(ev, ics.ComponentPropertyAttendee); len(att) != 1 || att[0].Value != "mailto:"+m.To {
				t.Errorf("%s: %s has ATTENDEE %v", m.Path, ev.Id(), att)
			}
		}
	}
	second := write(t, dir, parse(t, after), Options{Now: t1, Meeting: true})
	var got []string
	for _, m := range second {
		got = append(got, m.Method+" "+m.Path)
	}
	want := []string{"REQUEST meeting/ana@example.org.2.eml", "REQUEST meeting/besnik@example.org.2.eml", "REQUEST meeting/dea@example.org.2.eml",
		"CANCEL meeting/dea@example.org.3.cancel.eml", "CANCEL meeting/ana@example.org.3.cancel.eml", "CANCEL meeting/besnik@example.org.3.cancel.eml"}
	if !slices.Equal(got, want) {
		t.Errorf("second run wrote\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// A run that stopped after writing its messages but before recording them
// leaves files the next run recognises as its own, by Message-ID: it
// neither writes them twice nor sends them twice.
func TestMessagesOfAStoppedRunAreAdopted(t *testing.T) {
	p := parse(t, before)
	dir := t.TempDir()
	write(t, dir, p, Options{Now: t0})
	state, err := os.ReadFile(filepath.Join(dir, stateName))
	if err != nil {
		t.Fatal(err)
	}
	second := write(t, dir, parse(t, after), Options{Now: t1})
	if err := os.WriteFile(filepath.Join(dir, stateName), state, 0o644); err != nil {
		t.Fatal(err)
	}
	again := write(t, dir, parse(t, after), Options{Now: t1.Add(time.Hour)})
	if len(again) != len(second) {
		t.Fatalf("%d messages the second time, %d the first", len(again), len(second))
	}
	for i := range again {
		if again[i] != second[i] {
			t.Errorf("message %d: %+v, first %+v", i, again[i], second[i])
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*", "*-2.eml"))
	if len(matches) > 0 {
		t.Errorf("messages written twice: %v", matches)
	}
}

// Another message already at a message's name is never replaced.
func TestNeverOverwrites(t *testing.T) {
	p := parse(t, before)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "2017-06-29-opening"), 0o755); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "2017-06-29-opening", "ana@example.org.eml")
	if err := os.WriteFile(mine, []byte("a draft of mine\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	msgs := write(t, dir, p, Options{Now: t0})
	if data, _ := os.ReadFile(mine); string(data) != "a draft of mine\r\n" {
		t.Errorf("the file in the way was replaced")
	}
	if !slices.ContainsFunc(msgs, func(m Message) bool { return m.Path == "2017-06-29-opening/ana@example.org-2.eml" }) {
		t.Errorf("no message beside the file in the way: %v", msgs)
	}
}

func TestAnotherProgrammesFolderIsRefused(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, parse(t, before), Options{Now: t0})
	f, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = f.Write(parse(t, strings.Replace(before, "workshop.example.org", "other.example.org", 1)), Options{Now: t1})
	var other *publish.OtherProgrammeError
	if !errorsAs(err, &other) {
		t.Errorf("got %v, want an OtherProgrammeError", err)
	}
}

func TestNoOrganizerAddress(t *testing.T) {
	p := parse(t, "title: T\ntimezone: UTC\ndays: [{date: 2017-06-29, sessions: [{time: 9:00-10:00, title: A, speakers: [{name: H, email: h@example.org}]}]}]\n")
	f, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var no *NoOrganizerError
	if _, err := f.Write(p, Options{Now: t0}); !errorsAs(err, &no) {
		t.Errorf("got %v, want a NoOrganizerError", err)
	}
}
