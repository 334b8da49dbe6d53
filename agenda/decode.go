package agenda

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// decoder walks the YAML node tree of one programme file, collecting
// problems with their positions as it goes.
type decoder struct {
	file     string
	problems Problems
	// misspelt holds the mappings with an unknown key that looks like a
	// misspelt known one; a missing field there is not reported twice.
	misspelt map[*yaml.Node]bool
	// bad holds the nodes reported already, so that a value that is there
	// but wrong is not also reported as missing.
	bad map[*yaml.Node]bool
	// uncounted is the document until its first alias, when its nodes are
	// counted to set aliasBudget: how many more nodes may be reached
	// through aliases.
	uncounted       *yaml.Node
	aliasBudget     int
	aliasesReported bool
	sizes           map[*yaml.Node]int
	// trackAdvice holds what to say about each unknown track id; the
	// sorted track ids and their suggester are made for the first.
	trackAdvice    map[string]string
	trackNames     []string
	trackSuggester *suggester
	// firstInvite is the first session's invite:, where a missing
	// organizer address is reported when there are no participants.
	firstInvite *yaml.Node
	// read reads an included file; fileOrder numbers the files read, the
	// main one 0, and mainFile is the main one's name.
	read      func(name string) (string, error)
	fileOrder map[string]int
	// keys are the keys of each mapping of the format, made once.
	keys map[string][]string
	// fieldSlab is where fields cuts its results from.
	fieldSlab []keyValue
	// places are the venues and locations worked out for sessions, by
	// room and floor: sessions in one room share them.
	places map[[2]string]placed
	// workers is how many goroutines days are decoded on; slow tells
	// that a file was read by yaml.v3, which may share nodes through
	// aliases, and then they are decoded one after the other.
	workers int
	slow    bool
	// deferFrom is how long a root days list is, in bytes, before its
	// days are read only as they are decoded (deferredDays), 0 for never;
	// deferred holds such lists by their node. refused tells that one of
	// their days was not read as it should be: the programme is then
	// decoded again without.
	deferFrom int
	deferred  map[*yaml.Node]*deferredList
	refused   bool
}

func (d *decoder) add(n *yaml.Node, sev Severity, format string, args ...any) {
	pos := Pos{File: d.file, Line: 1, Col: 1}
	if n != nil && n.Line > 0 {
		pos.Line, pos.Col = n.Line, n.Column
	}
	msg := fmt.Sprintf(format, args...)
	d.problems = append(d.problems, Problem{Pos: pos, Severity: sev, Message: msg, Code: CodeOf(msg)})
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	if n != nil {
		if d.bad == nil {
			d.bad = map[*yaml.Node]bool{}
		}
		d.bad[n] = true
	}
	d.add(n, Error, format, args...)
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	d.add(n, Warning, format, args...)
}

func (d *decoder) notef(n *yaml.Node, format string, args ...any) {
	d.add(n, Note, format, args...)
}

// errorAt records a problem at a line and column of the file.
func (d *decoder) errorAt(line, col int, format string, args ...any) {
	d.errorf(&yaml.Node{Line: line, Column: col}, format, args...)
}

// document decodes text into a single YAML document node, or records why
// it cannot.
func (d *decoder) document(text string) *yaml.Node {
	text = strings.TrimPrefix(text, "\uFEFF")
	// The fast reader takes only valid UTF-8 without control characters:
	// the checks below, which say what is wrong, are for the rest.
	if doc, deferred := fastDocument(text, d.deferFrom); doc != nil {
		if len(deferred) > 0 && d.deferred == nil {
			d.deferred = map[*yaml.Node]*deferredList{}
		}
		maps.Copy(d.deferred, deferred)
		return doc.Content[0]
	}
	if !utf8.ValidString(text) {
		line, col := position(text, firstInvalidUTF8(text))
		d.errorAt(line, col, "the file is not valid UTF-8: save it as UTF-8")
		return nil
	}
	if i := firstControl(text); i >= 0 {
		line, col := position(text, i)
		r, _ := utf8.DecodeRuneInString(text[i:])
		d.errorAt(line, col, "the control character U+%04X is not allowed: remove it", r)
		return nil
	}
	d.slow = true
	dec := yaml.NewDecoder(strings.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorAt(1, 1, "the programme is empty: start from 'agendacal init'")
		} else {
			d.yamlError(err, text)
		}
		return nil
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		d.errorf(&second, "a second YAML document starts here: a programme is one document, remove the '---' line")
		return nil
	case !errors.Is(err, io.EOF):
		d.yamlError(err, text)
		return nil
	}
	if len(doc.Content) == 0 {
		d.errorAt(1, 1, "the programme is empty: start from 'agendacal init'")
		return nil
	}
	d.uncounted = &doc
	return doc.Content[0]
}

