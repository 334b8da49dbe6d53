package agenda

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxIDLength bounds ids, which become file names and UIDs.
const maxIDLength = 100

// checkID reports why id is not a safe file name, or "" when it is. Safe ids
// use letters, digits, '.', '_' and '-', start with a letter or digit, and
// are not names Windows reserves, so that "sessions/<id>.ics" never leaves
// its folder on any system.
func checkID(id string) string {
	switch {
	case id == "":
		return "is empty"
	case len(id) > maxIDLength:
		return fmt.Sprintf("is longer than %d characters", maxIDLength)
	case !isAlnum(rune(id[0])):
		return "must start with a letter or a digit"
	case strings.HasSuffix(id, "."):
		return "must not end with '.'"
	case windowsReserved(id):
		return "is a name Windows reserves for a device"
	}
	for _, r := range id {
		if !isAlnum(r) && r != '-' && r != '_' && r != '.' {
			return fmt.Sprintf("contains %q: use only letters, digits, '-', '_' and '.'", r)
		}
	}
	return ""
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// windowsReserved tells whether Windows treats name, with any extension, as
// a device.
func windowsReserved(name string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		return base[3] >= '0' && base[3] <= '9'
	}
	return false
}

// derivedID makes a session id from its date and title alone, so that it
// stays the same when the time, room, speakers or description change.
func derivedID(date, title string) string {
	const room = maxIDLength - len("2006-01-02-") - len("-999")
	slug, cut := slugify(title, room-len("-0123456789ab"))
	switch {
	case slug == "":
		// A title with nothing to transliterate (CJK, emoji) still needs a
		// stable id: take it from the title's hash.
		slug = "s" + shortHash(title)
	case cut:
		// Long titles that differ only past the cut must not get ids that
		// depend on their order: the hash of the whole title tells them
		// apart.
		slug += "-" + shortHash(title)
	}
	return date + "-" + slug
}

// Digest is a short digest of a session's title or place, as
// PublishedID holds them.
func Digest(s string) string { return shortHash(s) }

// shortHash is 12 hex digits of the SHA-256 of s.
func shortHash(s string) string {
	var buf [256]byte // titles and places fit, and are copied no further
	sum := sha256.Sum256(append(buf[:0], s...))
	var digits [12]byte
	hex.Encode(digits[:], sum[:6])
	return string(digits[:])
}

// slugify lower-cases s, transliterates what it can to ASCII letters and
// joins the words with '-', cut at a word boundary within max bytes; cut
// tells whether anything was left out.
func slugify(s string, max int) (slug string, cut bool) {
	var room [80]byte // on the stack, for ids: only the slug is allocated
	b := room[:0]
	if max > len(room) {
		b = make([]byte, 0, min(len(s), max))
	}
	pendingDash := false
	for i := 0; i < len(s); {
		// The rune's spelling: ASCII is lower-cased and taken as it is,
		// the rest lower-cased as strings.ToLower does and transliterated.
		var t string
		if c := s[i]; c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				t = s[i : i+1]
			case 'A' <= c && c <= 'Z':
				t = lowerLetters[c-'A' : c-'A'+1]
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			t = transliterate(toLower(r))
			i += size
		}
		if t == "\x00" {
			continue // a letter with no sound of its own, inside a word
		}
		if t == "" {
			pendingDash = len(b) > 0
			continue
		}
		if pendingDash {
			if len(b)+1+len(t) > max {
				cut = true
				break
			}
			b = append(b, '-')
			pendingDash = false
		}
		if len(b)+len(t) > max {
			cut = true
			break
		}
		if len(t) == 1 {
			b = append(b, t[0])
		} else {
			b = append(b, t...)
		}
	}
	out := string(b)
	if cut && !pendingDash {
		// Cut back to a whole word where there is one.
		if i := strings.LastIndexByte(out, '-'); i > 0 {
			out = out[:i]
		}
	}
	return strings.TrimSuffix(out, "-"), cut
}

const lowerLetters = "abcdefghijklmnopqrstuvwxyz"

