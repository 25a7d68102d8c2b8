package sign

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// countingSigner counts the key's signatures (the token's, in the app).
type countingSigner struct {
	crypto.Signer
	n atomic.Int32
}

func (c *countingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	c.n.Add(1)
	return c.Signer.Sign(r, d, o)
}

// The ways a server on 127.0.0.1 accepts the connection and then fails
// (pkitest's handler does them: no real server misbehaves on demand).
var afterPINFailures = []struct {
	name string
	mode pkitest.Mode
}{
	{"http 500", pkitest.Error500},
	{"garbage", pkitest.Garbage},
	{"huge body", pkitest.Huge},
	{"hang", pkitest.Stall},
	{"redirect to file", pkitest.RedirectFile},
}

// A TSA or revocation servers that fail after the key has signed: the
// signature is kept (B-B waiting for its timestamp, B-T waiting for its DSS)
// with a *PendingError naming the step; Finish adds what is missing once the
// servers answer, without the key, and the result is B-LT for our Verify and
// valid for pdfsig. The hang is cut by the configured timeout.
func TestSignKeepsSignatureWhenServersFailAfter(t *testing.T) {
	p := pkitest.New(t)
	const timeout = 1500 * time.Millisecond
	for _, step := range []string{"tsa", "revocation"} {
		for _, c := range afterPINFailures {
			t.Run(step+"/"+c.name, func(t *testing.T) {
				p.SetTSA(pkitest.Normal)
				p.SetOCSP(pkitest.Normal)
				p.SetCRL(pkitest.Normal)
				if step == "tsa" {
					p.SetTSA(c.mode)
				} else {
					p.SetOCSP(c.mode)
					p.SetCRL(c.mode)
				}
				dir := t.TempDir()
				in := pdftest.WriteSample(t, dir, "in.pdf")
				out := filepath.Join(dir, "in-signed.pdf")
				key := &countingSigner{Signer: p.SignerKey}
				tsa := &pdfsign.TSAConfig{URL: p.TSAURL()}
				var m0, m1 runtime.MemStats
				runtime.ReadMemStats(&m0)
				start := time.Now()
				res, err := Sign(context.Background(), in, out, key, p.Chain(), Options{TSA: tsa, LTV: true, NetTimeout: timeout})
				took := time.Since(start)
				runtime.ReadMemStats(&m1)
				if c.mode == pkitest.Huge && m1.TotalAlloc-m0.TotalAlloc > 256<<20 {
					// the server offers 1 GiB: the reads are bounded (1 MiB TSA, 32 MiB revocation)
					t.Errorf("%d MB allocated while a server sent 1 GiB", (m1.TotalAlloc-m0.TotalAlloc)>>20)
				}
				t.Logf("Sign took %v, allocated %d MB", took, (m1.TotalAlloc-m0.TotalAlloc)>>20)
				var pe *PendingError
				if !errors.As(err, &pe) || res == nil {
					t.Fatalf("want a *PendingError with the result, got %v (%+v)", err, res)
				}
				var le *pdfsign.LTVError
				if !errors.As(err, &le) {
					t.Fatalf("no *LTVError in %v", err)
				}
				wantLevel, wantStep := "B-B", pdfsign.StepTSA
				if step == "revocation" {
					wantLevel, wantStep = "B-T", pdfsign.StepRevocation
				}
				if le.Step() != wantStep || pe.Level != wantLevel || res.Level != wantLevel || pe.Output != out || pe.TSA != (step == "tsa") || !pe.LTV {
					t.Fatalf("step %q level %q/%q output %q tsa %v ltv %v, want %s %s", le.Step(), pe.Level, res.Level, pe.Output, pe.TSA, pe.LTV, wantStep, wantLevel)
				}
				if n := key.n.Load(); n != 1 {
					t.Errorf("%d signatures by the key, want 1", n)
				}
				if c.mode == pkitest.Stall && took > 10*timeout {
					t.Errorf("a hanging server took %v with a %v timeout", took, timeout)
				}
				fr := pe.Message("fr")
				if !strings.Contains(fr, "n’est pas perdue") || !strings.Contains(fr, out) || !strings.Contains(fr, "sans code PIN") {
					t.Errorf("French message: %s", fr)
				}
				pdftest.AssertDir(t, dir, "in-signed.pdf", "in.pdf")
				if s := verifyLast(t, out); s.Level != wantLevel || !s.Valid {
					t.Fatalf("kept file: level %q valid %v", s.Level, s.Valid)
				}
				// The servers answer again (pdfsig too asks the OCSP
				// responder, and waits a minute on a hanging one).
				p.SetTSA(pkitest.Normal)
				p.SetOCSP(pkitest.Normal)
				p.SetCRL(pkitest.Normal)
				if ps := ltvPdfsig(t, p, out); !strings.Contains(ps, "Signature is Valid") {
					t.Errorf("pdfsig on the kept file:\n%s", ps)
				}

				kept, _ := os.ReadFile(out)
				br := res.ByteRange
				// Finish, without the key.
				fres, err := Finish(context.Background(), out, "", FinishOptions{TSA: tsa, LTV: true, NetTimeout: timeout})
				if err != nil {
					t.Fatalf("Finish: %v", err)
				}
				t.Logf("Finish done at %v", time.Since(start))
				if fres.Level != "B-LT" || fres.Timestamped != (step == "tsa") || !fres.DSS {
					t.Fatalf("Finish: %+v", fres)
				}
				if n := key.n.Load(); n != 1 {
					t.Errorf("the key signed again: %d", n)
				}
				// The signed bytes did not change: only the /Contents gap
				// (the timestamp) and what follows the kept file (the DSS).
				done, _ := os.ReadFile(out)
				if len(done) <= len(kept) || !bytes.Equal(done[:br[1]], kept[:br[1]]) || !bytes.Equal(done[br[2]:len(kept)], kept[br[2]:]) {
					t.Fatal("Finish changed bytes the signature covers")
				}
				if step == "tsa" {
					// openssl checks the token added later, over the signature value.
					sigs := ltvReadSigs(t, out)
					tok, data := filepath.Join(t.TempDir(), "token.der"), filepath.Join(t.TempDir(), "sigvalue.bin")
					os.WriteFile(tok, sigs[0].Timestamps[0], 0o600)
					os.WriteFile(data, sigs[0].CMS.SignerInfo.Signature, 0o600)
					if o, err := exec.Command("openssl", "ts", "-verify", "-token_in", "-in", tok, "-data", data, "-CAfile", p.CAPEM).CombinedOutput(); err != nil ||
						!strings.Contains(string(o), "Verification: OK") {
						t.Errorf("openssl ts -verify: %v\n%s", err, o)
					}
				}
				testtool.Need(t, "qpdf")
				if o, err := exec.Command("qpdf", "--check", out).CombinedOutput(); err != nil {
					t.Errorf("qpdf --check: %v\n%s", err, o)
				}
				pdftest.AssertDir(t, dir, "in-signed.pdf", "in.pdf")
				p.SetOCSP(pkitest.Down) // verify uses the embedded data only
				p.SetCRL(pkitest.Down)
				s := verifyLast(t, out)
				if s.Level != "B-LT" || !s.Valid || s.LTV == nil || !s.LTV.TimestampOK || s.LTV.Revocation != "good" {
					t.Fatalf("finished file: %+v %+v", s, s.LTV)
				}
				if ps := ltvPdfsig(t, p, out); !strings.Contains(ps, "Signature is Valid") {
					t.Errorf("pdfsig on the finished file:\n%s", ps)
				}
				t.Logf("all done at %v", time.Since(start))
			})
		}
	}
}

