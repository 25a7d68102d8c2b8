package browsers

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"
)

// TLSOptions tune the login test.
type TLSOptions struct {
	Roots   *x509.CertPool // trust for the server's certificate; nil = the system's
	Timeout time.Duration  // whole test; default 30 s
}

func (o TLSOptions) timeout() time.Duration {
	if o.Timeout <= 0 {
		return 30 * time.Second
	}
	return o.Timeout
}

// Probe is what the server says before any key is used: whether it asks
// for a client certificate, and from which authorities.
type Probe struct {
	URL           string   `json:"url"`
	Address       string   `json:"address"`
	Requested     bool     `json:"requested"`      // the server asks for a client certificate
	AcceptableCAs []string `json:"acceptable_cas"` // the authorities it names (may be empty: any)
	ServerSubject string   `json:"server_subject"`
	acceptable    [][]byte
}

// TLSResult is the report of a login test.
type TLSResult struct {
	URL           string `json:"url"`
	Version       string `json:"tls_version"`
	CipherSuite   string `json:"cipher_suite"`
	ServerSubject string `json:"server_subject"`
	SentSubject   string `json:"sent_subject"` // the client certificate sent
	SentIssuer    string `json:"sent_issuer"`
	SentSHA256    string `json:"sent_sha256"`
	HTTPStatus    int    `json:"http_status"`
	Status        string `json:"status"`  // "200 OK"
	Server        string `json:"server"`  // the Server header
	Excerpt       string `json:"excerpt"` // start of the answer's text, one line
}

// parseURL accepts only https URLs: a client certificate means TLS.
func parseURL(raw string) (*url.URL, string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return nil, "", &Error{Kind: KindBadURL, Detail: raw}
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	return u, net.JoinHostPort(u.Hostname(), port), nil
}

// maxVersion caps the TLS version (tests of TLS 1.2; 0 = Go's default).
var maxVersion uint16

func tlsConfig(u *url.URL, o TLSOptions) *tls.Config {
	return &tls.Config{ServerName: u.Hostname(), RootCAs: o.Roots, NextProtos: []string{"http/1.1"},
		MinVersion: tls.VersionTLS12, MaxVersion: maxVersion}
}

// ProbeTLS connects without a client key: nothing is signed and no PIN is
// needed, so everything the server tells before the key is used can be
// checked before the PIN is asked.
func ProbeTLS(ctx context.Context, rawURL string, o TLSOptions) (*Probe, error) {
	u, addr, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()
	p := &Probe{URL: u.String(), Address: addr}
	cfg := tlsConfig(u, o)
	cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		p.Requested = true
		for _, raw := range cri.AcceptableCAs {
			p.acceptable = append(p.acceptable, raw)
			p.AcceptableCAs = append(p.AcceptableCAs, dnString(raw))
		}
		return &tls.Certificate{}, nil // none: the server will refuse, that is expected
	}
	conn, err := (&tls.Dialer{Config: cfg}).DialContext(ctx, "tcp", addr)
	if err != nil {
		if p.Requested {
			return p, nil // TLS 1.2: the server ends the handshake after our empty answer
		}
		return nil, classify(err, nil)
	}
	defer conn.Close()
	if st := conn.(*tls.Conn).ConnectionState(); len(st.PeerCertificates) > 0 {
		p.ServerSubject = st.PeerCertificates[0].Subject.String()
	}
	return p, nil
}

// Check is what can be known before the PIN: the certificate may log in,
// the server asks for one, and it accepts the certificate's authority.
func (p *Probe) Check(chain []*x509.Certificate) error {
	if len(chain) == 0 || !CanLogIn(chain[0]) {
		return &Error{Kind: KindNoClientAuth}
	}
	if !p.Requested {
		return &Error{Kind: KindNotRequested, Detail: p.URL}
	}
	if len(p.acceptable) == 0 {
		return nil
	}
	for _, c := range chain {
		for _, a := range p.acceptable {
			if bytes.Equal(c.RawIssuer, a) || bytes.Equal(c.RawSubject, a) {
				return nil
			}
		}
	}
	return &Error{Kind: KindCANotAccepted, Detail: strings.Join(p.AcceptableCAs, " ; ")}
}

