package browsers

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The layouts below are written by the test as Firefox/Thunderbird write
// them on each system (profiles.ini, relative and absolute paths, [Install]
// defaults): no Windows or macOS here to make them.
func TestDiscoverLayouts(t *testing.T) {
	cases := []struct {
		goos  string
		files map[string]string
		want  []string // ID, edition, packaging, default
	}{
		{"windows", map[string]string{
			"AppData/Roaming/Mozilla/Firefox/profiles.ini": "[Install308046B0AF4A39CB]\r\nDefault=Profiles/abcd.default-release\r\n\r\n" +
				"[Profile1]\r\nName=default\r\nIsRelative=1\r\nPath=Profiles/zzzz.default\r\n\r\n" +
				"[Profile0]\r\nName=default-release\r\nIsRelative=1\r\nPath=Profiles/abcd.default-release\r\n",
			"AppData/Roaming/Thunderbird/profiles.ini": "[Profile0]\nName=default\nIsRelative=1\nPath=Profiles/tb.default\nDefault=1\n",
		}, []string{"firefox:default-release release native true", "firefox:default  native false", "thunderbird:default  native true"}},
		{"darwin", map[string]string{
			"Library/Application Support/Firefox/profiles.ini": "[Profile0]\nName=dev-edition-default\nIsRelative=1\nPath=Profiles/q.dev-edition-default\n",
			"Library/Thunderbird/profiles.ini":                 "[Profile0]\nName=default\nIsRelative=1\nPath=Profiles/t.default\n",
		}, []string{"firefox:dev-edition-default developer native false", "thunderbird:default  native false"}},
		{"linux", map[string]string{
			".config/mozilla/firefox/profiles.ini":                          "[Profile0]\nName=xdg\nIsRelative=1\nPath=x.default-release\n",
			".mozilla/firefox/profiles.ini":                                 "[Profile0]\nName=default-esr\nIsRelative=1\nPath=e.default-esr\nDefault=1\n[Profile1]\nName=abs\nIsRelative=0\nPath={HOME}/elsewhere/p\n",
			"snap/firefox/common/.mozilla/firefox/profiles.ini":             "[Profile0]\nName=snappy\nIsRelative=1\nPath=s.default\n",
			".var/app/org.mozilla.firefox/.mozilla/firefox/profiles.ini":    "[Profile0]\nName=flat\nIsRelative=1\nPath=f.default\n",
			".thunderbird/profiles.ini":                                     "[Profile0]\nName=mail\nIsRelative=1\nPath=m.default\n",
			".var/app/org.mozilla.Thunderbird/.thunderbird/profiles.ini":    "[Profile0]\nName=flatmail\nIsRelative=1\nPath=fm.default\n",
			"snap/thunderbird/common/.thunderbird/profiles.ini":             "[Profile0]\nName=snapmail\nIsRelative=1\nPath=sm.default\n",
			".mozilla/firefox/e.default-esr/cert9.db":                       "",
			".mozilla/firefox/e.default-esr/pkcs11.txt":                     "library=\nname=NSS Internal PKCS #11 Module\nNSS=Flags=internal,critical\n\nlibrary=/opt/x/libx.so\nname=Other\n\n",
			"elsewhere/p/cert8.db":                                          "",
			".var/app/org.mozilla.firefox/.mozilla/firefox/f.default/.keep": "",
		}, []string{"firefox:xdg release native false", "firefox:default-esr esr native true", "firefox:abs  native false",
			"firefox-snap:snappy  snap false", "firefox-flatpak:flat  flatpak false", "thunderbird:mail  native false",
			"thunderbird-snap:snapmail  snap false", "thunderbird-flatpak:flatmail  flatpak false", "nssdb  native true"}},
	}
	for _, c := range cases {
		t.Run(c.goos, func(t *testing.T) {
			home := t.TempDir()
			for p, s := range c.files {
				write(t, filepath.Join(home, filepath.FromSlash(p)), strings.ReplaceAll(s, "{HOME}", home))
			}
			stores, err := Discover(Options{GOOS: c.goos, Home: home, Module: "/opt/x/libx.so"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range stores {
				got = append(got, s.ID()+" "+s.Edition+" "+string(s.Packaging)+" "+strconv.FormatBool(s.Default))
				if s.Sandboxed != (s.Packaging != Native) {
					t.Errorf("%s: sandboxed %v", s.ID(), s.Sandboxed)
				}
				if s.Sandboxed && !IsKind(s.CanRegister(), KindSandboxed) {
					t.Errorf("%s: sandboxed store registrable", s.ID())
				}
				switch s.Name {
				case "default-esr":
					if !s.HasDB || !s.Registered || s.Ours || len(s.Modules) != 1 || s.Modules[0].Name != "Other" {
						t.Errorf("ESR profile: %+v", s)
					}
				case "abs":
					if !s.Legacy || !IsKind(s.CanRegister(), KindLegacyDB) || s.Dir != filepath.Join(home, "elsewhere", "p") {
						t.Errorf("absolute legacy profile: %+v", s)
					}
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestLockFile: a profile's "lock" symlink counts while its process lives;
// a stale one (after a crash) does not.
func TestLockFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "pkcs11.txt"), "")
	s := Store{App: Firefox, Packaging: Native, Name: "p", Dir: dir, HasDB: true}
	if err := os.Symlink("127.0.0.1:+"+strconv.Itoa(os.Getpid()), filepath.Join(dir, "lock")); err != nil {
		t.Fatal(err)
	}
	if run, pid := profileLocked(dir); !run || pid != os.Getpid() {
		t.Fatalf("live lock: %v %d", run, pid)
	}
	if _, err := Register(s, "/x/lib.so"); !IsKind(err, KindRunning) {
		t.Fatalf("Register with a live lock: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "pkcs11.txt")); len(b) != 0 || exists(filepath.Join(dir, "pkcs11.txt"+BackupSuffix)) {
		t.Fatal("refused Register wrote something")
	}
	os.Remove(filepath.Join(dir, "lock"))
	// A pid far above any pid_max: no such process.
	if err := os.Symlink("127.0.0.1:+999999999", filepath.Join(dir, "lock")); err != nil {
		t.Fatal(err)
	}
	if run, _ := profileLocked(dir); run {
		t.Fatal("stale lock counted as running")
	}
	if _, err := Register(s, "/x/lib.so"); err != nil {
		t.Fatal(err)
	}
}

func TestPKCS11TxtEdits(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pkcs11.txt")
	// Hand-edited: CRLF, no final blank line, a module added by hand.
	orig := "library=\r\nname=NSS Internal PKCS #11 Module\r\nNSS=Flags=internal,critical\r\n\r\nlibrary=/a/hand.so\r\nname=Hand"
	write(t, p, orig)
	s := Store{App: Thunderbird, Packaging: Native, Name: "p", Dir: dir, HasDB: true}
	if _, err := Register(s, "/b/ours.so"); err != nil {
		t.Fatal(err)
	}
	blocks := parseBlocks(mustRead(t, p))
	if len(blocks) != 3 || blocks[1].get("library") != "/a/hand.so" || blocks[2].get("name") != ModuleName || !blocks[0].internal() {
		t.Fatalf("blocks: %+v", blocks)
	}
	if b := mustRead(t, p+BackupSuffix); string(b) != orig {
		t.Fatal("backup differs from the original")
	}
	// Already registered by hand under another name: found, not ours, untouched by Unregister.
	stores := []Store{s}
	fill(&stores[0], Options{GOOS: "linux", Module: "/a/hand.so"}.filled())
	if !stores[0].Registered || stores[0].Ours {
		t.Fatalf("hand registration: %+v", stores[0])
	}
	if ch, err := Register(stores[0], "/a/hand.so"); err != nil || ch.Changed {
		t.Fatalf("hand-registered module registered again: %+v %v", ch, err)
	}
	before := mustRead(t, p)
	if ch, _ := Unregister(s, "/a/hand.so"); ch.Changed || !bytes.Equal(mustRead(t, p), before) {
		t.Fatal("Unregister removed a module we did not add")
	}
	if _, err := Register(s, "/b/x.so\nname=evil"); !IsKind(err, KindWrite) {
		t.Fatalf("module path with a line break: %v", err)
	}
	if _, err := Unregister(s, "/b/ours.so"); err != nil {
		t.Fatal(err)
	}
	// The final blank line added to end the hand-made block stays; the backup
	// keeps the exact original, and so it stays too.
	if got := string(mustRead(t, p)); got != orig+"\n\n" || !exists(p+BackupSuffix) {
		t.Fatalf("after undo: %q", got)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newCert(t *testing.T, mod func(*x509.Certificate)) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Élodie"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	mod(tmpl)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCheckMailAndLogin(t *testing.T) {
	smime := newCert(t, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}
		c.EmailAddresses = []string{"elodie@example.fr"}
		c.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "Elodie@Example.fr"}}
	})
	if m := CheckMail(smime); !m.OK || len(m.Emails) != 1 || !CanLogIn(smime) {
		t.Fatalf("S/MIME certificate: %+v", m)
	}
	dnOnly := newCert(t, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
		c.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: "dn@example.fr"}}
	})
	if m := CheckMail(dnOnly); !m.OK || m.Emails[0] != "dn@example.fr" || CanLogIn(dnOnly) {
		t.Fatalf("address in the subject only, no clientAuth: %+v login %v", m, CanLogIn(dnOnly))
	}
	noUsage := newCert(t, func(c *x509.Certificate) { c.EmailAddresses = []string{"a@b.fr"} })
	if m := CheckMail(noUsage); m.OK || m.EmailProtection || !CanLogIn(noUsage) {
		t.Fatalf("no EKU: %+v", m)
	}
	noMail := newCert(t, func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection} })
	if m := CheckMail(noMail); m.OK || !m.EmailProtection || len(m.Emails) != 0 {
		t.Fatalf("no address: %+v", m)
	}
	encOnly := newCert(t, func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageKeyEncipherment })
	if CanLogIn(encOnly) {
		t.Fatal("encipherment-only key can log in")
	}
}

