package token

import (
	"crypto"
	"crypto/sha256"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/pkcs11"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/testtoken"
)

// TEST DOUBLE. No software token can show a usable PIN flagged "to be
// changed", a PIN expired at login, or CKR_DEVICE_REMOVED (SoftHSM2 reports a
// deleted token as CKR_GENERAL_ERROR). flaky wraps the real SoftHSM2 context
// and alters only those answers; everything else is the real token.
type flaky struct {
	backend
	extraFlags uint        // OR-ed into C_GetTokenInfo's flags
	expired    bool        // C_Login(USER) → CKR_PIN_EXPIRED
	removed    atomic.Bool // the token is gone: C_Sign → CKR_DEVICE_REMOVED, empty slot list
}

func (f *flaky) GetTokenInfo(slot uint) (pkcs11.TokenInfo, error) {
	if f.removed.Load() {
		return pkcs11.TokenInfo{}, pkcs11.Error(pkcs11.CKR_TOKEN_NOT_PRESENT)
	}
	ti, err := f.backend.GetTokenInfo(slot)
	ti.Flags |= f.extraFlags
	return ti, err
}

func (f *flaky) GetSlotList(present bool) ([]uint, error) {
	if f.removed.Load() {
		return nil, nil
	}
	return f.backend.GetSlotList(present)
}

func (f *flaky) Login(sh pkcs11.SessionHandle, userType uint, pin string) error {
	if f.expired && userType == pkcs11.CKU_USER {
		return pkcs11.Error(pkcs11.CKR_PIN_EXPIRED)
	}
	return f.backend.Login(sh, userType, pin)
}

func (f *flaky) Sign(sh pkcs11.SessionHandle, msg []byte) ([]byte, error) {
	if f.removed.Load() {
		return nil, pkcs11.Error(pkcs11.CKR_DEVICE_REMOVED)
	}
	return f.backend.Sign(sh, msg)
}

func openFlaky(t *testing.T) (*testtoken.Token, *Module, *flaky, TokenInfo) {
	t.Helper()
	tok := testtoken.NewSoftHSM(t, testtoken.WithoutEC())
	tok.Setenv(t)
	ctx := pkcs11.New(tok.ModulePath)
	if ctx == nil {
		t.Fatal("cannot load SoftHSM2")
	}
	f := &flaky{backend: ctx}
	m, err := newModule(tok.ModulePath, f)
	if err != nil {
		ctx.Destroy()
		t.Fatal(err)
	}
	t.Cleanup(func() { ctx.Finalize(); ctx.Destroy() })
	return tok, m, f, findToken(t, m, tok.Label)
}

func TestDoubleToBeChanged(t *testing.T) {
	tok, m, f, ti := openFlaky(t)
	f.extraFlags = pkcs11.CKF_USER_PIN_TO_BE_CHANGED
	f.expired = true
	ti, _ = m.Token(ti.Slot)
	if ti.PIN != PINToBeChanged {
		t.Fatalf("state %s", ti.PIN)
	}
	_, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if !IsKind(err, KindPINExpired) || !strings.Contains(err.(*Error).Message("fr"), "doit être changé") {
		t.Fatalf("signing with a PIN to be changed: %v", err)
	}
	// Changing it is the way out (the real token does the change).
	if err := m.ChangePIN(ti.Slot, tok.PIN, "86420864", "86420864", false); err != nil {
		t.Fatal(err)
	}
}

func TestDoubleDeviceRemovedMidSignature(t *testing.T) {
	tok, m, f, ti := openFlaky(t)
	s, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.removed.Store(true)
	d := sha256.Sum256([]byte("x"))
	_, err = s.Sign(nil, d[:], crypto.SHA256)
	if !IsKind(err, KindTokenRemoved) {
		t.Fatalf("sign on a removed token: %v", err)
	}
	if msg := err.(*Error).Message("en"); strings.Contains(msg, "CKR_") {
		t.Errorf("raw code shown alone: %q", msg)
	}
	if _, err := m.Certificates(ti.Slot); !IsKind(err, KindNoToken) {
		t.Fatalf("certificates of a removed token: %v", err)
	}
	if err := m.ChangePIN(ti.Slot, tok.PIN, "11223344", "11223344", false); !IsKind(err, KindNoToken) {
		t.Fatalf("change PIN on a removed token: %v", err)
	}
	ts, err := m.Tokens()
	if err != nil || len(ts) != 0 {
		t.Fatalf("tokens %v %v", ts, err)
	}
}

func TestMessages(t *testing.T) {
	e := fromCKR(pkcs11.Error(pkcs11.CKR_FUNCTION_FAILED), false)
	if e.Kind != KindToken || e.Message("en") != "The token reported an error. "+assets.T("en", "token.err.detail_in_report") ||
		strings.Contains(e.Message("fr"), "CKR_") || !strings.Contains(e.Error(), "CKR_FUNCTION_FAILED") {
		t.Errorf("%q / %q", e.Message("en"), e.Error())
	}
	e = &Error{Kind: KindPINIncorrect, State: PINFinalTry}
	if e.Message("fr") != "Code PIN incorrect. Attention : il ne reste plus qu’un essai." ||
		e.Message("en") != "Incorrect PIN. Careful: only one try is left." {
		t.Errorf("%q / %q", e.Message("fr"), e.Message("en"))
	}
	for _, k := range []Kind{KindModuleNotFound, KindModuleLoad, KindNoToken, KindTokenRemoved, KindPINIncorrect, KindPINLocked,
		KindFinalTry, KindPINMismatch, KindPINLength, KindPINSame, KindPINEmpty, KindPINInvalid, KindPINExpired, KindPINNotInit,
		KindCertNotFound, KindNoPrivateKey, KindUnsupported, KindReadOnly, KindCancelled, KindDemo, KindBusy, KindTurn, KindToken} {
		for _, lang := range []string{"fr", "en"} {
			if msg := (&Error{Kind: k}).Message(lang); strings.HasPrefix(msg, "token.") {
				t.Errorf("%s has no %s text", k, lang)
			}
		}
	}
}
