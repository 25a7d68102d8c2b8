package token

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// openSoftHSM makes a fresh SoftHSM2 token and opens the module on it.
func openSoftHSM(t *testing.T, opts ...testtoken.Option) (*testtoken.Token, *Module, TokenInfo) {
	t.Helper()
	tok := testtoken.NewSoftHSM(t, opts...)
	tok.Setenv(t)
	m, err := Open(tok.ModulePath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	// The library may still be initialised from an earlier test's config.
	m.mu.Lock()
	err = m.reinitLocked()
	m.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	return tok, m, findToken(t, m, tok.Label)
}

func findToken(t *testing.T, m *Module, label string) TokenInfo {
	t.Helper()
	ts, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range ts {
		if ti.Label == label {
			return ti
		}
	}
	t.Fatalf("no token %q among %+v", label, ts)
	return TokenInfo{}
}

func TestSoftHSMStatusAndCertificates(t *testing.T) {
	tok, m, ti := openSoftHSM(t)
	info := m.Info()
	if info.Manufacturer != "SoftHSM" || info.Path != tok.ModulePath || info.Demo {
		t.Errorf("module info %+v", info)
	}
	if ti.Manufacturer != "SoftHSM project" || ti.Model != "SoftHSM v2" || ti.Serial == "" ||
		ti.MinPIN != 4 || ti.MaxPIN != 255 || ti.PIN != PINOK || ti.SOPIN != PINOK || ti.Demo || ti.PINPad {
		t.Errorf("token info %+v", ti)
	}
	ts, _ := m.Tokens()
	if len(ts) != 1 {
		t.Errorf("the empty spare slot must be hidden: %+v", ts)
	}
	certs, err := m.Certificates(ti.Slot)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 3 {
		t.Fatalf("want RSA, EC and CA certificates, got %d", len(certs))
	}
	byID := map[string]Certificate{}
	for _, c := range certs {
		byID[string(c.ID)] = c
	}
	for _, id := range [][]byte{tok.RSAID, tok.ECID} {
		c, ok := byID[string(id)]
		if !ok {
			t.Fatalf("no certificate %x", id)
		}
		if c.SubjectCN != testtoken.Holder || !c.HasPrivateKey || c.Expired || c.NotYetValid ||
			!slices.Equal(c.KeyUsage, []string{"digital_signature", "non_repudiation"}) ||
			c.SHA256 != sha256.Sum256(c.Cert.Raw) || c.Cert.CheckSignatureFrom(tok.CACert) != nil {
			t.Errorf("certificate %x: %+v", id, c)
		}
	}
	if _, ok := byID[string(tok.RSAID)].Cert.PublicKey.(*rsa.PublicKey); !ok {
		t.Error("RSA certificate without RSA key")
	}
	if pub, ok := byID[string(tok.ECID)].Cert.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve.Params().Name != "P-256" {
		t.Error("EC certificate without P-256 key")
	}
	if ca := byID[string(tok.CAID)]; ca.HasPrivateKey || !ca.Cert.IsCA || !slices.Contains(ca.KeyUsage, "cert_sign") {
		t.Errorf("CA certificate %+v", ca)
	}
	// Validity flags follow the clock.
	now = func() time.Time { return time.Now().AddDate(2, 0, 0) }
	defer func() { now = time.Now }()
	m.mu.Lock()
	sh, _ := m.openSessionLocked(ti.Slot, false)
	later, err := m.certificatesLocked(sh, now())
	m.ctx.CloseSession(sh)
	m.mu.Unlock()
	if err != nil || !later[0].Expired {
		t.Errorf("a certificate two years on must be expired: %v", err)
	}
}

func verify(t *testing.T, pub crypto.PublicKey, digest, sig []byte, opts crypto.SignerOpts) {
	t.Helper()
	var err error
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			err = rsa.VerifyPSS(k, opts.HashFunc(), digest, sig, pss)
		} else {
			err = rsa.VerifyPKCS1v15(k, opts.HashFunc(), digest, sig)
		}
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			err = errors.New("ECDSA signature does not verify")
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestSoftHSMSignerVerifies(t *testing.T) {
	tok, m, ti := openSoftHSM(t, testtoken.WithAlwaysAuth())
	digest := sha256.Sum256([]byte("Bonjour, Frédérique"))
	cases := []struct {
		name string
		id   []byte
		opts crypto.SignerOpts
	}{
		{"RSA PKCS#1 v1.5", tok.RSAID, crypto.SHA256},
		{"RSA-PSS", tok.RSAID, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}},
		{"ECDSA P-256", tok.ECID, crypto.SHA256},
		{"always-authenticate RSA", tok.AlwaysAuthID, crypto.SHA256},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := m.Signer(ti.Slot, c.id, tok.PIN, false)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if c.name == "always-authenticate RSA" && !s.always {
				t.Fatal("CKA_ALWAYS_AUTHENTICATE not seen")
			}
			if len(s.Chain()) != 1 || !s.Chain()[0].Equal(tok.CACert) || s.Certificate().Subject.CommonName != testtoken.Holder {
				t.Errorf("certificate/chain wrong: %d CA", len(s.Chain()))
			}
			var _ crypto.Signer = s
			for i := 0; i < 2; i++ { // twice: one login serves several signatures
				sig, err := s.Sign(nil, digest[:], c.opts)
				if err != nil {
					t.Fatal(err)
				}
				verify(t, s.Public(), digest[:], sig, c.opts)
			}
			// crypto/x509 checks it against the certificate too.
			if c.name != "RSA-PSS" {
				sig, _ := s.Sign(nil, digest[:], c.opts)
				alg := x509.SHA256WithRSA
				if c.id[0] == tok.ECID[0] {
					alg = x509.ECDSAWithSHA256
				}
				if err := s.Certificate().CheckSignature(alg, []byte("Bonjour, Frédérique"), sig); err != nil {
					t.Errorf("x509 check: %v", err)
				}
			}
		})
	}
	if _, err := m.Signer(ti.Slot, []byte{0x77}, tok.PIN, false); !IsKind(err, KindCertNotFound) {
		t.Errorf("unknown certificate: %v", err)
	}
	_, err := m.Signer(ti.Slot, tok.RSAID, "000000", false)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindPINIncorrect || te.State != PINCountLow {
		t.Fatalf("wrong PIN: %v", err)
	}
	if msg := te.Message("fr"); msg != "Code PIN incorrect. Le token indique qu’il reste peu d’essais." {
		t.Errorf("French message %q", msg)
	}
}