// toLower is unicode.ToLower, without its search of the case tables in
// Latin-1 and in Cyrillic (U+0400 to U+045F), where a capital is a fixed
// step from its small letter.
func toLower(r rune) rune {
	switch {
	case r >= 0xdf && r <= 0xff, r >= 0x430 && r <= 0x45f:
		return r
	case r >= 0xc0 && r <= 0xde && r != 0xd7, r >= 0x410 && r <= 0x42f:
		return r + 0x20
	case r >= 0x400 && r <= 0x40f:
		return r + 0x50
	}
	return unicode.ToLower(r)
}

// transliterate returns the ASCII spelling of a lower-case rune for use in
// ids: itself for letters and digits, a Latin spelling for the accented
// Latin letters of European languages and for Serbian, Macedonian, Russian
// and Ukrainian Cyrillic, "" for everything else. The hard and soft signs
// have no spelling of their own and vanish without breaking the word.
func transliterate(r rune) string {
	if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
		return string(r)
	}
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą', 'а':
		return "a"
	case 'æ':
		return "ae"
	case 'ç', 'ć', 'ĉ', 'ċ', 'č', 'ћ', 'ц', 'ч':
		return "c"
	case 'ď', 'đ', 'ð', 'д':
		return "d"
	case 'è', 'é', 'ê', 'ë', 'ē', 'ĕ', 'ė', 'ę', 'ě', 'е', 'э':
		return "e"
	case 'ĝ', 'ğ', 'ġ', 'ģ', 'г', 'ґ':
		return "g"
	case 'ĥ', 'ħ', 'х':
		return "h"
	case 'ì', 'í', 'î', 'ï', 'ĩ', 'ī', 'ĭ', 'į', 'ı', 'и', 'і':
		return "i"
	case 'ĳ':
		return "ij"
	case 'ĵ', 'й', 'ј':
		return "j"
	case 'ķ', 'к':
		return "k"
	case 'ĺ', 'ļ', 'ľ', 'ŀ', 'ł', 'л':
		return "l"
	case 'ñ', 'ń', 'ņ', 'ň', 'ŉ', 'н':
		return "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ŏ', 'ő', 'о':
		return "o"
	case 'œ':
		return "oe"
	case 'ŕ', 'ŗ', 'ř', 'р':
		return "r"
	case 'ś', 'ŝ', 'ş', 'š', 'ș', 'с', 'ш':
		return "s"
	case 'ß':
		return "ss"
	case 'ţ', 'ť', 'ŧ', 'ț', 'т':
		return "t"
	case 'ù', 'ú', 'û', 'ü', 'ũ', 'ū', 'ŭ', 'ů', 'ű', 'ų', 'у':
		return "u"
	case 'ŵ':
		return "w"
	case 'ý', 'ÿ', 'ŷ', 'ы':
		return "y"
	case 'ź', 'ż', 'ž', 'з':
		return "z"
	case 'þ':
		return "th"
	case 'б':
		return "b"
	case 'в':
		return "v"
	case 'ђ':
		return "dj"
	case 'є':
		return "ye"
	case 'ё':
		return "yo"
	case 'ж':
		return "zh"
	case 'ї':
		return "yi"
	case 'љ':
		return "lj"
	case 'м':
		return "m"
	case 'њ':
		return "nj"
	case 'п':
		return "p"
	case 'ф':
		return "f"
	case 'џ', 'ѕ':
		return "dz"
	case 'щ':
		return "sc"
	case 'ю':
		return "yu"
	case 'я':
		return "ya"
	case 'ѓ':
		return "gj"
	case 'ќ':
		return "kj"
	case 'ъ', 'ь':
		return "\x00"
	}
	return ""
}

// PublishedID is what a previous build published of a session, as far as
// keeping its id goes.
type PublishedID struct {
	ID      string
	Derived bool
	Date    string // 2006-01-02
	// Title and Location are the Digest of the session's title and
	// place: matching needs only to tell them apart.
	Title    string
	Start    time.Time
	Location string
	// Removed marks a session published as cancelled since it left the
	// programme: only a session with its date, title and start takes its
	// id back.
	Removed bool
	// OnlyID marks a session of which nothing but the id is known (read
	// back from a calendar): the session whose derived id is the same
	// keeps it.
	OnlyID bool
	// IDFirst marks one read back from a calendar with its title, start
	// and place: the session whose derived id is the same keeps it before
	// any pass; failing that, it is matched as the others.
	IDFirst bool
}

