package main

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/token"
)

func shortProbe(t *testing.T) {
	t.Helper()
	old := token.ProbeDeadline
	token.ProbeDeadline = 2 * time.Second
	t.Cleanup(func() { token.ProbeDeadline = old })
}

func TestCLIProbeModuleJSON(t *testing.T) {
	shim := testtoken.BuildShim(t, testtoken.ShimOK)
	code, out, errs := cli(t, "", "probe-module", shim.Path)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if r["status"] != "found" || r["tokens"] != 1.0 || r["manufacturer"] != "Certigna Test Shim" || r["path"] != shim.Path {
		t.Errorf("%v", r)
	}
	code, out, _ = cli(t, "", "probe-module", t.TempDir()+"/absent.so")
	if code != exitOK || !strings.Contains(out, `"status":"not_found"`) {
		t.Errorf("absent: %d %s", code, out)
	}
}

// Issue #11 item 6: `status` on a library that crashes, gives no function
// list or hangs ends within the probe deadline with exit 6 and a sentence,
// and the process (this test) is still alive.
func TestCLIStatusNeverHangs(t *testing.T) {
	shortProbe(t)
	for _, tc := range []struct{ kind, fr string }{
		{testtoken.ShimCrashInitialize, "arrêté brutalement"},
		{testtoken.ShimNullList, "arrêté brutalement"},
		{testtoken.ShimHangInitialize, "n’a pas répondu"},
		{testtoken.ShimHangSlotList, "n’a pas répondu"},
	} {
		shim := testtoken.BuildShim(t, tc.kind)
		start := time.Now()
		code, _, errs := cli(t, "", "--lang", "fr", "--module", shim.Path, "status")
		took := time.Since(start)
		if code != exitNoModule || !strings.Contains(errs, tc.fr) || strings.Contains(errs, "goroutine") {
			t.Errorf("%s: exit %d: %s", tc.kind, code, errs)
		}
		if took > token.ProbeDeadline+3*time.Second {
			t.Errorf("%s: status took %v", tc.kind, took)
		}
	}
}

// A C_Login that never returns, in the driver's worker process: the command
// ends at the deadline, says a try may have been counted, and that the
// driver was stopped (no worker left blocked in it after the app ends).
func TestCLIHungLogin(t *testing.T) {
	shortProbe(t)
	defer token.SetDeadlines(token.Deadlines{Quick: time.Second, PIN: time.Second, Pad: time.Second, Slow: 2 * time.Second})()
	shim := testtoken.BuildShim(t, testtoken.ShimHangLogin)
	defer shim.Release(t)
	pinsInTest = []string{"12345678", "5678"}
	start := time.Now()
	code, _, errs := cli(t, "12345678\n5678\n5678\n", "--lang", "en", "--module", shim.Path, "unblock")
	if code != exitNoModule || !strings.Contains(errs, "did not answer within 1 s (C_Login)") || !strings.Contains(errs, "may have counted a try") ||
		!strings.Contains(errs, "stopped the driver") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("unblock took %v", took)
	}
	if calls := shim.PINCalls(); len(calls) != 1 {
		t.Errorf("PIN calls reaching the driver: %v, want one C_Login", calls)
	}
}

