package agenda

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// sameTree reports the first difference between two node trees in what
// the decoder reads: kind, tag, value, style and position.
func sameTree(got, want *yaml.Node, path string) error {
	if got.Kind != want.Kind || got.Tag != want.Tag || got.Value != want.Value || got.Style != want.Style ||
		got.Line != want.Line || got.Column != want.Column || got.Anchor != want.Anchor || len(got.Content) != len(want.Content) {
		return fmt.Errorf("%s: got kind %v tag %q value %q style %v at %d:%d with %d children, yaml.v3 has kind %v tag %q value %q style %v at %d:%d with %d",
			path, got.Kind, got.Tag, got.Value, got.Style, got.Line, got.Column, len(got.Content),
			want.Kind, want.Tag, want.Value, want.Style, want.Line, want.Column, len(want.Content))
	}
	for i := range got.Content {
		if err := sameTree(got.Content[i], want.Content[i], fmt.Sprintf("%s/%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// readFast is fastDocument, not deferring, reading lists of splitFrom bytes or more on
// up to workers goroutines (splitItems); split tells whether it did.
func readFast(text string, workers, splitFrom int) (doc *yaml.Node, split bool) {
	p := &fastParser{workers: workers, splitFrom: splitFrom}
	doc = p.read(text)
	return doc, p.split && doc != nil
}

// checkFast holds fastDocument to yaml.v3 on data: whatever it reads must
// be what yaml.v3 reads. It tells whether fastDocument read it.
func checkFast(t *testing.T, data []byte) bool {
	t.Helper()
	got, _ := fastDocument(string(data), 0)
	if got == nil {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatalf("read %q, which yaml.v3 refuses: %v", data, err)
	}
	if err := sameTree(got, &want, "doc"); err != nil {
		t.Fatalf("%q:\n%v", data, err)
	}
	return true
}

// checkSplit holds the fast reader splitting every list of two items or
// more (splitItems) to the same reader going through them alone.
func checkSplit(t *testing.T, data []byte) (split bool) {
	t.Helper()
	alone, _ := readFast(string(data), 1, 0)
	got, split := readFast(string(data), 3, 0)
	switch {
	case alone == nil && got != nil:
		t.Fatalf("%q: read split, not alone", data)
	case alone != nil && got == nil:
		t.Fatalf("%q: read alone, not split", data)
	case alone != nil:
		if err := sameTree(got, alone, "doc"); err != nil {
			t.Fatalf("%q: split and alone differ:\n%v", data, err)
		}
	}
	return split
}

// checkDeferred holds the fast reader leaving root days lists of any
// length unread (deferItems), and then reading their items one at a time
// into the same nodes (readDeferred), to the same reader going through
// them at once. It tells whether a list was deferred.
func checkDeferred(t *testing.T, data []byte) (deferred bool) {
	t.Helper()
	alone, _ := readFast(string(data), 1, 0)
	p := &fastParser{workers: 1, deferFrom: 1}
	doc := p.read(string(data))
	if doc == nil {
		if alone != nil {
			t.Fatalf("%q: read alone, not with its days deferred", data)
		}
		return false
	}
	for list, l := range p.deferred {
		reused, fresh := l.reader(), &fastParser{src: l.src, depth: l.depth}
		for k := range l.starts {
			got, want := reused.readDeferred(l, k), fresh.readItem(l.listItems, k)
			if (got == nil) != (want == nil) {
				t.Fatalf("%q: day %d read into reused nodes: %v, into new ones: %v", data, k, got != nil, want != nil)
			}
			if got == nil {
				// The decoder would start again, not deferring: nothing
				// more to compare.
				return true
			}
			if err := sameTree(got, want, "day"); err != nil {
				t.Fatalf("%q: day %d read into reused nodes differs:\n%v", data, k, err)
			}
			list.Content = append(list.Content, want)
		}
	}
	if alone == nil {
		t.Fatalf("%q: read with its days deferred, which the lone reader refuses", data)
	}
	if err := sameTree(doc, alone, "doc"); err != nil {
		t.Fatalf("%q: deferred and alone differ:\n%v", data, err)
	}
	return len(p.deferred) > 0
}

// fastCases are the forms the fast reader takes, and some it must leave
// to yaml.v3 (taken false).
var fastCases = []struct {
	yaml  string
	taken bool
}{
	{"a: b\n", true},
	{"\n# c\n\n  a: b\n  c:\n  - x\n  - y\n", true},
	{"a: |\n  x\n\n  y\n\n\nb: 1\n", true},
	{"a: |-\n  x\n\n\nb: 1\n", true},
	{"a: |+\n  x\n\n\nb: 1\n", true},
	{"a: >\n  x\n  y\n\n  z\n", true},
	{"a: >-\n  x\n  y\n\n\n  z\n# end\n", true},
	{"a: >\n  x\n    y\n", false},
	{"a: |2\n   x\n", false},
	{"- {a: b, 'c': [1, \"x\"]}\n- 'it''s'\n", true},
	{"- a: 1\n  b: [true, null, ~, 1.5, 0x1f, 2026-10-01, yes, .inf, -3]\n- x\n", true},
	{"title: \"\\u00e7 \\x41 \\\"q\\\" \\\\ \\n \\t\"\n", true},
	{"title: \"\\e \\r\\n \\0 \\a \\b \\v \\f \\  \\' \\N \\_ \\L \\P\"\n", true},
	{"title: \"\\/\"\n", false},
	{"title: \"\\q\"\n", false},
	{"a: b # comment\nc: 'd' # comment\n", true},
	{"a: b#c\n", true},
	{"a: http://x.org/a:b\n", true},
	{"a:\n  b:\n    - c: d\n      e: f\n    - g\n  h: i\n", true},
	{"days:\n- date: 2026-10-01\n  sessions:\n  - time: 09:00-10:00\n    title: Çelja: hapja\n", false},
	{"a: b\n  c\n", true},
	{"a: 'b\n  c'\n", true},
	{"a: 'b  \n\n   \n  c  d '\nb: \"x\n  \\u00e7\n\n  y\"\n", true},
	{"a: 'b\nc'\n", false},
	{"a: \"x \\\n  \\ y\\\n\n  z\"\n", true},
	{"- text that\n  goes on\n\n  and on\n- x\n", true},
	{"a: b\n  c: d\n", false},
	{"a: b\n  - c\n", false},
	{"a: b\n  #c\n", false},
	{"a: [b,\n  c]\n", false},
	{"a: &x b\nc: *x\n", false},
	{"a: !!str 1\n", false},
	{"a:\nb: c\n", false},
	{"---\na: b\n", false},
	{"a: b\n---\nc: d\n", false},
	{"a:\tb\n", false},
	{"a: b\r\n", false},
	{"a: b\nc\n", false},
	{"? a\n: b\n", false},
	{"<<: {a: b}\n", false},
	{"a: [b, ]\n", false},
	{"a: {b: c, d: [e, {f: g}]}\n", true},
	{"a: []\nb: {}\n", true},
	{"a: - b\n", false},
	{"- - a\n", false},
	{"a: \"Prishtinë\": b\n", false},
	{"\"Prishtinë\": ë\n'k': v\n", true},
	{"a: |\n  x", false},
	{"a: b", true},
	{"just a scalar\n", false},
	{"a: [x: y]\n", false},
	{"a: ---\n", false},
	{"a: ...\n", false},
	{"a: -\n", false},
	{"a: -1\nb: +2\nc: .5\nd: 1_000\n", true},
	{"a: 'x' y\n", false},
	{"a: {" + strings.Repeat("k", 1024) + ": v}\n", true},
	{"a: {" + strings.Repeat("k", 1025) + ": v}\n", false},
	{"a: [{x: y, '" + strings.Repeat("k", 1025) + "': v}]\n", false},
	// Days of other shapes, read one after the other into the same nodes.
	{"days:\n- {a: [1, {b: c}]}\n- {a: 1, b: 2}\n- x\n- [y]\nz: 1\n", true},
	{"a: [" + strings.Repeat("é, ", 2000) + "é]\nb: {" + strings.Repeat("k: ë, ", 500) + "z: 1}\n", true},
}

func TestFastYAMLMatchesYAMLv3(t *testing.T) {
	for _, c := range fastCases {
		if taken := checkFast(t, []byte(c.yaml)); taken != c.taken {
			t.Errorf("%q: taken %v, want %v", c.yaml, taken, c.taken)
		}
		checkSplit(t, []byte(c.yaml))
		checkDeferred(t, []byte(c.yaml))
	}
}

// TestFastYAMLSplitsLongLists reads lists split into groups on several
// goroutines (splitItems), and as a lone reader where the split cannot
// be proved the same: items that look like more items, lists at the top
// and deep down, and lists that end in every way.
func TestFastYAMLSplitsLongLists(t *testing.T) {
	var day strings.Builder
	for i := range 40 {
		fmt.Fprintf(&day, "  - time: 09:%02d-10:00\n    title: \"Seanca %d: çështje\"\n    # a comment\n\n    speakers: [Ana, 'Bé']\n    description: |\n      Line one\n\n      - not an item\n", i%60, i)
	}
	days := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "- date: 2017-06-%02d\n  sessions:\n%s", 1+i%28, day.String())
		}
		return b.String()
	}
	cases := []struct {
		yaml            string
		split, deferred bool
	}{
		{"title: T\ndays:\n" + days(12), true, true},
		{"title: T\ndays:\n" + days(12) + "# the end\n", true, true},
		{"title: T\ndays:\n" + days(12) + "tracks: []\n", true, true},
		{"title: T\ndays:\n" + indent(days(12), "  ") + "\n\n# the end\ntracks:\n- x\n", true, true},
		{days(3), true, false},
		{"a:\n  b:\n" + indent(days(5), "    ") + "  c: 1\n", true, false},
		// A quoted scalar over a line like an item: not split, and yaml.v3
		// has the last word.
		{"title: T\ndays:\n- a: \"x\n- y\"\n" + days(4), false, true},
		{"title: T\ndays:\n" + days(4) + "- a: 'x\n- b'\n", false, true},
		// An item the fast reader refuses: nothing is read fast, or, with
		// the days deferred, the refusal comes when that day is read.
		{"title: T\ndays:\n" + days(4) + "- &anchor x\n", false, true},
	}
	for _, c := range cases {
		data := []byte(c.yaml)
		checkFast(t, data)
		if split := checkSplit(t, data); split != c.split {
			t.Errorf("%.60q…: split %v, want %v", c.yaml, split, c.split)
		}
		if deferred := checkDeferred(t, data); deferred != c.deferred {
			t.Errorf("%.60q…: deferred %v, want %v", c.yaml, deferred, c.deferred)
		}
	}
	// Long enough, the programme's own reader splits it too.
	data := []byte("title: T\ndays:\n" + days(200))
	if _, split := readFast(string(data), 2, splitFrom); !split {
		t.Errorf("a programme of %d bytes is not read split", len(data))
	}
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+prefix) + "\n"
}

