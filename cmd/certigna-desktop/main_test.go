package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/certigna-desktop/app/internal/refcheck"
	"github.com/certigna-desktop/app/internal/testhook"
	"github.com/certigna-desktop/app/internal/testtoken"
)

// envTestAsMain makes this test binary run main() (TestMain): a real CLI
// process, with main's signal handling.
const envTestAsMain = "CERTIGNA_TEST_AS_MAIN"

// TestMain lets this test binary stand in for the app when discovery runs
// it as a probe child (`probe-module PATH`, see cli_probe.go): the CLI runs
// in-process in these tests, so os.Executable() is the test binary.
func TestMain(m *testing.M) {
	if os.Getenv(envTestAsMain) == "1" { // cli_signals_test.go: the real main, its signal handling included
		main()
	}
	if os.Getenv(envTestAsApp) == "1" { // gui_xvfb_test.go launches the app this way
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && (os.Args[1] == "probe-module" || os.Args[1] == "pkcs11-worker") {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	// A child run as the app itself (TestConcurrentSignsOneToken: several
	// processes on one token).
	if os.Getenv("CERTIGNA_TEST_AS_CLI") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	// Every file a test signs keeps what its references mean (issue 21).
	testhook.Signed = refcheck.Hook
	// The lock files and the demo token of this binary and its children.
	code := testtoken.RunInPrivateCache(m)
	if n := refcheck.Checked(); n > 0 {
		fmt.Printf("reference stability checked on %d signed files\n", n)
	}
	os.Exit(code)
}
