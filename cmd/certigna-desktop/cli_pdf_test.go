package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	pdfcpulib "github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
	"github.com/certigna-desktop/app/token"
)

func samplePDF(t *testing.T, dir string) string {
	t.Helper()
	var b bytes.Buffer
	if err := pdfsign.SamplePDF(&b, "fr"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "contrat.pdf")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// nssTrusting makes an NSS database that trusts caPEM, for pdfsig.
func nssTrusting(t *testing.T, caPEM string) string {
	t.Helper()
	testtool.Need(t, "certutil")
	dir := filepath.Join(t.TempDir(), "nss")
	os.MkdirAll(dir, 0o700)
	for _, args := range [][]string{{"-N", "--empty-password"}, {"-A", "-t", "CT,C,C", "-n", "ca", "-i", caPEM}} {
		if out, err := exec.Command("certutil", append([]string{"-d", "sql:" + dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("certutil %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

var byteRangeRe = regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`)

// lastSignature extracts, without our code, the newest signature's CMS and
// signed bytes: the last /ByteRange of the file and the hex between ranges.
func lastSignature(t *testing.T, path string) (cms, signed []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := byteRangeRe.FindAllSubmatch(data, -1)
	if len(m) == 0 {
		t.Fatal("no /ByteRange")
	}
	var br [4]int
	for i := range br {
		br[i], _ = strconv.Atoi(string(m[len(m)-1][i+1]))
	}
	signed = append(append([]byte{}, data[br[0]:br[0]+br[1]]...), data[br[2]:br[2]+br[3]]...)
	padded, err := hex.DecodeString(string(data[br[1]+1 : br[2]-1]))
	if err != nil {
		t.Fatal(err)
	}
	// The CMS is as long as its DER says; the rest is zero padding (trimming
	// "0" digits instead would cut a signature that ends in a 0 byte).
	var der asn1.RawValue
	rest, err := asn1.Unmarshal(padded, &der)
	if err != nil {
		t.Fatal(err)
	}
	return padded[:len(padded)-len(rest)], signed
}

// checkIndependently runs every independent validator on a file signed with
// the test token's CA.
func checkIndependently(t *testing.T, path, caPEM string) {
	t.Helper()
	testtool.Need(t, "pdfsig")
	nss := nssTrusting(t, caPEM)
	out, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nss, path).CombinedOutput()
	if !strings.Contains(string(out), "Signature is Valid") || !strings.Contains(string(out), "Total document signed") ||
		!strings.Contains(string(out), "Certificate is Trusted") {
		t.Fatalf("pdfsig:\n%s", out)
	}
	testtool.Need(t, "mutool")
	out, _ = exec.Command("mutool", "sign", "-v", path).CombinedOutput()
	if !strings.Contains(string(out), "The document is unchanged since signing.") {
		t.Fatalf("mutool sign -v:\n%s", out)
	}
	testtool.Need(t, "qpdf")
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	testtool.Need(t, "openssl")
	cms, signed := lastSignature(t, path)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "sig.p7s"), cms, 0o600)
	os.WriteFile(filepath.Join(dir, "data.bin"), signed, 0o600)
	if out, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", filepath.Join(dir, "sig.p7s"),
		"-content", filepath.Join(dir, "data.bin"), "-CAfile", caPEM, "-purpose", "any", "-out", os.DevNull).CombinedOutput(); err != nil {
		t.Fatalf("openssl cms -verify: %v\n%s", err, out)
	}
	// pdfcpu: the token's certificate has no revocation information, so
	// pdfcpu cannot call it "valid" (see pdfsign's pkitest test for B-B);
	// it must not call it invalid either.
	res, err := api.ValidateSignatures(path, true, model.NewDefaultConfiguration())
	if err != nil || len(res) != 1 || res[0].Status == model.SignatureStatusInvalid {
		t.Fatalf("pdfcpu: %v %v", err, res)
	}
}

func TestCLISignWithSoftHSM(t *testing.T) {
	tok := softToken(t)
	for _, kt := range []struct {
		name string
		id   []byte
		algo string
	}{{"rsa", tok.RSAID, "RSA"}, {"ec", tok.ECID, "ECDSA"}} {
		t.Run(kt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := samplePDF(t, dir)
			code, out, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", tok.ModulePath, "sign", in,
				"--cert", hex.EncodeToString(kt.id), "--reason", "Approval", "--location", "Paris")
			if code != exitOK {
				t.Fatalf("sign: exit %d\n%s\n%s", code, out, errs)
			}
			signed := filepath.Join(dir, "contrat-signed.pdf")
			if !strings.HasPrefix(out, signed+"\n") || !strings.Contains(out, "valid signature by "+tok.Holder) {
				t.Fatalf("output: %q", out)
			}
			checkIndependently(t, signed, tok.CAPath)
			code, out, _ = cli(t, "", "verify", signed, "--json")
			if code != exitOK {
				t.Fatalf("verify exit %d: %s", code, out)
			}
			var rep verify.Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			if !rep.OK || s.Level != "B-B" || s.SignerCN != tok.Holder || !strings.HasPrefix(s.Algorithm, kt.algo) || s.Reason != "Approval" {
				t.Fatalf("report %+v", rep)
			}
			// Signing again into an existing output is refused without --force…
			code, _, errs = cli(t, tok.PIN+"\n", "--module", tok.ModulePath, "sign", in, "--cert", hex.EncodeToString(kt.id))
			if code != exitUsage || !strings.Contains(errs, "existe déjà") && !strings.Contains(errs, "already exists") {
				t.Fatalf("existing output: exit %d %s", code, errs)
			}
			// …and allowed with it.
			code, _, errs = cli(t, tok.PIN+"\n", "--module", tok.ModulePath, "sign", in, "--cert", hex.EncodeToString(kt.id), "--force")
			if code != exitOK {
				t.Fatalf("--force: exit %d %s", code, errs)
			}
		})
	}
}

func TestCLISignWrongPINLeavesNoFile(t *testing.T) {
	tok := softToken(t)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	pinsInTest = append(pinsInTest, "000000")
	code, _, errs := cli(t, "000000\n", "--module", tok.ModulePath, "sign", in, "--cert", hex.EncodeToString(tok.RSAID))
	if code != exitPINIncorrect {
		t.Fatalf("exit %d: %s", code, errs)
	}
	assertOnlyFiles(t, dir, "contrat.pdf")
}

// The input's copy starts beside the check, before the driver is found
// (sign/ahead.go): when no driver answers, the command fails as before and
// the copy is gone — no output, no temporary file, no PIN read.
func TestCLISignNoDriverLeavesNoCopy(t *testing.T) {
	dir := t.TempDir()
	in := samplePDF(t, dir)
	code, _, errs := cli(t, "", "--lang", "en", "--module", "/nonexistent/module.so", "sign", in)
	if code != exitNoModule {
		t.Fatalf("exit %d (want %d): %s", code, exitNoModule, errs)
	}
	assertOnlyFiles(t, dir, "contrat.pdf")
}

// assertOnlyFiles checks that dir holds exactly names (no output, no temp).
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("files in %s: %v, want %v", dir, got, names)
	}
}

// Refusals happen before the token is even opened: no module is needed, no
// PIN is read, and no file is written.
func TestCLISignRefusals(t *testing.T) {
	dir := t.TempDir()
	in := samplePDF(t, dir)
	notPDF := filepath.Join(dir, "notes.pdf")
	os.WriteFile(notPDF, []byte("just text\n"), 0o644)
	damaged := filepath.Join(dir, "damaged.pdf")
	b, _ := os.ReadFile(in)
	os.WriteFile(damaged, b[:len(b)/2], 0o644)
	existing := filepath.Join(dir, "existing.pdf")
	os.WriteFile(existing, []byte("keep me"), 0o644)
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"not a PDF", []string{notPDF}, exitBadPDF, "not a PDF"},
		{"damaged", []string{damaged}, exitBadPDF, "damaged"},
		{"missing", []string{filepath.Join(dir, "nope.pdf")}, exitBadPDF, "does not exist"},
		{"same file", []string{in, "-o", in}, exitUsage, "over the original"},
		{"existing output", []string{in, "-o", existing}, exitUsage, "already exists"},
		{"page out of range", []string{in, "--page", "3"}, exitUsage, "page"},
		{"no input", []string{}, exitUsage, "Usage"},
	}
	if _, err := exec.LookPath("qpdf"); err == nil {
		enc := filepath.Join(dir, "locked.pdf")
		if out, err := exec.Command("qpdf", "--encrypt", "u", "o", "256", "--", in, enc).CombinedOutput(); err != nil {
			t.Fatalf("qpdf --encrypt: %v %s", err, out)
		}
		cases = append(cases, struct {
			name string
			args []string
			code int
			msg  string
		}{"encrypted", []string{enc}, exitBadPDF, "encrypted"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadDir(dir)
			code, _, errs := cli(t, "", append([]string{"--lang", "en", "--module", "/nonexistent/module.so", "sign"}, c.args...)...)
			if code != c.code || !strings.Contains(errs, c.msg) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, c.code, errs, c.msg)
			}
			after, _ := os.ReadDir(dir)
			if len(after) != len(before) {
				t.Fatalf("files appeared: %v → %v", before, after)
			}
		})
	}
	if got, _ := os.ReadFile(existing); string(got) != "keep me" {
		t.Fatal("existing output was changed")
	}
}

func TestCLIVerifyExitCodes(t *testing.T) {
	dir := t.TempDir()
	in := samplePDF(t, dir)
	notPDF := filepath.Join(dir, "notes.pdf")
	os.WriteFile(notPDF, []byte("just text\n"), 0o644)
	if code, _, errs := cli(t, "", "verify", in); code != exitNoSignature {
		t.Fatalf("unsigned: exit %d %s", code, errs)
	}
	if code, _, errs := cli(t, "", "verify", notPDF); code != exitBadPDF {
		t.Fatalf("not a PDF: exit %d %s", code, errs)
	}
	if code, _, _ := cli(t, "", "verify"); code != exitUsage {
		t.Fatalf("no file: exit %d", code)
	}
}

// A token signature with one byte flipped afterwards: verify says 1 and
// pdfsig says the digest does not match.
func TestCLIVerifyTampered(t *testing.T) {
	tok := softToken(t)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	if code, _, errs := cli(t, tok.PIN+"\n", "--module", tok.ModulePath, "sign", in, "--cert", hex.EncodeToString(tok.ECID)); code != exitOK {
		t.Fatalf("sign: %d %s", code, errs)
	}
	signed := filepath.Join(dir, "contrat-signed.pdf")
	data, _ := os.ReadFile(signed)
	i := bytes.Index(data, []byte("Document d"))
	data[i] = 'd'
	bad := filepath.Join(dir, "bad.pdf")
	os.WriteFile(bad, data, 0o644)
	code, out, _ := cli(t, "", "--lang", "en", "verify", bad)
	if code != exitFailure || !strings.Contains(out, "INVALID") {
		t.Fatalf("tampered: exit %d\n%s", code, out)
	}
	testtool.Need(t, "pdfsig")
	pout, _ := exec.Command("pdfsig", bad).CombinedOutput()
	if !strings.Contains(string(pout), "Digest Mismatch") {
		t.Fatalf("pdfsig:\n%s", pout)
	}
}

var _ = testtoken.Holder

// pdfcpu calls a signature valid, and only then states its PAdES level, when
// it can check revocation. So the SoftHSM2 key signs here with a certificate
// for the same public key issued by internal/pkitest's CA, whose CRL is served
// on 127.0.0.1: the key never leaves the token, and pdfcpu reports B-B.
func TestTokenKeyPdfcpuPAdESBB(t *testing.T) {
	tok := softToken(t)
	pk := pkitest.New(t)
	m, err := token.Open(tok.ModulePath)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ts, err := m.Tokens()
	if err != nil || len(ts) == 0 {
		t.Fatalf("tokens: %v", err)
	}
	signer, err := m.Signer(ts[0].Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	caKeyPEM, err := os.ReadFile(filepath.Join(pk.Dir, "ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(caKeyPEM)
	caKey, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: tok.Holder},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		CRLDistributionPoints: []string{pk.URL + "/ca.crl"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, pk.CA, signer.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	out := filepath.Join(dir, "out.pdf")
	if _, err := sign.Sign(context.Background(), in, out, signer, []*x509.Certificate{cert, pk.CA}, sign.Options{Reason: "pdfcpu"}); err != nil {
		t.Fatal(err)
	}
	certDir := t.TempDir()
	caPEM, _ := os.ReadFile(pk.CAPEM)
	os.WriteFile(filepath.Join(certDir, "ca.pem"), caPEM, 0o600)
	conf := model.NewDefaultConfiguration()
	conf.AllowedRevocationHosts = []string{"127.0.0.1"}
	saved := model.TrustedCertDir
	model.TrustedCertDir = certDir
	defer func() { model.TrustedCertDir = saved; pdfcpulib.InvalidateCertificatePool() }()
	pdfcpulib.InvalidateCertificatePool()
	res, err := api.ValidateSignatures(out, true, conf)
	if err != nil || len(res) != 1 || len(res[0].Details.Signers) != 1 {
		t.Fatalf("pdfcpu: %v %v", err, res)
	}
	if res[0].Status != model.SignatureStatusValid || res[0].Details.Signers[0].PAdES != "B-B" {
		t.Fatalf("pdfcpu:\n%s", res[0].String())
	}
}