func TestSoftHSMChangePINWithOpenSCAsWitness(t *testing.T) {
	tok, m, ti := openSoftHSM(t, testtoken.WithoutEC())
	const newPIN = "24681357"
	if err := m.ChangePIN(ti.Slot, tok.PIN, newPIN, newPIN, false); err != nil {
		t.Fatal(err)
	}
	// OpenSC, an independent client, sees the new PIN and refuses the old one.
	if out, err := tok.TryTool("--login", "--pin", newPIN, "--list-objects"); err != nil {
		t.Fatalf("new PIN refused by pkcs11-tool: %v\n%s", err, out)
	}
	if _, err := tok.TryTool("--login", "--pin", tok.PIN, "--list-objects"); err == nil {
		t.Fatal("old PIN still accepted by pkcs11-tool")
	}
	// A wrong current PIN: typed error with the state the token reports now.
	err := m.ChangePIN(ti.Slot, "99999999", "11112222", "11112222", false)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindPINIncorrect {
		t.Fatalf("wrong current PIN: %v", err)
	}
	if te.State != PINCountLow {
		t.Errorf("state after a wrong PIN: %q", te.State)
	}
}

func TestSoftHSMUnblockWithSO(t *testing.T) {
	tok, m, ti := openSoftHSM(t, testtoken.WithoutEC())
	const newPIN = "55556666"
	if err := m.Unblock(ti.Slot, "00000000", newPIN, newPIN, false); !IsKind(err, KindPINIncorrect) {
		t.Fatalf("wrong admin code: %v", err)
	} else if te := err.(*Error); !te.SO || te.Message("en") != "Incorrect admin code. The token says few tries are left." {
		t.Errorf("SO error %+v %q", te, te.Message("en"))
	}
	if err := m.Unblock(ti.Slot, tok.SOPIN, newPIN, newPIN, false); err != nil {
		t.Fatal(err)
	}
	if out, err := tok.TryTool("--login", "--pin", newPIN, "--list-objects"); err != nil {
		t.Fatalf("PIN set by unblock refused: %v\n%s", err, out)
	}
	s, err := m.Signer(ti.Slot, tok.RSAID, newPIN, false)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// Bad input is refused before anything reaches the token: the count-low flag,
// which SoftHSM2 sets on the first wrong PIN, stays clear.
func TestSoftHSMRefusedBeforeTheToken(t *testing.T) {
	tok, m, ti := openSoftHSM(t, testtoken.WithoutEC())
	cases := []struct {
		cur, new, confirm string
		kind              Kind
	}{
		{"wrong-but-unused", "12345678", "12345679", KindPINMismatch},
		{"wrong-but-unused", "123", "123", KindPINLength},
		{tok.PIN, tok.PIN, tok.PIN, KindPINSame},
		{"", "12345678", "12345678", KindPINEmpty},
	}
	for _, c := range cases {
		if err := m.ChangePIN(ti.Slot, c.cur, c.new, c.confirm, false); !IsKind(err, c.kind) {
			t.Errorf("ChangePIN(%s): %v", c.kind, err)
		}
		if err := m.Unblock(ti.Slot, c.cur, c.new, c.confirm, false); !IsKind(err, c.kind) {
			t.Errorf("Unblock(%s): %v", c.kind, err)
		}
	}
	after, err := m.Token(ti.Slot)
	if err != nil {
		t.Fatal(err)
	}
	if after.PIN != PINOK || after.SOPIN != PINOK {
		t.Fatalf("a try was consumed: PIN %s, SO %s", after.PIN, after.SOPIN)
	}
	e := CheckNewPIN(ti, "1", "123", "123").(*Error)
	if e.Min != 4 || e.Max != 255 || e.Message("fr") != "Le nouveau code PIN doit compter de 4 à 255 caractères. Aucun essai n’a été utilisé." {
		t.Errorf("length error %+v %q", e, e.Message("fr"))
	}
}

func TestSoftHSMHotPlug(t *testing.T) {
	tok, m, ti := openSoftHSM(t, testtoken.WithoutEC())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := m.Watch(ctx, 100*time.Millisecond)
	next := func(want EventKind) Event {
		t.Helper()
		select {
		case e := <-events:
			if e.Kind != want {
				t.Fatalf("event %s, want %s", e.Kind, want)
			}
			return e
		case <-time.After(time.Second): // the issue asks for 1 s
			t.Fatalf("no %s event within 1 s", want)
		}
		return Event{}
	}
	if e := next(EventInserted); e.Token.Serial != ti.Serial {
		t.Fatalf("initial event %+v", e)
	}
	tok.Unplug(t)
	if e := next(EventRemoved); e.Token.Serial != ti.Serial {
		t.Fatalf("removed %+v", e)
	}
	if _, err := m.Certificates(ti.Slot); !IsKind(err, KindNoToken) {
		t.Errorf("certificates of an unplugged token: %v", err)
	}
	tok.Plug(t)
	if e := next(EventInserted); e.Token.Serial != ti.Serial || e.Token.Label != tok.Label {
		t.Fatalf("inserted %+v", e)
	}
	// A second token initialised while watching appears too.
	cmd := exec.Command("softhsm2-util", "--init-token", "--free", "--label", "Second", "--so-pin", "12345678", "--pin", "1234")
	cmd.Env = tok.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if e := next(EventInserted); e.Token.Label != "Second" {
		t.Fatalf("second token %+v", e)
	}
	// A wrong PIN changes the token's flags (count low): a "changed" event.
	if err := m.ChangePIN(ti.Slot, "99999999", "11112222", "11112222", false); !IsKind(err, KindPINIncorrect) {
		t.Fatal(err)
	}
	if e := next(EventChanged); e.Token.Serial != ti.Serial || e.Token.PIN != PINCountLow {
		t.Fatalf("changed %+v", e)
	}
	// A logged-in signer holds off re-initialisation: its session survives.
	s, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	d := sha256.Sum256([]byte("x"))
	if _, err := s.Sign(nil, d[:], crypto.SHA256); err != nil {
		t.Fatalf("signer lost its session to the watcher: %v", err)
	}
	s.Close()
	cancel()
	for range events { // closes
	}
}

func TestOpenBadModules(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.so")
	_, err := Open(missing)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindModuleNotFound || te.Reason != "missing file" {
		t.Fatalf("missing: %v", err)
	}
	if msg := te.Message("fr"); msg != "Aucun pilote de token utilisable : fichier introuvable. Installez le pilote de votre token Certigna (le logiciel de son fabricant)." {
		t.Errorf("fr: %q", msg)
	}
	text := filepath.Join(dir, "readme.so")
	os.WriteFile(text, []byte("not a library"), 0o644)
	if _, err := Open(text); !errors.As(err, &te) || te.Kind != KindModuleLoad || te.Reason != "not a PKCS#11 library" {
		t.Fatalf("text file: %v", err)
	}
	// A real shared library that is not PKCS#11: libc has no C_GetFunctionList.
	libc := "/lib/x86_64-linux-gnu/libc.so.6"
	if _, err := os.Stat(libc); err == nil {
		if _, err := Open(libc); !errors.As(err, &te) || te.Reason != "not a PKCS#11 library" {
			t.Fatalf("libc: %v", err)
		}
		if te.Message("en") != "The driver “"+libc+"” cannot be loaded: not a PKCS#11 library (no C_GetFunctionList)." {
			t.Errorf("en: %q", te.Message("en"))
		}
	}
	// Another architecture: an ELF header for a different machine.
	other := filepath.Join(dir, "arm.so")
	writeELF(t, other)
	if _, err := Open(other); !errors.As(err, &te) || te.Reason != archWord(runtime.GOARCH, runtime.GOARCH == "arm64") {
		t.Fatalf("other architecture: %v", err)
	}
}

func TestDiscoverExplicitAndCandidates(t *testing.T) {
	_, cands, err := Discover(DiscoverOptions{Path: "/no/such/module.so", NoDemo: true})
	if !IsKind(err, KindModuleNotFound) || len(cands) != 1 || cands[0].Status != CandidateNotFound || cands[0].Source != "flag" {
		t.Fatalf("%v %+v", err, cands)
	}
	t.Setenv(EnvModule, "/no/such/env.so")
	_, cands, err = Discover(DiscoverOptions{NoDemo: true})
	if err == nil || cands[0].Source != "env" {
		t.Fatalf("env: %v %+v", err, cands)
	}
	t.Setenv(EnvModule, "")
	// Automatic discovery on this machine: the known paths are reported.
	m, cands, err := Discover(DiscoverOptions{NoDemo: true})
	if len(cands) == 0 {
		t.Fatal("no candidates reported")
	}
	for _, c := range cands {
		if c.Status == "" || (c.Status != CandidateFound && c.Reason == nil) {
			t.Errorf("candidate without status or reason: %+v", c)
		}
	}
	if err == nil {
		m.Close()
	}
}

func TestP11KitModuleFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "x.module")
	os.WriteFile(f, []byte("# comment\nmodule: opensc-pkcs11.so\ncritical: no\n"), 0o644)
	if got := p11kitModulePath(f); got != "opensc-pkcs11.so" {
		t.Fatalf("%q", got)
	}
}