// yamlError records a syntax error from the YAML parser. The parser
// names a line, often that of the block the mistake is in rather than the
// mistake's: a tab that indents a line, a quote or bracket never closed
// and a line indented like no key above it are looked for and reported
// where they are, at their column.
func (d *decoder) yamlError(err error, text string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(num); err == nil {
				line, msg = l, text
			}
		}
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]; strings.Contains(indent, "\t") {
			d.errorAt(i+1, strings.IndexByte(indent, '\t')+1, "YAML syntax: a tab indents this line: indent with spaces, not tabs")
			return
		}
	}
	if l, c, what, ok := unclosed(lines); ok {
		d.errorAt(l, c, "YAML syntax: this %s is never closed: close it, or remove it", what)
		return
	}
	if l, c, want, key, ok := misindented(lines); ok {
		d.errorAt(l, c, "YAML syntax: this line is indented %d spaces, like no key above it: line it up with %q (%d spaces) or the key it belongs with", c-1, key, want)
		return
	}
	if strings.Contains(msg, "unexpected end of stream") {
		msg += ": is a quote or a bracket left open?"
	}
	col := 1
	if line <= len(lines) {
		col += len(lines[line-1]) - len(strings.TrimLeft(lines[line-1], " "))
	}
	d.errorAt(line, col, "YAML syntax: %s", msg)
}

// unclosed finds the first quote or bracket of a flow value that is never
// closed, with its line and column.
func unclosed(lines []string) (line, col int, what string, ok bool) {
	type open struct {
		line, col int
		char      rune
	}
	var stack []open
	var quote *open
	for i, l := range lines {
		prev := ' ' // the last character before this one that is not a space
		for j, r := range l {
			switch {
			case quote != nil:
				if r == quote.char && (r == '\'' || j == 0 || l[j-1] != '\\') {
					quote = nil
				}
			case r == '#' && (j == 0 || l[j-1] == ' '):
				goto nextLine
			case (r == '"' || r == '\'') && strings.ContainsRune(" :-[{,?", prev):
				quote = &open{i + 1, j + 1, r}
			case r == '[' || r == '{':
				if strings.ContainsRune(" :-[{,?", prev) {
					stack = append(stack, open{i + 1, j + 1, r})
				}
			case (r == ']' || r == '}') && len(stack) > 0:
				top := stack[len(stack)-1]
				if top.char == '[' && r == '}' || top.char == '{' && r == ']' {
					// Closed by the other kind: that one is left open.
					return top.line, top.col, map[rune]string{'[': "bracket", '{': "brace"}[top.char], true
				}
				stack = stack[:len(stack)-1]
			}
			if r != ' ' {
				prev = r
			}
		}
	nextLine:
	}
	switch {
	case quote != nil:
		return quote.line, quote.col, "quote", true
	case len(stack) > 0:
		what := "bracket"
		if stack[0].char == '{' {
			what = "brace"
		}
		return stack[0].line, stack[0].col, what, true
	}
	return 0, 0, "", false
}

