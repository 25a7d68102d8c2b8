package ui

// Tests of issue #12, "the customer's first ten minutes": one test (or a
// few) per item, on real SoftHSM2 tokens, real PDFs and, for the PIN
// counts, OpenSC's pkcs11-spy in front of the token.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/zalando/go-keyring"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/pdfsign"
)

// libGlob is the first library matching name in the multiarch folders.
func libGlob(name string) string {
	for _, pat := range []string{"/usr/lib/*/" + name, "/usr/lib/" + name} {
		if m, _ := filepath.Glob(pat); len(m) > 0 {
			return m[0]
		}
	}
	return ""
}

// spied opens the window over OpenSC's pkcs11-spy in front of a fresh
// SoftHSM2 token (a private copy of the spy per test: it reads its
// environment once, when loaded); the returned function counts the C_Login
// calls logged so far. The log holds PINs: testtoken removes it.
func spied(t *testing.T, wrap func(TokenService) TokenService) (*harness, func() int) {
	t.Helper()
	tok := softhsm(t)
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	h := startModule(t, tok, spy.Path, "fr", wrap)
	if len(spy.Calls()) == 0 {
		t.Fatal("pkcs11-spy logged nothing: the window does not use it")
	}
	return h, func() int { return spy.Count("C_Login") }
}

func sampleIn(t *testing.T, dir, name string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := pdfsign.SamplePDF(&buf, "fr"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// buildPDF is a minimal PDF with objs as objects 1…n (Root 1, Info 2).
func buildPDF(objs []string) []byte { return testpdf.Classic("/Info 2 0 R", objs...) }

// refusedBeforePIN selects in (or not, when in is ""), waits for the
// pre-PIN check and asserts: "Signer" disabled, the reason next to the
// document, and Enter in the PIN field (the only way left to try) refused
// without a word to the token.
func refusedBeforePIN(t *testing.T, h *harness, in, want string) {
	t.Helper()
	v := h.app.signView()
	if in != "" {
		h.app.handleDrop([]fyne.URI{storage.NewFileURI(in)})
	}
	h.settle()
	if !v.submit.Disabled() || v.checkErr == nil {
		t.Fatalf("%s: button enabled %v, check %v", want, !v.submit.Disabled(), v.checkErr)
	}
	if !strings.Contains(v.docStatus.Text, "Impossible de signer ce document") || !strings.Contains(v.docStatus.Text, want) {
		t.Fatalf("document status %q, want %q", v.docStatus.Text, want)
	}
	v.pin.SetText("123456")
	v.pin.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if !strings.Contains(v.status.Text, "Votre code PIN n’a pas été utilisé") || v.output != "" {
		t.Fatalf("status %q output %q", v.status.Text, v.output)
	}
	v.pin.SetText("")
}

// Item 1: every refusal knowable before the PIN is said beside the document
// with "Signer" disabled, and costs zero C_Login (counted by pkcs11-spy);
// the same window then signs a good document with exactly one.
func TestRefusalsBeforePINCostNoLogin(t *testing.T) {
	testtoken.Need(t, "qpdf")
	h, logins := spied(t, nil)
	h.app.show(screenSign)
	dir := t.TempDir()

	damaged := filepath.Join(dir, "abîmé.pdf")
	os.WriteFile(damaged, []byte("%PDF-1.7\nthis is not a PDF body\n"), 0o644)
	refusedBeforePIN(t, h, damaged, "abîmé.pdf")

	good := sampleIn(t, dir, "clair.pdf")
	enc := filepath.Join(dir, "protégé.pdf")
	if out, err := exec.Command("qpdf", "--encrypt", "secret", "owner", "256", "--", good, enc).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, out)
	}
	refusedBeforePIN(t, h, enc, "protégé.pdf")

	certified := filepath.Join(dir, "certifié.pdf")
	os.WriteFile(certified, buildPDF([]string{
		"<</Type/Catalog/Pages 3 0 R/Perms<</DocMDP 5 0 R>>>>", "<<>>",
		"<</Type/Pages/Kids[4 0 R]/Count 1>>", "<</Type/Page/Parent 3 0 R/MediaBox[0 0 200 200]>>",
		"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/adbe.pkcs7.detached/Reference[<</Type/SigRef/TransformMethod/DocMDP/TransformParams<</Type/TransformParams/P 1/V/1.2>>>>]/ByteRange[0 0 0 0]/Contents<00>>>",
	}), 0o644)
	refusedBeforePIN(t, h, certified, "")

	// chosen, then gone (moved or on a removed USB stick)
	gone := sampleIn(t, dir, "parti.pdf")
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(gone)})
	h.settle()
	os.Remove(gone)
	v := h.app.signView()
	v.pin.SetText("123456")
	v.pin.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // the click checks again
	h.settle()
	if !strings.Contains(v.status.Text, "Votre code PIN n’a pas été utilisé") || !strings.Contains(v.docStatus.Text, "parti.pdf") || !v.submit.Disabled() {
		t.Fatalf("vanished document: status %q, document %q", v.status.Text, v.docStatus.Text)
	}
	v.pin.SetText("")

	// the options: malformed timestamp server addresses
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(good)})
	for _, bad := range []string{"ftp://tsa.example/", "http//tsa.example", "https://alice:pw@tsa.example/"} {
		v.tsa.SetText(bad)
		refusedBeforePIN(t, h, "", "")
	}
	v.tsa.SetText("")
	h.settle()
	if v.submit.Disabled() {
		t.Fatalf("a good document stays refused: %q", v.docStatus.Text)
	}

	// output nowhere writable: the document's folder and the documents
	// folder both read-only (chattr +i as root, who ignores modes)
	ro := filepath.Join(dir, "lecture-seule")
	os.Mkdir(ro, 0o755)
	roDoc := sampleIn(t, ro, "contrat.pdf")
	if readOnly(t, ro) && readOnly(t, h.docs) {
		refusedBeforePIN(t, h, roDoc, ro)
	}

	if n := logins(); n != 0 || h.svc.codeCalls.Load() != 0 {
		t.Fatalf("%d C_Login, %d code calls for refused documents", n, h.svc.codeCalls.Load())
	}
	// the counter counts: a good document costs exactly one login
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(good)})
	h.settle()
	test.Type(v.pin, h.tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" {
		t.Fatalf("good document not signed: %q", v.status.Text)
	}
	if n := logins(); n != 1 {
		t.Fatalf("%d C_Login for one signature", n)
	}
}