func TestDemoToken(t *testing.T) {
	if testtoken.SoftHSMModule() == "" {
		testtoken.Missing(t, "SoftHSM2 is not installed")
	}
	t.Setenv("SOFTHSM2_CONF", "")
	cache := t.TempDir()
	m, cands, err := Discover(DiscoverOptions{Demo: true, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if len(cands) != 1 || cands[0].Source != "demo" || !cands[0].Chosen || !m.Info().Demo {
		t.Fatalf("%+v", cands)
	}
	if os.Getenv("SOFTHSM2_CONF") != filepath.Join(cache, "demo", "softhsm2.conf") {
		t.Errorf("SOFTHSM2_CONF = %q", os.Getenv("SOFTHSM2_CONF"))
	}
	ts, err := m.Tokens()
	if err != nil || len(ts) != 1 || ts[0].Label != DemoLabel || !ts[0].Demo || ts[0].PIN != PINOK {
		t.Fatalf("%v %+v", err, ts)
	}
	certs, err := m.Certificates(ts[0].Slot)
	if err != nil || len(certs) != 2 {
		t.Fatalf("%v %d", err, len(certs))
	}
	var leaf Certificate
	for _, c := range certs {
		if c.HasPrivateKey {
			leaf = c
		}
	}
	if leaf.SubjectCN != DemoHolder {
		t.Fatalf("demo holder %q", leaf.SubjectCN)
	}
	s, err := m.Signer(ts[0].Slot, leaf.ID, DemoPIN, false)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("démo"))
	sig, err := s.Sign(nil, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	verify(t, s.Public(), d[:], sig, crypto.SHA256)
	if len(s.Chain()) != 1 || leaf.Cert.CheckSignatureFrom(s.Chain()[0]) != nil {
		t.Error("demo chain")
	}
	s.Close()
	// Made once: a second call keeps the same token.
	serial := ts[0].Serial
	if _, err := EnsureDemo(cache); err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	m.reinitLocked()
	m.mu.Unlock()
	ts2, _ := m.Tokens()
	if len(ts2) != 1 || ts2[0].Serial != serial {
		t.Fatalf("demo token remade: %+v", ts2)
	}
	_ = bytes.Equal
}

// With no token anywhere, automatic discovery ends on the demo token; every
// known path is reported with a status.
func TestDiscoverFallsBackToDemo(t *testing.T) {
	if testtoken.SoftHSMModule() == "" {
		testtoken.Missing(t, "SoftHSM2 is not installed")
	}
	t.Setenv(EnvModule, "")
	t.Setenv("SOFTHSM2_CONF", "")
	m, cands, err := Discover(DiscoverOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var chosen *Candidate
	for i, c := range cands {
		if c.Chosen {
			if chosen != nil {
				t.Fatal("two candidates chosen")
			}
			chosen = &cands[i]
		}
	}
	if chosen == nil {
		t.Fatalf("nothing chosen: %+v", cands)
	}
	if chosen.Source == "demo" {
		if !m.Info().Demo || chosen.Tokens != 1 {
			t.Errorf("demo chosen but %+v / %+v", m.Info(), chosen)
		}
	} else if chosen.Tokens == 0 {
		t.Errorf("a module without a token was chosen over the demo: %+v", chosen)
	}
	// every known path is a candidate, once per file (two names of one file are one library)
	files := map[string]bool{}
	for _, k := range KnownModules() {
		p := k.Path
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		files[p] = true
	}
	if len(cands) < len(files) {
		t.Errorf("%d candidates for %d known files", len(cands), len(files))
	}

	// The environment variable names a module: that one, alone.
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	m.Close()
	tok.Setenv(t)
	t.Setenv(EnvModule, tok.ModulePath)
	m2, cands, err := Discover(DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	m2.mu.Lock()
	m2.reinitLocked()
	m2.mu.Unlock()
	if len(cands) != 1 || cands[0].Source != "env" || cands[0].Status != CandidateFound {
		t.Fatalf("%+v", cands)
	}
	if ts, _ := m2.Tokens(); len(ts) != 1 || ts[0].Label != tok.Label {
		t.Fatalf("%+v", ts)
	}
}
