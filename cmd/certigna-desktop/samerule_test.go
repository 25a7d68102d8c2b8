package main

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/settings"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/trust"
	"github.com/certigna-desktop/app/pdfsign/verify"
	"github.com/certigna-desktop/app/token"
	"github.com/certigna-desktop/app/ui"
)

// The decisions the window and the CLI used to make differently (issue 19)
// are made once, in actions; each test here runs the same case through the
// window (ui over actions, Fyne's test driver) and through the CLI, and
// checks they give the same answer.

// window is the real window over a module, driven as a person does: it
// reads the texts shown and finds the controls by what they say (their
// names, a field's placeholder), never by the ui package's own fields. Its
// background results run on the test goroutine (until).
type window struct {
	app  *ui.App
	win  fyne.Window
	lang string
	mu   sync.Mutex
	q    []func()
	docs string
}

// openWindow opens the window over module on its sign screen and waits
// for the token. prefs, when set, edits the saved preferences first (what
// the person chose in an earlier run), given the token's serial.
func openWindow(t *testing.T, module, lang string, wrap func(ui.TokenService) ui.TokenService, prefs func(s *settings.Settings, serial string)) *window {
	t.Helper()
	m, err := token.Open(module)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	toks, err := m.Tokens()
	if err != nil || len(toks) == 0 {
		t.Fatalf("tokens: %v %v", toks, err)
	}
	store := ui.OpenStore(filepath.Join(t.TempDir(), "state.json"))
	if prefs != nil {
		s := store.Settings()
		prefs(&s, toks[0].Serial)
		if err := store.SetSettings(s); err != nil {
			t.Fatal(err)
		}
	}
	test.NewTempApp(t)
	w := &window{win: test.NewTempWindow(t, widget.NewLabel("")), lang: lang, docs: t.TempDir()}
	w.win.Resize(fyne.NewSize(1000, 800))
	var svc ui.TokenService = actions.TokensOf(m)
	if wrap != nil {
		svc = wrap(svc)
	}
	w.app = ui.New(fyne.CurrentApp(), w.win, ui.Options{Lang: lang, Tokens: svc, Store: store, Version: "test",
		DocumentsDir: w.docs, StartScreen: "sign", WatchEvery: time.Hour,
		RunOnUI: func(fn func()) { w.mu.Lock(); w.q = append(w.q, fn); w.mu.Unlock() }})
	w.app.Start()
	t.Cleanup(w.app.Stop)
	// "Will sign with: …, token “label”" once the token and its certificates are read
	w.until(t, "the token on the sign screen", func() bool { return strings.Contains(w.texts(), toks[0].Label) })
	return w
}

// until runs background results until ok holds (a minute at most).
func (w *window) until(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(time.Minute); ; {
		w.mu.Lock()
		q := w.q
		w.q = nil
		w.mu.Unlock()
		for _, fn := range q {
			fn()
		}
		if ok() {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("window: no %s after a minute; it shows:\n%s", what, w.texts())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (w *window) t(key string) string { return assets.T(w.lang, key) }

// objects is everything drawn: the screen, then what is over it.
func (w *window) objects() []fyne.CanvasObject {
	objs := test.LaidOutObjects(w.win.Content())
	for _, o := range w.win.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(o)...)
	}
	return objs
}

// texts is every text shown (labels, badges), one a line.
func (w *window) texts() string {
	var out []string
	for _, o := range w.objects() {
		switch o := o.(type) {
		case *widget.Label:
			if o.Visible() {
				out = append(out, o.Text)
			}
		case *canvas.Text:
			if o.Visible() {
				out = append(out, o.Text)
			}
		}
	}
	return strings.Join(out, "\n")
}

// button is the button a screen reader names name (nil: none shown).
type button interface {
	fyne.Tappable
	fyne.Disableable
	AccessibleName() string
}

func (w *window) button(name string) button {
	for _, o := range w.objects() {
		if b, ok := o.(button); ok && b.AccessibleName() == name && o.Visible() {
			return b
		}
	}
	return nil
}

// status is the line beside button b: what its click did.
func (w *window) status(b button) string {
	for _, o := range w.objects() {
		c, ok := o.(*fyne.Container)
		if !ok || len(c.Objects) != 2 {
			continue
		}
		for i := range 2 {
			l, isLabel := c.Objects[i].(*widget.Label)
			box, isBox := c.Objects[1-i].(*fyne.Container)
			if isLabel && isBox && len(box.Objects) == 1 && any(box.Objects[0]) == any(b) {
				return l.Text
			}
		}
	}
	return ""
}

// field is the text field whose placeholder is ph (the window's fields
// are Fyne entries underneath).
func (w *window) field(t *testing.T, ph string) fyne.Focusable {
	t.Helper()
	for _, o := range w.objects() {
		f, ok := o.(fyne.Focusable)
		v := reflect.ValueOf(o)
		if !ok || v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			continue
		}
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == ph {
			return f
		}
		if e := v.Elem().FieldByName("Entry"); e.IsValid() && e.Type() == reflect.TypeOf(widget.Entry{}) && e.FieldByName("PlaceHolder").String() == ph {
			return f
		}
	}
	t.Fatalf("no field %q", ph)
	return nil
}

