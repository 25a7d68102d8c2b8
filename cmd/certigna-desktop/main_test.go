package main

import (
	"os"
	"testing"
)

// TestMain lets this test binary stand in for the app when discovery runs
// it as a probe child (`probe-module PATH`, see cli_probe.go): the CLI runs
// in-process in these tests, so os.Executable() is the test binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "probe-module" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
