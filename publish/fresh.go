package publish

import (
	"bufio"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

// Source is what a build is made from, besides the time: the programme's
// files and the settings. A folder built from a source holds, until a
// time the bookkeeping names, exactly what a build of the same source
// would publish, so that a cron rebuild with nothing changed can tell so
// from the files' bytes alone, without decoding or rendering anything.
type Source struct {
	// Programme is the programme file's text; Included are the files it
	// includes, in order.
	Programme string
	Included  []SourceFile
	// Settings are everything else that decides what a build writes: the
	// flags, agendacal itself, the tz database.
	Settings []string
	// Remarks are the warnings the programme gave, to be repeated when a
	// build is found up to date.
	Remarks []string

	// sealed is the digest, once Seal has let go of the text.
	sealed string
	// head is the digest's state once it has taken the settings and the
	// programme, kept so that UpToDate and Seal digest the programme once
	// between them: Settings and Programme do not change after.
	head []byte
}

// Seal works out the source's digest and lets go of the files' text,
// which the source needs no more.
func (s *Source) Seal() {
	s.sealed = s.digest()
	s.Programme = ""
	for i := range s.Included {
		s.Included[i].Text = ""
	}
}

// SourceFile is an included file.
type SourceFile struct {
	Name, Text string
}

// digest is the SHA-256 of a source's files and settings.
func (s *Source) digest() string {
	if s.sealed != "" {
		return s.sealed
	}
	return s.digestWith(s.Included)
}

// digestWith is the digest of the source as if it included the files
// included.
func (s *Source) digestWith(included []SourceFile) string {
	h := sha256.New()
	var chunk [32 << 10]byte
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s)) + ":"))
		for len(s) > 0 { // a piece at a time: never a copy of the whole file
			n := copy(chunk[:], s)
			h.Write(chunk[:n])
			s = s[n:]
		}
	}
	if s.head == nil || h.(encoding.BinaryUnmarshaler).UnmarshalBinary(s.head) != nil {
		h.Reset()
		for _, setting := range s.Settings {
			field(setting)
		}
		field(s.Programme)
		s.head, _ = h.(encoding.BinaryMarshaler).MarshalBinary()
	}
	for _, f := range included {
		field(f.Name)
		field(f.Text)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fresh is what the bookkeeping remembers of the source of the last build
// and of the tree it left: enough to tell, from the programme's bytes and
// five calls to stat, that nothing is to be done.
type fresh struct {
	Source   string   `json:"source"`
	Included []string `json:"included,omitempty"`
	// Until is when the output changes with time alone: a session ends
	// and leaves upcoming.ics, or a removed one is kept no longer.
	Until *time.Time `json:"until,omitempty"`
	// Folders are the modification times (ns) of the subfolders, which
	// change when a file in them is added, removed or renamed.
	Folders map[string]int64 `json:"folders"`
	// Top are the files at the top of the folder.
	Top     []string `json:"top"`
	Remarks []string `json:"remarks,omitempty"`
}

// UpToDate tells whether the folder dir holds what a build would publish
// now from src, the programme file's bytes and the settings: the bookkeeping
// says it was built from the same source (the included files, read with
// read, too), nothing is due since, no build stopped half-way, and no file
// was added to or removed from its folders. It returns the warnings the
// programme gave. It reads only the head of the bookkeeping.
func UpToDate(dir string, src *Source, read func(name string) (string, error), now time.Time) ([]string, bool) {
	f, err := os.Open(filepath.Join(dir, stateName))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 16<<10))
	var fr *fresh
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	for range 2 { // "version", then "fresh"
		key, err := dec.Token()
		if err != nil {
			return nil, false
		}
		switch key {
		case "version":
			var v int
			if dec.Decode(&v) != nil || v != stateVersion {
				return nil, false
			}
		case "fresh":
			if dec.Decode(&fr) != nil {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	if fr == nil || fr.Until != nil && !now.Before(*fr.Until) {
		return nil, false
	}
	if _, err := os.Lstat(filepath.Join(dir, pendingName)); !errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	var included []SourceFile
	for _, name := range fr.Included {
		text, err := read(name)
		if err != nil {
			return nil, false
		}
		included = append(included, SourceFile{name, text})
	}
	if src.digestWith(included) != fr.Source {
		return nil, false
	}
	if !maps.Equal(folderTimes(dir), fr.Folders) {
		return nil, false
	}
	for _, rel := range fr.Top {
		if fi, err := os.Lstat(filepath.Join(dir, rel)); err != nil || !fi.Mode().IsRegular() {
			return nil, false
		}
	}
	return fr.Remarks, true
}

// folderTimes are the modification times of the subfolders of dir.
func folderTimes(dir string) map[string]int64 {
	out := map[string]int64{}
	for _, sub := range subfolders {
		if fi, err := os.Lstat(filepath.Join(dir, sub)); err == nil && fi.IsDir() {
			out[sub] = fi.ModTime().UnixNano()
		}
	}
	return out
}

// freshness is what the bookkeeping of a build from src remembers, the
// tree being at dir: when the output next changes with time alone, the
// subfolders' times, the files at the top.
func freshness(src *Source, dir string, all *agenda.Programme, next *State, opts Options) *fresh {
	if src == nil {
		return nil
	}
	fr := &fresh{Source: src.digest(), Folders: folderTimes(dir), Remarks: src.Remarks}
	for _, f := range src.Included {
		fr.Included = append(fr.Included, f.Name)
	}
	for rel := range next.Files {
		if filepath.Dir(filepath.FromSlash(rel)) == "." {
			fr.Top = append(fr.Top, rel)
		}
	}
	sort.Strings(fr.Top)
	due := func(t time.Time) {
		if t.After(opts.Now) && (fr.Until == nil || t.Before(*fr.Until)) {
			fr.Until = &t
		}
	}
	if len(all.Sessions) > upcomingAbove {
		for _, s := range all.Sessions {
			due(s.End.UTC())
		}
	}
	for _, ev := range next.Events {
		if ev.Removed != nil {
			due(ev.Removed.Add(opts.KeepRemoved).UTC())
		}
	}
	return fr
}
