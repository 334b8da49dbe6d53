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

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