// signRecorder keeps the signer's own error: crypto/tls flattens it into a
// string, and the token's typed error (PIN, removal) is what people need.
type signRecorder struct {
	crypto.Signer
	mu    sync.Mutex
	err   error
	count int
}

func (s *signRecorder) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	sig, err := s.Signer.Sign(r, digest, opts)
	s.mu.Lock()
	s.count++
	if err != nil {
		s.err = err
	}
	s.mu.Unlock()
	return sig, err
}

// TestTLS performs a real handshake with client authentication — signing
// with signer, whose certificate is chain[0] — then a GET of the URL, and
// reports what was sent and what the server answered.
func TestTLS(ctx context.Context, rawURL string, signer crypto.Signer, chain []*x509.Certificate, o TLSOptions) (*TLSResult, error) {
	u, addr, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if len(chain) == 0 || !CanLogIn(chain[0]) {
		return nil, &Error{Kind: KindNoClientAuth}
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()
	leaf := chain[0]
	sum := sha256.Sum256(leaf.Raw)
	res := &TLSResult{URL: u.String(), SentSubject: leaf.Subject.String(), SentIssuer: leaf.Issuer.String(),
		SentSHA256: fmt.Sprintf("%X", sum[:])}
	rec := &signRecorder{Signer: signer}
	cert := &tls.Certificate{PrivateKey: rec, Leaf: leaf}
	for _, c := range chain {
		if len(cert.Certificate) > 0 && bytes.Equal(c.RawIssuer, c.RawSubject) {
			continue // a root: the server has it or does not trust it anyway
		}
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	requested := false
	cfg := tlsConfig(u, o)
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		requested = true
		return cert, nil
	}
	fail := func(err error) (*TLSResult, error) {
		if rec.err != nil {
			return res, rec.err
		}
		return res, classify(err, &requested)
	}
	conn, err := (&tls.Dialer{Config: cfg}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fail(err)
	}
	defer conn.Close()
	tc := conn.(*tls.Conn)
	st := tc.ConnectionState()
	res.Version, res.CipherSuite = tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite)
	if len(st.PeerCertificates) > 0 {
		res.ServerSubject = st.PeerCertificates[0].Subject.String()
	}
	if !requested {
		return res, &Error{Kind: KindNotRequested, Detail: res.URL}
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = tc.SetDeadline(dl)
	}
	// TLS 1.3: the server checks our certificate after the handshake, so its
	// verdict comes with the first read.
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.Header.Set("User-Agent", "certigna-desktop tls-test")
	req.Close = true
	if err := req.Write(tc); err != nil {
		return fail(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(tc), req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	res.HTTPStatus, res.Status, res.Server = resp.StatusCode, resp.Status, resp.Header.Get("Server")
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	res.Excerpt = excerpt(body, 160)
	return res, nil
}

// classify turns a connection error into the customer's words.
func classify(err error, requested *bool) error {
	var ce *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ce), errors.As(err, &ua), errors.As(err, &he), errors.As(err, &ci):
		return &Error{Kind: KindServerUntrust, Err: err}
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "remote error" {
		// The server sent an alert: after our certificate it is its verdict.
		if requested == nil || *requested {
			return &Error{Kind: KindServerRefused, Detail: oe.Err.Error(), Err: err}
		}
		return &Error{Kind: KindHandshake, Err: err}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &oe) && oe.Op == "dial" {
		return &Error{Kind: KindConnect, Err: err}
	}
	if requested != nil && *requested && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err)) {
		// Some servers just close the connection on a certificate they refuse.
		return &Error{Kind: KindServerRefused, Detail: err.Error(), Err: err}
	}
	return &Error{Kind: KindHandshake, Err: err}
}

func isReset(err error) bool { return err != nil && strings.Contains(err.Error(), "connection reset") }

func dnString(raw []byte) string {
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &rdn); err != nil {
		return fmt.Sprintf("%X", raw)
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdn)
	return n.String()
}

// excerpt is the start of an answer as one printable line.
func excerpt(b []byte, max int) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(string(b), ""))
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