// Every error kind has its text in French and English.
func TestErrorMessages(t *testing.T) {
	for _, k := range []Kind{KindRunning, KindSandboxed, KindLegacyDB, KindNoDatabase, KindNoModule, KindWrite, KindProfileUnknown,
		KindBadURL, KindConnect, KindServerUntrust, KindNotRequested, KindCANotAccepted, KindNoClientAuth, KindServerRefused, KindHandshake} {
		e := &Error{Kind: k, App: "Firefox", Path: "/p", Detail: "d", Err: os.ErrPermission}
		fr, en := e.Message("fr"), e.Message("en")
		if strings.HasPrefix(fr, "browsers.") || strings.HasPrefix(en, "browsers.") || fr == en || strings.Contains(fr+en, "<no value>") {
			t.Errorf("%s: %q / %q", k, fr, en)
		}
	}
}

// The driver moved: our old block is replaced (NSS wants unique names), and
// without any known driver Unregister still cleans up.
func TestMovedDriver(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pkcs11.txt")
	internal := "library=\nname=NSS Internal PKCS #11 Module\nNSS=Flags=internal,critical\n\n"
	write(t, p, internal+"library=/old/lib.so\nname="+ModuleName+"\n\n")
	s := Store{App: Firefox, Packaging: Native, Name: "p", Dir: dir, HasDB: true}
	if _, err := Register(s, "/new/lib.so"); err != nil {
		t.Fatal(err)
	}
	if got := string(mustRead(t, p)); got != internal+"library=/new/lib.so\nname="+ModuleName+"\n\n" {
		t.Fatalf("after register: %q", got)
	}
	fill(&s, Options{GOOS: "linux"}.filled())
	if !s.Ours || s.Registered {
		t.Fatalf("no driver known: %+v", s)
	}
	if ch, err := Unregister(s, ""); err != nil || !ch.Changed {
		t.Fatalf("unregister: %+v %v", ch, err)
	}
	if got := string(mustRead(t, p)); got != internal {
		t.Fatalf("after unregister: %q", got)
	}
}

