package token

import (
	"context"
	"crypto"
	"crypto/sha256"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/testtoken"
)

// TestMain lets this test binary be a probe child (`probe-module PATH`),
// as the app binary is for discovery.
func TestMain(m *testing.M) {
	if len(os.Args) == 3 && os.Args[1] == "probe-module" {
		os.Exit(ProbeMain(os.Args[2], os.Stdout))
	}
	if len(os.Args) == 3 && os.Args[1] == "pkcs11-worker" {
		os.Exit(WorkerServe(os.Args[2]))
	}
	if len(os.Args) == 3 && os.Args[1] == "turn-holder" { // turns_test.go
		os.Exit(turnHolderMain(os.Args[2]))
	}
	os.Exit(testtoken.RunInPrivateCache(m)) // the lock files and the demo token
}

// probeHere makes discovery probe in child processes of this test binary,
// with a short deadline.
func probeHere(t *testing.T, deadline time.Duration) {
	t.Helper()
	SetProbeCommand(os.Args[0], "probe-module")
	old := ProbeDeadline
	ProbeDeadline = deadline
	t.Cleanup(func() { SetProbeCommand(); ProbeDeadline = old })
}

func TestProbeMisbehavingModules(t *testing.T) {
	probeHere(t, 2*time.Second)
	for _, tc := range []struct {
		kind, status, reason string
		tokens               int
	}{
		{testtoken.ShimOK, "found", "", 1},
		{testtoken.ShimChatty, "found", "", 1}, // its banner on stdout is not the result
		{testtoken.ShimCrashInitialize, "failed", "crashed", 0},
		{testtoken.ShimNullList, "failed", "crashed", 0},
		{testtoken.ShimHangInitialize, "failed", "did not answer", 0},
		{testtoken.ShimHangSlotList, "failed", "did not answer", 0},
	} {
		shim := testtoken.BuildShim(t, tc.kind)
		start := time.Now()
		r := Probe(context.Background(), shim.Path)
		took := time.Since(start)
		if r.Status != tc.status || r.Reason != tc.reason || r.Tokens != tc.tokens {
			t.Errorf("%s: %+v", tc.kind, r)
		}
		if took > ProbeDeadline+2*time.Second {
			t.Errorf("%s: the probe took %v (deadline %v)", tc.kind, took, ProbeDeadline)
		}
		if tc.kind == testtoken.ShimOK && (r.Manufacturer != "Certigna Test Shim" || r.LibraryVersion != "1.2") {
			t.Errorf("probe info %+v", r)
		}
	}
}

// Discovery over a list holding every kind of broken library and one real
// token: each broken one is reported with its reason, the real one is
// chosen, and the whole search stays within the probes' deadlines.
func TestDiscoverGoesOnPastBrokenModules(t *testing.T) {
	probeHere(t, 2*time.Second)
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	dir := t.TempDir()
	fakes := testtoken.WrongArch(t, dir)
	crash := testtoken.BuildShim(t, testtoken.ShimCrashInitialize)
	hang := testtoken.BuildShim(t, testtoken.ShimHangInitialize)
	null := testtoken.BuildShim(t, testtoken.ShimNullList)
	list := []KnownModule{
		{Path: crash.Path, Source: "known", Vendor: true},
		{Path: hang.Path, Source: "known", Vendor: true},
		{Path: null.Path, Source: "known", Vendor: true},
		{Path: fakes["elf32"], Source: "known", Vendor: true},
		{Path: fakes["pe32"], Source: "known", Vendor: true},
		{Path: fakes["macho-x86_64"], Source: "known", Vendor: true},
		{Path: dir + "/absent.so", Source: "known", Vendor: true},
		{Path: tok.ModulePath, Source: "known"},
	}
	start := time.Now()
	m, cands, err := Discover(DiscoverOptions{Candidates: list, NoDemo: true})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Path() != tok.ModulePath {
		t.Fatalf("chose %s", m.Path())
	}
	// one hanging library costs one deadline; the rest are quick (a few
	// child processes, slower under -race)
	if took > 2*ProbeDeadline+5*time.Second {
		t.Errorf("discovery took %v", took)
	}
	want := []struct {
		status CandidateStatus
		reason string
	}{
		{CandidateFailed, "crashed"}, {CandidateFailed, "did not answer"}, {CandidateFailed, "crashed"},
		{CandidateFailed, "32-bit library"}, {CandidateFailed, "library for another system"},
		{CandidateFailed, "library for another system"}, {CandidateNotFound, "missing file"}, {CandidateFound, ""},
	}
	for i, w := range want {
		c := cands[i]
		var te *Error
		reason := ""
		if errors.As(c.Reason, &te) {
			reason = te.Reason
		}
		if c.Status != w.status || reason != w.reason {
			t.Errorf("%s: %s %q, want %s %q", c.Path, c.Status, reason, w.status, w.reason)
		}
		if c.Reason != nil {
			for _, lang := range []string{"fr", "en"} {
				if msg := assets.Message(c.Reason, lang); strings.Contains(msg, "token.reason") {
					t.Errorf("untranslated: %s", msg)
				}
			}
		}
	}
	if !cands[7].Chosen || cands[7].Tokens != 1 {
		t.Errorf("real token candidate %+v", cands[7])
	}
	if msg := assets.Message(cands[1].Reason, "fr"); !strings.Contains(msg, "n’a pas répondu") {
		t.Errorf("hang message %q", msg)
	}
}

