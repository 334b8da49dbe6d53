package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/agendacal/agendacal/agenda"
)

// writeProblems writes the problems of check in a format: text lines on
// standard error, a JSON array or GitHub workflow commands on standard
// output.
func writeProblems(stdout, stderr io.Writer, format string, problems agenda.Problems) error {
	switch format {
	case "json":
		type problem struct {
			File     string `json:"file"`
			Line     int    `json:"line"`
			Column   int    `json:"column"`
			Severity string `json:"severity"`
			Code     string `json:"code"`
			Message  string `json:"message"`
		}
		out := make([]problem, len(problems))
		for i, p := range problems {
			out[i] = problem{p.Pos.File, p.Pos.Line, p.Pos.Col, p.Severity.String(), p.Code, p.Message}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	case "github":
		for _, p := range problems {
			kind := "error"
			switch p.Severity {
			case agenda.Warning:
				kind = "warning"
			case agenda.Note:
				kind = "notice"
			}
			if _, err := fmt.Fprintf(stdout, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", kind,
				githubProperty(p.Pos.File), p.Pos.Line, p.Pos.Col, githubProperty("agendacal "+p.Code), githubData(p.Message)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, p := range problems {
		if _, err := fmt.Fprintln(stderr, p); err != nil {
			return err
		}
	}
	return nil
}

// githubData escapes a workflow command's message.
func githubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// githubProperty escapes a workflow command's property value.
func githubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
