package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// ltvSpyToken is ltvToken behind pkcs11-spy: the module path to load, and
// the spy that counts C_Login.
func ltvSpyToken(t *testing.T) (*pkitest.PKI, string, string, *testtoken.Spy) {
	t.Helper()
	tok := softToken(t)
	p := pkitest.New(t)
	certDER := filepath.Join(t.TempDir(), "signer.der")
	if err := os.WriteFile(certDER, p.Signer.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", p.SignerKeyPEM, "--type", "privkey", "--id", "10", "--label", "LTV key")
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", certDER, "--type", "cert", "--id", "10", "--label", "LTV key")
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	return p, spy.Path, tok.PIN, spy
}

func verifyJSON(t *testing.T, path string) verify.SignatureReport {
	t.Helper()
	code, out, errs := cli(t, "", "verify", path, "--json")
	if code != exitOK {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errs)
	}
	var rep verify.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Signatures) == 0 {
		t.Fatalf("verify --json: %v\n%s", err, out)
	}
	return rep.Signatures[len(rep.Signatures)-1]
}

// A TSA, or revocation servers, on 127.0.0.1 that accept the connection and
// then fail in each way (HTTP 500, garbage, a huge body, a hang longer than
// the timeout, a redirect to file://): one C_Login, exit 9 or 10, the signed
// file kept as B-B (B-T) and a message saying how to finish it; then
// `finish` adds the timestamp and the DSS with no C_Login, and the result is
// B-LT for our verify and valid for pdfsig.
func TestCLIServerFailsAfterPINKeepsSignature(t *testing.T) {
	p, mod, pin, spy := ltvSpyToken(t)
	t.Setenv(actions.EnvNetTimeout, "1500ms") // the hang is cut here, not at 20 s
	for _, step := range []string{"tsa", "revocation"} {
		for _, c := range []struct {
			name string
			mode pkitest.Mode
		}{
			{"http 500", pkitest.Error500}, {"garbage", pkitest.Garbage}, {"huge body", pkitest.Huge},
			{"hang", pkitest.Stall}, {"redirect to file", pkitest.RedirectFile},
		} {
			t.Run(step+"/"+c.name, func(t *testing.T) {
				p.SetTSA(pkitest.Normal)
				p.SetOCSP(pkitest.Normal)
				p.SetCRL(pkitest.Normal)
				wantCode, wantLevel := exitTSA, "B-B"
				if step == "tsa" {
					p.SetTSA(c.mode)
				} else {
					p.SetOCSP(c.mode)
					p.SetCRL(c.mode)
					wantCode, wantLevel = exitRevocation, "B-T"
				}
				dir := t.TempDir()
				in := samplePDF(t, dir)
				signed := filepath.Join(dir, "contrat-signed.pdf")
				logins := spy.Count("C_Login")
				code, out, errs := cli(t, pin+"\n", "--lang", "fr", "--module", mod, "sign", in, "--cert", "10",
					"--tsa", p.TSAURL(), "--ltv")
				if code != wantCode {
					t.Fatalf("exit %d, want %d\n%s%s", code, wantCode, out, errs)
				}
				if n := spy.Count("C_Login") - logins; n != 1 {
					t.Errorf("%d C_Login, want 1", n)
				}
				if !strings.Contains(errs, "n’est pas perdue") || !strings.Contains(errs, "certigna-desktop finish \""+signed+"\"") ||
					!strings.Contains(errs, "--ltv") || (step == "tsa") != strings.Contains(errs, "--tsa "+p.TSAURL()) {
					t.Errorf("message does not say how to finish:\n%s", errs)
				}
				if strings.Contains(errs+out, "panic") || strings.Contains(errs, "goroutine") {
					t.Errorf("raw Go text:\n%s", errs)
				}
				assertOnlyFiles(t, dir, "contrat-signed.pdf", "contrat.pdf")
				if s := verifyJSON(t, signed); s.Level != wantLevel || !s.Valid {
					t.Fatalf("kept file: level %q valid %v", s.Level, s.Valid)
				}

				p.SetTSA(pkitest.Normal)
				p.SetOCSP(pkitest.Normal)
				p.SetCRL(pkitest.Normal)
				logins = spy.Count("C_Login")
				args := []string{"--lang", "fr", "finish", signed, "--ltv"}
				if step == "tsa" {
					args = append(args, "--tsa", p.TSAURL())
				}
				code, out, errs = cli(t, "", args...)
				if code != exitOK || !strings.Contains(out, "B-LT") {
					t.Fatalf("finish: exit %d\n%s%s", code, out, errs)
				}
				if n := spy.Count("C_Login") - logins; n != 0 {
					t.Errorf("finish: %d C_Login, want 0", n)
				}
				assertOnlyFiles(t, dir, "contrat-signed.pdf", "contrat.pdf")
				p.SetOCSP(pkitest.Down) // verify reads the embedded data only
				p.SetCRL(pkitest.Down)
				s := verifyJSON(t, signed)
				if s.Level != "B-LT" || s.LTV == nil || !s.LTV.TimestampOK || s.LTV.Revocation != "good" {
					t.Fatalf("finished: %+v %+v", s, s.LTV)
				}
				testtool.Need(t, "pdfsig")
				ps, _ := exec.Command("pdfsig", "-nssdir", p.NSSDB(), signed).CombinedOutput()
				if !strings.Contains(string(ps), "Signature is Valid") {
					t.Errorf("pdfsig:\n%s", ps)
				}
			})
		}
	}
}