// open opens documents as a drop or a double-click does.
func (w *window) open(paths ...string) { w.app.OpenFiles(paths) }

// signButton is "Sign the document", or "Sign the 4 documents" for a batch.
func (w *window) signButton() button {
	if b := w.button(w.t("ui.sign.submit")); b != nil {
		return b
	}
	for n := 2; n <= 10; n++ {
		if b := w.button(assets.N(w.lang, "ui.batch.submit", n)); b != nil {
			return b
		}
	}
	return nil
}

// sign types the PIN and presses "Sign the document".
func (w *window) sign(t *testing.T, pin string) {
	t.Helper()
	test.Type(w.field(t, w.t("ui.sign.pin_ph")), pin)
	test.Tap(w.signButton())
}

// signStatus is the line beside "Sign the document".
func (w *window) signStatus() string { return w.status(w.signButton()) }

func logins(log func() string) int { return strings.Count(log(), "C_Login") }

func copies(t *testing.T, dir string, names ...string) []string {
	t.Helper()
	src := samplePDF(t, t.TempDir())
	b, _ := os.ReadFile(src)
	var out []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		os.WriteFile(p, b, 0o644)
		out = append(out, p)
	}
	return out
}

// B-LT asked with a certificate that names no revocation server: refused
// before the PIN in the CLI's sign and batch and in the window's single
// document and batch, with the same sentence; no C_Login, no file.
func TestSameRuleLTVWithoutRevocationServers(t *testing.T) {
	p := pkitest.New(t) // the TSA only: the token's certificate is not from this PKI
	tok := softToken(t)
	spy, log, _ := withSpy(t, tok)
	want := "names no OCSP responder and no CRL"
	dir := t.TempDir()
	ins := copies(t, dir, "a.pdf", "b.pdf")

	code, _, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", spy, "sign", ins[0], "--cert", "01", "--tsa", p.TSAURL(), "--ltv")
	if code == exitOK || !strings.Contains(errs, want) {
		t.Fatalf("CLI sign: exit %d\n%s", code, errs)
	}
	code, _, errs = cli(t, tok.PIN+"\n", "--lang", "en", "--module", spy, "sign", ins[0], ins[1], "--cert", "01", "--tsa", p.TSAURL(), "--ltv")
	if code == exitOK || !strings.Contains(errs, want) {
		t.Fatalf("CLI batch: exit %d\n%s", code, errs)
	}

	// the timestamp server and B-LT as chosen in an earlier run
	w := openWindow(t, spy, "en", nil, func(s *settings.Settings, _ string) { s.TSAURL, s.LTV = p.TSAURL(), true })
	w.open(ins[0])
	w.until(t, "refusal under the document", func() bool { return strings.Contains(w.texts(), want) })
	if !w.signButton().Disabled() {
		t.Fatalf("window, one document: button enabled\n%s", w.texts())
	}
	w.sign(t, tok.PIN)
	w.open(ins...)
	w.until(t, "batch's button enabled", func() bool { return !w.signButton().Disabled() })
	if st := w.signStatus(); strings.Contains(st, want) {
		t.Fatalf("window, batch: refused before its click: %q", st)
	}
	w.sign(t, tok.PIN)
	w.until(t, "refusal beside the button", func() bool { return strings.Contains(w.signStatus(), want) })
	if n := logins(log); n != 0 {
		t.Fatalf("%d C_Login", n)
	}
	assertOnlyFiles(t, dir, "a.pdf", "b.pdf")
}