// Asked for by name (--module), a crashing library is still tried on the
// side: the error comes back, the process lives.
func TestExplicitCrashingModuleIsProbed(t *testing.T) {
	probeHere(t, 2*time.Second)
	crash := testtoken.BuildShim(t, testtoken.ShimCrashInitialize)
	_, cands, err := Discover(DiscoverOptions{Path: crash.Path, NoDemo: true})
	if !IsKind(err, KindModuleLoad) || len(cands) != 1 || cands[0].Status != CandidateFailed {
		t.Fatalf("%v %+v", err, cands)
	}
	if msg := assets.Message(err, "en"); !strings.Contains(msg, "crashed") {
		t.Errorf("%q", msg)
	}
}

func TestWrongArchitectureNamed(t *testing.T) {
	fakes := testtoken.WrongArch(t, t.TempDir())
	for _, tc := range []struct{ file, goos, goarch, reason, fr string }{
		{"elf32", "linux", "amd64", "32-bit library", "version 64 bits"},
		{"pe32", "windows", "amd64", "32-bit library", "version 64 bits"},
		{"macho-x86_64", "darwin", "arm64", "Intel-only library", "Rosetta"},
		{"pe32", "linux", "amd64", "library for another system", "autre système"},
	} {
		got := diagnoseFor(fakes[tc.file], tc.goos, tc.goarch)
		if got != tc.reason {
			t.Errorf("%s on %s/%s: %q", tc.file, tc.goos, tc.goarch, got)
		}
		e := &Error{Kind: KindModuleLoad, Path: fakes[tc.file], Reason: got}
		if !strings.Contains(e.Message("fr"), tc.fr) {
			t.Errorf("%s: %q", tc.file, e.Message("fr"))
		}
	}
	// Loaded for real on this machine, the 32-bit ELF is refused and named.
	_, err := Open(fakes["elf32"])
	var te *Error
	if !errors.As(err, &te) || te.Reason != "32-bit library" {
		t.Errorf("open ELF32: %v", err)
	}
}

// waitUnstuck waits until the library's hung call has returned.
func waitUnstuck(t *testing.T, m *Module) {
	t.Helper()
	for i := 0; i < 300 && m.ctx.stuckCall() != ""; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if s := m.ctx.stuckCall(); s != "" {
		t.Fatalf("still stuck in %s", s)
	}
}

