package trust

import (
	"os"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
)

// pdftest.Main cannot serve here (pdftest imports verify, which imports
// trust): the test keys are removed the same way.
func TestMain(m *testing.M) {
	code := m.Run()
	pkitest.RemoveKeys()
	os.Exit(code)
}