// readOnly makes dir unwritable even for root (chattr +i), undone at
// cleanup; false on a file system without the immutable flag (tmpfs), where
// root cannot be kept from writing.
func readOnly(t *testing.T, dir string) bool {
	t.Helper()
	os.Chmod(dir, 0o555)
	if os.Geteuid() == 0 {
		testtoken.Need(t, "chattr")
		if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
			t.Logf("no immutable flag here (%v: %s): the unwritable-output case is not run", err, out)
			os.Chmod(dir, 0o755)
			return false
		}
	}
	t.Cleanup(func() {
		if os.Geteuid() == 0 {
			exec.Command("chattr", "-i", dir).Run()
		}
		os.Chmod(dir, 0o755)
	})
	return true
}

// certState changes what the real service reports about the certificates:
// SoftHSM2 test tokens hold only valid signing certificates, and an
// expired or encryption-only one cannot be made on them in a test's time.
// Every call still reaches the real token.
type certState struct {
	TokenService
	change func(*actions.CertInfo)
}

func (c certState) Certificates(slot uint) ([]actions.CertInfo, error) {
	cs, err := c.TokenService.Certificates(slot)
	for i := range cs {
		c.change(&cs[i])
	}
	return cs, err
}

// Item 1 (the certificate): expired or not meant for signing is said before
// the PIN and costs no login.
func TestCertificateRefusalsBeforePIN(t *testing.T) {
	for _, c := range []struct {
		name, want string
		change     func(*actions.CertInfo)
	}{
		{"expired", "a expiré", func(c *actions.CertInfo) { c.Expired = true }},
		{"not for signing", "pas prévu pour signer", func(c *actions.CertInfo) { c.KeyUsage = []string{"key_encipherment"} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, logins := spied(t, func(s TokenService) TokenService { return certState{s, c.change} })
			h.app.show(screenSign)
			refusedBeforePIN(t, h, sampleIn(t, t.TempDir(), "doc.pdf"), c.want)
			if n := logins(); n != 0 {
				t.Fatalf("%d C_Login", n)
			}
		})
	}
}