// KeepIDs gives every session whose id is derived the id it was published
// under before, so that its UID and its file survive edits: a published
// session whose id was derived matches a session of the same date with
// the same title and start, then the same title, then the same start and
// place, then the same start, and last the same place when that alone
// leaves one candidate on each side (a session removed from the programme
// is matched only by all three). Sessions that match nothing get fresh
// derived ids that no session ever published has had (reserved tells, for
// a lower-case id), so removing one of two same-titled sessions never
// hands its id to the other.
func (p *Programme) KeepIDs(published []PublishedID, reserved func(lowerID string) bool) {
	taken := make(map[string]bool, len(p.Sessions)) // lower-case ids already given
	open := make([]*Session, 0, len(p.Sessions))
	for _, s := range p.Sessions {
		if s.Derived {
			open = append(open, s)
		} else {
			taken[strings.ToLower(s.ID)] = true
		}
	}
	candidates := make([]PublishedID, 0, len(published))
	for _, old := range published {
		if old.Derived && (len(taken) == 0 || !taken[strings.ToLower(old.ID)]) {
			candidates = append(candidates, old)
		}
	}
	passes := []struct {
		key    func(date, title, location string, start time.Time) idKey
		unique bool // match only where the key leaves one on each side
	}{
		{key: func(d, t, _ string, s time.Time) idKey {
			return idKey{date: d, title: t, sec: s.Unix(), nsec: s.Nanosecond()}
		}},
		{key: func(d, t, _ string, _ time.Time) idKey { return idKey{date: d, title: t} }},
		{key: func(d, _, l string, s time.Time) idKey {
			return idKey{date: d, location: l, sec: s.Unix(), nsec: s.Nanosecond()}
		}},
		{key: func(d, _, _ string, s time.Time) idKey { return idKey{date: d, sec: s.Unix(), nsec: s.Nanosecond()} }},
		{key: func(d, _, l string, _ time.Time) idKey { return idKey{date: d, location: l} }, unique: true},
	}
	digests := make([][2]string, len(open)) // of each open session's title and place
	atOnce(runtime.GOMAXPROCS(0), len(open), func(n int) {
		digests[n] = [2]string{Digest(open[n].Title), Digest(open[n].Location)}
	})
	kept := make([]string, len(open)) // the id each open session keeps, or ""
	used := make([]bool, len(candidates))
	var byID map[string]int // made for the first candidate known by its id first
	for i, old := range candidates {
		if !old.OnlyID && !old.IDFirst {
			continue
		}
		if byID == nil {
			byID = make(map[string]int, len(open))
			for n, s := range open {
				byID[strings.ToLower(s.ID)] = n
			}
		}
		if n, ok := byID[strings.ToLower(old.ID)]; ok && kept[n] == "" {
			used[i], kept[n] = true, old.ID
		}
	}
	// Each pass pairs the candidates with a key, in their order, with the
	// open sessions of that key, in theirs: first with first, second
	// with second.
	next := make([]int, len(candidates)) // the next candidate of the same key, or -1
	for round, pass := range passes {
		first := make(map[idKey]int, len(candidates)-countTrue(used))
		for i := len(candidates) - 1; i >= 0; i-- {
			old := candidates[i]
			if used[i] || old.OnlyID || round > 0 && old.Removed {
				continue
			}
			k := pass.key(old.Date, old.Title, old.Location, old.Start)
			next[i] = -1
			if j, ok := first[k]; ok {
				next[i] = j
			}
			first[k] = i
		}
		if len(first) == 0 {
			break
		}
		var opens map[idKey]int // open sessions of each key
		if pass.unique {
			opens = map[idKey]int{}
			for n, s := range open {
				if kept[n] == "" {
					opens[pass.key(s.Date, digests[n][0], digests[n][1], s.Start)]++
				}
			}
		}
		for n, s := range open {
			if kept[n] != "" {
				continue
			}
			k := pass.key(s.Date, digests[n][0], digests[n][1], s.Start)
			i, ok := first[k]
			if !ok || pass.unique && (next[i] >= 0 || opens[k] != 1) {
				continue
			}
			used[i], kept[n] = true, candidates[i].ID
			if next[i] >= 0 {
				first[k] = next[i]
			} else {
				delete(first, k)
			}
		}
	}
	// The ids kept are taken, for the sessions left to number.
	left := slices.Contains(kept, "")
	for n, s := range open {
		if kept[n] != "" {
			s.ID = kept[n]
			if left {
				taken[strings.ToLower(s.ID)] = true
			}
		}
	}
	for n, s := range open {
		if kept[n] != "" {
			continue
		}
		base := derivedID(s.Date, s.Title)
		id := base
		for n := 2; taken[id] || reserved(id); n++ {
			id = numbered(base, n)
		}
		taken[id] = true
		s.ID = id
	}
}

