package pkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"
)

// ServerCert makes a certificate for a server on 127.0.0.1, issued by the
// root CA (so that a client trusting Pool() trusts the server).
func (p *PKI) ServerCert() tls.Certificate {
	t := p.t
	t.Helper()
	b, err := os.ReadFile(p.path("ca.key"))
	must(t, err)
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal("pkitest: ca.key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	must(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "127.0.0.1 test server"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, &key.PublicKey, k.(crypto.Signer))
	must(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// ClientAuthServer starts an HTTPS server on 127.0.0.1 (Go's net/http) that
// requires a client certificate issued by one of clientCAs
// (tls.RequireAndVerifyClientCert) and answers "Bonjour <client CN>".
// verify, if not nil, is an extra verdict on the client's certificate (a
// server that refuses it after the handshake). Returns the https URL.
func (p *PKI) ClientAuthServer(clientCAs *x509.CertPool, verify func([][]byte, [][]*x509.Certificate) error) string {
	t := p.t
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Server", "pkitest")
			fmt.Fprintf(w, "Bonjour %s", r.TLS.PeerCertificates[0].Subject.CommonName)
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{p.ServerCert()}, ClientAuth: tls.RequireAndVerifyClientCert,
			ClientCAs: clientCAs, VerifyPeerCertificate: verify},
		ErrorLog: log.New(io.Discard, "", 0), // refused clients are what the tests expect
	}
	go func() { _ = srv.ServeTLS(l, "", "") }()
	t.Cleanup(func() { _ = srv.Close() })
	return "https://" + l.Addr().String() + "/login"
}
