package browsers

import (
	"os"
	"os/exec"
	"testing"
)

// TestCrossCompile builds and vets the Windows and macOS code (system
// stores, Windows parent.lock), which cannot run here: it is at least kept
// compiling and vet-clean. It stays untested at run time (docs/browsers.md).
func TestCrossCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	goBin := "go" // on PATH: scripts/test.sh puts it there (runtime.GOROOT is deprecated)
	for _, goos := range []string{"windows", "darwin"} {
		cmd := exec.Command(goBin, "vet", ".")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=%s go vet ./browsers: %v\n%s", goos, err, out)
		}
	}
}