// Refused before the PIN, with no C_Login: a B-LT signature whose
// revocation server already failed in this run (the chain's download from
// the same address), and TSA credentials over plain http://.
func TestCLIRefusedBeforePINAfterpin(t *testing.T) {
	p, mod, pin, spy := ltvSpyToken(t)
	dir := t.TempDir()
	in := samplePDF(t, dir)

	p.SetCRL(pkitest.Down) // /ca.crt and the CRL: the AIA download fails first
	p.SetOCSP(pkitest.Down)
	code, out, errs := cli(t, pin+"\n", "--lang", "fr", "--module", mod, "sign", in, "--cert", "10", "--tsa", p.TSAURL(), "--ltv")
	if code != exitRevocation || !strings.Contains(errs, "révocation") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	p.SetCRL(pkitest.Normal)
	p.SetOCSP(pkitest.Normal)

	t.Setenv(pdfsign.EnvTSAUser, "alice")
	t.Setenv(pdfsign.EnvTSAPassword, "s3cret")
	code, out, errs = cli(t, pin+"\n", "--lang", "fr", "--module", mod, "sign", in, "--cert", "10", "--tsa", "http://tsa.example/")
	if code != exitTSA || !strings.Contains(errs, "https://") || strings.Contains(out+errs, "s3cret") {
		t.Fatalf("credentials over http: exit %d\n%s%s", code, out, errs)
	}
	if n := spy.Count("C_Login"); n != 0 {
		t.Errorf("%d C_Login for refused actions", n)
	}
	assertOnlyFiles(t, dir, "contrat.pdf")
	// A TSA on the loopback interface is reached without a network: the
	// credentials go (the test TSA checks them).
	p.TSAUser, p.TSAPassword = "alice", "s3cret"
	code, out, errs = cli(t, pin+"\n", "--lang", "fr", "--module", mod, "sign", in, "--cert", "10", "--tsa", p.TSAURL())
	if code != exitOK || !strings.Contains(out, "B-T") {
		t.Fatalf("loopback TSA with credentials: exit %d\n%s%s", code, out, errs)
	}
}

// A batch whose TSA fails after the one login: every file is signed and
// kept as B-B, each with the finish command; finish completes each with no
// C_Login.
func TestCLIBatchTSAFailsAfterPINKeepsEach(t *testing.T) {
	p, mod, pin, spy := ltvSpyToken(t)
	dir := t.TempDir()
	src, _ := os.ReadFile(samplePDF(t, t.TempDir()))
	var ins []string
	for _, n := range []string{"a.pdf", "b.pdf"} {
		in := filepath.Join(dir, n)
		os.WriteFile(in, src, 0o644)
		ins = append(ins, in)
	}
	p.SetTSA(pkitest.Error500)
	args := append([]string{"--lang", "fr", "--module", mod, "sign"}, ins...)
	code, out, errs := cli(t, pin+"\n", append(args, "--cert", "10", "--tsa", p.TSAURL())...)
	if code != exitTSA || strings.Count(errs, "certigna-desktop finish") != 2 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if n := spy.Count("C_Login"); n != 1 {
		t.Errorf("%d C_Login, want 1", n)
	}
	assertOnlyFiles(t, dir, "a-signed.pdf", "a.pdf", "b-signed.pdf", "b.pdf")
	p.SetTSA(pkitest.Normal)
	for _, n := range []string{"a-signed.pdf", "b-signed.pdf"} {
		code, out, errs := cli(t, "", "finish", filepath.Join(dir, n), "--tsa", p.TSAURL())
		if code != exitOK || !strings.Contains(out, "B-T") {
			t.Fatalf("finish %s: exit %d\n%s%s", n, code, out, errs)
		}
	}
	if n := spy.Count("C_Login"); n != 1 {
		t.Errorf("%d C_Login after finish, want 1", n)
	}
}
