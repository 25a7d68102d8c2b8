// Package testtoken makes real software tokens for tests: a fresh SoftHSM2
// token in a temporary directory, and opencryptoki's software token (the only
// soft token with a real PIN lockout), each holding keys generated on the
// token and certificates from a throwaway openssl CA.
//
// Under CI (CI=true) a missing tool fails the test; elsewhere it skips it.
package testtoken

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/testtool"
)

// Holder is the accented holder name of every test certificate.
const Holder = "Frédérique Testé"

// Token is a ready test token.
type Token struct {
	ModulePath string // the PKCS#11 library
	Conf       string // SOFTHSM2_CONF value (SoftHSM2 only): set it with t.Setenv BEFORE opening the module
	Dir        string // the temporary directory of the token (SoftHSM2) or its files
	TokenDir   string // SoftHSM2 tokendir
	Label      string
	Slot       uint // opencryptoki only (SoftHSM2 slots are found by label)
	PIN        string
	SOPIN      string
	Holder     string

	RSAID        []byte // RSA-2048 key + certificate
	ECID         []byte // EC P-256 key + certificate (SoftHSM2 only; nil on opencryptoki)
	AlwaysAuthID []byte // RSA-2048 key with CKA_ALWAYS_AUTHENTICATE (WithAlwaysAuth only)
	CAID         []byte // the CA certificate, also stored on the token
	CACert       *x509.Certificate
	CAPath       string // PEM

	env   []string
	extra []string // variables the module needs beyond SOFTHSM2_CONF (SetenvAll)
}

// Option changes what NewSoftHSM makes.
type Option func(*options)

type options struct {
	label      string
	alwaysAuth bool
	noEC       bool
	pin, sopin string
}

// WithAlwaysAuth adds an RSA key whose CKA_ALWAYS_AUTHENTICATE is true (a
// "signature PIN" key), at AlwaysAuthID.
func WithAlwaysAuth() Option { return func(o *options) { o.alwaysAuth = true } }

// WithLabel sets the token label.
func WithLabel(l string) Option { return func(o *options) { o.label = l } }

// WithoutEC skips the EC key (a second faster).
func WithoutEC() Option { return func(o *options) { o.noEC = true } }

// Need and Missing are testtool's (the one "need tool" helper), here too
// because every token test already imports this package.
var (
	Need    = testtool.Need
	Missing = testtool.Missing
)

