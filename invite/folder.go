// Package invite invites a programme's participants to its sessions: one
// iTIP message (RFC 5546) for each attendee of each session, carried in an
// e-mail (iMIP, RFC 6047), written into a folder of invitations and sent
// over SMTP.
//
// The folder remembers what it holds (.agendacal.invites): the change
// tracking's memory of every session (the same ids and SEQUENCEs the
// feeds give), who was last sent what, and the messages written but not
// yet sent. A run writes only what is new: an invitation for a new
// attendee, an update for a changed session, a cancellation for a
// cancelled or removed session or an attendee taken off one. Messages are
// never overwritten: each update is a new file beside the first.
package invite

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agendacal/agendacal/publish"
)

// The bookkeeping of a folder of invitations.
const (
	stateName = ".agendacal.invites"
	// journalName lists, one a line, the messages sent since the
	// bookkeeping was last written: a run stopped while sending leaves
	// them there, and the next one does not send them again.
	journalName  = ".agendacal.sent"
	stateVersion = 1
)

// Message is one invitation written into the folder.
type Message struct {
	// Path is where the message is, relative to the folder, with '/'.
	Path string `json:"path"`
	// ID is its Message-ID, without the angle brackets.
	ID string `json:"id"`
	// From and To are the envelope's addresses: the organizer's and the
	// attendee's.
	From string `json:"from"`
	To   string `json:"to"`
	// Method is REQUEST or CANCEL.
	Method string `json:"method"`
}

// state is what .agendacal.invites holds.
type state struct {
	Version   int       `json:"version"`
	Programme programme `json:"programme"`
	// Memory is the change tracking's memory of the sessions invited to:
	// ids kept across edits, fingerprints and SEQUENCEs.
	publish.Memory
	// Sessions are by UID: what the attendees were last told.
	Sessions map[string]*session `json:"sessions"`
	// Meeting counts the messages of --meeting by attendee address.
	Meeting map[string]int `json:"meeting,omitempty"`
	// Outbox are the messages written and not yet sent, in order.
	Outbox []Message `json:"outbox"`
	// Refused are the messages the mail server refused for good, with
	// its answer.
	Refused []Refusal `json:"refused,omitempty"`
}

type programme struct {
	Title     string `json:"title"`
	UIDDomain string `json:"uid_domain"`
}

// session is what the attendees of a session were last told.
type session struct {
	Title    string `json:"title"`
	Location string `json:"location,omitempty"`
	Online   string `json:"online,omitempty"`
	AllDay   bool   `json:"all_day,omitempty"`
	// Attendees are by lower-case address.
	Attendees map[string]*attendee `json:"attendees"`
}

// attendee is what one attendee of a session was last sent.
type attendee struct {
	Name     string `json:"name,omitempty"`
	Email    string `json:"email"`
	Method   string `json:"method"`
	Sequence int    `json:"sequence"`
	// Messages counts the messages written to the attendee about the
	// session.
	Messages int `json:"messages"`
}

// Refusal is a message the mail server refused for good.
type Refusal struct {
	Message
	Reason string `json:"reason"`
}

// Folder is a folder of invitations, locked while it is open.
type Folder struct {
	dir    string
	unlock func()
	st     *state
	// journal is open for appending while messages are sent.
	journal *os.File
}

// Open locks the folder of invitations dir, creating it if need be, and
// reads its bookkeeping. wait is how long to wait for another run.
func Open(dir string, wait time.Duration) (*Folder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the folder of invitations: %w", err)
	}
	unlock, err := publish.Lock(dir, wait)
	if err != nil {
		return nil, err
	}
	f := &Folder{dir: dir, unlock: unlock}
	if f.st, err = readState(dir); err != nil {
		unlock()
		return nil, err
	}
	// Messages sent by a run that stopped before it wrote the bookkeeping.
	if data, err := os.ReadFile(filepath.Join(dir, journalName)); err == nil {
		f.settle(string(data))
		if err := f.writeState(); err != nil {
			unlock()
			return nil, err
		}
		os.Remove(filepath.Join(dir, journalName))
	}
	return f, nil
}

// Dir is the folder's path.
func (f *Folder) Dir() string { return f.dir }

// Outbox lists the messages written and not yet sent, in order.
func (f *Folder) Outbox() []Message { return append([]Message(nil), f.st.Outbox...) }

