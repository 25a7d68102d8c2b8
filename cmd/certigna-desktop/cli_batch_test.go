package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// withSpy puts OpenSC's pkcs11-spy in front of the token's module
// (testtoken.NewSpy: a private copy of the library, so its log is this
// test's) and returns the module path to use, the log so far, and cli().
// The log holds the PIN: testtoken removes it with the test.
func withSpy(t *testing.T, tok *testtoken.Token) (string, func() string, func(stdin string, args ...string) (int, string, string)) {
	t.Helper()
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	read := func() string {
		b, _ := os.ReadFile(spy.Log)
		return string(b)
	}
	return spy.Path, read, func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return cli(t, stdin, args...)
	}
}

func writeCopies(t *testing.T, dir string, n int) []string {
	t.Helper()
	src := samplePDF(t, t.TempDir())
	b, _ := os.ReadFile(src)
	var out []string
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, fmt.Sprintf("facture-%03d.pdf", i))
		os.WriteFile(p, b, 0o644)
		out = append(out, p)
	}
	return out
}

func TestCLIBatchOneLogin(t *testing.T) {
	tok := softToken(t)
	mod, spyLog, spied := withSpy(t, tok)
	dir := t.TempDir()
	ins := writeCopies(t, dir, 200)
	outDir := t.TempDir()
	args := append([]string{"--lang", "en", "--module", mod, "sign", "--out-dir", outDir,
		"--cert", hex.EncodeToString(tok.ECID), "--reason", "Factures"}, ins...)
	code, out, errs := spied(tok.PIN+"\n", args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	log := spyLog()
	if n := strings.Count(log, "C_Login"); n != 1 {
		t.Fatalf("%d C_Login calls for 200 files, want 1", n)
	}
	if n := strings.Count(log, "C_SignInit"); n < 200 {
		t.Fatalf("%d C_SignInit calls, want ≥ 200", n)
	}
	ents, _ := os.ReadDir(outDir)
	if len(ents) != 200 || strings.Count(out, "\n") != 200 {
		t.Fatalf("%d files in the output folder, %d lines on stdout", len(ents), strings.Count(out, "\n"))
	}
	for i, e := range ents {
		if i%40 != 0 {
			continue // every file was verified by the CLI itself; a sample again here
		}
		rep, err := verify.Verify(context.Background(), filepath.Join(outDir, e.Name()), verify.Options{})
		if err != nil || !rep.OK || rep.Signatures[0].Reason != "Factures" {
			t.Fatalf("%s: %v %+v", e.Name(), err, rep)
		}
	}
	assertOnlyFiles(t, dir, func() []string {
		var n []string
		for _, in := range ins {
			n = append(n, filepath.Base(in))
		}
		return n
	}()...)
	if !strings.Contains(errs, "200 documents of 200 signed") || !strings.Contains(errs, "[200/200]") {
		t.Fatalf("progress/summary:\n%s", errs[max(0, len(errs)-600):])
	}
}

func TestCLIBatchAlwaysAuthenticate(t *testing.T) {
	tok := softToken(t, testtoken.WithAlwaysAuth())
	mod, spyLog, spied := withSpy(t, tok)
	dir := t.TempDir()
	ins := writeCopies(t, dir, 3)
	// One PIN line only: a second prompt would find stdin closed and fail.
	code, out, errs := spied(tok.PIN+"\n", "--lang", "en", "--module", mod, "sign", ins[0], ins[1], ins[2],
		"--cert", hex.EncodeToString(tok.AlwaysAuthID))
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	log := spyLog()
	logins := strings.Count(log, "C_Login")
	ctx := strings.Count(log, "CKU_CONTEXT_SPECIFIC")
	if logins != 4 || ctx != 3 {
		t.Fatalf("%d C_Login (%d context-specific), want 1 user login + 3 context-specific", logins, ctx)
	}
	for _, in := range ins {
		checkIndependently(t, sign.DefaultOutput(in), tok.CAPath)
	}
}

// Refused files are listed before any PIN; without --skip-refused nothing
// is signed and the token is not even logged in.
func TestCLIBatchRefusedFirst(t *testing.T) {
	tok := softToken(t)
	mod, spyLog, spied := withSpy(t, tok)
	dir := t.TempDir()
	ins := writeCopies(t, dir, 3)
	bad := filepath.Join(dir, "notes.pdf")
	os.WriteFile(bad, []byte("not a pdf\n"), 0o644)
	args := []string{"--lang", "en", "--module", mod, "sign", ins[0], bad, ins[1], ins[2], "--cert", hex.EncodeToString(tok.ECID)}
	code, _, errs := spied(tok.PIN+"\n", args...)
	if code != exitBadPDF || !strings.Contains(errs, "1 file of 4 cannot be signed") || !strings.Contains(errs, "notes.pdf") {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if strings.Contains(spyLog(), "C_Login") {
		t.Fatal("the token was logged in for a refused batch")
	}
	assertOnlyFiles(t, dir, "facture-000.pdf", "facture-001.pdf", "facture-002.pdf", "notes.pdf")
	// With --skip-refused: the three others are signed; an existing output
	// name is never overwritten (facture-000-signed.pdf exists already).
	os.WriteFile(filepath.Join(dir, "facture-000-signed.pdf"), []byte("keep"), 0o644)
	code, out, errs := spied(tok.PIN+"\n", append(args, "--skip-refused")...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "facture-000-signed.pdf")); string(b) != "keep" {
		t.Fatal("an existing file was overwritten")
	}
	for _, name := range []string{"facture-000-signed-2.pdf", "facture-001-signed.pdf", "facture-002-signed.pdf"} {
		if !strings.Contains(out, name) {
			t.Fatalf("stdout lacks %s:\n%s", name, out)
		}
		if rep, err := verify.Verify(context.Background(), filepath.Join(dir, name), verify.Options{}); err != nil || !rep.OK {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if !strings.Contains(errs, "3 documents of 4 signed; 1 skipped") {
		t.Fatalf("summary:\n%s", errs)
	}
}

// Two inputs with the same name in different folders, into one --out-dir.
func TestCLIBatchSameNames(t *testing.T) {
	tok := softToken(t)
	a, b := t.TempDir(), t.TempDir()
	ia := writeCopies(t, a, 1)[0]
	ib := writeCopies(t, b, 1)[0]
	outDir := t.TempDir()
	code, _, errs := cli(t, tok.PIN+"\n", "--module", tok.ModulePath, "sign", ia, ib, "--out-dir", outDir, "--cert", hex.EncodeToString(tok.ECID))
	if code != exitOK {
		t.Fatalf("exit %d %s", code, errs)
	}
	assertOnlyFiles(t, outDir, "facture-000-signed-2.pdf", "facture-000-signed.pdf")
}

// A token that holds only the leaf: the intermediate comes from the AIA
// caIssuers URL (a local server); offline, the signature is still made,
// with a warning.
func TestCLIChainFromAIA(t *testing.T) {
	pk := pkitest.New(t, pkitest.WithIntermediate())
	tok := leafOnlyToken(t, pk) // samerule_test.go
	for _, online := range []bool{true, false} {
		t.Run(fmt.Sprint("online=", online), func(t *testing.T) {
			if !online {
				pk.SetCRL(pkitest.Down) // also takes the caIssuers downloads down
			}
			dir := t.TempDir()
			in := samplePDF(t, dir)
			code, out, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", tok.ModulePath, "sign", in, "--cert", "05")
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			signed := sign.DefaultOutput(in)
			cms, _ := lastSignature(t, signed)
			p7 := filepath.Join(dir, "sig.p7s")
			os.WriteFile(p7, cms, 0o600)
			certs, err := exec.Command("openssl", "pkcs7", "-inform", "DER", "-in", p7, "-print_certs", "-noout").CombinedOutput()
			if err != nil {
				t.Fatalf("openssl pkcs7: %v %s", err, certs)
			}
			hasInt := strings.Contains(string(certs), "Test Issuing CA") && strings.Contains(string(certs), "subject=") &&
				strings.Count(string(certs), "subject=") >= 2
			warned := strings.Contains(errs, "chain is incomplete")
			if online && (!hasInt || warned) {
				t.Fatalf("online: CMS certificates:\n%s\nstderr: %s", certs, errs)
			}
			if !online && (hasInt || !warned) {
				t.Fatalf("offline: CMS certificates:\n%s\nstderr: %s", certs, errs)
			}
			if online {
				// pdfsig with only the root trusted builds the chain.
				nss := nssTrusting(t, pk.CAPEM)
				o, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nss, signed).CombinedOutput()
				if !strings.Contains(string(o), "Signature is Valid") || !strings.Contains(string(o), "Certificate is Trusted") {
					t.Fatalf("pdfsig with the root only:\n%s", o)
				}
			}
		})
	}
}

// The copy starts before the PIN (cli_early.go): with no PIN given, or a
// wrong one, nothing is left behind; with no PIN there is no login at all.
func TestCLISignEarlyCopyLeavesNothing(t *testing.T) {
	tok := softToken(t)
	mod, spyLog, spied := withSpy(t, tok)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	code, _, errs := spied("", "--lang", "en", "--module", mod, "sign", in, "--cert", hex.EncodeToString(tok.ECID))
	if code != exitUsage {
		t.Fatalf("no PIN: exit %d %s", code, errs)
	}
	if strings.Contains(spyLog(), "C_Login") {
		t.Fatal("a login without a PIN")
	}
	assertOnlyFiles(t, dir, "contrat.pdf")
	pinsInTest = append(pinsInTest, "999999")
	code, _, errs = spied("999999\n", "--lang", "en", "--module", mod, "sign", in, "--cert", hex.EncodeToString(tok.ECID))
	if code != exitPINIncorrect {
		t.Fatalf("wrong PIN: exit %d %s", code, errs)
	}
	if n := strings.Count(spyLog(), "C_Login"); n != 1 {
		t.Fatalf("%d C_Login for one wrong PIN", n)
	}
	assertOnlyFiles(t, dir, "contrat.pdf")
}

// A form with two empty signature fields: the CLI asks which one before any
// PIN; --field NAME signs into it (visible stamp in its rectangle).
func TestCLISignFieldChoice(t *testing.T) {
	tok := softToken(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "formulaire.pdf")
	var b strings.Builder
	b.WriteString("%PDF-1.7\n")
	objs := []string{
		"<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[4 0 R 5 0 R]>>>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Annots[4 0 R 5 0 R]>>",
		"<</FT/Sig/T(Demandeur)/Type/Annot/Subtype/Widget/F 4/P 3 0 R/Rect[50 50 250 110]>>",
		"<</FT/Sig/T(Agent)/Type/Annot/Subtype/Widget/F 4/P 3 0 R/Rect[300 50 500 110]>>",
	}
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	os.WriteFile(in, []byte(b.String()), 0o644)
	code, _, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", "/nonexistent/module.so", "sign", in)
	if code != exitUsage || !strings.Contains(errs, "Demandeur, Agent") || !strings.Contains(errs, "--field NAME") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	code, out, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", tok.ModulePath, "sign", in, "--field", "Agent", "--cert", hex.EncodeToString(tok.ECID))
	if code != exitOK || !strings.Contains(out, "Agent") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	fs, err := sign.SignatureFields(sign.DefaultOutput(in))
	if err != nil || len(fs) != 2 || fs[0].Signed || !fs[1].Signed {
		t.Fatalf("%v %+v", err, fs)
	}
	// pdfsig and mutool (pdfcpu rejects any document with an unsigned
	// signature field, "missing signature dict reference", so it is not used).
	signed := sign.DefaultOutput(in)
	nss := nssTrusting(t, tok.CAPath)
	if o, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nss, signed).CombinedOutput(); !strings.Contains(string(o), "Signature Field Name: Agent") ||
		!strings.Contains(string(o), "Signature is Valid") || !strings.Contains(string(o), "Total document signed") {
		t.Fatalf("pdfsig:\n%s", o)
	}
	if o, _ := exec.Command("mutool", "sign", "-v", signed).CombinedOutput(); !strings.Contains(string(o), "unchanged since signing") {
		t.Fatalf("mutool:\n%s", o)
	}
}

// An encrypted PDF: with an empty user password it is signed; when its
// permissions forbid forms it is refused with exit 7 before any module or
// PIN, and nothing is written.
func TestCLISignEncrypted(t *testing.T) {
	testtool.Need(t, "qpdf")
	tok := softToken(t)
	dir := t.TempDir()
	plain := samplePDF(t, dir)
	open := filepath.Join(dir, "protege.pdf")
	locked := filepath.Join(dir, "verrouille.pdf")
	for _, c := range []struct {
		out  string
		args []string
	}{
		{open, []string{"--encrypt", "", "proprietaire", "256", "--print=none", "--extract=n", "--"}},
		{locked, []string{"--encrypt", "", "proprietaire", "256", "--modify=none", "--annotate=n", "--form=n", "--"}},
	} {
		if b, err := exec.Command("qpdf", append(append(c.args, plain), c.out)...).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v %s", err, b)
		}
	}
	code, _, errs := cli(t, "", "--lang", "fr", "--module", "/nonexistent/module.so", "sign", locked)
	if code != exitBadPDF || !strings.Contains(errs, "droits") {
		t.Fatalf("forbidden: exit %d %s", code, errs)
	}
	if _, err := os.Stat(sign.DefaultOutput(locked)); err == nil {
		t.Fatal("an output was written")
	}
	code, out, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", tok.ModulePath, "sign", open, "--cert", hex.EncodeToString(tok.RSAID))
	if code != exitOK || !strings.Contains(out, "valid signature") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	signed := sign.DefaultOutput(open)
	nss := nssTrusting(t, tok.CAPath)
	if o, _ := exec.Command("pdfsig", "-nssdir", "sql:"+nss, signed).CombinedOutput(); !strings.Contains(string(o), "Signature is Valid") ||
		!strings.Contains(string(o), "Certificate is Trusted") {
		t.Fatalf("pdfsig:\n%s", o)
	}
	if o, err := exec.Command("qpdf", "--password=", "--show-encryption", signed).CombinedOutput(); err != nil || !strings.Contains(string(o), "R = 6") {
		t.Fatalf("qpdf: %v %s", err, o)
	}
}
