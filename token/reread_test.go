package token

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/miekg/pkcs11"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// TestSoftHSMTokenFileRewrittenAtInitialize: issue 21's "no token" while
// the token is there, made deterministic. Another process's login rewrites
// SoftHSM2's token.object: it truncates the file and the new content
// reaches it only after its lock is released (reread.go). Here the file is
// truncated by hand, exactly that state, while the real SoftHSM2 (behind
// pkcs11-spy) initialises; then it is put back, as the writer does. The
// token must be found — after one more C_Initialize, with no C_Login — by
// Tokens (no slot given) and by Token (a slot given).
func TestSoftHSMTokenFileRewrittenAtInitialize(t *testing.T) {
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	files, _ := filepath.Glob(filepath.Join(tok.TokenDir, "*", "token.object"))
	if len(files) != 1 {
		t.Fatalf("token.object files: %v", files)
	}
	whole, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	rewriting := func() { must(t, os.Truncate(files[0], 0)) }
	rewritten := func() { must(t, os.WriteFile(files[0], whole, 0o600)) }

	rewriting()
	spy, m := openSpied(t, tok.ModulePath)
	rewritten()
	mark := spy.Mark()
	ts, err := m.Tokens()
	if err != nil || len(ts) != 1 || ts[0].Label != tok.Label {
		t.Fatalf("Tokens = %+v, %v; want the token %q", ts, err, tok.Label)
	}
	if n := spy.CountSince(mark, "C_Initialize"); n != 1 {
		t.Errorf("%d C_Initialize after the first: the token file was not empty at initialisation, or it was not initialised again", n)
	}

	// A slot given (status --slot, sign --slot): the same second look.
	rewriting()
	if err := m.Rescan(); err != nil {
		t.Fatal(err)
	}
	rewritten()
	mark = spy.Mark()
	ti, err := m.Token(ts[0].Slot)
	if err != nil || ti.Label != tok.Label {
		t.Fatalf("Token(%d) = %+v, %v", ts[0].Slot, ti, err)
	}
	if n := spy.CountSince(mark, "C_Initialize"); n != 1 {
		t.Errorf("%d C_Initialize for Token(slot), want 1", n)
	}
	if n := spy.Count("C_Login"); n != 0 {
		t.Errorf("%d C_Login: finding a token never sends a code", n)
	}
}

// TestSoftHSMNoTokenStillSaysSo: the second look does not hide a token that
// is truly absent (a SoftHSM2 store with no token): no_token, after three
// more initialisations, and nothing else asked.
func TestSoftHSMNoTokenStillSaysSo(t *testing.T) {
	mod := testtoken.SoftHSMModule()
	if mod == "" {
		testtoken.Missing(t, "SoftHSM2 is not installed")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "softhsm2.conf")
	must(t, os.WriteFile(conf, []byte("directories.tokendir = "+dir+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600))
	t.Setenv("SOFTHSM2_CONF", conf)
	spy, m := openSpied(t, mod)
	ts, err := m.Tokens()
	if err != nil || len(ts) != 0 {
		t.Fatalf("Tokens = %+v, %v; want none", ts, err)
	}
	if n := spy.Count("C_Initialize"); n != 1+rereads {
		t.Errorf("%d C_Initialize, want %d", n, 1+rereads)
	}
	if n := spy.Count("C_Login") + spy.Count("C_OpenSession"); n != 0 {
		t.Errorf("%d C_Login/C_OpenSession for a token list", n)
	}
}

// openSpied opens module behind a private pkcs11-spy, closed with the test.
func openSpied(t *testing.T, module string) (*testtoken.Spy, *Module) {
	t.Helper()
	spy := testtoken.NewSpy(t, module)
	spy.Setenv(t)
	m, err := Open(spy.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return spy, m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestLoginSaysPINNeverSetOfATokenWithItsPIN: SoftHSM2 whose token file was
// unreadable at C_Initialize keeps no user PIN, and its C_Login answers
// CKR_USER_PIN_NOT_INITIALIZED, checking nothing, while the token's flags
// say the PIN is set. That race has no deterministic trigger, so a wrap
// shim (a double) gives that one answer in front of a real SoftHSM2 token.
// The message must not be "PIN never set": the token erred. One C_Login,
// not asked again (pkcs11-spy).
func TestLoginSaysPINNeverSetOfATokenWithItsPIN(t *testing.T) {
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	shim := testtoken.BuildWrapShim(t, testtoken.ShimLoginPINNotInit, tok.ModulePath)
	spy, m := openSpied(t, shim.Path)
	ti := findToken(t, m, tok.Label)
	if ti.PIN == PINNotInitialized {
		t.Fatalf("the token's flags say its PIN is not set: %+v", ti)
	}
	_, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	var te *Error
	if !asError(err, &te) || te.Kind != KindToken || te.Code != pkcs11.CKR_USER_PIN_NOT_INITIALIZED {
		t.Fatalf("Signer: %v, want token_error with CKR_USER_PIN_NOT_INITIALIZED for support", err)
	}
	if n := spy.Count("C_Login"); n != 1 {
		t.Errorf("%d C_Login, want 1", n)
	}
}