// Item 2: a generic module that sees no token is not "done", and the step
// says what was found and what to do; a module that sees the token is.
func TestDriverStepDoneOnlyWhenItWorks(t *testing.T) {
	opensc := libGlob("opensc-pkcs11.so")
	if opensc == "" {
		testtoken.Missing(t, "opensc-pkcs11.so (Debian opensc-pkcs11) not installed")
	}
	t.Setenv("OPENSC_CONF", "/dev/null") // no reader configuration needed: it sees no token
	h := startModule(t, nil, opensc, "fr", nil)
	h.app.show(screenGuide)
	mustShow(t, h.win, "OpenSC, un pilote générique, est installé ; le pilote de Certigna n’a pas été trouvé")
	st := stepStates(h.store, guideFacts{DriverLoaded: true, DriverVendor: false})
	if st[stepDriver] == stateDone {
		t.Fatal("a generic module without a token counts as the driver step done")
	}
	if shows(h.win, "Fait") {
		t.Fatalf("a step shows “Fait”:\n%s", strings.Join(texts(h.win), "\n"))
	}

	tok := softhsm(t)
	h2 := start(t, tok, "fr")
	h2.app.show(screenGuide)
	mustShow(t, h2.win, "Le pilote fonctionne : il voit votre token")
}

// Item 3: the main path fits at 1024×740 (the button and its message in
// view, the result too), works at 800×600, labels wrap, a long holder name
// does not widen the window, and the wheel scrolls over a text field.
func TestMainPathFitsAndScrolls(t *testing.T) {
	tok := softhsm(t)
	long := strings.Repeat("Marie-Frédérique de la Tour d’Auvergne-Testé ", 5)
	h := startWith(t, tok, "fr", func(s TokenService) TokenService {
		return certState{s, func(c *actions.CertInfo) { c.Holder = long }}
	})
	fyne.CurrentApp().Settings().SetTheme(NewTheme()) // the real window's sizes
	drv := fyne.CurrentApp().Driver()
	h.win.Resize(fyne.NewSize(1024, 740))
	h.app.show(screenSign)
	v := h.app.signView()
	v.sampleNow()
	h.settle()
	if w := h.win.Content().MinSize().Width; w > 800 {
		t.Fatalf("the sign screen needs %.0f px of width with a long holder name", w)
	}
	inView := func(what string, o fyne.CanvasObject, height float32) fyne.Position {
		t.Helper()
		p := drv.AbsolutePositionForObject(o)
		if p.Y < 0 || p.Y+o.Size().Height > height {
			t.Fatalf("%s at y=%.0f..%.0f, out of the %0.f px window", what, p.Y, p.Y+o.Size().Height, height)
		}
		return p
	}
	test.Type(v.pin, "000000") // a wrong PIN: the message must be beside the button
	test.Tap(v.submit)
	h.settle()
	b := inView("Signer", v.submit, 740)
	t.Logf("button at %v, content min %v", b, h.win.Content().MinSize())
	s := inView("its message", v.status, 740)
	if v.status.Text == "" || s.X <= b.X || s.Y > b.Y+v.submit.Size().Height {
		t.Fatalf("message %q at %v, button at %v: not beside it", v.status.Text, s, b)
	}
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" {
		t.Fatalf("not signed: %q", v.status.Text)
	}
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if l, ok := o.(*widget.Label); ok && l.Text == v.output {
			inView("the signed file's name", l, 740)
		}
	}

	// 800×600: nothing wider than the window, the button reachable by the wheel
	h.win.Resize(fyne.NewSize(800, 600))
	h.app.show(screenSign)
	v = h.app.signView()
	v.optionsBox.Open(0) // the tallest state
	if w := h.win.Content().MinSize().Width; w > 800 {
		t.Fatalf("needs %.0f px at 800×600", w)
	}
	before := drv.AbsolutePositionForObject(v.tsa)
	// the wheel over a text field scrolls the page
	test.Scroll(h.win.Canvas(), before.Add(fyne.NewPos(10, 10)), 0, -120)
	after := drv.AbsolutePositionForObject(v.tsa)
	if after.Y >= before.Y {
		t.Fatalf("the wheel over a field did not scroll the page (y %.0f → %.0f)", before.Y, after.Y)
	}
}

