package token

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/miekg/pkcs11"
)

// The demo token's codes. They are public on purpose: the demo is for trying
// the app, and the UI shows them.
const (
	DemoPIN       = "1234"     // user PIN (unlock code) of a fresh demo token
	DemoAdminCode = "12345678" // SO/admin code, for unblocking
	DemoHolder    = "Démo Certigna"
)

var demoCertID = []byte{0xde, 0x01}

// SoftHSMPaths lists where SoftHSM2's library is installed, per OS.
func SoftHSMPaths() []string {
	switch runtime.GOOS {
	case "windows":
		return []string{`C:\SoftHSM2\lib\softhsm2-x64.dll`, `C:\Program Files\SoftHSM2\lib\softhsm2-x64.dll`}
	case "darwin":
		return []string{"/opt/homebrew/lib/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so"}
	}
	return []string{"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib64/softhsm/libsofthsm2.so",
		"/usr/local/lib/softhsm/libsofthsm2.so"}
}

func softHSMPath() string {
	for _, p := range SoftHSMPaths() {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// DemoDir is where the demo token lives for cacheDir ("" = the user cache
// directory's certigna-desktop folder).
func DemoDir(cacheDir string) (string, error) {
	if cacheDir == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return "", &Error{Kind: KindDemo, Reason: "no cache directory", Err: err}
		}
		cacheDir = filepath.Join(c, "certigna-desktop")
	}
	return filepath.Join(cacheDir, "demo"), nil
}

// EnsureDemo prepares the demo token once — a SoftHSM2 token under
// DemoDir(cacheDir), labelled DemoLabel, holding an RSA-2048 key generated on
// the token and a certificate for DemoHolder issued by a demo CA — and points
// SOFTHSM2_CONF at it (SoftHSM2 reads it at C_Initialize, so this must run
// before the SoftHSM2 library is opened). It returns SoftHSM2's path.
func EnsureDemo(cacheDir string) (string, error) {
	dir, err := DemoDir(cacheDir)
	if err != nil {
		return "", err
	}
	lib := softHSMPath()
	if lib == "" {
		if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
			// Not shipped there (only the .deb brings it): say so and what to do instead.
			return "", &Error{Kind: KindDemo, Reason: "demo not shipped on this system"}
		}
		return "", &Error{Kind: KindDemo, Reason: "SoftHSM2 is not installed"}
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	tokens := filepath.Join(dir, "tokens")
	ready := filepath.Join(dir, "ready")
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return "", &Error{Kind: KindDemo, Err: err}
	}
	if _, err := os.Stat(ready); err == nil {
		if ents, _ := os.ReadDir(tokens); len(ents) > 0 {
			return lib, nil
		}
	}
	// Not made yet, or half made: start again.
	if err := os.RemoveAll(tokens); err != nil {
		return "", &Error{Kind: KindDemo, Err: err}
	}
	_ = os.Remove(ready)
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		return "", &Error{Kind: KindDemo, Err: err}
	}
	cfg := "# certigna-desktop demo token\ndirectories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		return "", &Error{Kind: KindDemo, Err: err}
	}
	m, err := Open(lib)
	if err != nil {
		return "", err
	}
	defer m.Close()
	if err := m.makeDemo(); err != nil {
		var te *Error
		if errors.As(err, &te) && te.Kind == KindDemo {
			return "", err
		}
		return "", &Error{Kind: KindDemo, Err: err}
	}
	if err := os.WriteFile(ready, []byte("ok\n"), 0o600); err != nil {
		return "", &Error{Kind: KindDemo, Err: err}
	}
	return lib, nil
}

// OpenDemo prepares the demo token if needed and opens it.
func OpenDemo(cacheDir string) (*Module, error) {
	lib, err := EnsureDemo(cacheDir)
	if err != nil {
		return nil, err
	}
	m, err := Open(lib)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	err = m.reinitLocked() // it may have been initialised with another SOFTHSM2_CONF
	m.mu.Unlock()
	if err != nil {
		_ = m.Close()
		return nil, err
	}
	m.setDemo()
	return m, nil
}

// ResetDemo deletes the demo token (its PIN may have been changed or
// blocked); the next EnsureDemo makes a fresh one.
func ResetDemo(cacheDir string) error {
	dir, err := DemoDir(cacheDir)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return &Error{Kind: KindDemo, Err: err}
	}
	return nil
}

