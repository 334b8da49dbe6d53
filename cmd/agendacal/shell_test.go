package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestBashCompletion sources the bash completion script in bash and asks
// it to complete, as bash does on Tab.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	var script, stderr bytes.Buffer
	if code := run([]string{"agendacal", "completion", "bash"}, nil, &script, &stderr, func(string) string { return "" }); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	dir := t.TempDir()
	for _, f := range []string{"meeting.yaml", "congress.yml", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "drafts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "completion.bash"), script.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string // what is typed before Tab; a trailing space starts a new word
		want string
	}{
		{"agendacal ", "--help --version build check completion init invite man schema serve show sync"},
		{"agendacal bu", "build"},
		{"agendacal s", "schema serve show sync"},
		{"agendacal build --o", "--out"},
		{"agendacal invite --sm", "--smtp --smtp-insecure"},
		{"agendacal build ", "congress.yml drafts meeting.yaml"},
		{"agendacal check --strict m", "meeting.yaml"},
		{"agendacal build --out ", "completion.bash congress.yml drafts meeting.yaml notes.txt"},
	}
	for _, tt := range tests {
		words := strings.Fields(tt.line)
		if strings.HasSuffix(tt.line, " ") {
			words = append(words, "")
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + w + "'"
		}
		cmd := exec.Command(bash, "--norc", "--noprofile", "-c", "source ./completion.bash; COMP_WORDS=("+strings.Join(quoted, " ")+"); COMP_CWORD="+itoa(len(words)-1)+"; _agendacal; printf '%s\\n' \"${COMPREPLY[@]}\"")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tt.line, err, out)
		}
		got := strings.Fields(string(out))
		sort.Strings(got)
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%q completes to %q, want %q", tt.line, strings.Join(got, " "), tt.want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
