package pdftest

import (
	"fmt"
	"os"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/refcheck"
	"github.com/certigna-desktop/app/internal/testhook"
)

// Main runs the tests of a package that signs: every file a test signs
// keeps what its references mean (issue 21), and the test keys are removed
// at the end.
func Main(m *testing.M) {
	testhook.Signed = refcheck.Hook
	code := m.Run()
	if n := refcheck.Checked(); n > 0 {
		fmt.Printf("reference stability checked on %d signed files\n", n)
	}
	pkitest.RemoveKeys()
	os.Exit(code)
}
