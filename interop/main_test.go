package interop

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the suite only when AGENDACAL_INTEROP asks for it.
func TestMain(m *testing.M) {
	if os.Getenv("AGENDACAL_INTEROP") == "" {
		fmt.Println("interop: not run; set AGENDACAL_INTEROP=1 (or require) after scripts/install-interop.sh")
		os.Exit(0)
	}
	os.Exit(m.Run())
}
