package agenda

import (
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fastDocument reads the YAML that programmes are written in (block
// mappings and lists; plain, quoted, literal and folded scalars, over one
// line or several; one-line flow lists and mappings; comments) into the
// node tree yaml.v3 would make, several times faster. For anything else
// (anchors, tags, several documents, flow collections over several lines,
// tabs, CR line ends, and every syntax error) it returns nil and yaml.v3
// reads the file, so that it is the one judge of what a file means and
// the one voice of syntax errors. The decoder reads nodes' kind, tag,
// value, style and position, which the fuzz test FuzzFastYAML holds equal
// to yaml.v3's; comments are not kept.
//
// yaml.v3 spends most of a large programme's decoding on its general
// scanner and on a string and a node for every token; this reader slices
// every plain scalar out of the file's text and takes nodes from a
// slab.
//
// Where deferFrom is above 0, the items of a root days list of deferFrom
// bytes or more are left unread, and deferred holds the list by its node
// (deferItems).
func fastDocument(text string, deferFrom int) (doc *yaml.Node, deferred map[*yaml.Node]*deferredList) {
	p := &fastParser{workers: runtime.GOMAXPROCS(0), splitFrom: splitFrom, deferFrom: deferFrom}
	return p.read(text), p.deferred
}

// read reads the document in text, or returns nil.
func (p *fastParser) read(text string) *yaml.Node {
	p.src = text
	if !fastSubset(p.src, p.workers) {
		return nil
	}
	indent := p.skipToContent()
	if indent < 0 {
		return nil
	}
	doc := p.node(yaml.DocumentNode, "", "", 0)
	var root *yaml.Node
	switch {
	case p.isSeqEntry():
		root = p.blockSeq(indent)
	case p.keyEnd() >= 0:
		root = p.blockMap(indent)
	default:
		return nil // a lone scalar: not a programme, and yaml.v3 says why
	}
	if p.bad || p.indent >= 0 {
		return nil
	}
	doc.Content = []*yaml.Node{root}
	return doc
}

// fastSubset rules out, before any parsing, what fastDocument leaves to
// yaml.v3 wherever it occurs: text that is not UTF-8, control characters
// (yaml.v3 refuses them), tabs and carriage returns (which change
// what a line's indentation is), document markers and directives, and the
// characters yaml.v3 takes for line breaks or refuses (U+2028, U+2029,
// U+FEFF, U+FFFE, U+FFFF). A long text is checked in pieces, on up to
// workers goroutines.
func fastSubset(src string, workers int) bool {
	if startsWithMarker(src) {
		return false
	}
	pieces := 1
	if workers > 1 && len(src) >= splitFrom {
		pieces = workers
	}
	return subsetPieces(src, pieces)
}

// subsetPieces checks src in n pieces at once, cut after line feeds.
func subsetPieces(src string, n int) bool {
	var cuts []int
	for k := 1; k < n; k++ {
		at := k * len(src) / n
		if nl := strings.IndexByte(src[at:], '\n'); nl >= 0 && (len(cuts) == 0 || at+nl+1 > cuts[len(cuts)-1]) {
			cuts = append(cuts, at+nl+1)
		}
	}
	cuts = append(append([]int{0}, cuts...), len(src))
	ok := make([]bool, len(cuts)-1)
	atOnce(len(ok), len(ok), func(k int) { ok[k] = inSubset(src, cuts[k], cuts[k+1]) })
	return !slices.Contains(ok, false)
}

// inSubset checks src[from:to] for fastSubset, from the start of a line.
func inSubset(src string, from, to int) bool {
	for i := from; i < to; i++ {
		if i = notable(src, i, to); i == to {
			break
		}
		switch c := src[i]; {
		case c == '\n':
			if startsWithMarker(src[i+1:]) {
				return false
			}
		case c < 0x20, c == 0x7f:
			return false
		case c == 0xc2:
			if i+1 < len(src) && src[i+1] >= 0x80 && src[i+1] <= 0x9f {
				return false // a C1 control
			}
		case c == 0xe2, c == 0xef:
			switch src[i:min(i+3, len(src))] {
			case "\u2028", "\u2029", "\uFEFF", "\uFFFE", "\uFFFF":
				return false
			}
		}
	}
	return utf8.ValidString(src[from:to])
}

// notable returns the offset of the first octet of s from i on, before
// to, that may be or start a character text may not hold: line feeds,
// other control characters and DEL, and the lead bytes of C1 controls
// (0xc2), of U+2028, U+2029 and the bidi controls (0xe2) and of U+FEFF,
// U+FFFE and U+FFFF (0xef). In UTF-8 no other character has such an octet.
// It goes eight octets a step where none is one of those; to if none is.
func notable(s string, i, to int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	hasZero := func(w uint64) bool { return (w-ones)&^w&highs != 0 }
	for ; i+8 <= to; i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if (w-0x20*ones)&^w&highs != 0 || hasZero(w^0x7f*ones) || hasZero(w^0xc2*ones) || hasZero(w^0xe2*ones) || hasZero(w^0xef*ones) {
			break
		}
	}
	for ; i < to; i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == 0xc2 || c == 0xe2 || c == 0xef {
			return i
		}
	}
	return to
}

