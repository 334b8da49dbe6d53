package agenda

import (
	"strconv"
	"strings"
)

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
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
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest returns the candidate nearest to word, or "" when none is near
// enough to be a likely typo.
func closest(word string, candidates []string) string {
	if len(word) > maxSuggestible {
		return ""
	}
	// Within a third of the word's length (two letters swapped count two),
	// and never a word that shares nothing with it.
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

// orList formats names as "a", "a or b", or "a, b or c", each quoted.
func orList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