// Item 4: no jargon on the first view of the signature screen; the options,
// folded, in plain words with the technical names in the details; the TSA
// login typed in the window, its password kept in the (mock) keychain and
// never in the state file, and used again from the keychain.
func TestSignScreenPlainWordsAndTSALoginInKeychain(t *testing.T) {
	// Secret Service (the Linux keychain) needs a desktop session's D-Bus
	// daemon, absent under test: go-keyring's own in-memory provider
	// stands in for it, through the same calls.
	keyring.MockInit()
	p := pkitest.New(t)
	p.TSAUser, p.TSAPassword = "alice", "s3cret-tsa"
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	jargon := regexp.MustCompile(`RFC ?3161|B-LT|B-T\b|B-B\b|OCSP|CRL|CERTIGNA_TSA|PAdES`)
	for _, x := range visibleTexts(h.win) {
		if jargon.MatchString(x) {
			t.Fatalf("jargon on the signature screen: %q", x)
		}
	}
	v := h.app.signView()
	v.optionsBox.Open(0)
	mustShow(t, h.win, "Ajouter l’heure certifiée d’un serveur d’horodatage")
	mustShow(t, h.win, "Garder la signature vérifiable après l’expiration du certificat")
	mustShow(t, h.win, "RFC 3161") // in the details line only
	visible := func(s string) bool {
		for _, x := range visibleTexts(h.win) {
			if strings.Contains(x, s) {
				return true
			}
		}
		return false
	}
	if visible("Identifiant du serveur") {
		t.Fatal("TSA login asked without a TSA")
	}

	v.sampleNow()
	h.settle()
	v.tsa.SetText(p.TSAURL())
	if !visible("Identifiant du serveur") {
		t.Fatal("no TSA login fields with a TSA address")
	}
	test.Type(v.tsaUser, "alice")
	test.Type(v.tsaPass, "s3cret-tsa")
	h.settle()
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.verification == nil || v.verification.Level != "B-T" {
		t.Fatalf("not B-T with the typed login: %q %+v", v.status.Text, v.verification)
	}
	state, _ := os.ReadFile(h.store.Path())
	if bytes.Contains(state, []byte("s3cret-tsa")) || !bytes.Contains(state, []byte("alice")) {
		t.Fatalf("state file:\n%s", state)
	}
	// a new screen: the password field empty, the keychain's is used
	h.app.show(screenGuide)
	h.app.show(screenSign)
	v = h.app.signView()
	if v.tsaPass.Text != "" || v.tsaUser.Text != "alice" {
		t.Fatalf("login fields %q / %q", v.tsaUser.Text, v.tsaPass.Text)
	}
	v.sampleNow()
	h.settle()
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.verification == nil || v.verification.Level != "B-T" {
		t.Fatalf("the keychain's password was not used: %q %+v", v.status.Text, v.verification)
	}
}

// lockedState reports the PIN locked with a usable admin code: opencryptoki
// (the real lockout, ock_test.go) runs only under CERTIGNA_OCK; this shows
// the blocked screen's layout on every run. The token is not called with a
// code here.
type lockedState struct{ TokenService }

func (d lockedState) Tokens() ([]actions.TokenInfo, error) {
	ts, err := d.TokenService.Tokens()
	for i := range ts {
		ts[i].PIN, ts[i].SOPIN = actions.PINLocked, actions.PINCountLow
	}
	return ts, err
}