// leafOnlyToken is a token holding pkitest's leaf and its key and no CA
// object: the intermediate must come from the AIA caIssuers URL.
func leafOnlyToken(t *testing.T, pk *pkitest.PKI) *testtoken.Token {
	t.Helper()
	tok := softToken(t)
	tok.Tool(t, "--login", "--pin", tok.PIN, "--delete-object", "--type", "cert", "--id", "ca")
	keyDER := filepath.Join(t.TempDir(), "k.der")
	if out, err := exec.Command("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", pk.SignerKeyPEM, "-outform", "DER", "-out", keyDER).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	// the public key too: the window offers a certificate whose key it can
	// see before the login
	pubDER := filepath.Join(t.TempDir(), "p.der")
	if out, err := exec.Command("openssl", "pkey", "-in", pk.SignerKeyPEM, "-pubout", "-outform", "DER", "-out", pubDER).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	certDER := filepath.Join(t.TempDir(), "c.der")
	os.WriteFile(certDER, pk.Signer.Raw, 0o600)
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", keyDER, "--type", "privkey", "--id", "05", "--label", "leaf")
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", pubDER, "--type", "pubkey", "--id", "05", "--label", "leaf")
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", certDER, "--type", "cert", "--id", "05", "--label", "leaf")
	return tok
}

// The missing issuer is downloaded before the PIN, in both: the CLI has
// fetched it when the PIN is not even given; the window when the document
// is checked, before anything is typed. No C_Login either way.
func TestSameRuleChainBeforePIN(t *testing.T) {
	pk := pkitest.New(t, pkitest.WithIntermediate())
	tok := leafOnlyToken(t, pk)
	spy, log, _ := withSpy(t, tok)
	in := samplePDF(t, t.TempDir())

	code, _, errs := cli(t, "", "--lang", "en", "--module", spy, "sign", in, "--cert", "05")
	if code == exitOK || pk.Requests("crt") == 0 {
		t.Fatalf("CLI without a PIN: exit %d, %d issuer downloads\n%s", code, pk.Requests("crt"), errs)
	}
	before := pk.Requests("crt")
	w := openWindow(t, spy, "en", nil, useCert("05"))
	w.open(in)
	// "Sign the document" is enabled once the check before the PIN passed
	w.until(t, "button enabled", func() bool { return !w.signButton().Disabled() })
	if pk.Requests("crt") == before {
		t.Fatalf("window: %d issuer downloads\n%s", pk.Requests("crt")-before, w.texts())
	}
	if n := logins(log); n != 0 {
		t.Fatalf("%d C_Login", n)
	}
}

