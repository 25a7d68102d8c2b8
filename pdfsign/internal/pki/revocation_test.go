package pki_test

import (
	"context"
	"crypto/x509"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// OCSP (openssl ocsp) and the CRL (openssl ca -gencrl) are fetched for the
// signer and the TSA, verified, and recorded per certificate.
func TestFetchRevocationOCSPAndCRL(t *testing.T) {
	p := pkitest.New(t)
	chains := [][]*x509.Certificate{p.Chain(), {p.TSA, p.CA}}
	d, err := pki.FetchRevocation(context.Background(), chains, pki.RevocationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.OCSPs) != 2 || len(d.CRLs) != 1 {
		t.Errorf("got %d OCSP responses and %d CRLs, want 2 and 1 (one CRL shared)", len(d.OCSPs), len(d.CRLs))
	}
	for _, c := range []*x509.Certificate{p.Signer, p.TSA} {
		r := d.PerCert[c]
		if len(r.OCSP) != 1 || len(r.CRL) != 1 {
			t.Errorf("%s: refs %+v", c.Subject.CommonName, r)
		}
		if s := pki.CheckEmbeddedRevocation(c, p.CA, d.OCSPs, d.CRLs, time.Now()); s != pki.RevGood {
			t.Errorf("%s: embedded status %v, want good", c.Subject.CommonName, s)
		}
	}
	var haveResponder bool
	for _, c := range d.Certs {
		haveResponder = haveResponder || c.Equal(p.OCSP)
	}
	if !haveResponder || len(d.Certs) != 4 {
		t.Errorf("DSS certs: %d, responder included %v; want signer, CA, TSA, responder", len(d.Certs), haveResponder)
	}
	if p.Requests("crl") != 1 {
		t.Errorf("CRL fetched %d times, want once for both certificates", p.Requests("crl"))
	}
}

// OCSP down: the CRL suffices. Everything down: a typed "offline" error.
// Garbage OCSP: invalid. A revoked signer: revoked, and the embedded check says so.
func TestFetchRevocationFailures(t *testing.T) {
	p := pkitest.New(t)
	ctx := context.Background()
	chains := [][]*x509.Certificate{p.Chain()}

	p.SetOCSP(pkitest.Down)
	d, err := pki.FetchRevocation(ctx, chains, pki.RevocationOptions{})
	if err != nil {
		t.Fatalf("OCSP down, CRL up: %v", err)
	}
	if len(d.OCSPs) != 0 || len(d.CRLs) != 1 {
		t.Errorf("OCSP down: %d OCSP, %d CRL", len(d.OCSPs), len(d.CRLs))
	}
	p.SetCRL(pkitest.Down)
	_, err = pki.FetchRevocation(ctx, chains, pki.RevocationOptions{})
	pdftest.WantLTVKind(t, err, pdfsign.LTVRevOffline)
	_, err = pki.FetchRevocation(ctx, chains, pki.RevocationOptions{Timeout: time.Second})
	pdftest.WantLTVKind(t, err, pdfsign.LTVRevOffline)

	p.SetOCSP(pkitest.Garbage)
	_, err = pki.FetchRevocation(ctx, chains, pki.RevocationOptions{OCSPOnly: true})
	pdftest.WantLTVKind(t, err, pdfsign.LTVRevInvalid)

	p.SetOCSP(pkitest.Normal)
	p.SetCRL(pkitest.Normal)
	good, err := pki.FetchRevocation(ctx, chains, pki.RevocationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p.RevokeSigner()
	_, err = pki.FetchRevocation(ctx, chains, pki.RevocationOptions{OCSPOnly: true})
	pdftest.WantLTVKind(t, err, pdfsign.LTVRevoked)
	_, err = pki.FetchRevocation(ctx, chains, pki.RevocationOptions{CRLOnly: true})
	pdftest.WantLTVKind(t, err, pdfsign.LTVRevoked)
	// Data fetched before the revocation said good; the new CRL says revoked.
	if s := pki.CheckEmbeddedRevocation(p.Signer, p.CA, good.OCSPs, good.CRLs, time.Now()); s != pki.RevGood {
		t.Errorf("old data: %v", s)
	}
	crl, err := pki.FetchCRL(ctx, p.URL+"/ca.crl", pki.RevocationOptions{Timeout: 5 * time.Second, Client: p.Server.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if s := pki.CheckEmbeddedRevocation(p.Signer, p.CA, nil, [][]byte{crl}, time.Now()); s != pki.RevRevoked {
		t.Errorf("new CRL: %v, want revoked", s)
	}
}
