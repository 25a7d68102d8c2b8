package actions

import (
	"fmt"
	"os"
	"testing"

	"github.com/certigna-desktop/app/internal/refcheck"
	"github.com/certigna-desktop/app/internal/testhook"
)

// Every file a test signs keeps what its references mean (issue 21).
func TestMain(m *testing.M) {
	testhook.Signed = refcheck.Hook
	code := m.Run()
	if n := refcheck.Checked(); n > 0 {
		fmt.Printf("reference stability checked on %d signed files\n", n)
	}
	os.Exit(code)
}