// Sent records that the mail server accepted m: it is never sent again,
// even when the run stops before Close.
func (f *Folder) Sent(m Message) error { return f.note("sent\t" + m.ID) }

// Refused records that the mail server refused m for good.
func (f *Folder) Refused(m Message, reason string) error {
	return f.note("refused\t" + m.ID + "\t" + oneLine(reason))
}

// note appends a line to the journal and makes it durable.
func (f *Folder) note(line string) error {
	if f.journal == nil {
		j, err := os.OpenFile(filepath.Join(f.dir, journalName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("recording a sent message: %w", err)
		}
		f.journal = j
	}
	if _, err := f.journal.WriteString(line + "\n"); err != nil {
		return fmt.Errorf("recording a sent message: %w", err)
	}
	if err := f.journal.Sync(); err != nil {
		return fmt.Errorf("recording a sent message: %w", err)
	}
	return nil
}

// settle takes the messages a journal lists out of the outbox.
func (f *Folder) settle(journal string) {
	done := map[string]string{} // Message-ID → "" when sent, else why refused
	for _, line := range strings.Split(journal, "\n") {
		parts := strings.SplitN(line, "\t", 3)
		switch {
		case len(parts) >= 2 && parts[0] == "sent":
			done[parts[1]] = ""
		case len(parts) == 3 && parts[0] == "refused":
			done[parts[1]] = parts[2]
		}
	}
	kept := f.st.Outbox[:0]
	for _, m := range f.st.Outbox {
		reason, ok := done[m.ID]
		switch {
		case !ok:
			kept = append(kept, m)
		case reason != "":
			f.st.Refused = append(f.st.Refused, Refusal{Message: m, Reason: reason})
		}
	}
	f.st.Outbox = kept
}

// Close writes the bookkeeping with what was sent and unlocks the folder.
func (f *Folder) Close() error {
	defer f.unlock()
	if f.journal == nil {
		return nil
	}
	f.journal.Close()
	data, err := os.ReadFile(filepath.Join(f.dir, journalName))
	if err != nil {
		return fmt.Errorf("reading %s: %w", journalName, err)
	}
	f.settle(string(data))
	if err := f.writeState(); err != nil {
		return err
	}
	return os.Remove(filepath.Join(f.dir, journalName))
}

func readState(dir string) (*state, error) {
	st := &state{Version: stateVersion, Memory: publish.Memory{Events: map[string]*publish.Event{}}, Sessions: map[string]*session{}}
	data, err := os.ReadFile(filepath.Join(dir, stateName))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", stateName, err)
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("reading %s: %v; it records what was sent: mend it, or move the folder aside to invite everyone again", filepath.Join(dir, stateName), err)
	}
	if st.Version > stateVersion {
		return nil, fmt.Errorf("%s was written by a newer agendacal (format %d); use that one", filepath.Join(dir, stateName), st.Version)
	}
	if st.Events == nil {
		st.Events = map[string]*publish.Event{}
	}
	if st.Sessions == nil {
		st.Sessions = map[string]*session{}
	}
	return st, nil
}

// writeState replaces the bookkeeping, whole.
func (f *Folder) writeState() error {
	data, err := json.MarshalIndent(f.st, "", " ")
	if err != nil {
		return err
	}
	if err := replaceFile(filepath.Join(f.dir, stateName), append(data, '\n')); err != nil {
		return fmt.Errorf("writing the bookkeeping %s: %w", stateName, err)
	}
	return nil
}

// replaceFile replaces path with data: written in full under a temporary
// name, flushed to disk, then renamed.
func replaceFile(path string, data []byte) error {
	tmp, err := writeTemp(filepath.Dir(path), data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Rename(tmp, path)
}

// createNew writes a new file at path with data, never replacing one: it
// is written in full under a temporary name and then linked into place,
// which fails if path exists.
func createNew(path string, data []byte) error {
	tmp, err := writeTemp(filepath.Dir(path), data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// A file system without hard links: created exclusively instead.
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := out.Write(data); err != nil {
		out.Close()
		os.Remove(path)
		return err
	}
	return out.Close()
}

// writeTemp writes data to a new temporary file in dir, flushed to disk,
// and returns its name.
func writeTemp(dir string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(dir, ".agendacal-*.tmp")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
