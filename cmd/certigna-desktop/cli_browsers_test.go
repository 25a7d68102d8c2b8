//go:build linux

package main

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/browsers"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
)

// fakeHome points HOME (and the XDG folders) at a temp dir: the tests never
// see the real profiles, nor the module saved by the window.
func fakeHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	return home
}

func TestCLIBrowsersRegisterUnregister(t *testing.T) {
	testtoken.Need(t, "certutil", "modutil")
	tok := softToken(t, testtoken.WithoutEC())
	home := fakeHome(t)
	// A Firefox profile whose NSS database is made by NSS's certutil, and a
	// snap one (sandboxed: reported, never written).
	ff := filepath.Join(home, ".mozilla", "firefox")
	prof := filepath.Join(ff, "abcd.default-release")
	snap := filepath.Join(home, "snap", "firefox", "common", ".mozilla", "firefox")
	for _, d := range []string{prof, filepath.Join(snap, "s.default")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	ini := "[Profile0]\nName=default-release\nIsRelative=1\nPath=abcd.default-release\nDefault=1\n"
	if err := os.WriteFile(filepath.Join(ff, "profiles.ini"), []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(snap, "profiles.ini"), []byte("[Profile0]\nName=s\nIsRelative=1\nPath=s.default\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("certutil", "-N", "-d", "sql:"+prof, "--empty-password").CombinedOutput(); err != nil {
		t.Fatalf("certutil -N: %v %s", err, out)
	}
	orig, _ := os.ReadFile(filepath.Join(prof, "pkcs11.txt"))

	code, out, errs := cli(t, "", "--module", tok.ModulePath, "browsers", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var js struct {
		Module string `json:"module"`
		Stores []struct {
			ID         string `json:"id"`
			Registered bool   `json:"registered"`
			Sandboxed  bool   `json:"sandboxed"`
			HasDB      bool   `json:"has_db"`
		} `json:"stores"`
		Certificates []struct {
			Login bool               `json:"login"`
			Mail  browsers.MailCheck `json:"mail"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if js.Module != tok.ModulePath || len(js.Stores) != 3 || js.Stores[0].ID != "firefox:default-release" || js.Stores[0].Registered ||
		!js.Stores[0].HasDB || js.Stores[1].ID != "firefox-snap:s" || !js.Stores[1].Sandboxed || js.Stores[2].ID != "nssdb" {
		t.Fatalf("browsers --json: %s", out)
	}
	if len(js.Certificates) != 1 || !js.Certificates[0].Login || js.Certificates[0].Mail.OK {
		t.Fatalf("certificates: %+v", js.Certificates)
	}

	// Firefox running (its lock symlink → this live process): refused, said in French.
	lock := filepath.Join(prof, "lock")
	if err := os.Symlink("127.0.0.1:+"+strconv.Itoa(os.Getpid()), lock); err != nil {
		t.Fatal(err)
	}
	code, _, errs = cli(t, "", "--lang", "fr", "--module", tok.ModulePath, "browsers", "register", "--profile", "firefox:default-release")
	if code != exitFailure || !strings.Contains(errs, "Firefox est ouvert") {
		t.Fatalf("register while running: exit %d: %s", code, errs)
	}
	os.Remove(lock)

	code, out, errs = cli(t, "", "--lang", "en", "--module", tok.ModulePath, "browsers", "register")
	if code != exitOK || !strings.Contains(out, "firefox:default-release: token registered") ||
		!strings.Contains(errs, "firefox-snap:s: Firefox is installed as a snap or flatpak") {
		t.Fatalf("register: exit %d\n%s\n%s", code, out, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(snap, "s.default", "pkcs11.txt")); b != nil {
		t.Fatal("the snap profile was written")
	}
	list, err := exec.Command("modutil", "-dbdir", "sql:"+prof, "-list").CombinedOutput()
	if err != nil || !strings.Contains(string(list), browsers.ModuleName) {
		t.Fatalf("modutil: %v\n%s", err, list)
	}
	code, out, _ = cli(t, "", "--lang", "en", "--module", tok.ModulePath, "browsers", "register", "--profile", "default-release")
	if code != exitOK || !strings.Contains(out, "already registered") {
		t.Fatalf("second register: %d %s", code, out)
	}
	code, out, _ = cli(t, "", "--lang", "en", "--module", tok.ModulePath, "browsers")
	if code != exitOK || !strings.Contains(out, "firefox:default-release — Firefox — "+prof+" — token registered, default profile") {
		t.Fatalf("browsers: %d %s", code, out)
	}
	code, out, errs = cli(t, "", "--lang", "en", "--module", tok.ModulePath, "browsers", "unregister")
	if code != exitOK || !strings.Contains(out, "firefox:default-release: registration removed") {
		t.Fatalf("unregister: %d %s %s", code, out, errs)
	}
	if now, _ := os.ReadFile(filepath.Join(prof, "pkcs11.txt")); !bytes.Equal(now, orig) {
		t.Fatal("unregister did not restore pkcs11.txt byte for byte")
	}
	code, _, errs = cli(t, "", "--module", tok.ModulePath, "browsers", "register", "--profile", "nope")
	if code != exitUsage || errs == "" {
		t.Fatalf("unknown profile: %d %s", code, errs)
	}
	code, _, errs = cli(t, "", "--demo", "browsers", "register")
	if code != exitNoModule {
		t.Fatalf("demo token registered in browsers: %d %s", code, errs)
	}
}

// TestCLITLSTest: `tls-test` through pkcs11-spy: one C_Login for a
// successful test, none when the server does not accept the token's CA.
func TestCLITLSTest(t *testing.T) {
	spies, _ := filepath.Glob("/usr/lib/*/pkcs11-spy.so") // OpenSC's, multiarch
	spy := ""
	if len(spies) > 0 {
		spy = spies[0]
	}
	if spy == "" {
		testtoken.Missing(t, "pkcs11-spy is not installed (apt-get install opensc-pkcs11)")
	}
	fakeHome(t)
	tok := softToken(t, testtoken.WithoutEC())
	pki := pkitest.New(t)
	tokCAs := x509.NewCertPool()
	tokCAs.AddCert(tok.CACert)
	okURL := pki.ClientAuthServer(tokCAs, nil)
	otherURL := pki.ClientAuthServer(pki.Pool(), nil)
	logDir := t.TempDir() // the spy logs PINs: deleted below
	spyLog := filepath.Join(logDir, "spy.log")
	t.Cleanup(func() { os.RemoveAll(logDir) })
	t.Setenv("PKCS11SPY", tok.ModulePath)
	t.Setenv("PKCS11SPY_OUTPUT", spyLog)
	logins := func() int {
		b, _ := os.ReadFile(spyLog)
		n := 0
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[1] == "C_Login" {
				n++
			}
		}
		return n
	}

	// No PIN on stdin: the refusal must come before the PIN is asked.
	code, _, errs := cli(t, "", "--lang", "fr", "--module", spy, "tls-test", otherURL, "--ca", pki.CAPEM)
	if code != exitUsage || !strings.Contains(errs, "n’accepte pas les certificats") || !strings.Contains(errs, "Test Root CA") {
		t.Fatalf("other CA: exit %d: %s", code, errs)
	}
	if n := logins(); n != 0 {
		t.Fatalf("C_Login before the PIN was asked: %d", n)
	}
	code, _, errs = cli(t, "", "--lang", "en", "--module", spy, "tls-test", "http://127.0.0.1/")
	if code != exitUsage || !strings.Contains(errs, "not a valid https:// address") {
		t.Fatalf("http URL: exit %d: %s", code, errs)
	}

	code, out, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", spy, "tls-test", okURL, "--ca", pki.CAPEM)
	if code != exitOK {
		t.Fatalf("tls-test: exit %d: %s", code, errs)
	}
	for _, want := range []string{"TLS connection established (TLS 1.3", "Certificate sent: CN=" + testtoken.Holder,
		"Answer: 200 OK Bonjour " + testtoken.Holder, "E-mail (S/MIME): This certificate lacks"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := logins(); n != 1 {
		t.Fatalf("C_Login calls: %d, want exactly 1", n)
	}

	// --json, and a wrong PIN: the token's own message, one more login only.
	code, out, _ = cli(t, tok.PIN+"\n", "--module", spy, "tls-test", okURL, "--ca", pki.CAPEM, "--json")
	var js struct {
		Result browsers.TLSResult `json:"result"`
	}
	if err := json.Unmarshal([]byte(out), &js); code != exitOK || err != nil || js.Result.HTTPStatus != 200 {
		t.Fatalf("--json: %d %v %s", code, err, out)
	}
	code, _, errs = cli(t, "999999\n", "--lang", "fr", "--module", spy, "tls-test", okURL, "--ca", pki.CAPEM)
	if code != exitPINIncorrect || !strings.Contains(errs, "Code PIN incorrect") {
		t.Fatalf("wrong PIN: %d %s", code, errs)
	}
	if n := logins(); n != 3 {
		t.Fatalf("C_Login calls after three runs: %d, want 3", n)
	}
	// The CA file must hold certificates.
	bad := filepath.Join(t.TempDir(), "bad.pem")
	_ = os.WriteFile(bad, pem.EncodeToMemory(&pem.Block{Type: "X", Bytes: []byte{1}}), 0o600)
	if code, _, _ := cli(t, "", "--module", spy, "tls-test", okURL, "--ca", bad); code != exitUsage {
		t.Fatalf("bad --ca: %d", code)
	}
}

// addAuthCert puts on the token a second key with an authentication and
// S/MIME certificate (clientAuth + emailProtection, an address), as RGS
// tokens hold beside the signature one; issued by the token's test CA.
func addAuthCert(t *testing.T, tok *testtoken.Token) {
	t.Helper()
	tok.Tool(t, "--login", "--pin", tok.PIN, "--keypairgen", "--key-type", "rsa:2048", "--id", "05", "--label", "Authentification")
	pubDER := filepath.Join(tok.Dir, "05.pub.der")
	tok.Tool(t, "--read-object", "--type", "pubkey", "--id", "05", "-o", pubDER)
	b, err := os.ReadFile(pubDER)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(b)
	if err != nil {
		if pub, err = x509.ParsePKCS1PublicKey(b); err != nil {
			t.Fatal(err)
		}
	}
	kb, err := os.ReadFile(filepath.Join(tok.Dir, "ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(kb)
	caKey, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x055eed), Subject: pkix.Name{CommonName: "Authentification Testé", Organization: []string{"Certigna Tests"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
		EmailAddresses: []string{"frederique.teste@example.fr"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tok.CACert, pub, caKey.(crypto.Signer))
	if err != nil {
		t.Fatal(err)
	}
	certDER := filepath.Join(tok.Dir, "05.cert.der")
	if err := os.WriteFile(certDER, der, 0o600); err != nil {
		t.Fatal(err)
	}
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", certDER, "--type", "cert", "--id", "05", "--label", "Authentification")
}

// TestCLITLSTestPrefersAuthCert: with a signature and an authentication
// certificate on the token, tls-test uses the authentication one without
// --cert, and `browsers --json` says which can sign e-mail.
func TestCLITLSTestPrefersAuthCert(t *testing.T) {
	fakeHome(t)
	tok := softToken(t, testtoken.WithoutEC())
	addAuthCert(t, tok)
	pki := pkitest.New(t)
	tokCAs := x509.NewCertPool()
	tokCAs.AddCert(tok.CACert)
	okURL := pki.ClientAuthServer(tokCAs, nil)
	code, out, errs := cli(t, tok.PIN+"\n", "--lang", "en", "--module", tok.ModulePath, "tls-test", okURL, "--ca", pki.CAPEM)
	if code != exitOK || !strings.Contains(out, "Certificate sent: CN=Authentification Testé") ||
		!strings.Contains(out, "Answer: 200 OK Bonjour Authentification Testé") ||
		!strings.Contains(out, "This certificate can sign e-mails sent from: frederique.teste@example.fr") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	// Logged in, but the site refuses the page (an account not linked): exit 1, the answer shown.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "compte inconnu", http.StatusForbidden)
	}), TLSConfig: &tls.Config{Certificates: []tls.Certificate{pki.ServerCert()}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: tokCAs},
		ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.ServeTLS(l, "", "") }()
	defer srv.Close()
	code, out, _ = cli(t, tok.PIN+"\n", "--lang", "en", "--module", tok.ModulePath, "tls-test", "https://"+l.Addr().String()+"/", "--ca", pki.CAPEM)
	if code != exitFailure || !strings.Contains(out, "Answer: 403 Forbidden compte inconnu") {
		t.Fatalf("403: exit %d\n%s", code, out)
	}

	code, out, _ = cli(t, "", "--module", tok.ModulePath, "browsers", "--json")
	var js struct {
		Certificates []struct {
			Subject string             `json:"subject"`
			Mail    browsers.MailCheck `json:"mail"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal([]byte(out), &js); code != exitOK || err != nil || len(js.Certificates) != 2 {
		t.Fatalf("browsers --json: %d %v %s", code, err, out)
	}
	ok := 0
	for _, c := range js.Certificates {
		if c.Mail.OK {
			ok++
			if !strings.Contains(c.Subject, "Authentification") {
				t.Errorf("S/MIME on the wrong certificate: %+v", c)
			}
		}
	}
	if ok != 1 {
		t.Fatalf("certificates able to sign e-mail: %d, want 1: %s", ok, out)
	}
}