// A C_Login that never returns (in-process, as for the window's module):
// the caller gets an answer at the deadline, nothing else is started on
// the library until the call returns, and then the module works again.
func TestDeadlineHungLogin(t *testing.T) {
	defer SetDeadlines(Deadlines{Quick: time.Second, PIN: time.Second, Pad: time.Second, Slow: 2 * time.Second})()
	shim := testtoken.BuildShim(t, testtoken.ShimHangLogin)
	m, err := Open(shim.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ts, err := m.Tokens()
	if err != nil || len(ts) != 1 {
		t.Fatalf("%v %v", ts, err)
	}
	ti := ts[0]
	if ti.Reader != "Shim Reader 00" || ti.Manufacturer != "Shim Cards" || ti.Model != "Shim 1" || ti.FirmwareVersion != "4.5" || ti.HardwareVersion != "3.0" {
		t.Errorf("token info %+v", ti)
	}
	start := time.Now()
	err = m.Unblock(ti.Slot, "12345678", "5678", "5678", false) // C_Login(SO) hangs
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("unblock returned after %v", took)
	}
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTimeout || !te.PINSent || te.Reason != "C_Login" {
		t.Fatalf("hung login: %v", err)
	}
	if msg := te.Message("fr"); !strings.Contains(msg, "n’a pas répondu") || !strings.Contains(msg, "peut-être compté un essai") {
		t.Errorf("%q", msg)
	}
	// Nothing else starts while C_Login has not returned, and it says so at once.
	if _, err := m.Tokens(); !IsKind(err, KindHung) {
		t.Fatalf("second operation: %v", err)
	}
	if msg := assets.Message(mustErr(m.Tokens()), "en"); !strings.Contains(msg, "C_Login") {
		t.Errorf("%q", msg)
	}
	shim.Release(t)
	waitUnstuck(t, m)
	if ts, err := m.Tokens(); err != nil || len(ts) != 1 {
		t.Fatalf("after release: %v %v", ts, err)
	}
}

func mustErr(_ any, err error) error { return err }

