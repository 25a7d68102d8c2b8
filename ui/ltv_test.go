package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// sampleInput writes the sample PDF to a temp dir and selects it.
func sampleInput(t *testing.T, h *harness) (*signView, string) {
	t.Helper()
	h.app.show(screenSign)
	v := h.app.signView()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	var buf bytes.Buffer
	if err := pdfsign.SamplePDF(&buf, "fr"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(in)})
	if v.inputPath != in {
		t.Fatalf("input %q", v.inputPath)
	}
	return v, in
}

var rectRE = regexp.MustCompile(`/Rect\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]`)

// visibleRects counts the /Rect arrays of non-zero area in a PDF file.
func visibleRects(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range rectRE.FindAllSubmatch(b, -1) {
		var f [4]float64
		for i := range f {
			f[i], _ = strconv.ParseFloat(string(m[i+1]), 64)
		}
		if f[2]-f[0] != 0 && f[3]-f[1] != 0 {
			n++
		}
	}
	return n
}

func pdfsigValid(t *testing.T, path string) {
	t.Helper()
	out, _ := exec.Command("pdfsig", path).CombinedOutput()
	if !strings.Contains(string(out), "Signature is Valid") {
		t.Fatalf("pdfsig:\n%s", out)
	}
}

// The TSA setting (a local RFC 3161 TSA on 127.0.0.1) gives a B-T file, with
// the level and the timestamp time on screen; the stamp choice "last page,
// bottom left" gives a widget with a non-zero /Rect; the URL is remembered.
func TestSignBTWithVisibleStampFromUI(t *testing.T) {
	testtoken.Need(t, "pdfsig")
	p := pkitest.New(t)
	tok := softhsm(t)
	h := start(t, tok, "fr")
	v, in := sampleInput(t, h)
	if !v.corner.Disabled() {
		t.Fatal("the corner choice is enabled while the stamp is invisible (the default)")
	}
	v.tsa.SetText(p.TSAURL())
	v.stamp.SetSelectedIndex(2) // last page
	v.corner.SetSelectedIndex(1)
	if v.corner.Disabled() {
		t.Fatal("corner choice disabled with a visible stamp")
	}
	h.settle() // the pre-PIN check of the new options: the TSA may now fail
	if v.submit.Disabled() {
		t.Fatalf("Signer still disabled with save-lower chosen: %q", v.docStatus.Text)
	}
	v.pin.SetText("")
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" || v.verification == nil {
		t.Fatalf("no output: %q", v.status.Text)
	}
	if !v.verification.Valid || v.verification.Level != "B-T" || v.verification.Timestamp.IsZero() {
		t.Fatalf("verification %+v", v.verification)
	}
	if p.Requests("tsa") == 0 {
		t.Fatal("the TSA was not asked")
	}
	rep, err := verify.Verify(context.Background(), v.output, verify.Options{})
	if err != nil || len(rep.Signatures) != 1 || rep.Signatures[0].Level != "B-T" {
		t.Fatalf("Verify: %v %+v", err, rep)
	}
	pdfsigValid(t, v.output)
	if before, after := visibleRects(t, in), visibleRects(t, v.output); after != before+1 {
		t.Fatalf("visible rectangles: %d before, %d after", before, after)
	}
	mustShow(t, h.win, "signature avec heure certifiée")
	mustShow(t, h.win, "Horodatage")
	if got := h.store.Settings().TSAURL; got != p.TSAURL() {
		t.Fatalf("TSA URL not remembered: %q", got)
	}
	state, _ := os.ReadFile(h.store.Path())
	if bytes.Contains(state, []byte(tok.PIN)) {
		t.Fatal("the state file holds the PIN")
	}
}