// startsWithMarker tells a line that starts like a document marker or a
// directive.
func startsWithMarker(line string) bool {
	return strings.HasPrefix(line, "---") || strings.HasPrefix(line, "...") || strings.HasPrefix(line, "%")
}

// fastParser is the state of fastDocument. Every method that reads a block
// node leaves pos at the first character of the next line with content
// (not blank, not only a comment) and indent at that line's indentation,
// or indent -1 at the end of the file. bad is set by anything outside the
// subset; the caller then gives up.
type fastParser struct {
	src       string
	pos       int
	line      int // the line of pos, counted from 0
	lineStart int // offset of that line's first character
	// colAt and col are the last offset a column was counted to on the
	// line and its column, so that a long one-line flow collection is
	// counted once, not from the line's start for every item.
	colAt, col int
	indent     int
	bad        bool
	depth      int // collections open around pos, at most maxFastDepth
	slab       []yaml.Node
	// kids holds the children of the collections being read, each
	// collection's after its parent's (open); contents is the slab their
	// Content slices are cut from once a collection is read (close).
	kids, contents []*yaml.Node
	tags           map[string]string
	// workers is how many goroutines a list of splitFrom bytes or more is
	// read on (splitItems), 0 in the parsers that read its items; split
	// tells that one was.
	workers, splitFrom int
	split              bool
	// deferFrom, where above 0, leaves the items of the root mapping's
	// days list unread where it is that many bytes or more (deferItems),
	// and deferred holds such a list by its node; inDays tells blockSeq
	// that the value being read is that list.
	deferFrom int
	inDays    bool
	deferred  map[*yaml.Node]*deferredList
	// reusing is set in a parser that reads deferred items one after the
	// other into the same nodes: the slabs handed out (used) are free
	// again (spare) once an item is decoded.
	reusing     bool
	used, spare [][]yaml.Node
}

// maxFastDepth is how deep fastDocument nests collections: deeper is no
// programme, yaml.v3 refuses the deepest, and the reader's recursion stays
// shallow.
const maxFastDepth = 64

// enter and leave count the collections open around pos.
func (p *fastParser) enter() bool {
	p.depth++
	return p.depth <= maxFastDepth
}

func (p *fastParser) leave() { p.depth-- }

func (p *fastParser) fail() *yaml.Node {
	p.bad = true
	return nil
}