// misindented finds the first line of a block mapping or list indented
// like none of the blocks around it: less than the line above but more
// than the block it returns to, or more than a line that opens no block.
// It returns the line, its column, and the key (with its indentation) it
// most likely belongs with.
func misindented(lines []string) (line, col, want int, key string, ok bool) {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	opens := true // whether the line above opens a block
	scalar := -1  // the indentation of a block scalar's key, while in one
	flow := 0     // brackets open: lines inside a flow value are free
	for i, l := range lines {
		body := strings.TrimLeft(l, " ")
		indent := len(l) - len(body)
		inFlow := flow > 0
		flow += strings.Count(l, "[") + strings.Count(l, "{") - strings.Count(l, "]") - strings.Count(l, "}")
		if body == "" || strings.HasPrefix(body, "#") || inFlow {
			continue
		}
		if scalar >= 0 && indent > scalar {
			continue // a line of a literal or folded block
		}
		scalar = -1
		k, _, _ := strings.Cut(body, ":")
		k = strings.TrimLeft(k, "- ")
		var popped *level
		for len(stack) > 0 && stack[len(stack)-1].indent > indent {
			top := stack[len(stack)-1]
			popped = &top
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].indent == indent {
			stack[len(stack)-1].key = k
		}
		deeper := len(stack) > 0 && stack[len(stack)-1].indent < indent
		switch {
		case deeper && popped != nil:
			return i + 1, indent + 1, popped.indent, popped.key + ":", true
		case deeper && !opens && strings.Contains(body, ": "):
			above := stack[len(stack)-1]
			return i + 1, indent + 1, above.indent, above.key + ":", true
		}
		if len(stack) == 0 || stack[len(stack)-1].indent < indent {
			stack = append(stack, level{indent, k})
		}
		// "- key: value" opens the item's mapping two columns in.
		for item := body; strings.HasPrefix(item, "- "); item = strings.TrimLeft(item[2:], " ") {
			indent = len(l) - len(strings.TrimLeft(item[2:], " "))
			stack = append(stack, level{indent, k})
		}
		trimmed := strings.TrimSpace(body)
		if c := strings.Index(trimmed, " #"); c >= 0 {
			trimmed = strings.TrimSpace(trimmed[:c])
		}
		opens = strings.HasSuffix(trimmed, ":") || trimmed == "-"
		if strings.HasSuffix(trimmed, "|") || strings.HasSuffix(trimmed, ">") || strings.HasSuffix(trimmed, "|-") || strings.HasSuffix(trimmed, ">-") {
			scalar = len(l) - len(body)
		}
	}
	return 0, 0, 0, "", false
}

func firstInvalidUTF8(text string) int {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(text)
}

// firstControl returns the offset of the first control character other than
// tab, line feed and carriage return, or -1. text is valid UTF-8, so the
// C1 controls are the two-byte sequences 0xC2 0x80 to 0xC2 0x9F, and a
// byte scan finds them all without decoding.
func firstControl(text string) int {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r', c == 0x7f:
			return i
		case c == 0xc2 && i+1 < len(text) && text[i+1] >= 0x80 && text[i+1] <= 0x9f:
			return i
		}
	}
	return -1
}

// isControl tells the C0 and C1 control characters and DEL.
func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f
}

// position converts a byte offset into a 1-based line and column (in runes).
func position(text string, offset int) (line, col int) {
	before := text[:offset]
	line = strings.Count(before, "\n") + 1
	start := strings.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCountInString(before[start:]) + 1
}

// deref follows an alias to the node it names. Every node reached through
// an alias is charged to a budget of ten times the document and then some,
// plenty for a panel of speakers named again in every session, so that
// aliases of aliases (a "billion laughs" file) fail fast instead of making
// the walk visit a billion nodes.
func (d *decoder) deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		if d.uncounted != nil {
			d.aliasBudget, d.uncounted = aliasAllowance*d.size(d.uncounted)+aliasSlack, nil
		}
		if d.aliasBudget -= d.size(n.Alias); d.aliasBudget < 0 {
			if !d.aliasesReported {
				d.errorf(n, "aliases here expand to more than %d times what the whole file holds: write the values out, or use fewer aliases of aliases", aliasAllowance)
				d.aliasesReported = true
			}
			return nil
		}
		n = n.Alias
	}
	return n
}

// The alias budget: aliasAllowance times the nodes of the document, plus
// aliasSlack.
const (
	aliasAllowance = 10
	aliasSlack     = 100000
)

