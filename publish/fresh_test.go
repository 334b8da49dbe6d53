package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// The digest's head, worked out once by UpToDate, serves Seal: the digest
// is the same as a source's worked out afresh, whichever files follow.
func TestSourceDigestsTheProgrammeOnce(t *testing.T) {
	settings := []string{"--alarm=15m", "agendacal test"}
	programme := "title: Castor\n"
	a := []SourceFile{{Name: "people.yaml", Text: "- Ana\n"}}
	b := []SourceFile{{Name: "people.yaml", Text: "- Ana\n- Besa\n"}}
	afresh := func(included []SourceFile) string {
		s := &Source{Programme: programme, Settings: settings, Included: included}
		return s.digest()
	}
	if afresh(a) == afresh(b) {
		t.Fatal("the included files do not reach the digest")
	}
	src := &Source{Programme: programme, Settings: settings}
	if got := src.digestWith(a); got != afresh(a) {
		t.Errorf("digest with a: %s, afresh %s", got, afresh(a))
	}
	if src.head == nil {
		t.Fatal("no head kept")
	}
	want := afresh(b) // before Seal lets go of b's bytes
	src.Included = b
	src.Seal()
	if src.digest() != want {
		t.Errorf("sealed with b: %s, afresh %s", src.digest(), want)
	}
	if src.Programme != "" {
		t.Error("Seal kept the programme's text")
	}
}

// The digest takes each file's length and text, a piece at a time for a
// long one: the same as digesting them whole.
func TestSourceDigestOfLongFiles(t *testing.T) {
	long := strings.Repeat("- {time: 09:00-10:00, title: Çelja}\n", 5000) // 180 KB
	src := &Source{Programme: long + "x", Settings: []string{"a"}, Included: []SourceFile{{Name: "b.yaml", Text: long}}}
	h := sha256.New()
	for _, field := range []string{"a", long + "x", "b.yaml", long} {
		fmt.Fprintf(h, "%d:%s", len(field), field)
	}
	if got, want := src.digest(), hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("digest %s, want %s", got, want)
	}
}
