//go:build unix

package main

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// Issue #11 item 4 on the real-lockout token (PIN 4..8): `12`, `123456789`
// and `1` used to cost a try each. Now each ends with exit 2 before the
// token, pkcs11-spy sees no C_Login/C_SetPIN/C_InitPIN, and the token still
// reports a PIN with no failed try.
func TestCLIOpenCryptokiCodesOutOfRange(t *testing.T) {
	tok := testtoken.OpenCryptoki(t)
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	pinsInTest = []string{tok.PIN, tok.SOPIN}
	dir := t.TempDir()
	in := samplePDF(t, dir)
	id := hex.EncodeToString(tok.RSAID)
	for _, bad := range []string{"12", "123456789", "1"} {
		for _, args := range [][]string{{"sign", in, "--cert", id}, {"change-pin"}, {"unblock"}} {
			code, _, errs := cli(t, bad+"\n2468246\n2468246\n", append([]string{"--lang", "en", "--module", spy.Path}, args...)...)
			if code != exitUsage || !strings.Contains(errs, "4 to 8 characters long: it was not sent to the token, no try was used") {
				t.Errorf("%s %q: exit %d: %s", args[0], bad, code, errs)
			}
		}
	}
	for _, c := range []string{"C_Login", "C_SetPIN", "C_InitPIN"} {
		if n := spy.Count(c); n != 0 {
			t.Errorf("%s reached the token %d times", c, n)
		}
	}
	code, out, errs := cli(t, "", "--module", spy.Path, "status", "--json")
	if code != exitOK || !strings.Contains(out, `"state": "ok"`) || strings.Contains(out, "count_low") {
		t.Errorf("status after the refused codes: exit %d\n%s%s", code, out, errs)
	}
	assertOnlyFiles(t, dir, "contrat.pdf")
}
