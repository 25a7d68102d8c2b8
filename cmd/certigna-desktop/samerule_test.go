package main

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/token"
	"github.com/certigna-desktop/app/ui"
)

// The decisions the window and the CLI used to make differently (issue 19)
// are made once, in actions; each test here runs the same case through the
// window (ui over actions, Fyne's test driver) and through the CLI, and
// checks they give the same answer.

// window is the real window over a module, its background results run on
// the test goroutine by settle.
type window struct {
	app  *ui.App
	win  fyne.Window
	mu   sync.Mutex
	q    []func()
	docs string
}

func openWindow(t *testing.T, module, lang string, wrap func(ui.TokenService) ui.TokenService) *window {
	t.Helper()
	m, err := token.Open(module)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	test.NewTempApp(t)
	w := &window{win: test.NewTempWindow(t, widget.NewLabel("")), docs: t.TempDir()}
	w.win.Resize(fyne.NewSize(1000, 800))
	var svc ui.TokenService = actions.TokensOf(m)
	if wrap != nil {
		svc = wrap(svc)
	}
	w.app = ui.New(fyne.CurrentApp(), w.win, ui.Options{Lang: lang, Tokens: svc,
		Store: ui.OpenStore(filepath.Join(t.TempDir(), "state.json")), Version: "test", DocumentsDir: w.docs,
		RunOnUI: func(fn func()) { w.mu.Lock(); w.q = append(w.q, fn); w.mu.Unlock() }})
	t.Cleanup(w.app.Stop)
	w.app.Refresh()
	w.settle()
	w.app.Show(ui.ScreenSign)
	w.settle()
	return w
}

// settle runs background results until nothing is left to do.
func (w *window) settle() {
	for {
		busy := w.app.Busy()
		w.mu.Lock()
		q := w.q
		w.q = nil
		w.mu.Unlock()
		for _, fn := range q {
			fn()
		}
		if len(q) == 0 {
			if !busy {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
}

// drop gives the window documents as a drop does.
func (w *window) drop(paths ...string) {
	var uris []fyne.URI
	for _, p := range paths {
		uris = append(uris, storage.NewFileURI(p))
	}
	w.app.HandleDrop(uris)
	w.settle()
}

// chooseCert picks the signing certificate whose name contains name.
func (w *window) chooseCert(t *testing.T, name string) {
	t.Helper()
	v := w.app.SignView()
	// The choices name certificates by purpose, not by holder: find the
	// certificate by its holder, then its choice by the name the screen gives it.
	for _, c := range w.app.Certs() {
		if !strings.Contains(c.Holder, name) {
			continue
		}
		for i, o := range v.Cert.Options {
			if o == w.app.CertName(c) {
				v.Cert.SetSelectedIndex(i)
				w.settle()
				return
			}
		}
	}
	t.Fatalf("no certificate of %q among %q", name, v.Cert.Options)
}

// sign types the PIN and presses "Signer".
func (w *window) sign(pin string) {
	v := w.app.SignView()
	test.Type(v.PIN, pin)
	test.Tap(v.Submit)
	w.settle()
}

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

	w := openWindow(t, spy, "en", nil)
	v := w.app.SignView()
	v.TSA.SetText(p.TSAURL())
	test.Tap(v.LTV)
	w.drop(ins[0])
	if !v.Submit.Disabled() || !strings.Contains(v.DocStatus.Text, want) {
		t.Fatalf("window, one document: button enabled %v, %q", !v.Submit.Disabled(), v.DocStatus.Text)
	}
	w.sign(tok.PIN)
	v.PIN.SetText("")
	w.drop(ins...)
	w.sign(tok.PIN)
	if !strings.Contains(v.Status.Text, want) || v.BatchSigned != 0 {
		t.Fatalf("window, batch: %q", v.Status.Text)
	}
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
	w := openWindow(t, spy, "en", nil)
	w.chooseCert(t, "lodie")
	w.drop(in)
	v := w.app.SignView()
	if v.Submit.Disabled() || pk.Requests("crt") == before {
		t.Fatalf("window: button enabled %v, %d issuer downloads, %q", !v.Submit.Disabled(), pk.Requests("crt")-before, v.DocStatus.Text)
	}
	if n := logins(log); n != 0 {
		t.Fatalf("%d C_Login", n)
	}
}

// trustedList writes a cached French trusted list naming ca as a granted
// qualified CA where the app keeps them (pdfsign.DefaultTrustDir()/tl).
func trustedList(t *testing.T, caDER []byte) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	dir := filepath.Join(pdfsign.DefaultTrustDir(), "tl")
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
	code, out, _ := cli(t, "", "verify", pdfsign.DefaultOutput(ins[0]), "--json")
	var rep pdfsign.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("CLI verify: exit %d %v\n%s", code, err, out)
	}
	if s := rep.Signatures[0]; s.Trust != pdfsign.TrustTrusted || rep.TrustedLists != pdfsign.TLCached {
		t.Fatalf("CLI: trust %q, lists %q", s.Trust, rep.TrustedLists)
	}

	w := openWindow(t, tok.ModulePath, "en", nil)
	w.chooseCert(t, "lodie")
	w.drop(ins[1])
	w.sign(tok.PIN)
	v := w.app.SignView()
	if v.Result == nil || !v.Result.Valid || v.Result.Trust != actions.TrustTrusted {
		t.Fatalf("window after signing: %+v, %q", v.Result, v.Status.Text)
	}
	// the verify screen of the same window says the same
	sg, err := actions.CheckSigned(context.Background(), v.Output)
	if err != nil || sg.Last.Trust != pdfsign.TrustTrusted {
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
	w := openWindow(t, tok.ModulePath, "en", func(s ui.TokenService) ui.TokenService { return breakingTokens{s} })
	w.drop(copies(t, wdir, "a.pdf", "b.pdf", "c.pdf", "d.pdf")...)
	w.sign(tok.PIN)
	v := w.app.SignView()
	for i := 0; i < 200 && v.BatchSigned == 0 && !strings.Contains(v.Status.Text, "signed"); i++ {
		w.settle()
		time.Sleep(5 * time.Millisecond)
	}
	shown := fmt.Sprint(v.Status.Text, "\n", texts(w.win))
	if v.BatchSigned != 1 || !strings.Contains(shown, want) {
		t.Fatalf("window: %d signed\n%s", v.BatchSigned, shown)
	}
	assertOnlyFiles(t, wdir, "a-signed.pdf", "a.pdf", "b.pdf", "c.pdf", "d.pdf")
}

// texts is every label's text in the window.
func texts(w fyne.Window) string {
	var out []string
	for _, o := range test.LaidOutObjects(w.Content()) {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n")
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
	b, _ := os.ReadFile(pdfsign.DefaultOutput(in))
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
	w := openWindow(t, tok.ModulePath, "en", nil)
	v := w.app.SignView()
	v.SetInputs([]string{copyOf("window.pdf")}) // "Sign too" (a drop of a signed file asks first)
	w.settle()
	w.sign(tok.PIN)
	if v.Result == nil || v.Result.Valid || !strings.Contains(v.Status.Text, "could not be validated") {
		t.Fatalf("window: %+v %q", v.Result, v.Status.Text)
	}
}