// node makes a node at pos, from a slab so that a large file does not make
// a million small allocations.
func (p *fastParser) node(kind yaml.Kind, tag, value string, style yaml.Style) *yaml.Node {
	if len(p.slab) == 0 {
		p.slab = p.newSlab()
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	n.Kind, n.Tag, n.Value, n.Style = kind, tag, value, style
	n.Line = p.line + 1
	if p.colAt < p.lineStart || p.colAt > p.pos {
		p.colAt, p.col = p.lineStart, 0
	}
	p.col += utf8.RuneCountInString(p.src[p.colAt:p.pos])
	p.colAt = p.pos
	n.Column = p.col + 1
	return n
}

// newSlab gives a slab of nodes: a new one, or one freed for a parser
// that reuses them.
func (p *fastParser) newSlab() []yaml.Node {
	if !p.reusing {
		return make([]yaml.Node, 256)
	}
	var slab []yaml.Node
	if n := len(p.spare); n > 0 {
		slab, p.spare = p.spare[n-1], p.spare[:n-1]
	} else {
		slab = make([]yaml.Node, 256)
	}
	p.used = append(p.used, slab)
	return slab
}

// open starts the children of a collection: close takes them.
func (p *fastParser) open() int { return len(p.kids) }

// close makes the children from mark on the Content of n, in a slice of
// their number, cut from a slab, and returns n.
func (p *fastParser) close(n *yaml.Node, mark int) *yaml.Node {
	kids := p.kids[mark:]
	if len(kids) > len(p.contents) {
		p.contents = make([]*yaml.Node, max(1024, len(kids)))
	}
	n.Content = p.contents[:len(kids):len(kids)]
	p.contents = p.contents[len(kids):]
	copy(n.Content, kids)
	clear(kids)
	p.kids = p.kids[:mark]
	return n
}

// skipToContent moves from the start of a line to the first character of
// the next line with content and returns its indentation, or -1 at the
// end of the file. It sets indent too.
func (p *fastParser) skipToContent() int {
	for p.pos < len(p.src) {
		i := p.pos
		for i < len(p.src) && p.src[i] == ' ' {
			i++
		}
		if i < len(p.src) && p.src[i] != '\n' && p.src[i] != '#' {
			p.indent = i - p.pos
			p.pos = i
			return p.indent
		}
		p.nextLine(i)
	}
	p.indent = -1
	return -1
}

// nextLine moves to the start of the line after the one holding offset i.
func (p *fastParser) nextLine(i int) {
	end := strings.IndexByte(p.src[i:], '\n')
	if end < 0 {
		p.pos = len(p.src)
		p.lineStart = p.pos
		return
	}
	p.pos = i + end + 1
	p.lineStart = p.pos
	p.line++
}

// endLine accepts spaces and a comment after a value, then moves to the
// next line with content.
func (p *fastParser) endLine() {
	i := p.pos
	for i < len(p.src) && p.src[i] == ' ' {
		i++
	}
	switch {
	case i == len(p.src) || p.src[i] == '\n':
	case p.src[i] == '#' && p.src[i-1] == ' ':
	default:
		p.bad = true
		return
	}
	p.nextLine(i)
	p.skipToContent()
}

// isSeqEntry tells whether pos is at a block list's "-".
func (p *fastParser) isSeqEntry() bool {
	return p.src[p.pos] == '-' && (p.pos+1 == len(p.src) || p.src[p.pos+1] == ' ' || p.src[p.pos+1] == '\n')
}

// keyEnd returns the offset of the ':' that ends an implicit key starting
// at pos, or -1 if the line holds no key there.
func (p *fastParser) keyEnd() int {
	i := p.pos
	switch c := p.src[i]; {
	case c == '"' || c == '\'':
		end, _, _, _, ok := p.quoted(i, false, 0)
		if !ok {
			return -1
		}
		i = end
		for i < len(p.src) && p.src[i] == ' ' {
			i++
		}
		if i < len(p.src) && p.src[i] == ':' && (i+1 == len(p.src) || p.src[i+1] == ' ' || p.src[i+1] == '\n') {
			return i
		}
		return -1
	case !plainStart(p.src, i):
		return -1
	}
	for ; i < len(p.src) && p.src[i] != '\n'; i++ {
		switch p.src[i] {
		case ':':
			if i+1 == len(p.src) || p.src[i+1] == ' ' || p.src[i+1] == '\n' {
				return i
			}
		case '#':
			if p.src[i-1] == ' ' {
				return -1
			}
		}
	}
	return -1
}

// plainStart tells whether a plain scalar may start at offset i: not at an
// indicator, except "-", "?" and ":" before a character that is not a
// space. fastDocument takes only "-" that way.
func plainStart(src string, i int) bool {
	switch src[i] {
	case '-':
		return i+1 < len(src) && src[i+1] != ' ' && src[i+1] != '\n'
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ', '\n':
		return false
	}
	return true
}

// blockMap reads a block mapping whose first key is at pos, indent spaces
// in.
func (p *fastParser) blockMap(indent int) *yaml.Node {
	defer p.leave()
	if !p.enter() {
		return p.fail()
	}
	m := p.node(yaml.MappingNode, "!!map", "", 0)
	mark := p.open()
	for {
		colon := p.keyEnd()
		if colon < 0 || colon-p.pos > 1024 {
			return p.fail()
		}
		key := p.key(colon)
		if p.bad {
			return nil
		}
		p.inDays = p.deferFrom > 0 && p.depth == 1 && key.Value == "days"
		value := p.afterColon(indent)
		p.inDays = false
		if p.bad {
			return nil
		}
		p.kids = append(p.kids, key, value)
		switch {
		case p.indent < indent:
			return p.close(m, mark)
		case p.indent > indent || p.isSeqEntry():
			return p.fail()
		}
	}
}

// key reads the key at pos that ends at the ':' at colon, and moves past
// the ':'.
func (p *fastParser) key(colon int) *yaml.Node {
	var k *yaml.Node
	if c := p.src[p.pos]; c == '"' || c == '\'' {
		k = p.quotedScalar(false, 0)
	} else {
		value := strings.TrimRight(p.src[p.pos:colon], " ")
		k = p.node(yaml.ScalarNode, p.plainTag(value), value, 0)
	}
	p.pos = colon + 1
	return k
}

// afterColon reads a mapping's value: on the key's line, or below it,
// indented more or a list at the key's own indentation.
func (p *fastParser) afterColon(indent int) *yaml.Node {
	i := p.pos
	for i < len(p.src) && p.src[i] == ' ' {
		i++
	}
	if i < len(p.src) && p.src[i] != '\n' && (p.src[i] != '#' || i == p.pos) {
		p.pos = i
		return p.inline(indent)
	}
	p.nextLine(i)
	switch next := p.skipToContent(); {
	case next > indent:
		return p.block(next)
	case next == indent && p.isSeqEntry():
		return p.blockSeq(next)
	}
	return p.fail() // an empty value: yaml.v3 places its null
}

// block reads the block node at pos, on a line of its own.
func (p *fastParser) block(indent int) *yaml.Node {
	switch {
	case p.isSeqEntry():
		return p.blockSeq(indent)
	case p.keyEnd() >= 0:
		return p.blockMap(indent)
	}
	return p.inline(indent - 1)
}

// blockSeq reads a block list whose first "-" is at pos, indent spaces in.
func (p *fastParser) blockSeq(indent int) *yaml.Node {
	defer p.leave()
	if !p.enter() {
		return p.fail()
	}
	s := p.node(yaml.SequenceNode, "!!seq", "", 0)
	if p.inDays && p.depth == 2 && p.deferItems(s, indent) {
		return s
	}
	if items, ok := p.splitItems(indent); ok {
		s.Content = items
		return s
	}
	mark := p.open()
	for {
		item := p.seqItem(indent)
		if p.bad {
			return nil
		}
		p.kids = append(p.kids, item)
		switch {
		case p.indent > indent:
			return p.fail()
		case p.indent < indent || !p.isSeqEntry():
			return p.close(s, mark)
		}
	}
}

// seqItem reads the item of a block list whose "-" is at pos, indent
// spaces in.
func (p *fastParser) seqItem(indent int) *yaml.Node {
	p.pos++ // the "-"
	i := p.pos
	for i < len(p.src) && p.src[i] == ' ' {
		i++
	}
	if i == len(p.src) || p.src[i] == '\n' || p.src[i] == '#' {
		p.nextLine(i)
		if next := p.skipToContent(); next <= indent {
			return p.fail() // an empty item
		}
		return p.block(p.indent)
	}
	p.pos = i
	switch {
	case p.isSeqEntry():
		return p.fail() // "- - item"
	case p.keyEnd() >= 0:
		return p.blockMap(i - p.lineStart)
	}
	return p.inline(indent)
}

// inline reads a value that starts at pos, after a key or a "-", and the
// rest of its line. The next line with content must not be indented more
// than indent, which would continue a plain scalar over lines.
func (p *fastParser) inline(indent int) *yaml.Node {
	var n *yaml.Node
	switch p.src[p.pos] {
	case '|', '>':
		return p.blockScalar(indent)
	case '"', '\'':
		n = p.quotedScalar(true, indent)
	case '[', '{':
		n = p.flow()
	default:
		if !plainStart(p.src, p.pos) {
			return p.fail()
		}
		end := p.pos
		for end < len(p.src) && p.src[end] != '\n' {
			if p.src[end] == '#' && p.src[end-1] == ' ' {
				break
			}
			if p.src[end] == ':' && (end+1 == len(p.src) || p.src[end+1] == ' ' || p.src[end+1] == '\n') {
				return p.fail() // "key: key: value"
			}
			end++
		}
		value := strings.TrimRight(p.src[p.pos:end], " ")
		n = p.node(yaml.ScalarNode, "", "", 0)
		p.pos = end
		if end < len(p.src) && p.src[end] == '\n' {
			value = p.plainLines(value, indent)
		}
		n.Value, n.Tag = value, p.plainTag(value)
	}
	if p.bad {
		return nil
	}
	p.endLine()
	if p.indent > indent {
		return p.fail()
	}
	return n
}

// plainLines reads the lines a plain scalar goes on to, indented more than
// indent, from the line break at pos, and returns the scalar's value:
// first and those lines folded as YAML folds them (a break between text
// becomes a space, each empty line a line feed). It leaves pos at the end
// of the last line it takes. A line that could be more than text (a key,
// a comment, an indicator) is left to yaml.v3.
func (p *fastParser) plainLines(first string, indent int) string {
	value, breaks := first, 0
	for i := p.pos; i < len(p.src) && p.src[i] == '\n'; {
		start := i + 1
		k := start
		for k < len(p.src) && p.src[k] == ' ' {
			k++
		}
		if k < len(p.src) && p.src[k] == '\n' {
			breaks, i = breaks+1, k
			continue
		}
		if k == len(p.src) || k-start <= indent {
			break
		}
		eol := strings.IndexByte(p.src[k:], '\n')
		if eol < 0 {
			eol = len(p.src)
		} else {
			eol += k
		}
		text := strings.TrimRight(p.src[k:eol], " ")
		if !plainStart(p.src, k) || strings.Contains(text, ": ") || strings.HasSuffix(text, ":") || strings.Contains(text, " #") {
			p.bad = true
			return ""
		}
		if breaks == 0 {
			value += " " + text
		} else {
			value += strings.Repeat("\n", breaks) + text
		}
		p.line += 1 + breaks
		p.lineStart, p.pos = start, eol
		breaks, i = 0, eol
	}
	return value
}

// quotedScalar reads the quoted scalar at pos (see quoted) into a node and
// moves past it.
func (p *fastParser) quotedScalar(fold bool, indent int) *yaml.Node {
	end, value, lines, lineStart, ok := p.quoted(p.pos, fold, indent)
	if !ok {
		return p.fail()
	}
	style := yaml.SingleQuotedStyle
	if p.src[p.pos] == '"' {
		style = yaml.DoubleQuotedStyle
	}
	n := p.node(yaml.ScalarNode, "!!str", value, style)
	p.pos = end
	if lines > 0 {
		p.line, p.lineStart = p.line+lines, lineStart
	}
	return n
}

// quoted reads the quoted scalar starting at offset i, returning the
// offset after its closing quote and its value. ok is false for an escape
// left to yaml.v3, and for a scalar that goes on past its line unless
// fold is set: then its line breaks fold as YAML folds them (a break
// between text becomes a space, each empty line a line feed, the spaces
// around a break go) and every line it goes on to must be indented more
// than indent. lines is how many line breaks it spans, lineStart where its
// last line starts.
func (p *fastParser) quoted(i int, fold bool, indent int) (end int, value string, lines, lineStart int, ok bool) {
	q := p.src[i]
	start := i + 1
	var b *strings.Builder
	for j := start; j < len(p.src); j++ {
		if j = nextInQuotes(p.src, j, q); j == len(p.src) {
			break
		}
		c := p.src[j]
		switch {
		case c == '\n', q == '"' && c == '\\' && j+1 < len(p.src) && p.src[j+1] == '\n':
			// A line break, or one escaped (which leaves no space).
			if !fold {
				return 0, "", 0, 0, false
			}
			if b == nil {
				b = &strings.Builder{}
			}
			escaped := c == '\\'
			if escaped {
				b.WriteString(p.src[start:j])
				j++
			} else {
				b.WriteString(strings.TrimRight(p.src[start:j], " "))
			}
			breaks, k := 0, j+1
			lines, lineStart = lines+1, k
			for {
				spaces := k
				for k < len(p.src) && p.src[k] == ' ' {
					k++
				}
				if k == len(p.src) {
					return 0, "", 0, 0, false
				}
				if p.src[k] == '\n' {
					k++
					breaks, lines, lineStart = breaks+1, lines+1, k
					continue
				}
				if k-spaces <= indent {
					return 0, "", 0, 0, false // less indented than the block it is in
				}
				break
			}
			if breaks == 0 && !escaped {
				b.WriteByte(' ')
			} else {
				b.WriteString(strings.Repeat("\n", breaks))
			}
			start, j = k, k-1
		case q == '\'' && c == '\'':
			if j+1 < len(p.src) && p.src[j+1] == '\'' {
				if b == nil {
					b = &strings.Builder{}
				}
				b.WriteString(p.src[start : j+1])
				j++
				start = j + 1
				continue
			}
			end, value := finish(p.src, j+1, b, start, j)
			return end, value, lines, lineStart, true
		case q == '"' && c == '"':
			end, value := finish(p.src, j+1, b, start, j)
			return end, value, lines, lineStart, true
		case q == '"' && c == '\\':
			if j+1 == len(p.src) {
				return 0, "", 0, 0, false
			}
			if b == nil {
				b = &strings.Builder{}
			}
			b.WriteString(p.src[start:j])
			width, ok := unescape(b, p.src[j+1:])
			if !ok {
				return 0, "", 0, 0, false
			}
			j += width
			start = j + 1
		}
	}
	return 0, "", 0, 0, false
}

// nextInQuotes is the offset of the first byte from i on that a scalar
// quoted by q ends or changes at: the quote, a line break, or in double
// quotes a backslash; len(src) if none. It looks no further than the line
// it is on, with the byte searches that go many bytes a step.
func nextInQuotes(src string, i int, q byte) int {
	rest := src[i:]
	end := strings.IndexByte(rest, '\n')
	if end < 0 {
		end = len(rest)
	}
	if k := strings.IndexByte(rest[:end], q); k >= 0 {
		end = k
	}
	if q == '"' {
		if k := strings.IndexByte(rest[:end], '\\'); k >= 0 {
			end = k
		}
	}
	return i + end
}

// finish returns where a quoted scalar ends and its value: what b holds
// and the text from start to close.
func finish(src string, end int, b *strings.Builder, start, close int) (int, string) {
	if b == nil {
		return end, src[start:close]
	}
	b.WriteString(src[start:close])
	return end, b.String()
}

// simpleEscape is the character a one-letter escape of a double-quoted
// scalar stands for, as yaml.v3 reads it (YAML 1.2, 5.7; "\/" is not one).
func simpleEscape(c byte) (rune, bool) {
	switch c {
	case '0':
		return 0, true
	case 'a':
		return '\a', true
	case 'b':
		return '\b', true
	case 't':
		return '\t', true
	case 'n':
		return '\n', true
	case 'v':
		return '\v', true
	case 'f':
		return '\f', true
	case 'r':
		return '\r', true
	case 'e':
		return 0x1b, true
	case ' ', '"', '\'', '\\':
		return rune(c), true
	case 'N':
		return 0x85, true
	case '_':
		return 0xa0, true
	case 'L':
		return 0x2028, true
	case 'P':
		return 0x2029, true
	}
	return 0, false
}

// unescape writes the character a double-quoted scalar's escape stands
// for; s follows the backslash. It returns how many bytes of s the escape
// takes, and false for escapes left to yaml.v3.
func unescape(b *strings.Builder, s string) (int, bool) {
	if r, ok := simpleEscape(s[0]); ok {
		b.WriteRune(r)
		return 1, true
	}
	switch s[0] {
	case 'x', 'u', 'U':
		digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[0]]
		if len(s) <= digits {
			return 0, false
		}
		r, err := strconv.ParseUint(s[1:1+digits], 16, 32)
		if err != nil || !utf8.ValidRune(rune(r)) {
			return 0, false
		}
		b.WriteRune(rune(r))
		return 1 + digits, true
	}
	return 0, false
}