// countTrue counts the true in bs.
func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// idKey is what a pass of KeepIDs matches sessions by: the date, and the
// digests of title and place and the start (seconds and nanoseconds since
// 1970) where the pass matches by them, else zero.
type idKey struct {
	date, title, location string
	sec                   int64
	nsec                  int
}

// numbered is the n-th id derived from base (base-2, base-3, …), cut so
// that it never exceeds maxIDLength however large n grows.
func numbered(base string, n int) string {
	suffix := "-" + strconv.Itoa(n)
	if len(base)+len(suffix) > maxIDLength {
		base = strings.TrimRight(base[:maxIDLength-len(suffix)], "-.")
	}
	return base + suffix
}

// assignRooms gives every room a session is in one Room with an id made
// from its name (unique, safe as a file name), in the order rooms first
// appear, and returns them.
func assignRooms(sessions []*Session) []*Room {
	byName := map[string]*Room{}
	taken := map[string]bool{}
	var rooms []*Room
	for _, s := range sessions {
		if s.Room == nil {
			continue
		}
		r, ok := byName[s.Room.Name]
		if !ok {
			r = &Room{ID: roomID(s.Room.Name, taken), Name: s.Room.Name}
			taken[r.ID] = true
			byName[r.Name] = r
			rooms = append(rooms, r)
		}
		s.Room = r
	}
	return rooms
}

// roomID is the id of a room of this name: made from the name, with a
// digest of it where another room has that id (taken).
func roomID(name string, taken map[string]bool) string {
	slug, _ := slugify(name, maxIDLength-len("-0123456789ab"))
	if slug == "" {
		slug = "r" + shortHash(name)
	}
	if taken[slug] {
		slug += "-" + shortHash(name)
	}
	return slug
}

// KeepRoomIDs gives every room the id it was published under before
// (published: ids by room name), so that its calendar keeps its address
// whatever rooms are added, removed or listed before it. A room new to
// published gets an id no room was published under: one whose name makes
// the same id as another's never takes that one's calendar.
func (p *Programme) KeepRoomIDs(published map[string]string) {
	if len(published) == 0 {
		return
	}
	taken := make(map[string]bool, len(published)+len(p.Rooms))
	for _, id := range published {
		taken[id] = true
	}
	kept := map[string]bool{}
	var fresh []*Room
	for _, r := range p.Rooms {
		if id, ok := published[r.Name]; ok && checkID(id) == "" && !kept[id] {
			r.ID, kept[id] = id, true
		} else {
			fresh = append(fresh, r)
		}
	}
	for _, r := range fresh {
		r.ID = roomID(r.Name, taken)
		taken[r.ID] = true
	}
}

// validLanguage tells a BCP 47 language tag in its common shape: a
// language of two or three letters, then subtags of letters and digits.
func validLanguage(tag string) bool {
	for i, sub := range strings.Split(tag, "-") {
		if i == 0 && (len(sub) < 2 || len(sub) > 3) || len(sub) < 1 || len(sub) > 8 {
			return false
		}
		for _, r := range sub {
			if !isAlnum(r) || i == 0 && r >= '0' && r <= '9' {
				return false
			}
		}
	}
	return true
}