// Finish refuses what it cannot complete, and leaves the file alone when
// the TSA fails again or when there is nothing to add.
func TestFinishRefusalsAndNoChange(t *testing.T) {
	p := pkitest.New(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	if _, err := Finish(context.Background(), in, "", FinishOptions{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}}); err == nil {
		t.Fatal("Finish on an unsigned file")
	}
	out := filepath.Join(dir, "out.pdf")
	p.SetTSA(pkitest.Error500)
	_, err := Sign(context.Background(), in, out, p.SignerKey, p.Chain(), Options{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}, NetTimeout: time.Second})
	var pe *PendingError
	if !errors.As(err, &pe) || pe.LTV {
		t.Fatalf("want a pending timestamp, got %v", err)
	}
	before, _ := os.ReadFile(out)
	if _, err := Finish(context.Background(), out, "", FinishOptions{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}}); err == nil {
		t.Fatal("Finish succeeded with the TSA still failing")
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Fatal("a failed Finish changed the file")
	}
	pdftest.AssertDir(t, dir, "in.pdf", "out.pdf")
	// Through a symbolic link: the file it names is completed, the link stays.
	link := filepath.Join(t.TempDir(), "link.pdf")
	if err := os.Symlink(out, link); err != nil {
		t.Fatal(err)
	}
	p.SetTSA(pkitest.Normal)
	res, err := Finish(context.Background(), link, "", FinishOptions{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}})
	if err != nil || res.Level != "B-T" || !res.Timestamped {
		t.Fatalf("Finish: %+v %v", res, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
	n := p.Requests("tsa")
	res, err = Finish(context.Background(), out, "", FinishOptions{TSA: &pdfsign.TSAConfig{URL: p.TSAURL()}})
	if err != nil || res.Timestamped || res.Level != "B-T" || p.Requests("tsa") != n {
		t.Fatalf("second Finish: %+v %v (TSA asked again: %v)", res, err, p.Requests("tsa") != n)
	}
}

// Credentials never go to a TSA over plain http:// through a network:
// refused before any request, unless HTTPCredentials says so; a server on
// the loopback interface is reached without a network and takes them.
func TestTSACredentialsNeverInClear(t *testing.T) {
	for _, u := range []string{"http://tsa.example/", "http://192.0.2.7:8080/tsa", "http://[2001:db8::1]/"} {
		cfg := &pdfsign.TSAConfig{URL: u, Username: "alice", Password: "s3cret"}
		start := time.Now()
		_, err := pki.RequestTimestamp(context.Background(), cfg, []byte("signature value"))
		pdftest.WantLTVKind(t, err, pdfsign.LTVTSAInsecure)
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: refused after %v: a connection was tried", u, d)
		}
		if m := err.(*pdfsign.LTVError).Message("fr"); strings.Contains(m, "s3cret") || !strings.Contains(m, "https://") {
			t.Errorf("message: %s", m)
		}
		cfg.HTTPCredentials = true
		if err := CheckTSACredentials(cfg); err != nil {
			t.Errorf("%s with HTTPCredentials: %v", u, err)
		}
	}
	for _, u := range []string{"https://tsa.example/", "http://tsa.example/"} {
		if err := CheckTSACredentials(&pdfsign.TSAConfig{URL: u}); err != nil {
			t.Errorf("%s without credentials refused: %v", u, err)
		}
	}
	if err := CheckTSACredentials(&pdfsign.TSAConfig{URL: "https://tsa.example/", Username: "a", Password: "b"}); err != nil {
		t.Errorf("https refused: %v", err)
	}
	p := pkitest.New(t) // http://127.0.0.1:PORT
	p.TSAUser, p.TSAPassword = "alice", "s3cret"
	for _, u := range []string{p.TSAURL(), strings.Replace(p.TSAURL(), "127.0.0.1", "localhost", 1)} {
		if _, err := pki.RequestTimestamp(context.Background(), &pdfsign.TSAConfig{URL: u, Username: "alice", Password: "s3cret"}, []byte("x")); err != nil {
			t.Errorf("loopback %s: %v", u, err)
		}
	}
}

func verifyLast(t *testing.T, path string) verify.SignatureReport {
	t.Helper()
	rep, err := verify.Verify(context.Background(), path, verify.Options{})
	if err != nil || len(rep.Signatures) == 0 {
		t.Fatalf("verify %s: %v", path, err)
	}
	return rep.Signatures[len(rep.Signatures)-1]
}
