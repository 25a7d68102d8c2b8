package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// inWorkers makes Open run libraries in pkcs11-worker children of this test
// binary (TestMain), as the app's binary does.
func inWorkers(t *testing.T) {
	t.Helper()
	SetWorkerCommand(os.Args[0], "pkcs11-worker")
	t.Cleanup(func() { SetWorkerCommand() })
}

// openWrapped opens, in a worker, SoftHSM2 behind a shim of kind (a library
// path of its own, so the worker is this test's).
func openWrapped(t *testing.T, kind string) (*testtoken.Token, *Module, TokenInfo) {
	t.Helper()
	inWorkers(t)
	tok := testtoken.NewSoftHSM(t)
	tok.Setenv(t)
	shim := testtoken.BuildWrapShim(t, kind, tok.ModulePath)
	m, err := Open(shim.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if _, ok := m.ctx.b.(*remote); !ok {
		t.Fatal("the library was loaded in-process")
	}
	return tok, m, findToken(t, m, tok.Label)
}

// TestWorkerSignsAndChangesPIN: through a worker, the whole path works as
// in-process — certificates, logins, RSA PKCS #1 v1.5, RSA-PSS and ECDSA
// signatures that verify, a PIN change and a wrong PIN counted as such.
func TestWorkerSignsAndChangesPIN(t *testing.T) {
	tok, m, ti := openWrapped(t, "")
	s, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("contract"))
	sig, err := s.Sign(nil, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(s.Public().(*rsa.PublicKey), crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("signature made in the worker does not verify: %v", err)
	}
	// RSA-PSS (mechanism parameters cross the pipe) and ECDSA.
	pss := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	if sig, err = s.Sign(nil, digest[:], pss); err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPSS(s.Public().(*rsa.PublicKey), crypto.SHA256, digest[:], sig, pss); err != nil {
		t.Fatalf("PSS signature made in the worker does not verify: %v", err)
	}
	s.Close()
	es, err := m.Signer(ti.Slot, tok.ECID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	if sig, err = es.Sign(nil, digest[:], crypto.SHA256); err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(es.Public().(*ecdsa.PublicKey), digest[:], sig) {
		t.Fatal("ECDSA signature made in the worker does not verify")
	}
	es.Close()
	if err := m.ChangePIN(ti.Slot, tok.PIN, "87654321", "87654321", false); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false); !IsKind(err, KindPINIncorrect) {
		t.Fatalf("old PIN after the change: %v", err)
	}
}

// TestWorkerDriverCrash (issue #23): a driver that crashes inside C_Login or
// C_Sign ends its worker, not this process; the call fails with
// driver_crashed naming the driver and the call, in French and English,
// nothing is retried (the crash inside C_Login says a try may have been
// counted), and the next action starts a new worker.
func TestWorkerDriverCrash(t *testing.T) {
	for _, tc := range []struct{ kind, call string }{
		{testtoken.ShimCrashLogin, "C_Login"},
		{testtoken.ShimCrashSign, "C_Sign"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			tok, m, ti := openWrapped(t, tc.kind)
			r := m.ctx.b.(*remote)
			s, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
			if err == nil {
				digest := sha256.Sum256([]byte("contract"))
				_, err = s.Sign(nil, digest[:], crypto.SHA256)
				s.Close()
			}
			var te *Error
			if !asError(err, &te) || te.Kind != KindDriverCrashed || te.Reason != tc.call || te.Path != m.path {
				t.Fatalf("want driver_crashed in %s, got %v", tc.call, err)
			}
			if te.PINSent != (tc.call == "C_Login") {
				t.Errorf("PINSent = %v", te.PINSent)
			}
			for _, lang := range []string{"fr", "en"} {
				msg := te.Message(lang)
				if !strings.Contains(msg, m.path) || !strings.Contains(msg, tc.call) || strings.Contains(msg, "token.err") ||
					strings.Contains(msg, "CKR_") || strings.Contains(msg, "SIGSEGV") {
					t.Errorf("%s: %q", lang, msg)
				}
			}
			if r.alive() {
				t.Fatal("the worker is still counted alive")
			}
			// Nothing retried: a second call on the dead worker fails at once.
			if _, err := r.GetSlotList(true); !IsKind(err, KindDriverCrashed) {
				t.Fatalf("dead worker answered: %v", err)
			}
			// The next action starts a new worker.
			if _, err := m.Tokens(); err != nil {
				t.Fatalf("after the crash: %v", err)
			}
			if m.ctx.b.(*remote) == r || !m.ctx.b.(*remote).alive() {
				t.Fatal("no new worker")
			}
		})
	}
}