// SoftHSMModule is SoftHSM2's library, or "" when not installed.
func SoftHSMModule() string {
	for _, p := range []string{"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so",
		"/opt/homebrew/lib/softhsm/libsofthsm2.so"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// NewSoftHSM makes a fresh SoftHSM2 token in t.TempDir() holding an RSA-2048
// key (RSAID) and an EC P-256 key (ECID), each with a certificate for Holder
// from a throwaway openssl CA, plus the CA certificate. 2–4 s.
func NewSoftHSM(t testing.TB, opts ...Option) *Token {
	t.Helper()
	needPrivateCache(t)
	Need(t, "softhsm2-util", "pkcs11-tool", "openssl")
	mod := SoftHSMModule()
	if mod == "" {
		Missing(t, "SoftHSM2's library is not installed (apt-get install softhsm2)")
	}
	o := options{label: "Test Certigna", pin: "123456", sopin: "87654321"}
	for _, f := range opts {
		f(&o)
	}
	dir := t.TempDir()
	tok := &Token{
		ModulePath: mod, Dir: dir, TokenDir: filepath.Join(dir, "tokens"), Conf: filepath.Join(dir, "softhsm2.conf"),
		Label: o.label, PIN: o.pin, SOPIN: o.sopin, Holder: Holder,
		RSAID: []byte{0x01}, CAID: []byte{0xca},
	}
	must(t, os.MkdirAll(tok.TokenDir, 0o700))
	must(t, os.WriteFile(tok.Conf, []byte("directories.tokendir = "+tok.TokenDir+
		"\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"), 0o600))
	tok.env = append(os.Environ(), "SOFTHSM2_CONF="+tok.Conf)
	tok.run(t, nil, "softhsm2-util", "--init-token", "--free", "--label", o.label, "--so-pin", o.sopin, "--pin", o.pin)

	tok.newCA(t)
	tok.addKey(t, tok.RSAID, "rsa:2048", "RSA signature", false)
	if !o.noEC {
		tok.ECID = []byte{0x02}
		tok.addKey(t, tok.ECID, "EC:prime256v1", "EC signature", false)
	}
	if o.alwaysAuth {
		tok.AlwaysAuthID = []byte{0x03}
		tok.addKey(t, tok.AlwaysAuthID, "rsa:2048", "Signature PIN key", true)
	}
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", tok.CAPath, "--type", "cert", "--id", "ca", "--label", "Test CA")
	return tok
}

// Setenv points SOFTHSM2_CONF at this token for the rest of the test; call it
// before opening the SoftHSM2 module (SoftHSM2 reads it at C_Initialize).
func (tok *Token) Setenv(t *testing.T) {
	t.Helper()
	if tok.Conf != "" {
		t.Setenv("SOFTHSM2_CONF", tok.Conf)
	}
}

// Env is the environment for a child process using this token (a CLI run).
func (tok *Token) Env() []string { return append([]string(nil), tok.env...) }

// ExtraEnv is the variables the module needs beyond SOFTHSM2_CONF, as
// KEY=VALUE (tpm2-pkcs11's store and TCTI).
func (tok *Token) ExtraEnv() []string { return append([]string(nil), tok.extra...) }

// Tool runs pkcs11-tool on this token and fails the test on error.
func (tok *Token) Tool(t testing.TB, args ...string) string {
	t.Helper()
	out, err := tok.TryTool(args...)
	if err != nil {
		t.Fatalf("pkcs11-tool %s: %v\n%s", strings.Join(redact(args), " "), err, out)
	}
	return out
}

// TryTool runs pkcs11-tool on this token (OpenSC: an independent client) and
// returns its output and error.
func (tok *Token) TryTool(args ...string) (string, error) {
	base := []string{"--module", tok.ModulePath, "--token-label", tok.Label}
	cmd := exec.Command("pkcs11-tool", append(base, args...)...)
	cmd.Env = tok.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Unplug moves the SoftHSM2 token's directory out of the tokendir: to a
// module that re-reads its slots, the token is gone. Plug puts it back.
func (tok *Token) Unplug(t testing.TB) {
	t.Helper()
	ents, err := os.ReadDir(tok.TokenDir)
	must(t, err)
	must(t, os.MkdirAll(filepath.Join(tok.Dir, "unplugged"), 0o700))
	for _, e := range ents {
		must(t, os.Rename(filepath.Join(tok.TokenDir, e.Name()), filepath.Join(tok.Dir, "unplugged", e.Name())))
	}
}

// Plug undoes Unplug.
func (tok *Token) Plug(t testing.TB) {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(tok.Dir, "unplugged"))
	must(t, err)
	for _, e := range ents {
		must(t, os.Rename(filepath.Join(tok.Dir, "unplugged", e.Name()), filepath.Join(tok.TokenDir, e.Name())))
	}
}

func (tok *Token) newCA(t testing.TB) {
	t.Helper()
	key := filepath.Join(tok.Dir, "ca.key")
	tok.CAPath = filepath.Join(tok.Dir, "ca.pem")
	tok.run(t, nil, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", tok.CAPath,
		"-days", "30", "-utf8", "-subj", "/C=FR/O=Certigna Tests/CN=Autorité de test",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	b, err := os.ReadFile(tok.CAPath)
	must(t, err)
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal("testtoken: CA certificate is not PEM")
	}
	tok.CACert, err = x509.ParseCertificate(blk.Bytes)
	must(t, err)
	// One throwaway key signs every request; -force_pubkey puts the token's key in the certificate.
	tok.run(t, nil, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", filepath.Join(tok.Dir, "req.key"))
	must(t, os.WriteFile(filepath.Join(tok.Dir, "ext.cnf"), []byte(
		"[v3]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"), 0o600))
}

// addKey generates a key pair on the token and stores a certificate for it.
func (tok *Token) addKey(t testing.TB, id []byte, keyType, label string, alwaysAuth bool) {
	t.Helper()
	hexID := fmt.Sprintf("%x", id)
	args := []string{"--login", "--pin", tok.PIN, "--keypairgen", "--key-type", keyType, "--id", hexID, "--label", label}
	if alwaysAuth {
		args = append(args, "--always-auth")
	}
	tok.Tool(t, args...)
	pubDER := filepath.Join(tok.Dir, hexID+".pub.der")
	tok.Tool(t, "--read-object", "--type", "pubkey", "--id", hexID, "-o", pubDER)
	pubPEM := filepath.Join(tok.Dir, hexID+".pub.pem")
	tok.run(t, nil, "openssl", "pkey", "-pubin", "-inform", "DER", "-in", pubDER, "-out", pubPEM)
	csr := filepath.Join(tok.Dir, hexID+".csr")
	tok.run(t, nil, "openssl", "req", "-new", "-key", filepath.Join(tok.Dir, "req.key"), "-utf8",
		"-subj", "/C=FR/O=Certigna Tests/CN="+tok.Holder, "-out", csr)
	certDER := filepath.Join(tok.Dir, hexID+".cert.der")
	tok.run(t, nil, "openssl", "x509", "-req", "-in", csr, "-CA", tok.CAPath, "-CAkey", filepath.Join(tok.Dir, "ca.key"),
		"-set_serial", "0x"+hexID+"5eed", "-days", "30", "-force_pubkey", pubPEM, "-extfile", filepath.Join(tok.Dir, "ext.cnf"),
		"-extensions", "v3", "-outform", "DER", "-out", certDER)
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", certDER, "--type", "cert", "--id", hexID, "--label", label)
}

func (tok *Token) run(t testing.TB, stdin []byte, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = tok.env
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(redact(args), " "), err, out)
	}
	return string(out)
}

// redact keeps PINs out of test logs.
func redact(args []string) []string {
	out := append([]string(nil), args...)
	for i := range out {
		switch out[i] {
		case "--pin", "--so-pin", "-S", "-n", "--new-pin", "-p":
			if i+1 < len(out) {
				out[i+1] = "***"
			}
		}
	}
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
