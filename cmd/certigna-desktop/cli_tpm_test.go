package main

import (
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// The CLI on tpm2-pkcs11 over swtpm (a third PKCS#11 implementation),
// behind pkcs11-spy: status, change-pin (C_SetPIN once), sign (one
// C_Login), each with the app's own probe child in front.
func TestCLIOnTPM2(t *testing.T) {
	tok := testtoken.NewTPM2(t)
	tok.SetenvAll(t)
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	pinsInTest = []string{tok.PIN, tok.SOPIN, "24682468"}

	code, out, errs := cli(t, "", "--module", spy.Path, "status", "--json")
	if code != exitOK {
		t.Fatalf("status: exit %d: %s", code, errs)
	}
	var st statusJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Tokens) != 1 || st.Tokens[0].Label != tok.Label || st.Tokens[0].PIN.MaxLen != 128 || len(st.Tokens[0].Certificates) != 2 ||
		st.Tokens[0].Reader == "" {
		t.Fatalf("status %+v", st)
	}

	mark := spy.Mark()
	if code, _, errs := cli(t, tok.PIN+"\n24682468\n24682468\n", "--module", spy.Path, "change-pin"); code != exitOK {
		t.Fatalf("change-pin: exit %d: %s", code, errs)
	}
	if n := spy.CountSince(mark, "C_SetPIN"); n != 1 {
		t.Errorf("C_SetPIN %d times", n)
	}

	dir := t.TempDir()
	in := samplePDF(t, dir)
	mark = spy.Mark()
	code, _, errs = cli(t, "24682468\n", "--module", spy.Path, "sign", in, "--cert", hex.EncodeToString(tok.RSAID), "-o", dir+"/signed.pdf")
	if code != exitOK {
		t.Fatalf("sign: exit %d: %s", code, errs)
	}
	if n := spy.CountSince(mark, "C_Login"); n != 1 {
		t.Errorf("C_Login %d times for one signature", n)
	}
	if code, out, errs := cli(t, "", "verify", dir+"/signed.pdf"); code != exitOK {
		t.Errorf("verify: exit %d: %s %s", code, out, errs)
	}
}