// size counts the nodes under n, aliases as one node each, remembering
// the count of every node it has counted.
func (d *decoder) size(n *yaml.Node) int {
	if s, ok := d.sizes[n]; ok {
		return s
	}
	s := 1
	for _, c := range n.Content {
		s += d.size(c)
	}
	if d.sizes == nil {
		d.sizes = map[*yaml.Node]int{}
	}
	d.sizes[n] = s
	return s
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// fields checks that n is a mapping whose keys are among keys, each once,
// and returns its values by key. what names the mapping in messages.
func (d *decoder) fields(n *yaml.Node, what string, keys []string) fieldSet {
	n = d.deref(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping of keys such as %s, not %s", what, keys[0], kindName(n))
		return nil
	}
	if len(d.fieldSlab) < max(1, len(n.Content)/2) { // never nil: {} has no fields, but is a mapping
		d.fieldSlab = make([]keyValue, max(256, len(n.Content)/2))
	}
	out := fieldSet(d.fieldSlab[: 0 : len(n.Content)/2])
	d.fieldSlab = d.fieldSlab[len(n.Content)/2:]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.deref(n.Content[i]), n.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "a key in %s must be a word, not %s", what, kindName(k))
			continue
		}
		if k.Value == "<<" {
			d.errorf(k, "YAML merge keys (<<) are not supported in %s: write the keys out", what)
			d.markMisspelt(n) // the keys it would merge are not missing, only hidden
			continue
		}
		if !contains(keys, k.Value) {
			msg := fmt.Sprintf("unknown key %q in %s", k.Value, what)
			if c := closest(k.Value, keys); c != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", c)
				d.markMisspelt(n)
			} else {
				msg += "; known keys are " + strings.Join(keys, ", ")
			}
			d.errorf(k, "%s", msg)
			continue
		}
		if out.get(k.Value) != nil {
			d.errorf(k, "key %q appears twice in %s (first at line %d): keep one", k.Value, what, d.firstKey(n, k.Value).Line)
			continue
		}
		out = append(out, keyValue{k.Value, v})
	}
	return out
}

// fieldSet is a mapping's values by key, as fields checked them: a
// handful of pairs, looked through in turn, costs less than a map.
type fieldSet []keyValue

type keyValue struct {
	key   string
	value *yaml.Node
}

// get returns the value of key, or nil.
func (f fieldSet) get(key string) *yaml.Node {
	for _, kv := range f {
		if kv.key == key {
			return kv.value
		}
	}
	return nil
}

// firstKey is the first key node of mapping n that reads key.
func (d *decoder) firstKey(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := d.deref(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return k
		}
	}
	return nil
}

// lookup returns the value of a key in a mapping, without reporting
// anything: the mapping is checked where it is decoded.
func (d *decoder) lookup(n *yaml.Node, key string) *yaml.Node {
	n = d.deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := d.deref(n.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return d.deref(n.Content[i+1])
		}
	}
	return nil
}

func (d *decoder) markMisspelt(n *yaml.Node) {
	if d.misspelt == nil {
		d.misspelt = map[*yaml.Node]bool{}
	}
	d.misspelt[n] = true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scalar returns the text of a scalar node; ok is false when n is absent or
// null, or (with a problem recorded) not a scalar.
func (d *decoder) scalar(n *yaml.Node, what string) (string, bool) {
	n = d.deref(n)
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, "%s must be a single value, not %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// text returns a text field. One-line fields may not hold line breaks; no
// field may hold a control character other than tab and, in multi-line
// fields, line feed.
func (d *decoder) text(n *yaml.Node, what string, oneLine bool) string {
	s, ok := d.scalar(n, what)
	if !ok {
		return ""
	}
	if !oneLine && strings.Contains(s, "\r") {
		// Text pasted from web forms and Windows editors ends lines with
		// CRLF: a line break all the same.
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	bidi := false
	for i := 0; i < len(s); i++ {
		// Only the runes notable finds need a look.
		if i = notable(s, i, len(s)); i == len(s) {
			break
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size - 1
		switch {
		case oneLine && (r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029'):
			d.errorf(n, "%s must be one line: remove the line break", what)
			return ""
		case r == '\t' || r == '\n':
		case isControl(r):
			d.errorf(n, "%s contains the control character U+%04X: remove it", what, r)
			return ""
		case isBidiControl(r):
			bidi = true
		}
	}
	if bidi {
		d.warnf(n, "%s holds an invisible character that reorders text (U+202A–U+202E or U+2066–U+2069): calendar programs may show it in a different order", what)
	}
	if oneLine {
		s = strings.TrimSpace(s)
		if strings.IndexFunc(s, isVisible) < 0 {
			return "" // nothing a reader would see: as good as empty
		}
		return s
	}
	return strings.TrimRight(strings.TrimLeft(s, "\n"), " \t\n")
}

// isBidiControl tells a bidirectional embedding, override or isolate,
// which can make text read differently from how it is stored.
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// isInvisible tells spaces and format characters (zero-width spaces and
// joiners, byte-order marks, directional marks), which show nothing.
func isInvisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

func isVisible(r rune) bool { return !isInvisible(r) }

// list returns the items of a sequence node, or records that n is not one.
func (d *decoder) list(n *yaml.Node, what, example string) []*yaml.Node {
	n = d.deref(n)
	if n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, as in %s, not %s", what, example, kindName(n))
		return nil
	}
	return n.Content
}
