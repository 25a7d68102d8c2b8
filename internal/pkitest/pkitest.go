// Package pkitest is a throwaway public-key infrastructure for tests: a root
// CA, a signer certificate, an RFC 3161 time-stamping authority, an OCSP
// responder and a CRL, all served on 127.0.0.1 by the test's own HTTP server.
//
// Every answer is made by the real openssl tool (`openssl ts -reply`,
// `openssl ocsp`, `openssl ca -gencrl`), run by the handler on each request,
// so that our client code is tested against an independent implementation
// rather than against itself. Only the failure modes (down, garbage) are
// simulated by the handler, because no real server produces them on demand.
package pkitest

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/certigna-desktop/app/internal/testtool"
)

// Mode is how an endpoint behaves.
type Mode int

const (
	Normal       Mode = iota // answer with openssl
	Down                     // drop the connection without an answer
	Garbage                  // answer 200 with bytes that are not DER
	Refuse                   // TSA: a real openssl-made answer is replaced by status "rejection"; others: HTTP 500
	Stall                    // never answer: wait until the client gives up (its context or timeout)
	Error500                 // accept the request, then HTTP 500
	Huge                     // accept, then 200 with up to 1 GiB of junk, until the client stops reading
	RedirectFile             // accept, then a 302 to file:///etc/passwd
)

// misbehave answers for the modes every endpoint shares once the request
// is accepted (500, a huge body, a redirect to file://); false for others.
func misbehave(m Mode, w http.ResponseWriter, r *http.Request) bool {
	switch m {
	case Error500:
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		http.Error(w, "internal error", http.StatusInternalServerError)
	case Huge:
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		w.WriteHeader(http.StatusOK)
		junk := make([]byte, 64<<10)
		for i := range junk {
			junk[i] = byte('A' + i%26)
		}
		for sent := 0; sent < 1<<30; sent += len(junk) {
			if _, err := w.Write(junk); err != nil {
				break // the client stopped reading: its bound worked
			}
		}
	case RedirectFile:
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	default:
		return false
	}
	return true
}

// PKI is a running test PKI. Files live in Dir; URLs point to Server.
type PKI struct {
	t      testing.TB
	Dir    string
	Server *httptest.Server
	URL    string // base URL, http://127.0.0.1:PORT

	CA           *x509.Certificate // the root
	Intermediate *x509.Certificate // nil unless WithIntermediate
	Signer       *x509.Certificate
	SignerKey    crypto.Signer
	TSA          *x509.Certificate
	OCSP         *x509.Certificate

	// Paths of the PEM files, for tools (pdfsig's NSS db, openssl).
	CAPEM, SignerPEM, SignerKeyPEM, TSAPEM string

	mu                         sync.Mutex
	tsaMode, ocspMode, crlMode Mode
	requests                   map[string]int
	withInt                    bool
	// TSAUser/TSAPassword, when set, are required as HTTP basic credentials.
	TSAUser, TSAPassword string
}

// New builds the PKI in a temporary directory and starts its server. Under CI
// a missing openssl fails the test; elsewhere it skips.
// Option changes what New builds.
type Option func(*PKI)

// WithIntermediate puts an intermediate CA between the root and the leaf
// certificates, as in real PKIs (Certigna: root → issuing CA → holder): the
// intermediate's revocation comes from the root's CRL (/root.crl) and its
// certificate from /ca.crt; the root's from /root.crt.
func WithIntermediate() Option { return func(p *PKI) { p.withInt = true } }

func New(t testing.TB, opts ...Option) *PKI {
	t.Helper()
	testtool.Need(t, "openssl")
	p := &PKI{t: t, Dir: t.TempDir(), requests: map[string]int{}}
	for _, o := range opts {
		o(p)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/tsa", p.serveTSA)
	mux.HandleFunc("/ocsp", p.serveOCSP)
	mux.HandleFunc("/ocsp/", p.serveOCSP)
	mux.HandleFunc("/ca.crl", p.serveCRL)
	mux.HandleFunc("/ca.crt", p.serveCACert)
	mux.HandleFunc("/root.crt", p.serveCACert)
	mux.HandleFunc("/root.crl", p.serveCRL)
	// Loopback only: the tests must not listen on any other interface.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pkitest: listen on 127.0.0.1: %v", err)
	}
	p.Server = &httptest.Server{Listener: l, Config: &http.Server{Handler: mux}}
	p.Server.Start()
	t.Cleanup(p.Server.Close)
	p.URL = p.Server.URL
	p.build()
	return p
}

// TSAURL is the time-stamping endpoint.
func (p *PKI) TSAURL() string { return p.URL + "/tsa" }

// DeadURL is a 127.0.0.1 URL where nothing listens.
func DeadURL(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pkitest: listen: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/tsa"
}

