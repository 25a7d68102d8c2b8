package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// ltvToken is a SoftHSM2 token holding the test PKI's signer key and
// certificate (whose AIA and CRL distribution point are the PKI's local
// servers) under id 10.
func ltvToken(t *testing.T) (*pkitest.PKI, string, string) {
	t.Helper()
	tok := softToken(t)
	p := pkitest.New(t)
	certDER := filepath.Join(t.TempDir(), "signer.der")
	if err := os.WriteFile(certDER, p.Signer.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", p.SignerKeyPEM, "--type", "privkey", "--id", "10", "--label", "LTV key")
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", certDER, "--type", "cert", "--id", "10", "--label", "LTV key")
	return p, tok.ModulePath, tok.PIN
}

// sign --tsa --ltv --visible: a B-LT file with a stamp; verify says B-LT and,
// with --trust, trusted; pdfsig accepts it.
func TestCLISignLTV(t *testing.T) {
	p, mod, pin := ltvToken(t)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	code, out, errs := cli(t, pin+"\n", "--lang", "en", "--module", mod, "sign", in, "--cert", "10",
		"--tsa", p.TSAURL(), "--ltv", "--visible", "--corner", "top-left", "--reason", "Accord")
	if code != exitOK {
		t.Fatalf("sign: exit %d\n%s\n%s", code, out, errs)
	}
	signed := filepath.Join(dir, "contrat-signed.pdf")
	if !strings.Contains(out, "B-LT") {
		t.Errorf("sign output does not state B-LT: %q", out)
	}
	// Revocation servers down: verify uses the embedded data only.
	p.SetOCSP(pkitest.Down)
	p.SetCRL(pkitest.Down)
	code, out, _ = cli(t, "", "verify", signed, "--json", "--trust", p.CAPEM)
	if code != exitOK {
		t.Fatalf("verify exit %d: %s", code, out)
	}
	var rep verify.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[0]
	if s.Level != "B-LT" || s.LTV == nil || !s.LTV.TimestampOK || s.LTV.Revocation != "good" || s.Trust != verify.TrustTrusted {
		t.Fatalf("verify: %+v %+v", s, s.LTV)
	}
	code, out, _ = cli(t, "", "--lang", "fr", "verify", signed)
	if code != exitOK || !strings.Contains(out, "Horodatage") || !strings.Contains(out, "émetteur inconnu") {
		t.Errorf("verify text (root not trusted): exit %d\n%s", code, out)
	}
	testtool.Need(t, "pdfsig")
	ps, _ := exec.Command("pdfsig", "-nssdir", p.NSSDB(), signed).CombinedOutput()
	if !strings.Contains(string(ps), "Signature is Valid") {
		t.Errorf("pdfsig:\n%s", ps)
	}
}

// TSA down, TSA answering garbage, OCSP and CRL down: exit 9 or 10, a
// sentence in the user's language; no file when it was known before the PIN
// (down), the signed file kept as B-B when the TSA failed after it
// (cli_finish_test.go completes it); --allow-bb saves B-B with exit 0.
func TestCLISignLTVFailures(t *testing.T) {
	p, mod, pin := ltvToken(t)
	for _, c := range []struct {
		name  string
		setup func()
		args  []string
		code  int
		want  string
		kept  bool
	}{
		{"tsa down", func() {}, []string{"--tsa", pkitest.DeadURL(t)}, exitTSA, "injoignable", false},
		{"tsa garbage", func() { p.SetTSA(pkitest.Garbage) }, []string{"--tsa", p.TSAURL()}, exitTSA, "pas un horodatage", true},
		{"revocation down", func() { p.SetTSA(pkitest.Normal); p.SetOCSP(pkitest.Down); p.SetCRL(pkitest.Down) },
			[]string{"--tsa", p.TSAURL(), "--ltv"}, exitRevocation, "hors ligne", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.setup()
			dir := t.TempDir()
			in := samplePDF(t, dir)
			args := append([]string{"--lang", "fr", "--module", mod, "sign", in, "--cert", "10"}, c.args...)
			code, out, errs := cli(t, pin+"\n", args...)
			if code != c.code || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d (want %d)\n%s\n%s", code, c.code, out, errs)
			}
			if c.kept {
				assertOnlyFiles(t, dir, "contrat-signed.pdf", "contrat.pdf")
				os.Remove(filepath.Join(dir, "contrat-signed.pdf"))
			}
			// a server that did not answer: the CLI's own advice after
			// the message (the shared text names no option)
			if hinted := strings.Contains(errs, "--allow-bb"); hinted != (c.name != "tsa garbage") {
				t.Fatalf("--allow-bb hint %v:\n%s", hinted, errs)
			}
			assertOnlyFiles(t, dir, "contrat.pdf")
			code, out, errs = cli(t, pin+"\n", append(args, "--allow-bb")...)
			if code != exitOK || !strings.Contains(errs, "Attention") {
				t.Fatalf("--allow-bb: exit %d\n%s\n%s", code, out, errs)
			}
			assertOnlyFiles(t, dir, "contrat-signed.pdf", "contrat.pdf")
		})
	}
}

// A bad --rect, a TSA URL with a password in it, an unknown corner: usage
// or TSA-config errors before any PIN is read.
func TestCLISignLTVRefusedBeforePIN(t *testing.T) {
	dir := t.TempDir()
	in := samplePDF(t, dir)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"--visible", "--rect", "1,2,3"}, exitUsage},
		{[]string{"--rect", "5000,5000,100,50"}, exitUsage}, // off the page
		{[]string{"--corner", "middle"}, exitUsage},
		{[]string{"--tsa", "https://user:secret@tsa.example/"}, exitTSA},
		{[]string{"--tsa", "ftp://tsa.example/"}, exitTSA},
	} {
		code, out, errs := cli(t, "", append([]string{"--module", "/nonexistent.so", "sign", in}, c.args...)...)
		if code != c.code || strings.Contains(out+errs, "secret") {
			t.Errorf("%v: exit %d (want %d)\n%s%s", c.args, code, c.code, out, errs)
		}
	}
	assertOnlyFiles(t, dir, "contrat.pdf")
}
