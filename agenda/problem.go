package agenda

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a programme file: 1-based line and column.
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats the position as FILE:LINE:COL.
func (p Pos) String() string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Severity tells whether a problem stops a build.
type Severity int

const (
	// Error problems stop check and build.
	Error Severity = iota
	// Warning problems are reported but do not stop a build unless it is strict.
	Warning
	// Note problems only inform, such as how an alias was resolved.
	Note
)

// Problem is one thing wrong with, or worth knowing about, a programme, at
// a position in its file.
type Problem struct {
	Pos      Pos
	Severity Severity
	Message  string
	// Code names the kind of problem, the same whatever the values in the
	// message: "unknown-key", "invalid-date", … (see CodeOf).
	Code string
}

// CodeOf makes the code of a problem from its message: its first words,
// leaving out quoted values and words with digits, up to a colon or a
// bracket and at most four, lower-case and joined by dashes. `unknown key
// "titel" in the programme (did you mean "title"?)` gives
// "unknown-key-in-the"; the code stays the same whatever the values.
func CodeOf(message string) string {
	var plain strings.Builder
	quoted := false
	for _, r := range message {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted:
			plain.WriteRune(r)
		}
	}
	var words []string
	for _, field := range strings.Fields(plain.String()) {
		if strings.HasPrefix(field, "(") && len(words) > 0 {
			break
		}
		stop := strings.ContainsAny(field, ":(;")
		w := strings.ToLower(strings.Trim(field, ".,;:!?'“”()[]"))
		if w != "" && !strings.ContainsAny(w, "0123456789@/") {
			words = append(words, w)
		}
		if stop && len(words) > 0 || len(words) == 4 {
			break
		}
	}
	code := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r == '-' {
			return r
		}
		if r == '_' || r == ' ' {
			return '-'
		}
		return -1
	}, strings.Join(words, "-"))
	return strings.Trim(code, "-")
}

// Severity's name, as check --format json writes it.
func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Note:
		return "note"
	}
	return "error"
}

// String formats the problem as "FILE:LINE:COL: message", with "warning: "
// before the message of a warning.
func (p Problem) String() string {
	switch p.Severity {
	case Warning:
		return p.Pos.String() + ": warning: " + p.Message
	case Note:
		return p.Pos.String() + ": note: " + p.Message
	}
	return p.Pos.String() + ": " + p.Message
}

// Problems is every problem found in one programme, sorted by position.
type Problems []Problem

// Err returns the problems as an error when at least one of them is an
// error, or when strict is set and at least one is a warning; nil otherwise.
func (ps Problems) Err(strict bool) error {
	for _, p := range ps {
		if p.Severity == Error || strict && p.Severity == Warning {
			return ps
		}
	}
	return nil
}

// Error lists the problems, one a line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sort sorts problems by file, in the order files were read, then by
// position.
func (ps Problems) sort(fileOrder map[string]int) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		if a.File != b.File {
			return fileOrder[a.File] < fileOrder[b.File]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
