package token

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/testtoken"
)

// A library named by the person, with workers on, is tried in its worker
// alone (trial.go): no probe child — the probe command here is a program
// that does not exist, so a probe would say "probe failed" — and the same
// outcome as the probe child for every misbehaving library, within the
// probe's deadline: crashed, did not answer, a wrong architecture, a
// missing file; a real SoftHSM2 token is found and counted, in a live worker.
func TestNamedModuleTriedInItsWorker(t *testing.T) {
	inWorkers(t)
	SetProbeCommand(filepath.Join(t.TempDir(), "no-probe-child"), "probe-module")
	old := ProbeDeadline
	ProbeDeadline = 2 * time.Second
	t.Cleanup(func() { SetProbeCommand(); ProbeDeadline = old })
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	dir := t.TempDir()
	fakes := testtoken.WrongArch(t, dir)
	for _, tc := range []struct {
		name, path string
		status     CandidateStatus
		reason     string
	}{
		{"crash", testtoken.BuildShim(t, testtoken.ShimCrashInitialize).Path, CandidateFailed, "crashed"},
		{"null list", testtoken.BuildShim(t, testtoken.ShimNullList).Path, CandidateFailed, "crashed"},
		{"hang initialize", testtoken.BuildShim(t, testtoken.ShimHangInitialize).Path, CandidateFailed, "did not answer"},
		{"hang slot list", testtoken.BuildShim(t, testtoken.ShimHangSlotList).Path, CandidateFailed, "did not answer"},
		{"32-bit", fakes["elf32"], CandidateFailed, "32-bit library"},
		{"absent", dir + "/absent.so", CandidateNotFound, "missing file"},
		// SoftHSM2 under a path of its own (a wrapper crashing only in
		// C_Sign): no earlier test has it loaded in this process.
		{"softhsm", testtoken.BuildWrapShim(t, testtoken.ShimCrashSign, tok.ModulePath).Path, CandidateFound, ""},
	} {
		start := time.Now()
		m, cands, err := Discover(DiscoverOptions{Path: tc.path, NoDemo: true})
		took := time.Since(start)
		if took > ProbeDeadline+2*time.Second {
			t.Errorf("%s: took %v (deadline %v)", tc.name, took, ProbeDeadline)
		}
		if len(cands) != 1 {
			t.Fatalf("%s: candidates %+v", tc.name, cands)
		}
		c := cands[0]
		reason := ""
		if te := (*Error)(nil); errors.As(c.Reason, &te) {
			reason = te.Reason
			if te.Kind != KindModuleLoad && te.Kind != KindModuleNotFound {
				t.Errorf("%s: kind %s, want the probe's module_load", tc.name, te.Kind)
			}
		}
		if c.Status != tc.status || reason != tc.reason {
			t.Errorf("%s: %s %q (%v), want %s %q", tc.name, c.Status, reason, err, tc.status, tc.reason)
		}
		if tc.status != CandidateFound {
			if m != nil || err == nil {
				t.Errorf("%s: a module for a failed library", tc.name)
			}
			if msg := assets.Message(err, "fr"); strings.Contains(msg, "token.reason") {
				t.Errorf("%s: untranslated %s", tc.name, msg)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r, ok := m.ctx.b.(*remote); !ok || !r.alive() {
			t.Errorf("%s: not in a live worker", tc.name)
		}
		if c.Tokens != 1 || !c.Chosen {
			t.Errorf("%s: candidate %+v", tc.name, c)
		}
		// No deadline of the trial is left on the module's later calls.
		if !m.ctx.until.IsZero() {
			t.Errorf("%s: calls still bounded by the trial", tc.name)
		}
		m.Close()
	}
	// The probe itself, had it run, would have failed: it was not asked.
	if r := Probe(context.Background(), tok.ModulePath); r.Reason != "probe failed" {
		t.Errorf("the probe command is not the one that would fail: %+v", r)
	}
}
