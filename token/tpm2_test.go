package token

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// tpm2-pkcs11 over swtpm, a third real PKCS#11 implementation: status,
// certificates, a signature checked with Go's crypto, a PIN change — each
// counted by pkcs11-spy: one C_Login per signing action, C_SetPIN once
// (with the one C_Login tpm2-pkcs11 may ask for first), none for a code
// refused before the token.
func TestTPM2StatusChangePINSign(t *testing.T) {
	tok := testtoken.NewTPM2(t)
	tok.SetenvAll(t)
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	m, err := Open(spy.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ti := findToken(t, m, tok.Label)
	if ti.PIN != PINOK || ti.Manufacturer == "" || ti.Model == "" || ti.Reader == "" || ti.MaxPIN != 128 {
		t.Errorf("token %+v", ti)
	}
	if info := m.Info(); !strings.Contains(strings.ToLower(info.Manufacturer+info.Description), "tpm") {
		t.Errorf("module %+v", info)
	}
	certs, err := m.Certificates(ti.Slot)
	if err != nil || len(certs) != 2 {
		t.Fatalf("certificates %v %v", certs, err)
	}

	mark := spy.Mark()
	s, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("signé par le TPM"))
	sig, err := s.Sign(nil, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(s.Public().(*rsa.PublicKey), crypto.SHA256, d[:], sig); err != nil {
		t.Fatalf("TPM signature: %v", err)
	}
	s.Close()
	if n := spy.CountSince(mark, "C_Login"); n != 1 {
		t.Errorf("C_Login %d for one signing action", n)
	}

	// A code outside 1..128 never reaches the TPM.
	mark = spy.Mark()
	if _, err := m.Signer(ti.Slot, tok.RSAID, strings.Repeat("1", 129), false); !IsKind(err, KindCodeLength) {
		t.Errorf("129-character PIN: %v", err)
	}
	if spy.CountSince(mark, "C_Login") != 0 {
		t.Error("a code of the wrong length reached the TPM")
	}

	// Change the PIN: exactly one C_SetPIN after a possible single C_Login.
	mark = spy.Mark()
	if err := m.ChangePIN(ti.Slot, tok.PIN, "24682468", "24682468", false); err != nil {
		t.Fatal(err)
	}
	logins := spy.CountSince(mark, "C_Login")
	setpins := spy.CountSince(mark, "C_SetPIN")
	t.Logf("tpm2-pkcs11 change-pin: %d C_Login, %d C_SetPIN", logins, setpins)
	if logins > 1 || setpins < 1 || setpins > 2 || (setpins == 2 && logins != 1) {
		t.Errorf("change-pin calls: %v", spy.Calls()[mark:])
	}
	// The new PIN signs, checked by OpenSC's pkcs11-tool; the old one is refused.
	tok.Tool(t, "--login", "--pin", "24682468", "--list-objects")
	if _, err := tok.TryTool("--login", "--pin", tok.PIN, "--list-objects"); err == nil {
		t.Error("old PIN still accepted")
	}
	// A wrong PIN: one try, a clear error, nothing else sent.
	mark = spy.Mark()
	if _, err := m.Signer(ti.Slot, tok.RSAID, "99999999", false); !IsKind(err, KindPINIncorrect) && !IsKind(err, KindPINLocked) {
		t.Errorf("wrong PIN: %v", err)
	}
	if spy.CountSince(mark, "C_Login") != 1 || spy.CountSince(mark, "C_SignInit") != 0 {
		t.Errorf("wrong PIN calls: %v", spy.Calls()[mark:])
	}
}