// C_GetSlotList never returning: Tokens answers at the deadline, Watch
// keeps what it knew, Close does not hang.
func TestDeadlineHungSlotList(t *testing.T) {
	defer SetDeadlines(Deadlines{Quick: 500 * time.Millisecond, PIN: time.Second, Pad: time.Second, Slow: 2 * time.Second})()
	shim := testtoken.BuildShim(t, testtoken.ShimHangSlotList)
	m, err := Open(shim.Path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = m.Tokens()
	if !IsKind(err, KindTimeout) || time.Since(start) > 10*time.Second {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	for ev := range m.Watch(ctx, 100*time.Millisecond) {
		t.Errorf("event from a hung library: %+v", ev)
	}
	done := make(chan struct{})
	go func() { m.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Close hangs")
	}
	shim.Release(t)
}

// In-process, a C_Initialize that hangs is reported at the deadline.
func TestDeadlineHungInitialize(t *testing.T) {
	defer SetDeadlines(Deadlines{Quick: 500 * time.Millisecond, PIN: time.Second, Pad: time.Second, Slow: time.Second})()
	shim := testtoken.BuildShim(t, testtoken.ShimHangInitialize)
	start := time.Now()
	_, err := Open(shim.Path)
	if !IsKind(err, KindTimeout) || time.Since(start) > 10*time.Second {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
	if _, err := Open(shim.Path); !IsKind(err, KindHung) {
		t.Fatalf("second open: %v", err)
	}
	shim.Release(t)
}

// TEST DOUBLE. What vendor middleware answers and no soft token here does:
// CKR_USER_NOT_LOGGED_IN from C_SetPIN without a user login, CKR_PIN_INVALID
// from its own PIN policy, CKR_DEVICE_ERROR / CKR_SESSION_HANDLE_INVALID
// mid-operation. scripted wraps the real SoftHSM2 context, counts calls, and
// replaces only the answers a test scripts.
type scripted struct {
	backend
	mu       sync.Mutex
	calls    map[string]int
	setPIN   []error // answers of successive C_SetPIN calls (nil: the real one)
	initPIN  error
	sign     error
	signWait chan struct{} // when set, C_Sign waits for it (a token that stops answering mid-signature)
	loggedIn bool
}

func (s *scripted) count(n string) {
	s.mu.Lock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[n]++
	s.mu.Unlock()
}

func (s *scripted) n(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[name]
}

func (s *scripted) Login(sh pkcs11.SessionHandle, u uint, pin string) error {
	s.count("C_Login")
	err := s.backend.Login(sh, u, pin)
	if err == nil {
		s.loggedIn = true
	}
	return err
}

func (s *scripted) SetPIN(sh pkcs11.SessionHandle, old, new string) error {
	s.count("C_SetPIN")
	s.mu.Lock()
	var next error
	if len(s.setPIN) > 0 {
		next, s.setPIN = s.setPIN[0], s.setPIN[1:]
	}
	s.mu.Unlock()
	if next != nil {
		return next
	}
	return s.backend.SetPIN(sh, old, new)
}

func (s *scripted) InitPIN(sh pkcs11.SessionHandle, pin string) error {
	s.count("C_InitPIN")
	if s.initPIN != nil {
		return s.initPIN
	}
	return s.backend.InitPIN(sh, pin)
}

func (s *scripted) Sign(sh pkcs11.SessionHandle, msg []byte) ([]byte, error) {
	s.count("C_Sign")
	s.mu.Lock()
	wait := s.signWait
	s.mu.Unlock()
	if wait != nil {
		<-wait
	}
	if s.sign != nil {
		return nil, s.sign
	}
	return s.backend.Sign(sh, msg)
}

func openScripted(t *testing.T) (*testtoken.Token, *Module, *scripted, TokenInfo) {
	t.Helper()
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	ctx := pkcs11.New(tok.ModulePath)
	if ctx == nil {
		t.Fatal("cannot load SoftHSM2")
	}
	s := &scripted{backend: ctx}
	m, err := newModule(tok.ModulePath, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctx.Finalize(); ctx.Destroy() })
	return tok, m, s, findToken(t, m, tok.Label)
}

func TestMiddlewareWantsLoginBeforeSetPIN(t *testing.T) {
	tok, m, s, ti := openScripted(t)
	s.setPIN = []error{pkcs11.Error(pkcs11.CKR_USER_NOT_LOGGED_IN)}
	if err := m.ChangePIN(ti.Slot, tok.PIN, "24682468", "24682468", false); err != nil {
		t.Fatal(err)
	}
	if s.n("C_Login") != 1 || s.n("C_SetPIN") != 2 {
		t.Errorf("calls %v: want one C_Login and one C_SetPIN after it", s.calls)
	}
	// The change is real: pkcs11-tool logs in with the new PIN.
	tok.Tool(t, "--login", "--pin", "24682468", "--list-objects")
	// A wrong current PIN: the one C_Login fails, and no second C_SetPIN.
	s.calls = nil
	s.setPIN = []error{pkcs11.Error(pkcs11.CKR_USER_NOT_LOGGED_IN)}
	err := m.ChangePIN(ti.Slot, "99999999", "13571357", "13571357", false)
	if !IsKind(err, KindPINIncorrect) || s.n("C_Login") != 1 || s.n("C_SetPIN") != 1 {
		t.Errorf("%v, calls %v", err, s.calls)
	}
}

func TestMiddlewarePINPolicy(t *testing.T) {
	tok, m, s, ti := openScripted(t)
	for _, code := range []uint{pkcs11.CKR_PIN_INVALID, pkcs11.CKR_PIN_LEN_RANGE} {
		s.setPIN = []error{pkcs11.Error(code)}
		err := m.ChangePIN(ti.Slot, tok.PIN, "11111111", "11111111", false)
		var te *Error
		if !errors.As(err, &te) || te.Kind != KindPINPolicy || !te.NoTryUsed {
			t.Fatalf("%s: %v", ckrName(code), err)
		}
		fr, en := te.Message("fr"), te.Message("en")
		if !strings.Contains(fr, "ses propres règles") || !strings.Contains(fr, "aucun essai n’a été utilisé") ||
			!strings.Contains(en, "no try was used") || strings.Contains(en, "CKR_") {
			t.Errorf("%q / %q", fr, en)
		}
	}
	if s.n("C_SetPIN") != 2 || s.n("C_Login") != 0 {
		t.Errorf("calls %v", s.calls)
	}
	// Unblock: the admin code was right, the middleware refused the new PIN.
	s.initPIN = pkcs11.Error(pkcs11.CKR_PIN_INVALID)
	if err := m.Unblock(ti.Slot, tok.SOPIN, "11111111", "11111111", false); !IsKind(err, KindPINPolicy) {
		t.Errorf("unblock: %v", err)
	}
}

func TestMiddlewareDeviceGoneMidOperation(t *testing.T) {
	tok, m, s, ti := openScripted(t)
	for _, tc := range []struct {
		code uint
		kind Kind
	}{
		{pkcs11.CKR_DEVICE_REMOVED, KindTokenRemoved},
		{pkcs11.CKR_TOKEN_NOT_PRESENT, KindTokenRemoved},
		{pkcs11.CKR_SESSION_HANDLE_INVALID, KindTokenRemoved},
		{pkcs11.CKR_DEVICE_ERROR, KindDeviceError},
	} {
		s.setPIN = []error{pkcs11.Error(tc.code)}
		err := m.ChangePIN(ti.Slot, tok.PIN, "11112222", "11112222", false)
		if !IsKind(err, tc.kind) {
			t.Errorf("C_SetPIN %s: %v", ckrName(tc.code), err)
		}
		if msg := assets.Message(err, "fr"); strings.Contains(msg, "CKR_") || strings.HasPrefix(msg, "token.") {
			t.Errorf("%q", msg)
		}
		s.sign = pkcs11.Error(tc.code)
		sg, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
		if err != nil {
			t.Fatal(err)
		}
		d := sha256.Sum256([]byte("x"))
		if sig, err := sg.Sign(nil, d[:], crypto.SHA256); !IsKind(err, tc.kind) || sig != nil {
			t.Errorf("C_Sign %s: %v", ckrName(tc.code), err)
		}
		sg.Close()
		s.sign = nil
	}
	// The PIN is unchanged: nothing was written.
	tok.Tool(t, "--login", "--pin", tok.PIN, "--list-objects")
}

// Issue #11 item 4: a code outside the token's range or with control
// characters never reaches the token — counted by pkcs11-spy.
func TestCodesCheckedBeforeTheToken(t *testing.T) {
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	m, err := Open(spy.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ti := findToken(t, m, tok.Label) // 4..255 on SoftHSM2
	// the right PIN with what a copy or a keystroke adds around it: refused,
	// never sent (sent, it is a wrong PIN and costs a try)
	p := tok.PIN
	for _, tc := range []struct {
		code string
		kind Kind
	}{{"12", KindCodeLength}, {"1", KindCodeLength}, {"12\t34", KindCodeInvalid}, {"%PDF-1.7\n", KindCodeInvalid},
		{"12\x0034", KindCodeInvalid}, {"\xff\xfe1234", KindCodeInvalid}, {strings.Repeat("9", 256), KindCodeLength},
		{" " + p, KindCodeSpace}, {p + " ", KindCodeSpace}, {"\ufeff" + p, KindCodeSpace}, {p + "\u00a0", KindCodeSpace},
		{p[:2] + "\u200b" + p[2:], KindCodeSpace}, {p[:2] + "\u00a0" + p[2:], KindCodeSpace}, {p + "\u2060", KindCodeSpace}} {
		if _, err := m.Signer(ti.Slot, tok.RSAID, tc.code, false); !IsKind(err, tc.kind) {
			t.Errorf("sign with %q: %v", tc.code, err)
		}
		if err := m.ChangePIN(ti.Slot, tc.code, "24682468", "24682468", false); !IsKind(err, tc.kind) {
			t.Errorf("change with %q: %v", tc.code, err)
		}
		if err := m.Unblock(ti.Slot, tc.code, "24682468", "24682468", false); !IsKind(err, tc.kind) {
			t.Errorf("unblock with %q: %v", tc.code, err)
		}
	}
	if err := m.ChangePIN(ti.Slot, tok.PIN, "2468\t2468", "2468\t2468", false); !IsKind(err, KindCodeInvalid) {
		t.Errorf("new PIN with a tab: %v", err)
	}
	if err := m.ChangePIN(ti.Slot, tok.PIN, "24682468 ", "24682468 ", false); !IsKind(err, KindCodeSpace) {
		t.Errorf("new PIN with a trailing space: %v", err)
	}
	for _, lang := range []string{"fr", "en"} {
		msg := (&Error{Kind: KindCodeSpace}).Message(lang)
		if !strings.Contains(msg, map[string]string{"fr": "aucun essai n’a été utilisé", "en": "no try was used"}[lang]) {
			t.Errorf("%s: %q", lang, msg)
		}
	}
	for _, c := range []string{"C_Login", "C_SetPIN", "C_InitPIN"} {
		if n := spy.Count(c); n != 0 {
			t.Errorf("%s reached the token %d times", c, n)
		}
	}
	if spy.Count("C_GetTokenInfo") == 0 {
		t.Fatal("the spy saw nothing: is it in front of the module?")
	}
	msg := (&Error{Kind: KindCodeLength, Min: 4, Max: 8}).Message("fr")
	if !strings.Contains(msg, "4 à 8") || !strings.Contains(msg, "aucun essai") {
		t.Errorf("%q", msg)
	}
	// One action, one verification: a right PIN logs in exactly once.
	mark := spy.Mark()
	sg, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("one login"))
	for i := 0; i < 3; i++ {
		if _, err := sg.Sign(nil, d[:], crypto.SHA256); err != nil {
			t.Fatal(err)
		}
	}
	sg.Close()
	if n := spy.CountSince(mark, "C_Login"); n != 1 {
		t.Errorf("C_Login %d times for one signing action", n)
	}
	if n := spy.CountSince(mark, "C_SignInit"); n != 3 {
		t.Errorf("C_SignInit %d", n)
	}
	mark = spy.Mark()
	if err := m.ChangePIN(ti.Slot, tok.PIN, "24682468", "24682468", false); err != nil {
		t.Fatal(err)
	}
	if spy.CountSince(mark, "C_SetPIN") != 1 || spy.CountSince(mark, "C_Login") != 0 {
		t.Errorf("change PIN calls: %v", spy.Calls()[mark:])
	}
}

// Windows paths come from the system's folders, never a hard-coded C:\,
// and include the 32-bit copies so that a 32-bit-only driver is named.
func TestKnownModulesWindowsFromEnvironment(t *testing.T) {
	env := map[string]string{`SystemRoot`: `D:\WINNT`, `ProgramFiles`: `E:\Progs`, `ProgramFiles(x86)`: `E:\Progs (x86)`}
	list := knownFor("windows", "amd64", func(k string) string { return env[k] })
	var paths []string
	for _, k := range list {
		if strings.HasPrefix(strings.ToUpper(k.Path), `C:\`) {
			t.Errorf("hard-coded C: %s", k.Path)
		}
		paths = append(paths, k.Path)
	}
	all := strings.Join(paths, "\n")
	for _, w := range []string{`D:\WINNT\System32\eTPKCS11.dll`, `D:\WINNT\SysWOW64\eTPKCS11.dll`, `D:\WINNT\System32\OcsCryptoki.dll`,
		`D:\WINNT\System32\asepkcs.dll`, `D:\WINNT\System32\aetpkss1.dll`, `D:\WINNT\System32\bit4ipki.dll`, `D:\WINNT\System32\eps2003csp11.dll`,
		`E:\Progs\SafeNet\Authentication\SAC\x64\IDPrimePKCS1164.dll`, `E:\Progs\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`,
		`E:\Progs (x86)\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`, `E:\Progs\Yubico\Yubico PIV Tool\bin\libykcs11.dll`} {
		if !strings.Contains(all, w+"\n") && !strings.HasSuffix(all, w) {
			t.Errorf("missing %s", w)
		}
	}
	// No variable, no guess.
	if got := knownFor("windows", "amd64", func(string) string { return "" }); len(got) != 0 {
		t.Errorf("paths without the environment: %v", got)
	}
	mac := knownFor("darwin", "arm64", os.Getenv)
	if mac[0].Path != "/Library/Frameworks/eToken.framework/Versions/A/libeToken.dylib" || !mac[0].Vendor {
		t.Errorf("macOS first %+v", mac[0])
	}
	for _, k := range knownFor("linux", "arm64", os.Getenv) {
		if strings.Contains(k.Path, "{") || strings.Contains(k.Path, "x86_64") {
			t.Errorf("linux/arm64 path %s", k.Path)
		}
	}
}

// A token that stops answering mid-signature: Sign returns at the deadline
// with no signature, nothing else starts on the module meanwhile, and once
// the call returns the module signs again.
func TestDeadlineHungSignature(t *testing.T) {
	tok, m, s, ti := openScripted(t)
	defer SetDeadlines(Deadlines{Quick: 2 * time.Second, PIN: 500 * time.Millisecond, Pad: time.Second, Slow: 5 * time.Second})()
	sg, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	defer sg.Close()
	wait := make(chan struct{})
	s.mu.Lock()
	s.signWait = wait
	s.mu.Unlock()
	d := sha256.Sum256([]byte("x"))
	start := time.Now()
	sig, err := sg.Sign(nil, d[:], crypto.SHA256)
	var te *Error
	if !errors.As(err, &te) || te.Kind != KindTimeout || te.PINSent || sig != nil || time.Since(start) > 10*time.Second {
		t.Fatalf("hung C_Sign: %v %v after %v", sig, err, time.Since(start))
	}
	if _, err := m.Tokens(); !IsKind(err, KindHung) {
		t.Fatalf("while C_Sign hangs: %v", err)
	}
	s.mu.Lock()
	s.signWait = nil
	s.mu.Unlock()
	close(wait)
	waitUnstuck(t, m)
	if _, err := sg.Sign(nil, d[:], crypto.SHA256); err != nil {
		t.Fatalf("after the token answered: %v", err)
	}
}
