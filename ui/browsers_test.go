//go:build linux

package ui

import (
	"bytes"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/browsers"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
)

func buttonLabelled(t *testing.T, h *harness, text string) *widget.Button {
	t.Helper()
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := asButton(o); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q; the window shows:\n%s", text, strings.Join(texts(h.win), "\n"))
	return nil
}

// TestBrowsersScreen: the "Navigateurs et messagerie" screen over a real
// SoftHSM2 token and a Firefox profile made by NSS's certutil in a temp
// HOME: register, the login test against 127.0.0.1 servers (one PIN
// verification; none for a server that refuses the CA), undo, the guide step.
func TestBrowsersScreen(t *testing.T) {
	testtoken.Need(t, "certutil")
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	ff := filepath.Join(home, ".mozilla", "firefox")
	prof := filepath.Join(ff, "abcd.default-release")
	snap := filepath.Join(home, "snap", "firefox", "common", ".mozilla", "firefox")
	for _, d := range []string{prof, filepath.Join(snap, "s.default")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(ff, "profiles.ini"), []byte("[Profile0]\nName=default-release\nIsRelative=1\nPath=abcd.default-release\nDefault=1\n"), 0o600))
	must(os.WriteFile(filepath.Join(snap, "profiles.ini"), []byte("[Profile0]\nName=snap\nIsRelative=1\nPath=s.default\n"), 0o600))
	if out, err := exec.Command("certutil", "-N", "-d", "sql:"+prof, "--empty-password").CombinedOutput(); err != nil {
		t.Fatalf("certutil -N: %v %s", err, out)
	}
	orig, _ := os.ReadFile(filepath.Join(prof, "pkcs11.txt"))

	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenBrowsers)
	mustShow(t, h.win, "Navigateurs et messagerie")
	mustShow(t, h.win, "Firefox — default-release")
	mustShow(t, h.win, "token non enregistré")
	mustShow(t, h.win, "snap/flatpak : ne peut pas charger le pilote")
	mustShow(t, h.win, "Ce certificat ne porte pas l’usage « protection du courrier électronique »")
	mustShow(t, h.win, "Chiffrement de bout en bout → S/MIME")

	// Register: the only enabled button of that name is Firefox's (snap: disabled).
	var reg *widget.Button
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if b, ok := asButton(o); ok && b.Text == "Enregistrer le token" && !b.Disabled() {
			if reg != nil {
				t.Fatal("two enabled register buttons: the snap profile must not be registrable")
			}
			reg = b
		}
	}
	if reg == nil {
		t.Fatalf("no enabled register button:\n%s", strings.Join(texts(h.win), "\n"))
	}
	test.Tap(reg)
	h.settle()
	mustShow(t, h.win, "Token enregistré dans Firefox (default-release)")
	mustShow(t, h.win, "token enregistré")
	now, _ := os.ReadFile(filepath.Join(prof, "pkcs11.txt"))
	if !bytes.Equal(now, append(append([]byte(nil), orig...), "library="+tok.ModulePath+"\nname="+browsers.ModuleName+"\n\n"...)) {
		t.Fatalf("pkcs11.txt after register:\n%s", now)
	}

	// The login test, against 127.0.0.1 servers of the test PKI.
	pki := pkitest.New(t)
	tlsTestRoots = pki.Pool()
	t.Cleanup(func() { tlsTestRoots = nil })
	tokCAs := x509.NewCertPool()
	tokCAs.AddCert(tok.CACert)
	okURL := pki.ClientAuthServer(tokCAs, nil)
	otherURL := pki.ClientAuthServer(pki.Pool(), nil)
	v := h.app.browsersView()

	v.url.SetText(otherURL)
	v.pin.SetText(tok.PIN)
	v.testNow()
	h.settle()
	if !strings.Contains(v.status.Text, "n’accepte pas les certificats") || h.svc.codeCalls.Load() != 0 {
		t.Fatalf("other-CA server: %q, PIN verifications %d", v.status.Text, h.svc.codeCalls.Load())
	}
	if v.pin.Text != "" {
		t.Fatal("the PIN stays in the field after a test")
	}
	v.url.SetText(okURL)
	v.pin.SetText(tok.PIN)
	v.testNow()
	h.settle()
	if !strings.Contains(v.status.Text, "Connexion réussie (TLS 1.3)") || !strings.Contains(v.status.Text, "Bonjour "+testtoken.Holder) {
		t.Fatalf("login test: %q", v.status.Text)
	}
	if n := h.svc.codeCalls.Load(); n != 1 {
		t.Fatalf("PIN verifications: %d, want 1", n)
	}
	snapshot(t, h, "14-browsers.png")
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if sc, ok := o.(*container.Scroll); ok {
			sc.ScrollToBottom() // the login test's outcome
		}
	}
	snapshot(t, h, "16-browsers-tls.png")

	// Undo restores pkcs11.txt byte for byte.
	test.Tap(buttonLabelled(t, h, "Retirer l’enregistrement"))
	h.settle()
	mustShow(t, h.win, "Enregistrement retiré de Firefox (default-release).")
	if now, _ := os.ReadFile(filepath.Join(prof, "pkcs11.txt")); !bytes.Equal(now, orig) {
		t.Fatal("undo did not restore pkcs11.txt")
	}

	h.app.setLang("en")
	h.app.show(screenBrowsers)
	mustShow(t, h.win, "Browsers and e-mail")
	mustShow(t, h.win, "End-to-End Encryption → S/MIME")
	snapshot(t, h, "15-browsers-en.png")
	h.app.show(screenGuide)
	mustShow(t, h.win, "Browsers and e-mail (optional)")
	for _, lang := range []string{"fr", "en"} {
		h.app.setLang(lang)
		for _, s := range []string{screenGuide, screenBrowsers} {
			h.app.show(s)
			for _, x := range texts(h.win) {
				if strings.HasPrefix(x, "browsers.") || strings.HasPrefix(x, "ui.") {
					t.Fatalf("%s/%s shows the key %q", lang, s, x)
				}
			}
		}
	}
}
