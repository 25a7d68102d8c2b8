//go:build linux

package main

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/token"
)

// TestCLISignStartsOneChild (issue 21): `sign --module PATH` on a real
// SoftHSM2 token starts exactly one child of the app's binary — the
// driver's pkcs11-worker, which is also the library's trial on the side —
// and no probe-module child before it. The binary's children are counted
// through a wrapper that notes each verb before it runs this test binary.
func TestCLISignStartsOneChild(t *testing.T) {
	tok := softToken(t)
	// A library path of this test's own (a pass-through shim): no earlier
	// test has it loaded in this process.
	shim := testtoken.BuildWrapShim(t, "", tok.ModulePath)
	dir := t.TempDir()
	log := filepath.Join(dir, "children.log")
	wrapper := filepath.Join(dir, "app.sh")
	script := "#!/bin/sh\necho \"$1\" >> '" + log + "'\nexec '" + os.Args[0] + "' \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	token.SetProbeCommand(wrapper, "probe-module")
	token.SetWorkerCommand(wrapper, "pkcs11-worker")
	t.Cleanup(func() {
		exe, _ := os.Executable()
		token.SetProbeCommand(exe, "probe-module")
		token.SetWorkerCommand(exe, "pkcs11-worker")
	})
	in := samplePDF(t, dir)
	code, out, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", shim.Path, "sign", in, "--cert", hex.EncodeToString(tok.ECID))
	if code != exitOK || !strings.Contains(out, "valid signature by "+tok.Holder) {
		t.Fatalf("sign: exit %d\n%s\n%s", code, out, errs)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(b)); len(got) != 1 || got[0] != "pkcs11-worker" {
		t.Errorf("children of the binary: %q, want one pkcs11-worker", got)
	}
}

// The driver's discovery runs beside sign's check of the input
// (discoverSoon): a refused input is said at once, without waiting for a
// driver that does not answer (its trial goes on to its deadline in the
// background, then its worker is stopped), and the driver's own error is
// still the answer when the input is fine.
func TestCLISignCheckBesideDiscovery(t *testing.T) {
	shortProbe(t)
	shim := testtoken.BuildShim(t, testtoken.ShimHangInitialize)
	defer shim.Release(t)
	dir := t.TempDir()
	notPDF := filepath.Join(dir, "notes.pdf")
	if err := os.WriteFile(notPDF, []byte("just text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, _, errs := cli(t, "", "--lang", "en", "--module", shim.Path, "sign", notPDF)
	if code != exitBadPDF || !strings.Contains(errs, "not a PDF") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if took := time.Since(start); took >= token.ProbeDeadline {
		t.Errorf("the refusal waited for the driver: %v", took)
	}
	in := samplePDF(t, dir)
	code, _, errs = cli(t, "", "--lang", "fr", "--module", shim.Path, "sign", in)
	if code != exitNoModule || !strings.Contains(errs, "n’a pas répondu") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	assertOnlyFiles(t, dir, "contrat.pdf", "notes.pdf")
}
