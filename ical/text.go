package ical

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// cleanText makes a value safe for a TEXT property: valid UTF-8 and no
// control character but tab and line feed (which the library escapes as
// \n). A carriage return or any other control character would otherwise
// reach the file raw, where it can end the line and start a new property.
func cleanText(s string) string {
	if isClean(s, true) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' {
			return -1
		}
		if isControl(r) && r != '\t' && r != '\n' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// cleanLine is cleanText for values that must stay on one line, such as
// parameter values and URIs: line breaks become spaces.
func cleanLine(s string) string {
	if isClean(s, false) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\u2028' || r == '\u2029':
			return ' '
		case isControl(r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// isClean tells a value that needs no cleaning: valid UTF-8, with no
// control character but tab (and line feed, on many lines), and on one
// line no line or paragraph separator. It looks at bytes, not runes: in
// UTF-8 the C1 controls are 0xC2 then 0x80–0x9F, the separators 0xE2
// 0x80 0xA8 and 0xA9, and neither lead byte is ever anything else.
// It steps eight octets at a time where none is a control character,
// DEL, 0xC2 or 0xE2.
func isClean(s string, multiLine bool) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(w uint64) bool { return (w-ones)&^w&highs != 0 }
	for i := 0; i < len(s); i++ {
		for ; i+8 <= len(s); i += 8 {
			w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if (w-0x20*ones)&^w&highs != 0 || hasZero(w^0x7f*ones) || hasZero(w^0xc2*ones) || hasZero(w^0xe2*ones) {
				break
			}
		}
		if i == len(s) {
			break
		}
		switch c := s[i]; {
		case c >= 0x20 && c < 0x7f, c >= 0x80 && c != 0xc2 && c != 0xe2:
		case c == '\t', c == '\n' && multiLine:
		case c < 0x20, c == 0x7f:
			return false
		case c == 0xc2:
			if i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
				return false
			}
		case !multiLine: // 0xe2
			if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
				return false
			}
		}
	}
	return utf8.ValidString(s)
}

// isControl tells the C0 and C1 control characters and DEL.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f
}

// cleanURI makes a URI safe for a URI value, which the library writes
// unescaped: characters a URI may not hold are percent-encoded.
func cleanURI(s string) string {
	var b strings.Builder
	for _, c := range []byte(cleanLine(s)) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"<>\^`+"`{|}", c) >= 0 {
			b.WriteString("%")
			b.WriteString(strings.ToUpper(hexByte(c)))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// paramValue writes a parameter value (RFC 5545 3.2): as it is when it
// holds none of ",;:", else in double quotes. A double quote cannot be
// written inside one, so it becomes an apostrophe; line breaks become
// spaces. A caret before n, an apostrophe or a caret is doubled: readers
// of RFC 6868 (ical.js, libical) take those pairs for a line break, a
// double quote and a caret, and any other caret as it is, which readers
// that know nothing of RFC 6868 also do.
func paramValue(s string) string {
	s = strings.ReplaceAll(cleanLine(s), `"`, "'")
	if strings.Contains(s, "^") {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			b.WriteByte(s[i])
			if s[i] == '^' && i+1 < len(s) && strings.IndexByte("n'^", s[i+1]) >= 0 {
				b.WriteByte('^')
			}
		}
		s = b.String()
	}
	if strings.ContainsAny(s, ",;:") {
		return `"` + s + `"`
	}
	return s
}

// joinNonEmpty joins the parts that are not empty with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// writeFolded writes one content line, folded at 75 octets without
// splitting a UTF-8 character (RFC 5545 3.1), and ends it with CRLF.
func writeFolded(b *bytes.Buffer, line string) {
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = 74 // after the space that starts a continuation line
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}

// escapeText escapes a TEXT value (RFC 5545 3.3.11) for a property this
// package writes itself.
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`).Replace(s)
}