// TestFastYAMLReadsTheProgrammes checks the fast reader on every programme
// in the repository and requires it to take the example: a reader that
// fell back on everything would pass the check above and save nothing.
func TestFastYAMLReadsTheProgrammes(t *testing.T) {
	files, err := filepath.Glob("../testdata/*/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../testdata/*/*/*.yaml")
	files = append(append(files, more...), "../examples/pristina.yaml")
	taken := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if checkFast(t, data) {
			taken++
		} else if name == "../examples/pristina.yaml" {
			t.Errorf("the fast reader leaves %s to yaml.v3", name)
		}
	}
	t.Logf("the fast reader took %d of %d programmes", taken, len(files))
}

// FuzzFastYAML: whatever the fast reader takes, yaml.v3 reads the same.
func FuzzFastYAML(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c.yaml))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, data)
		checkSplit(t, data)
		checkDeferred(t, data)
	})
}

// notable finds the first octet that needs a second look at every offset,
// among ASCII and among Cyrillic letters, eight at a time or not.
func TestNotableAtEveryOffset(t *testing.T) {
	first := func(s string) int {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == 0x7f || c == 0xc2 || c == 0xe2 || c == 0xef {
				return i
			}
		}
		return len(s)
	}
	for _, filler := range []string{"abcdefghijklmnopqrstuvwx", "абвгдђежзијклљмнњопрстћу"} {
		for _, odd := range []string{"\n", "\t", "\x00", "\x1f", "\x7f", "\u0085", "\u00a0", "\u2028", "\u202e", "\u2066", "\ufeff", "\uffff", "\u2027", "€", "ё"} {
			for at := 0; at <= len(filler); at++ {
				s := filler[:at] + odd + filler[at:]
				if got, want := notable(s, 0, len(s)), first(s); got != want {
					t.Errorf("notable(%q) = %d, want %d", s, got, want)
				}
			}
		}
	}
}

// What fastSubset refuses is refused on whichever side of the cut between
// two pieces it falls.
func TestSubsetAcrossPieces(t *testing.T) {
	var b strings.Builder
	b.WriteString("title: T\ndays:\n")
	for b.Len() < splitFrom+splitFrom/2 {
		b.WriteString("- date: 2017-06-29\n  sessions: [{time: 09:30-10:30, title: \"Сала 1 — A\"}]\n")
	}
	base := b.String()
	if !fastSubset(base, 2) {
		t.Fatal("the file itself is refused")
	}
	mid := len(base) / 2
	for at := mid - 400; at < mid+400; at++ {
		if base[at-1] != '\n' {
			continue // at each line's start
		}
		for _, odd := range []string{"---\n", "...\n", "%YAML 1.2\n", "x: \u0085\n", "x: \u2028\n", "x: \ufeff\n", "x: \x1b\n", "x: \xff\n", "\tx: y\n"} {
			if src := base[:at] + odd + base[at:]; fastSubset(src, 2) {
				t.Errorf("%q at offset %d of %d: taken", odd, at, len(src))
			}
		}
	}
}
