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
// is indent spaces in (-1 at the end of the file).
type listEnd struct{ pos, indent int }

// splitItems reads the block list whose first "-" is at pos, indent
// spaces in, on up to p.workers goroutines, and leaves p after it. ok is
// false, with p as it was, where the list is short, or not read that way.
func (p *fastParser) splitItems(indent int) (items []*yaml.Node, ok bool) {
	if p.workers < 2 {
		return nil, false
	}
	starts, lines, end := p.itemStarts(indent)
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
		parsers[g], read[g] = p.readItems(indent, starts, lines, end, cuts[g], cuts[g+1])
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
func (p *fastParser) readItems(indent int, starts, lines []int, end listEnd, from, to int) (*fastParser, []*yaml.Node) {
	sub := &fastParser{src: p.src, pos: starts[from], line: lines[from], lineStart: starts[from] - indent, indent: indent, depth: p.depth}
	items := make([]*yaml.Node, 0, to-from)
	for k := from; k < to; k++ {
		item := sub.seqItem(indent)
		want := end
		if k+1 < len(starts) {
			want = listEnd{pos: starts[k+1], indent: indent}
		}
		if sub.bad || sub.pos != want.pos || sub.indent != want.indent || k+1 < len(starts) && sub.line != lines[k+1] {
			return nil, nil
		}
		items = append(items, item)
	}
	return sub, items
}

// itemStarts finds the items of the block list whose first "-" is at pos,
// indent spaces in, by the lines alone: the offset and line of each "-"
// at that indentation, up to the list's end (a line with content indented
// less, or as much and not an item). Lines indented more belong to an
// item, and lines with no content to none.
func (p *fastParser) itemStarts(indent int) (starts, lines []int, end listEnd) {
	starts, lines = []int{p.pos}, []int{p.line}
	line := p.line
	for i := p.pos; ; {
		nl := strings.IndexByte(p.src[i:], '\n')
		if nl < 0 {
			return starts, lines, listEnd{pos: len(p.src), indent: -1}
		}
		start := i + nl + 1
		line++
		k := start
		for k < len(p.src) && p.src[k] == ' ' {
			k++
		}
		switch {
		case k == len(p.src):
			return starts, lines, listEnd{pos: len(p.src), indent: -1}
		case p.src[k] == '\n' || p.src[k] == '#' || k-start > indent:
			// No content, or part of an item.
		case k-start == indent && p.src[k] == '-' && (k+1 == len(p.src) || p.src[k+1] == ' ' || p.src[k+1] == '\n'):
			starts, lines = append(starts, k), append(lines, line)
		default:
			return starts, lines, listEnd{pos: k, indent: k - start}
		}
		i = k
	}
}
