package agenda

import (
	"slices"
	"strings"
)

// editDistance is the number of edits that turn a into b, in runes: a
// letter inserted, deleted, replaced, or two neighbours swapped (the
// optimal string alignment distance), so that "tilte" is one edit from
// "title", as a typing slip is.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// Three rows: the one before last, the last, and this one.
	before := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], before[j-2]+1)
			}
		}
		before, prev, cur = prev, cur, before
	}
	return prev[len(rb)]
}

// Suggest returns the name among names that word is most likely a typo
// of, or "" when none is near enough: for command-line words, as for keys.
func Suggest(word string, names []string) string { return closest(word, names) }

// closest returns the candidate nearest to word, or "" when none is near
// enough to be a likely typo.
func closest(word string, candidates []string) string {
	if len(word) > maxSuggestible {
		return ""
	}
	// Within a third of the word's length, and never a word that shares
	// nothing with it.
	best, bestD := "", min(len(word)/3+2, len(word))
	for _, c := range candidates {
		d := editDistance(strings.ToLower(word), c)
		if strings.HasPrefix(c, strings.ToLower(word)) || strings.HasPrefix(strings.ToLower(word), c) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// maxSuggestible bounds the words suggestions are looked for: the edit
// distance costs the product of the lengths, and nothing that long is a
// typo of a short name.
const maxSuggestible = 64

// orOf joins items as a, a or b, or a, b or c.
func orOf(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// suggester finds, among any number of names, the one a word is a likely
// typo of, in time that does not grow with the number of names: every name
// is indexed under itself and each string one deletion away from it, so a
// word looked up the same way finds every name within two edits (a
// transposition included). Lookups verify at most maxVerified of the
// names found, so no word costs more than a bounded amount of work.
type suggester struct {
	byKey map[string][]string
}

// maxVerified bounds the names a lookup compares a word with.
const maxVerified = 64

func newSuggester(names []string) *suggester {
	s := &suggester{byKey: make(map[string][]string, 8*len(names))}
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	for _, name := range sorted {
		lower := strings.ToLower(name)
		if len(lower) > maxSuggestible {
			continue
		}
		for _, key := range withDeletions(lower) {
			if bucket := s.byKey[key]; len(bucket) < maxVerified && (len(bucket) == 0 || bucket[len(bucket)-1] != name) {
				s.byKey[key] = append(bucket, name)
			}
		}
	}
	return s
}

// closest returns the name nearest to word, or "" when none is near enough
// to be a likely typo.
func (s *suggester) closest(word string) string {
	lower := strings.ToLower(word)
	if len(lower) > maxSuggestible {
		return ""
	}
	seen := map[string]bool{}
	var candidates []string
	for _, key := range withDeletions(lower) {
		for _, name := range s.byKey[key] {
			if !seen[name] && len(candidates) < maxVerified {
				seen[name] = true
				candidates = append(candidates, name)
			}
		}
	}
	slices.Sort(candidates)
	return closest(word, candidates)
}

// withDeletions returns s and every string one byte deletion away from it
// (names past ASCII are matched less well, never wrongly: candidates are
// verified by their edit distance).
func withDeletions(s string) []string {
	out := make([]string, 0, len(s)+1)
	out = append(out, s)
	for i := range len(s) {
		out = append(out, s[:i]+s[i+1:])
	}
	return out
}