// SetTSA, SetOCSP and SetCRL change how the endpoints answer.
func (p *PKI) SetTSA(m Mode)  { p.mu.Lock(); p.tsaMode = m; p.mu.Unlock() }
func (p *PKI) SetOCSP(m Mode) { p.mu.Lock(); p.ocspMode = m; p.mu.Unlock() }
func (p *PKI) SetCRL(m Mode)  { p.mu.Lock(); p.crlMode = m; p.mu.Unlock() }

// Requests is how many requests an endpoint ("tsa", "ocsp", "crl", "crt") got.
func (p *PKI) Requests(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests[name]
}

func (p *PKI) mode(name string) Mode {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests[name]++
	switch name {
	case "tsa":
		return p.tsaMode
	case "ocsp":
		return p.ocspMode
	case "crl", "crt":
		return p.crlMode
	}
	return Normal
}

// drop closes the connection without an HTTP answer, as a dead server would.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			c.Close()
			return
		}
	}
	http.Error(w, "down", http.StatusServiceUnavailable)
}

func (p *PKI) serveTSA(w http.ResponseWriter, r *http.Request) {
	m := p.mode("tsa")
	if misbehave(m, w, r) {
		return
	}
	if m == Stall {
		// Read the request first: only then does the server notice that the
		// client went away and end r's context.
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		return
	}
	if m == Down {
		drop(w)
		return
	}
	if p.TSAUser != "" {
		u, pw, ok := r.BasicAuth()
		if !ok || u != p.TSAUser || pw != p.TSAPassword {
			w.Header().Set("WWW-Authenticate", `Basic realm="tsa"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/timestamp-query" {
		http.Error(w, "want POST application/timestamp-query", http.StatusBadRequest)
		return
	}
	if m == Garbage {
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write([]byte("<html>this is not a time-stamp reply</html>"))
		return
	}
	req, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if m == Refuse {
		// A real rejection: PKIStatusInfo{status 2 (rejection), failInfo badRequest}.
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write([]byte{0x30, 0x09, 0x30, 0x07, 0x02, 0x01, 0x02, 0x03, 0x02, 0x07, 0x80})
		return
	}
	out, err := p.runWithInput(req, "ts", "-reply", "-config", p.path("openssl.cnf"), "-queryfile", "{in}",
		"-out", "{out}")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(out)
}

func (p *PKI) serveOCSP(w http.ResponseWriter, r *http.Request) {
	m := p.mode("ocsp")
	if misbehave(m, w, r) {
		return
	}
	if m == Stall {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		return
	}
	switch m {
	case Down:
		drop(w)
		return
	case Garbage:
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write([]byte("garbage"))
		return
	case Refuse:
		http.Error(w, "refused", http.StatusInternalServerError)
		return
	}
	req, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	out, err := p.runWithInput(req, "ocsp", "-index", p.path("index.txt"), "-CA", p.path("issuer.pem"),
		"-rsigner", p.path("ocsp.pem"), "-rkey", p.path("ocsp.key"), "-reqin", "{in}", "-respout", "{out}",
		"-ndays", "7")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(out)
}

func (p *PKI) serveCRL(w http.ResponseWriter, r *http.Request) {
	m := p.mode("crl")
	if misbehave(m, w, r) {
		return
	}
	if m == Stall {
		<-r.Context().Done()
		return
	}
	switch m {
	case Down:
		drop(w)
		return
	case Garbage:
		w.Write([]byte("garbage"))
		return
	case Refuse:
		http.Error(w, "refused", http.StatusInternalServerError)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	name := "ca.crl"
	if r.URL.Path == "/root.crl" {
		name = "root.crl"
	}
	b, err := os.ReadFile(p.path(name))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(b)
}

func (p *PKI) serveCACert(w http.ResponseWriter, r *http.Request) {
	if p.mode("crt") == Down {
		drop(w)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-cert")
	if r.URL.Path == "/ca.crt" && p.Intermediate != nil {
		w.Write(p.Intermediate.Raw) // the issuer of the leaf certificates
		return
	}
	w.Write(p.CA.Raw)
}

func (p *PKI) path(name string) string { return filepath.Join(p.Dir, name) }

// openssl runs openssl in Dir and fails the test on error.
func (p *PKI) openssl(args ...string) {
	p.t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = p.Dir
	if out, err := cmd.CombinedOutput(); err != nil {
		p.t.Fatalf("pkitest: openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// runWithInput writes in to a temporary file, runs openssl with {in}/{out}
// replaced by file names, and returns what it wrote to {out}.
func (p *PKI) runWithInput(in []byte, args ...string) ([]byte, error) {
	dir, err := os.MkdirTemp(p.Dir, "req")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	inPath, outPath := filepath.Join(dir, "in.der"), filepath.Join(dir, "out.der")
	if err := os.WriteFile(inPath, in, 0o600); err != nil {
		return nil, err
	}
	a := make([]string, len(args))
	for i, s := range args {
		a[i] = strings.NewReplacer("{in}", inPath, "{out}", outPath).Replace(s)
	}
	// openssl ts/ca keep serial and index files: one request at a time.
	p.mu.Lock()
	cmd := exec.Command("openssl", a...)
	cmd.Dir = p.Dir
	out, err := cmd.CombinedOutput()
	p.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("openssl %s: %v: %s", a[0], err, out)
	}
	return os.ReadFile(outPath)
}

const opensslConf = `
[ ca ]
default_ca = CA_default

[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
crlnumber = ./crlnumber
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ CA_root ]
dir = .
database = ./root_index.txt
new_certs_dir = ./newcerts
serial = ./root_serial
crlnumber = ./root_crlnumber
default_md = sha256
default_days = 1825
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ ext_int ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = caIssuers;URI:{URL}/root.crt
crlDistributionPoints = URI:{URL}/root.crl

[ policy_any ]
commonName = supplied
organizationName = optional
countryName = optional

[ req ]
string_mask = utf8only
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[ ext_signer ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:{URL}/ocsp,caIssuers;URI:{URL}/ca.crt
crlDistributionPoints = URI:{URL}/ca.crl

[ ext_tsa ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:{URL}/ocsp,caIssuers;URI:{URL}/ca.crt
crlDistributionPoints = URI:{URL}/ca.crl

[ ext_ocsp ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = .
serial = ./tsaserial
crypto_device = builtin
signer_cert = ./tsa.pem
certs = ./chain.pem
signer_key = ./tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`

func (p *PKI) build() {
	t := p.t
	t.Helper()
	conf := strings.ReplaceAll(opensslConf, "{URL}", p.URL)
	must(t, os.WriteFile(p.path("openssl.cnf"), []byte(conf), 0o600))
	must(t, os.MkdirAll(p.path("newcerts"), 0o700))
	must(t, os.WriteFile(p.path("index.txt"), nil, 0o600))
	must(t, os.WriteFile(p.path("serial"), []byte("1000\n"), 0o600))
	must(t, os.WriteFile(p.path("crlnumber"), []byte("01\n"), 0o600))
	must(t, os.WriteFile(p.path("tsaserial"), []byte("01\n"), 0o600))
	must(t, os.WriteFile(p.path("root_index.txt"), nil, 0o600))
	must(t, os.WriteFile(p.path("root_serial"), []byte("2000\n"), 0o600))
	must(t, os.WriteFile(p.path("root_crlnumber"), []byte("01\n"), 0o600))

	cnf := p.path("openssl.cnf")
	// EC P-256 keys for the infrastructure (fast to make); RSA for the signer,
	// as on a Certigna token.
	for _, k := range []string{"ca", "tsa", "ocsp", "int"} {
		p.openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", k+".key")
	}
	p.openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "signer.key")
	p.openssl("req", "-config", cnf, "-new", "-x509", "-key", "ca.key", "-subj", "/C=FR/O=Certigna Desktop Tests/CN=Test Root CA",
		"-days", "3650", "-extensions", "v3_ca", "-out", "ca.pem")
	// issuer.pem/.key sign the leaf certificates: the root itself, or an
	// intermediate CA that the root certifies.
	chain, err := os.ReadFile(p.path("ca.pem"))
	must(t, err)
	if p.withInt {
		p.openssl("req", "-config", cnf, "-utf8", "-new", "-key", "int.key", "-subj", "/C=FR/O=Certigna Desktop Tests/CN=Test Issuing CA", "-out", "int.csr")
		p.openssl("ca", "-config", cnf, "-name", "CA_root", "-utf8", "-batch", "-notext", "-cert", "ca.pem", "-keyfile", "ca.key",
			"-extensions", "ext_int", "-in", "int.csr", "-out", "issuer.pem")
		copyFile(t, p.path("int.key"), p.path("issuer.key"))
		ib, err := os.ReadFile(p.path("issuer.pem"))
		must(t, err)
		chain = append(ib, chain...)
	} else {
		copyFile(t, p.path("ca.pem"), p.path("issuer.pem"))
		copyFile(t, p.path("ca.key"), p.path("issuer.key"))
	}
	must(t, os.WriteFile(p.path("chain.pem"), chain, 0o600))
	issue := func(name, subj, ext string) {
		p.openssl("req", "-config", cnf, "-utf8", "-new", "-key", name+".key", "-subj", subj, "-out", name+".csr")
		p.openssl("ca", "-config", cnf, "-utf8", "-batch", "-notext", "-cert", "issuer.pem", "-keyfile", "issuer.key",
			"-extensions", ext, "-in", name+".csr", "-out", name+".pem")
	}
	issue("signer", "/C=FR/O=Certigna Desktop Tests/CN=Élodie Test", "ext_signer")
	issue("tsa", "/C=FR/O=Certigna Desktop Tests/CN=Test TSA", "ext_tsa")
	issue("ocsp", "/C=FR/O=Certigna Desktop Tests/CN=Test OCSP Responder", "ext_ocsp")
	p.GenCRL()

	p.CA = p.loadCert("ca.pem")
	if p.withInt {
		p.Intermediate = p.loadCert("issuer.pem")
	}
	p.Signer = p.loadCert("signer.pem")
	p.TSA = p.loadCert("tsa.pem")
	p.OCSP = p.loadCert("ocsp.pem")
	p.SignerKey = p.loadKey("signer.key")
	p.CAPEM, p.SignerPEM, p.SignerKeyPEM, p.TSAPEM = p.path("ca.pem"), p.path("signer.pem"), p.path("signer.key"), p.path("tsa.pem")
}

// GenCRL (re)makes the CA's CRL with `openssl ca -gencrl`, as DER.
func (p *PKI) GenCRL() {
	p.t.Helper()
	p.openssl("ca", "-config", p.path("openssl.cnf"), "-gencrl", "-cert", "issuer.pem", "-keyfile", "issuer.key", "-out", "ca.crl.pem")
	if p.withInt {
		p.openssl("ca", "-config", p.path("openssl.cnf"), "-name", "CA_root", "-gencrl", "-cert", "ca.pem", "-keyfile", "ca.key", "-out", "root.crl.pem")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.openssl("crl", "-in", "ca.crl.pem", "-outform", "DER", "-out", "ca.crl")
	if p.withInt {
		p.openssl("crl", "-in", "root.crl.pem", "-outform", "DER", "-out", "root.crl")
	}
}

// RevokeSigner revokes the signer certificate in the CA database (OCSP sees it
// at once) and remakes the CRL.
func (p *PKI) RevokeSigner() {
	p.t.Helper()
	p.mu.Lock()
	p.openssl("ca", "-config", p.path("openssl.cnf"), "-cert", "issuer.pem", "-keyfile", "issuer.key", "-revoke", "signer.pem",
		"-crl_reason", "keyCompromise")
	p.mu.Unlock()
	p.GenCRL()
}

// Chain is the signer's chain, leaf first.
func (p *PKI) Chain() []*x509.Certificate {
	if p.Intermediate != nil {
		return []*x509.Certificate{p.Signer, p.Intermediate, p.CA}
	}
	return []*x509.Certificate{p.Signer, p.CA}
}

func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	must(t, err)
	must(t, os.WriteFile(to, b, 0o600))
}

// Pool is a pool holding the test root.
func (p *PKI) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA)
	return pool
}

func (p *PKI) loadCert(name string) *x509.Certificate {
	p.t.Helper()
	b, err := os.ReadFile(p.path(name))
	must(p.t, err)
	blk, _ := pem.Decode(b)
	if blk == nil {
		p.t.Fatalf("pkitest: %s: no PEM block", name)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	must(p.t, err)
	return c
}

func (p *PKI) loadKey(name string) crypto.Signer {
	p.t.Helper()
	b, err := os.ReadFile(p.path(name))
	must(p.t, err)
	blk, _ := pem.Decode(b)
	if blk == nil {
		p.t.Fatalf("pkitest: %s: no PEM block", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	must(p.t, err)
	s, ok := k.(crypto.Signer)
	if !ok {
		p.t.Fatalf("pkitest: %s: not a signing key", name)
	}
	return s
}

// NSSDB makes an NSS database trusting the test root, for pdfsig -nssdir.
// It returns "" (and skips or fails like New) when certutil is missing.
func (p *PKI) NSSDB() string {
	p.t.Helper()
	testtool.Need(p.t, "certutil")
	dir := filepath.Join(p.Dir, "nssdb")
	// Made once: certutil -N on an existing database asks for its password.
	if _, err := os.Stat(filepath.Join(dir, "cert9.db")); err == nil {
		return "sql:" + dir
	}
	must(p.t, os.MkdirAll(dir, 0o700))
	for _, args := range [][]string{
		{"-N", "-d", "sql:" + dir, "--empty-password"},
		{"-A", "-d", "sql:" + dir, "-t", "CT,C,C", "-n", "testca", "-i", p.CAPEM},
	} {
		if out, err := exec.Command("certutil", args...).CombinedOutput(); err != nil {
			p.t.Fatalf("pkitest: certutil %v: %v\n%s", args, err, out)
		}
	}
	return "sql:" + dir
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("pkitest: %v", err)
	}
}