// flow reads a one-line flow list or mapping of scalars and flow
// collections.
func (p *fastParser) flow() *yaml.Node {
	defer p.leave()
	if !p.enter() {
		return p.fail()
	}
	closing := byte(']')
	n := p.node(yaml.SequenceNode, "!!seq", "", yaml.FlowStyle)
	if p.src[p.pos] == '{' {
		closing = '}'
		n.Kind, n.Tag = yaml.MappingNode, "!!map"
	}
	p.pos++
	p.skipSpaces()
	if p.pos < len(p.src) && p.src[p.pos] == closing {
		p.pos++
		return n
	}
	mark := p.open()
	for {
		start := p.pos
		item := p.flowItem()
		if p.bad || closing == '}' && item.Kind != yaml.ScalarNode {
			return p.fail()
		}
		p.kids = append(p.kids, item)
		p.skipSpaces()
		if closing == '}' {
			if p.pos-start > 1024 {
				return p.fail() // yaml.v3 takes no key whose ':' is further
			}
			if p.pos+1 >= len(p.src) || p.src[p.pos] != ':' || p.src[p.pos+1] != ' ' {
				return p.fail()
			}
			p.pos++
			p.skipSpaces()
			value := p.flowItem()
			if p.bad {
				return nil
			}
			p.kids = append(p.kids, value)
			p.skipSpaces()
		}
		if p.pos == len(p.src) {
			return p.fail()
		}
		switch p.src[p.pos] {
		case closing:
			p.pos++
			return p.close(n, mark)
		case ',':
			p.pos++
			p.skipSpaces()
			if p.pos < len(p.src) && (p.src[p.pos] == ']' || p.src[p.pos] == '}') {
				return p.fail() // a trailing comma
			}
		default:
			return p.fail()
		}
	}
}