// BenchmarkSignWorker: one RSA-2048 signature on SoftHSM2 in-process and
// through a worker (the cost of the pipe and the extra process per call).
func BenchmarkSignWorker(b *testing.B) {
	tok := testtoken.NewSoftHSM(b, testtoken.WithoutEC())
	b.Setenv("SOFTHSM2_CONF", tok.Conf)
	digest := sha256.Sum256([]byte("contract"))
	for _, mode := range []string{"inprocess", "worker"} {
		b.Run(mode, func(b *testing.B) {
			path := testtoken.BuildWrapShim(b, "", tok.ModulePath).Path // a library of its own per mode
			if mode == "worker" {
				SetWorkerCommand(os.Args[0], "pkcs11-worker")
				defer SetWorkerCommand()
			}
			m, err := Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer m.Close()
			ts, err := m.Tokens()
			if err != nil || len(ts) == 0 {
				b.Fatal(err)
			}
			s, err := m.Signer(ts[0].Slot, tok.RSAID, tok.PIN, false)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for b.Loop() {
				if _, err := s.Sign(nil, digest[:], crypto.SHA256); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWorkerHungLoginStopped: a driver whose C_Login never returns, run in
// a worker (as the app runs every driver). At the deadline the worker is
// stopped — no process is left blocked in the driver — and the caller is
// told so, with the try that may have been counted; the next action starts
// a new worker at once instead of answering "still not answered". The code
// was sent once (pkcs11-spy), and never again.
func TestWorkerHungLoginStopped(t *testing.T) {
	inWorkers(t)
	defer SetDeadlines(Deadlines{Quick: 2 * time.Second, PIN: time.Second, Pad: time.Second, Slow: 5 * time.Second})()
	shim := testtoken.BuildShim(t, testtoken.ShimHangLogin)
	defer shim.Release(t)
	spy, m := openSpied(t, shim.Path)
	ts, err := m.Tokens()
	if err != nil || len(ts) != 1 {
		t.Fatalf("%v %v", ts, err)
	}
	w := m.ctx.b.(*remote)
	start := time.Now()
	err = m.Unblock(ts[0].Slot, "12345678", "5678", "5678", false) // C_Login(SO) hangs
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("unblock returned after %v", took)
	}
	var te *Error
	if !asError(err, &te) || te.Kind != KindTimeout || !te.Stopped || !te.PINSent || te.Reason != "C_Login" {
		t.Fatalf("hung login: %v (%+v)", err, te)
	}
	for lang, want := range map[string][]string{
		"fr": {"n’a pas répondu en 1 s (C_Login)", "a arrêté le pilote", "peut-être compté un essai"},
		"en": {"did not answer within 1 s (C_Login)", "stopped the driver", "may have counted a try"},
	} {
		msg := te.Message(lang)
		for _, s := range want {
			if !strings.Contains(msg, s) {
				t.Errorf("%s: %q lacks %q", lang, msg, s)
			}
		}
	}
	select {
	case <-w.gone:
	case <-time.After(2 * time.Second):
		t.Fatal("the worker blocked in the driver is still running")
	}
	// The next action: a new worker, at once, not "still not answered".
	if ts, err := m.Tokens(); err != nil || len(ts) != 1 {
		t.Fatalf("after the stop: %v %v", ts, err)
	}
	if m.ctx.b.(*remote) == w {
		t.Fatal("no new worker")
	}
	// pkcs11-spy's log of the killed worker loses the call in flight (it
	// is buffered): the shim notes its PIN calls itself.
	if calls := shim.PINCalls(); len(calls) != 1 || calls[0] != "C_Login" {
		t.Errorf("PIN calls %v, want one C_Login", calls)
	}
	if n := spy.Count("C_Initialize"); n != 2 {
		t.Errorf("%d C_Initialize, want 2 (one per worker)", n)
	}
}