// TSA down: without the up-front choice, a clear message, no file and no
// PIN verification (the TSA is found unreachable before the PIN, issue #11
// item 7); with it, a B-B file and a visible warning. Never a second PIN
// verification on the app's own initiative.
func TestTSADownAsksNothingAndSavesBBOnlyWhenChosen(t *testing.T) {
	testtoken.Need(t, "pdfsig")
	tok := softhsm(t)
	h := start(t, tok, "fr")
	v, in := sampleInput(t, h)
	v.tsa.SetText(pkitest.DeadURL(t))
	if v.allowLower.Checked {
		t.Fatal("save-lower ticked by default")
	}
	h.settle() // the pre-PIN check of the new options
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit) // disabled: the check found the TSA unreachable
	h.settle()
	if v.output != "" {
		t.Fatalf("signed without timestamp unasked: %s", v.output)
	}
	if !v.submit.Disabled() {
		t.Fatal("Signer enabled with an unreachable TSA")
	}
	if !strings.Contains(v.docStatus.Text, "serveur d’horodatage") {
		t.Fatalf("under the document: %q", v.docStatus.Text)
	}
	if n := h.svc.codeCalls.Load(); n != 0 {
		t.Fatalf("%d PIN verifications, want 0 (TSA checked before the PIN)", n)
	}
	if st := pinState(t, h); st != actions.PINOK {
		t.Fatalf("PIN state %s", st)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(in), "*signé*")); len(left) != 0 {
		t.Fatalf("output left: %v", left)
	}

	test.Tap(v.allowLower)
	if !h.store.Settings().AllowLower {
		t.Fatal("choice not remembered")
	}
	h.settle() // the pre-PIN check of the new options: the TSA may now fail
	if v.submit.Disabled() {
		t.Fatalf("Signer still disabled with save-lower chosen: %q", v.docStatus.Text)
	}
	v.pin.SetText("")
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" || v.verification == nil {
		t.Fatalf("no output: %q", v.status.Text)
	}
	if v.verification.Level != "B-B" || v.warning == nil || !v.verification.Timestamp.IsZero() {
		t.Fatalf("level %+v warning %v", v.verification, v.warning)
	}
	if n := h.svc.codeCalls.Load(); n != 1 {
		t.Fatalf("%d PIN verifications, want 1 (the click that signed)", n)
	}
	pdfsigValid(t, v.output)
	mustShow(t, h.win, "Attention : la signature a été enregistrée sans ce que le serveur devait ajouter (type obtenu : signature simple")
	mustShow(t, h.win, "signature simple (sans heure certifiée)")
}

// Two signing certificates (RSA and EC): the picker appears and the second
// one signs.
func TestCertificatePickerSignsWithChosenCert(t *testing.T) {
	testtoken.Need(t, "pdfsig")
	tok := softhsm(t)
	h := start(t, tok, "en")
	v, _ := sampleInput(t, h)
	if len(v.cert.Options) != 2 || v.cert.SelectedIndex() != 0 {
		t.Fatalf("certificate choices %q (selected %d)", v.cert.Options, v.cert.SelectedIndex())
	}
	mustShow(t, h.win, "Certificate")
	certs, err := h.svc.Certificates(h.app.current().Slot)
	if err != nil {
		t.Fatal(err)
	}
	var signing []actions.CertInfo
	for _, c := range certs {
		if c.HasPrivateKey {
			signing = append(signing, c)
		}
	}
	if len(signing) != 2 {
		t.Fatalf("%d signing certificates", len(signing))
	}
	v.cert.SetSelectedIndex(1)
	h.settle() // the pre-PIN check of the new options
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" || v.verification == nil || !v.verification.Valid {
		t.Fatalf("no valid output: %q %+v", v.status.Text, v.verification)
	}
	// the window's order is its own (the default first, then by usage and
	// label): the second choice is the certificate it names second
	second, other := signing[0], signing[1]
	if v.cert.Options[1] == h.app.certNameFor(signing[1]) {
		second, other = signing[1], signing[0]
	}
	want := sha256.Sum256(second.Cert.Raw)
	first := sha256.Sum256(other.Cert.Raw)
	if v.verification.CertSHA256 != hex.EncodeToString(want[:]) || want == first {
		t.Fatalf("signed by %s, want the second certificate %x", v.verification.CertSHA256, want)
	}
	pdfsigValid(t, v.output)
	if v.verification.Level != "B-B" {
		t.Fatalf("level %q", v.verification.Level)
	}
	mustShow(t, h.win, "basic signature (no certified time)")
}

// B-LT asked but the token's certificates name no revocation server: known
// from the certificate, so refused before the PIN is asked for (the same
// rule as the CLI, actions.Prepare): no PIN verification, no file; a bad
// TSA URL is refused before any PIN is sent too.
func TestRevocationFailureAndBadURL(t *testing.T) {
	p := pkitest.New(t)
	tok := softhsm(t)
	h := start(t, tok, "en")
	v, in := sampleInput(t, h)
	v.tsa.SetText("ftp://tsa.example/")
	h.settle() // the pre-PIN check of the new options
	if !v.submit.Disabled() || !strings.Contains(v.docStatus.Text, "This document cannot be signed") {
		t.Fatalf("bad URL: button enabled %v, document status %q", !v.submit.Disabled(), v.docStatus.Text)
	}
	test.Type(v.pin, tok.PIN)
	v.pin.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter in the PIN field: still refused
	h.settle()
	if v.output != "" || h.svc.codeCalls.Load() != 0 || v.status.Text == "" {
		t.Fatalf("bad URL: output %q, %d PIN calls, status %q", v.output, h.svc.codeCalls.Load(), v.status.Text)
	}
	v.pin.SetText("")
	v.tsa.SetText(p.TSAURL())
	test.Tap(v.ltv)
	h.settle() // the pre-PIN check of the new options
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	snapshot(t, h, "14-sign-options-en.png")
	if v.output != "" || !v.submit.Disabled() || !strings.Contains(v.docStatus.Text, "names no OCSP responder and no CRL") {
		t.Fatalf("output %q, button enabled %v, document status %q", v.output, !v.submit.Disabled(), v.docStatus.Text)
	}
	if n := h.svc.codeCalls.Load(); n != 0 {
		t.Fatalf("%d PIN verifications, want 0", n)
	}
	v.pin.SetText("")
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(in), "*signed*")); len(left) != 0 {
		t.Fatalf("output left: %v", left)
	}
	test.Tap(v.allowLower)
	h.settle() // the pre-PIN check of the new options
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.verification == nil || v.verification.Level != "B-T" || v.warning == nil {
		t.Fatalf("status %q result %+v warning %v", v.status.Text, v.verification, v.warning)
	}
	mustShow(t, h.win, "Warning: the signature was saved without what the server was to add (type reached: signature with certified time)")
}