func (p *fastParser) skipSpaces() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// flowItem reads a scalar or a collection inside a flow collection.
func (p *fastParser) flowItem() *yaml.Node {
	if p.pos == len(p.src) {
		return p.fail()
	}
	switch p.src[p.pos] {
	case '[', '{':
		return p.flow()
	case '"', '\'':
		return p.quotedScalar(false, 0)
	}
	if !plainStart(p.src, p.pos) {
		return p.fail()
	}
	end := p.pos
scan:
	for ; end < len(p.src); end++ {
		switch p.src[end] {
		case '\n', ',', '[', ']', '{', '}', '?':
			break scan
		case '#':
			if p.src[end-1] == ' ' {
				return p.fail() // a comment inside the brackets
			}
		case ':':
			if end+1 == len(p.src) {
				return p.fail()
			}
			switch p.src[end+1] {
			case ' ', '\n':
				break scan
			case ',', '[', ']', '{', '}', '?':
				return p.fail()
			}
		}
	}
	value := strings.TrimRight(p.src[p.pos:end], " ")
	n := p.node(yaml.ScalarNode, p.plainTag(value), value, 0)
	p.pos = end
	return n
}

// blockScalar reads a literal (|) or folded (>) scalar whose indicator is
// at pos, indented more than indent.
func (p *fastParser) blockScalar(indent int) *yaml.Node {
	style := yaml.LiteralStyle
	if p.src[p.pos] == '>' {
		style = yaml.FoldedStyle
	}
	n := p.node(yaml.ScalarNode, "!!str", "", style)
	p.pos++
	chomp := byte(0)
	if p.pos < len(p.src) && (p.src[p.pos] == '-' || p.src[p.pos] == '+') {
		chomp = p.src[p.pos]
		p.pos++
	}
	i := p.pos
	for i < len(p.src) && p.src[i] == ' ' {
		i++
	}
	if i == len(p.src) || p.src[i] != '\n' && (p.src[i] != '#' || i == p.pos) {
		return p.fail() // an indentation indicator, or text after the indicator
	}
	p.nextLine(i)
	// The first line sets the indentation; leading blank lines are left to
	// yaml.v3.
	width := 0
	for p.pos+width < len(p.src) && p.src[p.pos+width] == ' ' {
		width++
	}
	if width <= indent || p.pos+width == len(p.src) || p.src[p.pos+width] == '\n' {
		return p.fail()
	}
	var b strings.Builder
	blanks := 0 // blank lines since the last line of text
	first := true
	for p.pos < len(p.src) {
		spaces := 0
		for p.pos+spaces < len(p.src) && p.src[p.pos+spaces] == ' ' {
			spaces++
		}
		eol := strings.IndexByte(p.src[p.pos:], '\n')
		if eol < 0 {
			return p.fail() // the file ends inside the scalar, without a line break
		}
		if spaces == eol { // a blank line
			if spaces > width {
				return p.fail()
			}
			blanks++
			p.nextLine(p.pos)
			continue
		}
		if spaces < width {
			break
		}
		text := p.src[p.pos+width : p.pos+eol]
		if style == yaml.FoldedStyle && text[0] == ' ' {
			return p.fail() // a more-indented line keeps its breaks
		}
		switch {
		case first:
		case style == yaml.LiteralStyle:
			b.WriteString(strings.Repeat("\n", blanks+1))
		case blanks == 0:
			b.WriteByte(' ')
		default:
			b.WriteString(strings.Repeat("\n", blanks))
		}
		b.WriteString(text)
		first, blanks = false, 0
		p.nextLine(p.pos)
	}
	switch chomp {
	case 0:
		b.WriteByte('\n')
	case '+':
		b.WriteString(strings.Repeat("\n", blanks+1))
	}
	n.Value = b.String()
	if p.skipToContent(); p.indent > indent {
		return p.fail()
	}
	return n
}

// plainTag resolves a plain scalar's tag as yaml.v3 does. Only values that
// begin like a number, a boolean, a null or a special float can be other
// than strings; yaml.v3 itself resolves each of those once.
func (p *fastParser) plainTag(value string) string {
	if value == "" || value == "<<" { // "<<" is yaml.v3's merge key
		p.bad = true
		return ""
	}
	if !strings.ContainsRune("+-.0123456789yYnNtTfFoO~", rune(value[0])) || strings.IndexByte(value, '\n') >= 0 {
		return "!!str" // nothing yaml.v3 resolves otherwise holds a line break
	}
	if tag, ok := p.tags[value]; ok {
		return tag
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil || len(doc.Content) != 1 ||
		doc.Content[0].Kind != yaml.ScalarNode || doc.Content[0].Value != value || doc.Content[0].Style != 0 {
		p.bad = true
		return ""
	}
	if p.tags == nil {
		p.tags = map[string]string{}
	}
	p.tags[value] = doc.Content[0].Tag
	return doc.Content[0].Tag
}