// trustedList writes a cached French trusted list naming ca as a granted
// qualified CA where the app keeps them (trust.DefaultDir()/tl).
func trustedList(t *testing.T, caDER []byte) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	dir := filepath.Join(trust.DefaultDir(), "tl")
	os.MkdirAll(dir, 0o700)
	xml := `<?xml version="1.0"?><TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><TrustServiceProviderList><TrustServiceProvider><TSPServices>` +
		`<TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier>` +
		`<ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</ServiceStatus>` +
		`<ServiceDigitalIdentity><DigitalId><X509Certificate>` + base64.StdEncoding.EncodeToString(caDER) + `</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceInformation></TSPService>` +
		`</TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>`
	if err := os.WriteFile(filepath.Join(dir, "FR.xml"), []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A signer whose root is only in the (cached) EU trusted lists: recognised
// after signing in the window, on its verify screen, and by the CLI's
// verify of the CLI's own signature — one trust store (actions.Trust).
func TestSameRuleTrustAfterSigningWithTrustedLists(t *testing.T) {
	pk := pkitest.New(t, pkitest.WithIntermediate())
	trustedList(t, pk.CA.Raw)
	tok := leafOnlyToken(t, pk)
	dir := t.TempDir()
	ins := copies(t, dir, "cli.pdf", "window.pdf")

	code, _, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", tok.ModulePath, "sign", ins[0], "--cert", "05")
	if code != exitOK {
		t.Fatalf("CLI sign: exit %d\n%s", code, errs)
	}
	code, out, _ := cli(t, "", "verify", sign.DefaultOutput(ins[0]), "--json")
	var rep verify.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("CLI verify: exit %d %v\n%s", code, err, out)
	}
	if s := rep.Signatures[0]; s.Trust != verify.TrustTrusted || rep.TrustedLists != trust.TLCached {
		t.Fatalf("CLI: trust %q, lists %q", s.Trust, rep.TrustedLists)
	}

	w := openWindow(t, tok.ModulePath, "en", nil, useCert("05"))
	w.open(ins[1])
	w.until(t, "button enabled", func() bool { return !w.signButton().Disabled() })
	w.sign(t, tok.PIN)
	w.until(t, "verdict", func() bool { return w.signed() })
	shown := w.texts()
	if !strings.Contains(shown, w.t("ui.sign.valid")) || !strings.Contains(shown, w.t("ui.sign.trust_yes")) {
		t.Fatalf("window after signing:\n%s", shown)
	}
	// the verify screen of the same window says the same
	written := newFiles(t, dir, ins[0], sign.DefaultOutput(ins[0]), ins[1])
	if len(written) != 1 {
		t.Fatalf("window's signed copy: %q", written)
	}
	sg, err := actions.CheckSigned(context.Background(), written[0])
	if err != nil || sg.Last.Trust != verify.TrustTrusted {
		t.Fatalf("check of the window's file: %v %+v", err, sg)
	}
}

// brokenKey is the token's key until it has signed n times, then fails as
// a token that went away does. A double: SoftHSM2 cannot lose its token in
// the middle of a session; what is under test is what each front end does
// with the *token.Error.
type brokenKey struct {
	actions.Key
	mu   sync.Mutex
	left int
}

func (k *brokenKey) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.left == 0 {
		return nil, &token.Error{Kind: token.KindTokenRemoved}
	}
	k.left--
	return k.Key.Sign(r, d, o)
}

type breakingTokens struct{ ui.TokenService }

func (b breakingTokens) OpenKey(slot uint, id []byte, pin string, final bool) (actions.Key, error) {
	k, err := b.TokenService.OpenKey(slot, id, pin, final)
	if err != nil {
		return nil, err
	}
	return &brokenKey{Key: k, left: 1}, nil
}