// Item 5: the blocked screen says the CA's procedure first; the admin-code
// form only behind its button, with its own warning and the tries left.
func TestBlockedScreenCAProcedureFirst(t *testing.T) {
	tok := softhsm(t)
	h := startWith(t, tok, "fr", func(s TokenService) TokenService { return lockedState{s} })
	h.app.show(screenPIN)
	if h.app.shown() != screenBlocked {
		t.Fatalf("screen %s", h.app.shown())
	}
	all := strings.Join(texts(h.win), "\n")
	proc := strings.Index(all, "Un token Certigna bloqué se débloque auprès de Certigna")
	btn := strings.Index(all, "J’ai un code administrateur (PUK) fourni avec mon token")
	if proc < 0 || btn < 0 || btn < proc {
		t.Fatalf("procedure at %d, admin button at %d:\n%s", proc, btn, all)
	}
	if shows(h.win, "Débloquer et définir le code PIN") {
		t.Fatal("the admin-code form is shown before it was asked for")
	}
	snapshot(t, h, "18-blocked-ca-first.png")
	f := h.app.unblockForm()
	test.Tap(f.reveal)
	snapshot(t, h, "19-blocked-admin-form.png")
	mustShow(t, h.win, "ni le code de déverrouillage du site Certigna")
	mustShow(t, h.win, "il reste peu d’essais pour le code administrateur")
	mustShow(t, h.win, "Code administrateur (PUK)")
	if h.win.Canvas().Focused() != h.app.unblockForm().admin {
		t.Fatal("focus not on the admin code")
	}
	if h.svc.codeCalls.Load() != 0 {
		t.Fatal("a code was sent")
	}
	// one vocabulary: the glossary names the three codes in both languages
	g, err := os.ReadFile("../docs/glossary.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"code de déverrouillage", "code PIN", "code administrateur", "unlock code", "PIN", "admin code", "PUK"} {
		if !bytes.Contains(g, []byte(w)) {
			t.Fatalf("glossary lacks %q", w)
		}
	}
}

// Item 6: a weak new PIN gets a warning, not a refusal; the badge says "À
// changer" until the PIN is set, then "Prêt".
func TestWeakPINWarnsOnlyAndBadgeFollowsPINSet(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenPIN)
	mustShow(t, h.win, "À changer")
	f := h.app.pinForm()
	test.Type(f.current, tok.PIN)
	test.Type(f.newPIN, "4444")
	if !f.weak.Visible() || !strings.Contains(f.weak.Text, "facile à deviner") {
		t.Fatalf("no warning for 4444: %q", f.weak.Text)
	}
	f.newPIN.SetText("")
	test.Type(f.newPIN, "2580")
	if f.weak.Visible() {
		t.Fatal("a warning for 2580")
	}
	f.newPIN.SetText("")
	test.Type(f.newPIN, "2345")
	if !f.weak.Visible() {
		t.Fatal("no warning for 2345")
	}
	test.Type(f.confirm, "2345")
	test.Tap(f.submit)
	h.settle()
	if !f.succeeded {
		t.Fatalf("a weak PIN was refused: %q", f.status.Text)
	}
	h.app.show(screenToken)
	mustShow(t, h.win, "Prêt")
	if out, err := tok.TryTool("--login", "--pin", "2345", "--list-objects"); err != nil {
		t.Fatalf("new PIN refused: %v\n%s", err, out)
	}
}

// Item 7: the stamp's reason is empty on a real document, the sample's
// reason on the sample, and what is typed goes into the signature.
func TestReasonEditableEmptyExceptSample(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	v.sampleNow()
	h.settle()
	if v.reason.Text != "Signature de test avec Certigna Desktop" {
		t.Fatalf("sample reason %q", v.reason.Text)
	}
	doc := sampleIn(t, t.TempDir(), "facture.pdf")
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(doc)})
	h.settle()
	if v.reason.Text != "" {
		t.Fatalf("a real document gets the reason %q", v.reason.Text)
	}
	test.Type(v.reason, "Bon pour accord")
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" {
		t.Fatalf("not signed: %q", v.status.Text)
	}
	b, _ := os.ReadFile(v.output)
	if !bytes.Contains(b, []byte("Bon pour accord")) && !bytes.Contains(b, utf16be("Bon pour accord")) {
		t.Fatal("the typed reason is not in the signature")
	}
}

