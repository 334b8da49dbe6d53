package publish

import "testing"

// The digest's head, worked out once by UpToDate, serves Seal: the digest
// is the same as a source's worked out afresh, whichever files follow.
func TestSourceDigestsTheProgrammeOnce(t *testing.T) {
	settings := []string{"--alarm=15m", "agendacal test"}
	programme := []byte("title: Castor\n")
	a := []SourceFile{{Name: "people.yaml", Data: []byte("- Ana\n")}}
	b := []SourceFile{{Name: "people.yaml", Data: []byte("- Ana\n- Besa\n")}}
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
	if src.Programme != nil {
		t.Error("Seal kept the programme's bytes")
	}
}