// The token fails on the second of four documents: both front ends stop
// there — one signed, one failed, two not tried — and say why.
func TestSameRuleBatchStopsAtTokenError(t *testing.T) {
	tok := softToken(t)
	want := "2 files not tried"

	// the CLI's batch: its planning, its report, over actions.SignBatch
	dir := t.TempDir()
	items := actions.PlanBatch(copies(t, dir, "a.pdf", "b.pdf", "c.pdf", "d.pdf"), actions.Beside("", "-signed"), actions.SignOptions{})
	m, err := token.Open(tok.ModulePath)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	toks, _ := m.Tokens()
	certs, _ := m.Certificates(toks[0].Slot)
	var id []byte
	for _, c := range certs {
		if c.HasPrivateKey {
			id = c.ID
			break
		}
	}
	s, err := m.Signer(toks[0].Slot, id, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sum := actions.SignBatch(context.Background(), items, &brokenKey{Key: s, left: 1}, nil, nil)
	var errb bytes.Buffer
	code := batchReport(&Env{Lang: "en", Stdout: io.Discard, Stderr: &errb}, items, sum)
	if code == exitOK || sum.Signed != 1 || sum.Failed != 1 || sum.NotDone != 2 || !strings.Contains(errb.String(), want) {
		t.Fatalf("CLI: exit %d %+v\n%s", code, sum, errb.String())
	}

	// the window's batch, same four documents
	wdir := t.TempDir()
	w := openWindow(t, tok.ModulePath, "en", func(s ui.TokenService) ui.TokenService { return breakingTokens{s} }, nil)
	w.open(copies(t, wdir, "a.pdf", "b.pdf", "c.pdf", "d.pdf")...)
	w.until(t, "button enabled", func() bool { return !w.signButton().Disabled() })
	w.sign(t, tok.PIN)
	w.until(t, "batch's end", func() bool { return strings.Contains(w.texts(), want) })
	// one signed copy: the batch signed one document, then stopped
	assertOnlyFiles(t, wdir, "a-signed.pdf", "a.pdf", "b.pdf", "c.pdf", "d.pdf")
}

// useCert is the certificate of ID id (hex), chosen in an earlier run.
func useCert(id string) func(*settings.Settings, string) {
	return func(s *settings.Settings, serial string) { s.LastCert = map[string]string{serial: id} }
}

// signed says the window shows a signature's verdict (valid or not).
func (w *window) signed() bool {
	shown := w.texts()
	return strings.Contains(shown, w.t("ui.sign.valid")) || strings.Contains(shown, w.t("ui.sign.invalid"))
}

// newFiles is what dir holds besides the files named.
func newFiles(t *testing.T, dir string, known ...string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if !slices.Contains(known, p) {
			out = append(out, p)
		}
	}
	return out
}

// "Valid" after signing is the whole document, in both: a document whose
// earlier signature is broken gets a new signature that verifies by
// itself, and both front ends say the result is not valid.
func TestSameRuleValidIsTheWholeDocument(t *testing.T) {
	tok := softToken(t)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	if code, _, errs := cli(t, tok.PIN+"\n", "--module", tok.ModulePath, "sign", in, "--cert", "01"); code != exitOK {
		t.Fatalf("first signature: %d %s", code, errs)
	}
	broken := filepath.Join(dir, "broken.pdf")
	b, _ := os.ReadFile(sign.DefaultOutput(in))
	i := bytes.Index(b, []byte("/Contents"))
	j := i + bytes.IndexByte(b[i:], '<') + 200 // a hex digit of the signature value
	b[j] = "01"[(b[j]-'0'+1)%2&1]
	os.WriteFile(broken, b, 0o644)
	copyOf := func(name string) string {
		p := filepath.Join(t.TempDir(), name)
		os.WriteFile(p, b, 0o644)
		return p
	}

	code, _, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", tok.ModulePath, "sign", copyOf("cli.pdf"), "--cert", "01")
	if code == exitOK || !strings.Contains(errs, "could not be validated") {
		t.Fatalf("CLI: exit %d\n%s", code, errs)
	}
	w := openWindow(t, tok.ModulePath, "en", nil, nil)
	w.open(copyOf("window.pdf")) // a signed document: "Verify" or "Sign it too"
	w.until(t, "the offer to sign it too", func() bool { return w.button(w.t("verify.ui.sign_too")) != nil })
	test.Tap(w.button(w.t("verify.ui.sign_too")))
	w.until(t, "button enabled", func() bool { return w.signButton() != nil && !w.signButton().Disabled() })
	w.sign(t, tok.PIN)
	w.until(t, "verdict", func() bool { return w.signed() })
	if shown := w.texts(); !strings.Contains(shown, w.t("ui.sign.invalid")) || !strings.Contains(w.signStatus(), "could not be validated") {
		t.Fatalf("window: %q\n%s", w.signStatus(), shown)
	}
}