func utf16be(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

// reorder returns the certificates in the reverse order on every other
// read: SoftHSM2 keeps its order, a real token's module may not; the
// window must not depend on it. Every call reaches the real token.
type reorder struct {
	TokenService
	n *int
}

func (r reorder) Certificates(slot uint) ([]actions.CertInfo, error) {
	cs, err := r.TokenService.Certificates(slot)
	*r.n++
	if *r.n%2 == 0 {
		for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
			cs[i], cs[j] = cs[j], cs[i]
		}
	}
	return cs, err
}

// Item 8: the certificate that signs does not change by itself, the one
// last used is remembered per token, and the screen says which one signs.
func TestCertificateStableAndRemembered(t *testing.T) {
	tok := softhsm(t)
	n := 0
	h := startWith(t, tok, "fr", func(s TokenService) TokenService { return reorder{s, &n} })
	h.app.show(screenSign)
	v := h.app.signView()
	first := v.cert.Selected
	for i := 0; i < 3; i++ {
		h.app.refresh()
		h.settle()
		if v.cert.Selected != first {
			t.Fatalf("the default certificate changed by itself: %q → %q", first, v.cert.Selected)
		}
	}
	mustShow(t, h.win, "Signera avec :")
	v.cert.SetSelectedIndex(1)
	second := v.cert.Selected
	v.sampleNow()
	h.settle()
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	if v.output == "" {
		t.Fatalf("not signed: %q", v.status.Text)
	}
	// a new window over the same settings: the last one used is chosen
	h3 := startStore(t, tok, h.store)
	h3.app.show(screenSign)
	if got := h3.app.signView().cert.Selected; got != second {
		t.Fatalf("remembered %q, want %q", got, second)
	}
	state, _ := os.ReadFile(h.store.Path())
	if bytes.Contains(state, []byte(tok.PIN)) {
		t.Fatal("the state file holds the PIN")
	}
}

// Item 9: the signed copy keeps the input's mode, and re-signing numbers
// one suffix instead of stacking them.
func TestSignedFileModeAndNames(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	in := sampleIn(t, dir, "x.pdf")
	os.Chmod(in, 0o640)
	sign := func(p string) string {
		t.Helper()
		h.app.handleDrop([]fyne.URI{storage.NewFileURI(p)})
		h.settle()
		test.Type(v.pin, tok.PIN)
		test.Tap(v.submit)
		h.settle()
		if v.output == "" {
			t.Fatalf("not signed: %q %q", v.status.Text, v.docStatus.Text)
		}
		return v.output
	}
	out := sign(in)
	if filepath.Base(out) != "x-signé.pdf" {
		t.Fatalf("output %s", out)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want the input's 0640", st.Mode().Perm())
	}
	if b := filepath.Base(sign(in)); b != "x-signé-2.pdf" {
		t.Fatalf("second copy %s", b)
	}
	if b := filepath.Base(sign(out)); b != "x-signé-3.pdf" {
		t.Fatalf("re-signed copy %s", b)
	}
	os.Chmod(in, 0o644)
	in2 := sampleIn(t, dir, "y.pdf")
	if st, _ := os.Stat(sign(in2)); st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, want 0644", st.Mode().Perm())
	}
}

// Item 11: "Signature valide" says whether this computer recognises the
// certificate, and what that means.
func TestSignatureResultSaysTrust(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	v.sampleNow()
	h.settle()
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	mustShow(t, h.win, "Signature valide")
	mustShow(t, h.win, "Certificat non reconnu par cet ordinateur")
	mustShow(t, h.win, "la signature est intacte")
	// the test CA added to the app's trust folder: recognised
	trust := filepath.Join(cfg, "certigna-desktop", "trust")
	os.MkdirAll(trust, 0o755)
	ca, _ := os.ReadFile(tok.CAPath)
	os.WriteFile(filepath.Join(trust, "ca.pem"), ca, 0o644)
	v.sampleNow()
	h.settle()
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	h.settle()
	mustShow(t, h.win, "Certificat reconnu par cet ordinateur")
}