// One signing certificate: no choice shown.
func TestCertificatePickerHiddenWithOneCert(t *testing.T) {
	tok := testtoken.NewSoftHSM(t, testtoken.WithLabel("Jeton RSA seul"), testtoken.WithoutEC())
	tok.Setenv(t)
	h := start(t, tok, "en")
	h.app.show(screenSign)
	if shows(h.win, "Certificate") {
		t.Fatalf("a certificate choice is shown with one certificate:\n%s", strings.Join(texts(h.win), "\n"))
	}
	mustShow(t, h.win, "Options")
}

// The window's Cancel button ends the signature's context: a TSA that never
// answers is left, the message says so and no file is written (issue #10).
func TestCancelButtonStopsAStalledTimestamp(t *testing.T) {
	tok := softhsm(t)
	p := pkitest.New(t)
	h := start(t, tok, "fr")
	v, in := sampleInput(t, h)
	v.tsa.SetText(p.TSAURL())
	h.settle() // the pre-PIN check (the TSA answers a connection)
	p.SetTSA(pkitest.Stall)
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	for i := 0; p.Requests("tsa") == 0; i++ {
		if i > 3000 {
			t.Fatal("the TSA was never asked")
		}
		h.drain()
		time.Sleep(10 * time.Millisecond)
	}
	if v.cancelButton == nil || v.cancelButton.Disabled() {
		t.Fatal("no usable Cancel button while signing")
	}
	test.Tap(v.cancelButton)
	h.settle()
	if v.output != "" {
		t.Fatalf("signed after Cancel: %s", v.output)
	}
	if !strings.Contains(v.status.Text, "annulée") {
		t.Fatalf("status %q", v.status.Text)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(in), "*signé*")); len(left) != 0 {
		t.Fatalf("output left: %v", left)
	}
	if v.cancelButton != nil || v.submit.Disabled() {
		t.Fatal("the form is not back after Cancel")
	}
}

// A TSA that accepts the connection (the check before the PIN passes) and
// then answers HTTP 500: one PIN verification, the signed file kept as B-B
// with Réessayer; once the TSA answers, Réessayer adds the timestamp with no
// PIN verification and the file is B-T for our verify and pdfsig.
func TestRetryAddsTimestampWithoutPIN(t *testing.T) {
	testtoken.Need(t, "pdfsig")
	p := pkitest.New(t)
	tok := softhsm(t)
	h := start(t, tok, "fr")
	v, _ := sampleInput(t, h)
	v.tsa.SetText(p.TSAURL())
	h.settle() // the pre-PIN check: the TSA accepts a connection
	p.SetTSA(pkitest.Error500)
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" || v.verification == nil || v.verification.Level != "B-B" || v.retryButton == nil {
		t.Fatalf("output %q result %+v retry %v status %q", v.output, v.verification, v.retryButton != nil, v.status.Text)
	}
	mustShow(t, h.win, "Réessayez quand le serveur répondra : le code PIN ne sera pas redemandé.")
	mustShow(t, h.win, "Réessayer")
	if n := h.svc.codeCalls.Load(); n != 1 {
		t.Fatalf("%d PIN verifications, want 1", n)
	}
	test.Tap(v.retryButton) // still failing: nothing changes, the button stays
	h.settle()
	if v.retryButton.Disabled() || !strings.Contains(v.status.Text, "horodatage") {
		t.Fatalf("after a failed retry: disabled %v status %q", v.retryButton.Disabled(), v.status.Text)
	}
	p.SetTSA(pkitest.Normal)
	test.Tap(v.retryButton)
	h.settle()
	if v.verification == nil || v.verification.Level != "B-T" || v.verification.Timestamp.IsZero() || v.retryButton != nil {
		t.Fatalf("after retry: %+v retry %v status %q", v.verification, v.retryButton != nil, v.status.Text)
	}
	if n := h.svc.codeCalls.Load(); n != 1 {
		t.Fatalf("%d PIN verifications after Réessayer, want 1", n)
	}
	rep, err := verify.Verify(context.Background(), v.output, verify.Options{})
	if err != nil || len(rep.Signatures) != 1 || rep.Signatures[0].Level != "B-T" {
		t.Fatalf("Verify: %v %+v", err, rep)
	}
	pdfsigValid(t, v.output)
	mustShow(t, h.win, "Signature complétée")
}