func (m *Module) makeDemo() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.reinitLocked(); err != nil {
		return err
	}
	slots, err := m.ctx.GetSlotList(false)
	if err != nil {
		return err
	}
	free, found := uint(0), false
	for _, s := range slots {
		ti, err := m.ctx.GetTokenInfo(s)
		if err == nil && ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			free, found = s, true
			break
		}
	}
	if !found {
		return &Error{Kind: KindDemo, Reason: "no free SoftHSM2 slot"}
	}
	if err := m.ctx.InitToken(free, DemoAdminCode, DemoLabel); err != nil {
		return err
	}
	// SoftHSM2 gives the new token its own slot at the next initialisation.
	if err := m.reinitLocked(); err != nil {
		return err
	}
	ts, err := m.tokensLocked()
	if err != nil {
		return err
	}
	slot, found := uint(0), false
	for _, t := range ts {
		if t.Label == DemoLabel {
			slot, found = t.Slot, true
		}
	}
	if !found {
		return &Error{Kind: KindDemo, Reason: "demo token not found after initialisation"}
	}
	sh, err := m.ctx.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return err
	}
	defer m.ctx.CloseSession(sh)
	if err := m.ctx.Login(sh, pkcs11.CKU_SO, DemoAdminCode); err != nil {
		return err
	}
	if err := m.ctx.InitPIN(sh, DemoPIN); err != nil {
		return err
	}
	_ = m.ctx.Logout(sh)
	if err := m.ctx.Login(sh, pkcs11.CKU_USER, DemoPIN); err != nil {
		return err
	}
	defer m.ctx.Logout(sh)
	label := "Démo Certigna"
	pubH, _, err := m.ctx.GenerateKeyPair(sh,
		[]*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, nil)},
		[]*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
			pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
			pkcs11.NewAttribute(pkcs11.CKA_MODULUS_BITS, 2048),
			pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}),
			pkcs11.NewAttribute(pkcs11.CKA_ID, demoCertID),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		},
		[]*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
			pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
			pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
			pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
			pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
			pkcs11.NewAttribute(pkcs11.CKA_ID, demoCertID),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		})
	if err != nil {
		return err
	}
	attrs, err := m.ctx.GetAttributeValue(sh, pubH, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_MODULUS, nil),
		pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, nil),
	})
	if err != nil || len(attrs) != 2 {
		return &Error{Kind: KindDemo, Reason: "cannot read the demo public key", Err: err}
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(attrs[0].Value), E: int(new(big.Int).SetBytes(attrs[1].Value).Int64())}
	caDER, leafDER, err := demoCertificates(pub)
	if err != nil {
		return &Error{Kind: KindDemo, Err: err}
	}
	for _, c := range []struct {
		der   []byte
		id    []byte
		label string
	}{{leafDER, demoCertID, label}, {caDER, []byte{0xde, 0xca}, "Démo Certigna CA"}} {
		x, _ := x509.ParseCertificate(c.der)
		if _, err := m.ctx.CreateObject(sh, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
			pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
			pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
			pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
			pkcs11.NewAttribute(pkcs11.CKA_ID, c.id),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, c.label),
			pkcs11.NewAttribute(pkcs11.CKA_SUBJECT, x.RawSubject),
			pkcs11.NewAttribute(pkcs11.CKA_ISSUER, x.RawIssuer),
			pkcs11.NewAttribute(pkcs11.CKA_SERIAL_NUMBER, x.SerialNumber.Bytes()),
			pkcs11.NewAttribute(pkcs11.CKA_VALUE, c.der),
		}); err != nil {
			return err
		}
	}
	return nil
}

// demoCertificates makes a demo CA in memory (its key is thrown away) and the
// holder's certificate for pub.
func demoCertificates(pub *rsa.PublicKey) (caDER, leafDER []byte, err error) {
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now().Add(-time.Hour)
	serial := func() *big.Int {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
		return n.Add(n, big.NewInt(1))
	}
	org := []string{"DÉMO — certificat sans valeur"}
	ca := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "Autorité de démonstration Certigna", Organization: org, Country: []string{"FR"}},
		NotBefore:             start,
		NotAfter:              start.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err = x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leaf := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: DemoHolder, Organization: org, Country: []string{"FR"}},
		NotBefore:    start,
		NotAfter:     start.AddDate(3, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	leafDER, err = x509.CreateCertificate(rand.Reader, leaf, caCert, pub, caKey)
	return caDER, leafDER, err
}