// Issue #11 item 4 through the CLI: codes outside the token's range or with
// control characters end with exit 2, and pkcs11-spy sees no C_Login,
// C_SetPIN nor C_InitPIN.
func TestCLICodesRefusedBeforeTheToken(t *testing.T) {
	tok := softToken(t, testtoken.WithoutEC())
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	id := hex.EncodeToString(tok.RSAID)
	for _, bad := range []string{"12", "1", "12\x0134", strings.Repeat("7", 300)} {
		for _, tc := range []struct {
			stdin string
			args  []string
		}{
			{bad + "\n", []string{"sign", in, "--cert", id}},
			{bad + "\n24682468\n24682468\n", []string{"change-pin"}},
			{bad + "\n24682468\n24682468\n", []string{"unblock"}},
		} {
			code, _, errs := cli(t, tc.stdin, append([]string{"--lang", "fr", "--module", spy.Path}, tc.args...)...)
			if code != exitUsage || !strings.Contains(errs, "aucun essai n’a été utilisé") {
				t.Errorf("%s %q: exit %d: %s", tc.args[0], bad, code, errs)
			}
		}
	}
	assertOnlyFiles(t, dir, "contrat.pdf")
	for _, c := range []string{"C_Login", "C_SetPIN", "C_InitPIN"} {
		if n := spy.Count(c); n != 0 {
			t.Errorf("%s reached the token %d times", c, n)
		}
	}
	if spy.Count("C_GetTokenInfo") == 0 {
		t.Fatal("the spy saw nothing")
	}
	// And a right PIN: exactly one C_Login for one signature.
	mark := spy.Mark()
	code, _, errs := cli(t, tok.PIN+"\n", "--module", spy.Path, "sign", in, "--cert", id)
	if code != exitOK {
		t.Fatalf("sign: exit %d: %s", code, errs)
	}
	if n := spy.CountSince(mark, "C_Login"); n != 1 {
		t.Errorf("C_Login %d times for one signature", n)
	}
	// A wrong PIN: one C_Login, no signature, no file.
	mark = spy.Mark()
	pinsInTest = append(pinsInTest, "000000")
	if code, _, _ := cli(t, "000000\n", "--module", spy.Path, "sign", in, "--cert", id, "-o", dir+"/wrong.pdf"); code != exitPINIncorrect {
		t.Errorf("wrong PIN: exit %d", code)
	}
	if spy.CountSince(mark, "C_Login") != 1 || spy.CountSince(mark, "C_SignInit") != 0 {
		t.Errorf("wrong PIN calls: %v", spy.Calls()[mark:])
	}
	// Change PIN: C_SetPIN exactly once, no login.
	mark = spy.Mark()
	pinsInTest = append(pinsInTest, "24682468")
	if code, _, errs := cli(t, tok.PIN+"\n24682468\n24682468\n", "--module", spy.Path, "change-pin"); code != exitOK {
		t.Fatalf("change-pin: exit %d: %s", code, errs)
	}
	if spy.CountSince(mark, "C_SetPIN") != 1 || spy.CountSince(mark, "C_Login") != 0 {
		t.Errorf("change-pin calls: %v", spy.Calls()[mark:])
	}
}

func TestCLIStatusReport(t *testing.T) {
	tok := softToken(t, testtoken.WithoutEC())
	for _, lang := range []string{"fr", "en"} {
		code, out, errs := cli(t, "", "--lang", lang, "--module", tok.ModulePath, "status", "--report")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		want := map[string][]string{
			"fr": {"Rapport pour le support", "Système :", "Pilote (module PKCS#11) utilisé : " + tok.ModulePath, "SoftHSM project",
				"Token « " + tok.Label + " »", "Lecteur :", "micrologiciel", "Certificat : " + tok.Holder, "aucun code PIN"},
			"en": {"Support report", "System:", "Driver (PKCS#11 module) in use: " + tok.ModulePath, "Token “" + tok.Label + "”",
				"Reader:", "firmware", "Certificate: " + tok.Holder},
		}[lang]
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s report lacks %q:\n%s", lang, w, out)
			}
		}
		if strings.Contains(out, "015eed") || strings.Contains(out, "serial number: 01") || strings.Contains(out, tok.Dir) {
			t.Errorf("certificate serial or a private path in the report:\n%s", out)
		}
		if strings.Contains(out, "support.") || strings.Contains(out, "<no value>") {
			t.Errorf("untranslated:\n%s", out)
		}
	}
	_, out, _ := cli(t, "", "--lang", "en", "--module", tok.ModulePath, "status", "--report", "--cert-serials")
	if !strings.Contains(out, "certificate serial number: 015eed") {
		t.Errorf("asked-for serial missing:\n%s", out)
	}
}
