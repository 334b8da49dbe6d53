package site

import (
	"bytes"
	"strings"
)

// A large programme's page is mostly its days: thousands of sessions, each
// a dozen values. html/template escapes every value through reflection,
// which cost as much as rendering all the events; writeDay writes a day
// directly, escaping each value as html/template does in its place (text,
// quoted attribute, URL, CSS), byte for byte. The template dayText stays
// the definition: the tests hold writeDay to it, and a day with a value
// writeDay does not vouch for (a track colour that is not a hex colour)
// is written with the template.

// writeDay writes one day of the programme as dayText does; false, with
// nothing written, when the day has a value only the template may write.
func writeDay(b *bytes.Buffer, d *dayData) bool {
	for i := range d.Sessions {
		for _, t := range d.Sessions[i].Tracks {
			if !isHexColor(t.Color) {
				return false
			}
		}
	}
	w := &d.W
	b.WriteString(`<h3 id="_day-`)
	escapeHTML(b, d.Date)
	b.WriteString(`" style="margin-top:1.5rem">`)
	escapeHTML(b, d.Date)
	b.WriteString("</h3>\n<ul class=\"sessions\">\n")
	for i := range d.Sessions {
		s := &d.Sessions[i]
		b.WriteString(`<li class="session`)
		if s.Break {
			b.WriteString(" break")
		}
		if s.Cancelled {
			b.WriteString(" cancelled")
		}
		b.WriteString(`" id="`)
		escapeHTML(b, s.ID)
		b.WriteString("\">\n<div class=\"when\">")
		if s.AllDay {
			escapeHTML(b, w.AllDay)
			if s.Until != "" {
				b.WriteString(" – ")
				escapeHTML(b, s.Until)
			}
		} else {
			b.WriteString(`<time datetime="`)
			escapeHTML(b, s.StartUTC)
			b.WriteString(`">`)
			escapeHTML(b, s.Start)
			b.WriteString(`</time>–<time datetime="`)
			escapeHTML(b, s.EndUTC)
			b.WriteString(`">`)
			escapeHTML(b, s.End)
			b.WriteString(`</time>`)
		}
		b.WriteString("</div>\n<div>\n<h3>")
		if s.Cancelled {
			b.WriteString(`<span class="status">`)
			escapeHTML(b, w.Cancelled)
			b.WriteString(`:</span> `)
		}
		if s.Tentative {
			b.WriteString(`<span class="status">`)
			escapeHTML(b, w.Tentative)
			b.WriteString(`:</span> `)
		}
		escapeHTML(b, s.Title)
		b.WriteString("</h3>\n")
		for _, t := range s.Tracks {
			b.WriteString(`<span class="track" style="--c: `)
			escapeHTML(b, t.Color)
			b.WriteString(`">`)
			escapeHTML(b, t.Name)
			b.WriteString(`</span>`)
		}
		b.WriteString("\n")
		if s.Location != "" {
			b.WriteString("<div>")
			escapeHTML(b, s.Location)
			b.WriteString("</div>")
		}
		b.WriteString("\n")
		if s.Online != "" {
			b.WriteString(`<div><a href="`)
			escapeURL(b, s.Online, true)
			b.WriteString(`">`)
			escapeHTML(b, s.Online)
			b.WriteString("</a></div>")
		}
		b.WriteString("\n")
		if len(s.Speakers) > 0 {
			b.WriteString("<div>")
			escapeHTML(b, w.Speakers)
			b.WriteString(": ")
			for i, name := range s.Speakers {
				if i > 0 {
					b.WriteString(", ")
				}
				escapeHTML(b, name)
			}
			b.WriteString("</div>")
		}
		b.WriteString("\n<ul class=\"links\">\n<li><a href=\"")
		escapeURL(b, s.File, true)
		b.WriteString(`" download>`)
		escapeHTML(b, w.File)
		b.WriteString("</a></li>")
		for _, l := range [2]struct{ url, label string }{{string(s.Google), w.AddGoogle}, {string(s.Outlook), w.AddOutlook}} {
			if l.url != "" {
				b.WriteString("\n<li><a href=\"")
				escapeURL(b, l.url, false)
				b.WriteString(`">`)
				escapeHTML(b, l.label)
				b.WriteString("</a></li>")
			}
		}
		b.WriteString("\n</ul>\n</div>\n</li>\n")
	}
	b.WriteString("</ul>\n")
	return true
}

// isHexColor tells a CSS hex colour (#rrggbb and its kin) or none, which
// html/template writes into a style attribute as it is.
func isHexColor(s string) bool {
	if s == "" {
		return true
	}
	if s[0] != '#' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// escapeHTML writes s as text or a quoted attribute value: the five
// characters that could end either, and '+' (which html/template escapes
// too, against UTF-7), as character references; a NUL as U+FFFD.
func escapeHTML(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var ref string
		switch s[i] {
		case '"':
			ref = "&#34;"
		case '\'':
			ref = "&#39;"
		case '&':
			ref = "&amp;"
		case '+':
			ref = "&#43;"
		case '<':
			ref = "&lt;"
		case '>':
			ref = "&gt;"
		case 0:
			ref = "\uFFFD"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(ref)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// escapeURL writes s as the value of a quoted href. A plain string is
// first checked: one with a scheme other than http, https or mailto is
// replaced with "#ZgotmplZ", as html/template does; a template.URL
// (trusted false) is not. Every byte a URL may not hold as it is is then
// percent-encoded (valid escapes kept), and the result escaped for the
// attribute.
func escapeURL(b *bytes.Buffer, s string, check bool) {
	if check {
		if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
			switch strings.ToLower(scheme) {
			case "http", "https", "mailto":
			default:
				s = "#ZgotmplZ"
			}
		}
	}
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b.WriteByte(c)
		case strings.IndexByte("-._~!#$*,/:;=?@[]", c) >= 0:
			b.WriteByte(c)
		case c == '&':
			b.WriteString("&amp;")
		case c == '+':
			b.WriteString("&#43;")
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}
