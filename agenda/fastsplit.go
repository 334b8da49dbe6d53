package agenda

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// A long block list, such as the days of a large programme, is read on
// several goroutines. Its items are found by their "-" at the list's
// indentation, and read in groups, each group by a parser of its own that
// starts where a parser going through the list alone would be at the
// group's first "-". The groups are taken only where each item's reading
// ends exactly at the next item's "-", or for the last at the list's end:
// then, item after item, the lone parser would have read the same nodes
// and stopped at the same place, so the result is the same. A quoted
// scalar running over a line that looks like an item, or anything the
// subset refuses, and the list is read by the one parser as before.

// splitFrom is how long a list is, in bytes, before it is split: below,
// looking for its items and starting the goroutines cost more than they
// save.
const splitFrom = 256 << 10

// listEnd is where a parser stands after a block list: at the first
// character of the first line with content that is not part of it, which
// is indent spaces in (-1 at the end of the file), on line line.
type listEnd struct{ pos, indent, line int }

// listItems is where the items of a block list are, found by its lines
// alone (itemStarts): the offset and line of each item's "-", indent
// spaces in, and where the list ends.
type listItems struct {
	indent        int
	starts, lines []int
	end           listEnd
}

// splitItems reads the block list whose first "-" is at pos, indent
// spaces in, on up to p.workers goroutines, and leaves p after it. ok is
// false, with p as it was, where the list is short, or not read that way.
func (p *fastParser) splitItems(indent int) (items []*yaml.Node, ok bool) {
	if p.workers < 2 {
		return nil, false
	}
	list := p.itemStarts(indent)
	starts, end := list.starts, list.end
	if len(starts) < 2 || end.pos-starts[0] < p.splitFrom {
		return nil, false
	}
	// Groups of items of about equal length, a few for each goroutine so
	// that one slow group does not hold up the rest.
	groups := min(len(starts), 4*p.workers)
	cuts := []int{0}
	for k := 1; k < len(starts) && len(cuts) < groups; k++ {
		if starts[k]-starts[0] >= len(cuts)*(end.pos-starts[0])/groups {
			cuts = append(cuts, k)
		}
	}
	cuts = append(cuts, len(starts))
	parsers := make([]*fastParser, len(cuts)-1)
	read := make([][]*yaml.Node, len(cuts)-1)
	atOnce(p.workers, len(parsers), func(g int) {
		parsers[g], read[g] = p.readItems(list, cuts[g], cuts[g+1])
	})
	for g := range parsers {
		if read[g] == nil {
			return nil, false
		}
		items = append(items, read[g]...)
	}
	last := parsers[len(parsers)-1]
	p.pos, p.line, p.lineStart, p.indent, p.colAt, p.col = last.pos, last.line, last.lineStart, last.indent, last.colAt, last.col
	p.split = true
	return items, true
}

// readItems reads the items from starts[from] to starts[to-1] with a parser
// of its own, and returns it and them, or nil where an item's reading does
// not end where the next item or the list's end begins.
func (p *fastParser) readItems(list listItems, from, to int) (*fastParser, []*yaml.Node) {
	sub := &fastParser{src: p.src, depth: p.depth}
	items := make([]*yaml.Node, 0, to-from)
	for k := from; k < to; k++ {
		item := sub.readItem(list, k)
		if item == nil {
			return nil, nil
		}
		items = append(items, item)
	}
	return sub, items
}

// readItem reads the k-th item of list, from its "-", and returns it, or
// nil where its reading does not end exactly where the next item (or the
// list's end) begins: then a parser going through the list alone would
// not have read it the same.
func (p *fastParser) readItem(list listItems, k int) *yaml.Node {
	p.pos, p.line, p.indent = list.starts[k], list.lines[k], list.indent
	p.lineStart = p.pos - list.indent
	p.colAt, p.col = p.lineStart, 0
	item := p.seqItem(list.indent)
	want := list.end
	if k+1 < len(list.starts) {
		want = listEnd{pos: list.starts[k+1], indent: list.indent, line: list.lines[k+1]}
	}
	if p.bad || p.pos != want.pos || p.indent != want.indent || k+1 < len(list.starts) && p.line != want.line {
		return nil
	}
	return item
}

// itemStarts finds the items of the block list whose first "-" is at pos,
// indent spaces in, by the lines alone: the offset and line of each "-"
// at that indentation, up to the list's end (a line with content indented
// less, or as much and not an item). Lines indented more belong to an
// item, and lines with no content to none.
func (p *fastParser) itemStarts(indent int) listItems {
	list := listItems{indent: indent, starts: []int{p.pos}, lines: []int{p.line}}
	line := p.line
	for i := p.pos; ; {
		nl := strings.IndexByte(p.src[i:], '\n')
		if nl < 0 {
			list.end = listEnd{pos: len(p.src), indent: -1, line: line}
			return list
		}
		start := i + nl + 1
		line++
		k := start
		for k < len(p.src) && p.src[k] == ' ' {
			k++
		}
		switch {
		case k == len(p.src):
			list.end = listEnd{pos: len(p.src), indent: -1, line: line}
			return list
		case p.src[k] == '\n' || p.src[k] == '#' || k-start > indent:
			// No content, or part of an item.
		case k-start == indent && p.src[k] == '-' && (k+1 == len(p.src) || p.src[k+1] == ' ' || p.src[k+1] == '\n'):
			list.starts, list.lines = append(list.starts, k), append(list.lines, line)
		default:
			list.end = listEnd{pos: k, indent: k - start, line: line}
			return list
		}
		i = k
	}
}

// A programme's days are most of it. Where the root mapping's days list
// is long (deferFrom), the first reading leaves its items unread
// (deferItems): the decoder reads each day just before it decodes it
// (deferredDays), into the nodes the day before it was read into, so
// that the node tree of all the days, several times the file's size, is
// never in memory at once. An item that does not read as the lone parser
// would have read it is found only then, and the decoder starts again
// with the whole file read as before.

// deferredList is a block list whose items are left unread.
type deferredList struct {
	src   string
	depth int // the collections open around its items
	listItems
}

// deferItems finds the items of the root mapping's days list, whose first
// "-" is at pos, indent spaces in, leaves p after it and s, its node, in
// p.deferred. It returns false, with p as it was, where the list is short.
func (p *fastParser) deferItems(s *yaml.Node, indent int) bool {
	list := p.itemStarts(indent)
	if len(list.starts) < 2 || list.end.pos-list.starts[0] < p.deferFrom {
		return false
	}
	if p.deferred == nil {
		p.deferred = map[*yaml.Node]*deferredList{}
	}
	p.deferred[s] = &deferredList{src: p.src, depth: p.depth, listItems: list}
	end := list.end
	p.pos, p.line, p.indent = end.pos, end.line, end.indent
	p.lineStart = end.pos - max(end.indent, 0)
	p.colAt, p.col = p.lineStart, 0
	return true
}

// reader is a parser for the items of l, which reads each into the nodes
// the one before it was read into (readDeferred).
func (l *deferredList) reader() *fastParser {
	return &fastParser{src: l.src, depth: l.depth, reusing: true}
}

// readDeferred reads the k-th item of l, after making the nodes of the
// item read before it free: nothing may point at them any more. It
// returns nil where the item is not read as the lone parser would have.
func (p *fastParser) readDeferred(l *deferredList, k int) *yaml.Node {
	for _, slab := range p.used {
		clear(slab)
	}
	p.spare, p.used, p.slab = append(p.spare, p.used...), p.used[:0], nil
	p.kids, p.contents = p.kids[:0], nil
	return p.readItem(l.listItems, k)
}