// Item 10: a page that the computer cannot open shows the address to copy,
// never the system's error.
func TestOpenFailureShowsAddressToCopy(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.failOpen = fmt.Errorf(`exec: "xdg-open": executable file not found in $PATH`)
	h.app.show(screenGuide)
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := asButton(o); ok && b.Text == "Ouvrir www.certigna.com" {
			test.Tap(b)
			break
		}
	}
	got := strings.Join(overlayTexts(h.win), "\n")
	if !strings.Contains(got, "https://www.certigna.com") || !strings.Contains(got, "Copiez cette adresse") {
		t.Fatalf("dialog shows:\n%s", got)
	}
	if strings.Contains(got, "exec") || strings.Contains(got, "xdg-open") {
		t.Fatalf("raw error shown:\n%s", got)
	}
}

// Item 10: the PDF chooser is in the window's language, takes a typed path
// and refuses a path that does not exist without closing.
func TestPDFChooserTranslatedTakesTypedPath(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := asButton(o); ok && b.Text == "Choisir un PDF…" {
			test.Tap(b)
		}
	}
	got := strings.Join(overlayTexts(h.win), "\n")
	for _, w := range []string{"Choisir un PDF", "Parcourir…", "Ouvrir", "Annuler"} {
		if !strings.Contains(got, w) {
			t.Fatalf("chooser lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "Open File") || strings.Contains(got, "Cancel") {
		t.Fatalf("English in the French chooser:\n%s", got)
	}
	path := h.app.chooserField()
	test.Type(path, "/nulle/part.pdf")
	path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !strings.Contains(strings.Join(overlayTexts(h.win), "\n"), "Aucun fichier à cet emplacement") {
		t.Fatal("no message for a missing file")
	}
	doc := sampleIn(t, t.TempDir(), "tapé.pdf")
	path.SetText(doc)
	path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if v := h.app.signView(); v.inputPath != doc {
		t.Fatalf("typed path not taken: %q", v.inputPath)
	}
}

// Item 6: ticking "Déjà fait avec le pilote" in the guide makes the badge
// "Prêt" (the PIN was set with the maker's tool).
func TestPINSetTickMakesBadgeReady(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenToken)
	mustShow(t, h.win, "À changer")
	h.app.show(screenGuide)
	var tick *check
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if c, ok := o.(*check); ok && c.Text == "Déjà fait avec le pilote" {
			tick = c
		}
	}
	if tick == nil {
		t.Fatal("no “Déjà fait” tick")
	}
	test.Tap(tick)
	h.settle()
	h.app.show(screenToken)
	mustShow(t, h.win, "Prêt")
	if shows(h.win, "À changer") {
		t.Fatal("still “À changer” after the tick")
	}
}

// lockedNoAdmin: the PIN and the admin code both locked (state double, as
// lockedState; the opencryptoki test makes the real one under CERTIGNA_OCK).
type lockedNoAdmin struct{ TokenService }

func (d lockedNoAdmin) Tokens() ([]actions.TokenInfo, error) {
	ts, err := d.TokenService.Tokens()
	for i := range ts {
		ts[i].PIN, ts[i].SOPIN = actions.PINLocked, actions.PINLocked
	}
	return ts, err
}

// Item 5, no usable admin code: the CA's procedure and no admin-code button.
func TestBlockedScreenWithoutAdminCode(t *testing.T) {
	tok := softhsm(t)
	h := startWith(t, tok, "en", func(s TokenService) TokenService { return lockedNoAdmin{s} })
	h.app.show(screenBlocked)
	mustShow(t, h.win, "Your token is blocked")
	mustShow(t, h.win, "A blocked Certigna token is unblocked by Certigna")
	mustShow(t, h.win, "cannot be unblocked here")
	mustShow(t, h.win, "revoke your certificate")
	if shows(h.win, "Admin code") || shows(h.win, "I have an admin code") {
		t.Fatal("an admin-code form or button for a locked admin code")
	}
}