// A module loaded by an enterprise policy (both policies.json forms) counts
// as registered, and is not ours to remove.
func TestPolicyModules(t *testing.T) {
	home := t.TempDir()
	write(t, filepath.Join(home, ".mozilla/firefox/profiles.ini"), "[Profile0]\nName=a\nIsRelative=1\nPath=a.default\n")
	write(t, filepath.Join(home, ".thunderbird/profiles.ini"), "[Profile0]\nName=m\nIsRelative=1\nPath=m.default\n")
	ffPol := filepath.Join(home, "ff.json")
	tbPol := filepath.Join(home, "tb.json")
	write(t, ffPol, `{"policies": {"SecurityDevices": {"Add": {"Certigna": "/opt/c/lib.so"}, "Delete": ["Old"]}}}`)
	write(t, tbPol, `{"policies": {"SecurityDevices": {"Other": "/opt/o/lib.so"}}}`)
	o := Options{GOOS: "linux", Home: home, Module: "/opt/c/lib.so", Policies: map[App][]string{Firefox: {ffPol}, Thunderbird: {tbPol}}}
	stores := mustDiscoverT(t, o)
	if !stores[0].Policy || !stores[0].Registered || stores[0].Ours || stores[1].Policy || stores[1].Registered {
		t.Fatalf("%+v", stores)
	}
	write(t, tbPol, `{"policies": {"SecurityDevices": {"Certigna": "/opt/c/lib.so"}}}`)
	if s := mustDiscoverT(t, o); !s[1].Policy || !s[1].Registered {
		t.Fatalf("older form: %+v", s[1])
	}
	if got := len(policyFiles("windows", Firefox)) + len(policyFiles("darwin", Thunderbird)); got != 2 {
		t.Fatalf("policy files: %d", got)
	}
}

func mustDiscoverT(t *testing.T, o Options) []Store {
	t.Helper()
	s, err := Discover(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
