package pki

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"golang.org/x/crypto/ocsp"
)

// Revocation data for long-term validation: OCSP responses and CRLs fetched
// from the certificates' AIA and CRL distribution points, each one checked
// (issuer's signature, freshness, status) before it is kept.

// RevocationOptions tune FetchRevocation.
type RevocationOptions struct {
	Timeout time.Duration // per request; default 15 s
	Client  *http.Client  // nil: a client with Timeout
	Now     time.Time     // zero: time.Now()
	// OCSPOnly and CRLOnly restrict the sources; by default both are fetched
	// where the certificate names them, so a validator that prefers one finds it.
	OCSPOnly, CRLOnly bool
}

// RevocationData is what goes into a DSS.
type RevocationData struct {
	Certs []*x509.Certificate // every certificate seen (chains, OCSP responders), no duplicates
	OCSPs [][]byte            // DER OCSPResponse
	CRLs  [][]byte            // DER CertificateList
	// PerCert says, by certificate, which of OCSPs/CRLs cover it (indexes).
	PerCert map[*x509.Certificate]revRefs
}

// revRefs lists indexes into RevocationData.OCSPs / CRLs.
type revRefs struct{ OCSP, CRL []int }

// AddCert adds c once.
func (d *RevocationData) AddCert(c *x509.Certificate) {
	for _, have := range d.Certs {
		if have.Equal(c) {
			return
		}
	}
	d.Certs = append(d.Certs, c)
}

// addOnce appends der to list unless it is there, and returns its index.
func addOnce(list *[][]byte, der []byte) int {
	for i, have := range *list {
		if bytes.Equal(have, der) {
			return i
		}
	}
	*list = append(*list, der)
	return len(*list) - 1
}

// FetchRevocation gathers, for every certificate of each chain (leaf first)
// but self-signed roots, a verified OCSP response and/or CRL. A certificate
// for which nothing could be had makes it fail: LTVRevOffline when every
// server was unreachable, LTVRevInvalid when an answer did not verify,
// LTVRevoked when a certificate is revoked, LTVNoRevInfo when a
// certificate names no source at all.
func FetchRevocation(ctx context.Context, chains [][]*x509.Certificate, opts RevocationOptions) (*RevocationData, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout}
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	data := &RevocationData{PerCert: map[*x509.Certificate]revRefs{}}
	crlCache := map[string][]byte{} // URL → verified DER, fetched once
	for _, chain := range chains {
		for i, c := range chain {
			data.AddCert(c)
			if RevSelfSigned(c) {
				continue
			}
			var issuer *x509.Certificate
			if i+1 < len(chain) {
				issuer = chain[i+1]
			}
			if issuer == nil || c.CheckSignatureFrom(issuer) != nil {
				return nil, doc.NewLTVDetail(pdfsign.LTVRevInvalid, "", "issuer_missing", map[string]any{"Name": RevName(c)}, nil)
			}
			if RevNoCheck(c) {
				continue // OCSP responder certificate with id-pkix-ocsp-nocheck
			}
			if err := fetchForCert(ctx, c, issuer, opts, data, crlCache); err != nil {
				return nil, err
			}
		}
	}
	return data, nil
}

func fetchForCert(ctx context.Context, c, issuer *x509.Certificate, opts RevocationOptions, data *RevocationData,
	crlCache map[string][]byte) error {
	var refs revRefs
	var firstErr error
	note := func(err error) {
		// A revoked certificate outranks any other failure; an invalid answer
		// outranks an unreachable server.
		var le, prev *pdfsign.LTVError
		if firstErr == nil {
			firstErr = err
			return
		}
		if errors.As(err, &le) && errors.As(firstErr, &prev) {
			if le.Kind == pdfsign.LTVRevoked || le.Kind == pdfsign.LTVRevInvalid && prev.Kind == pdfsign.LTVRevOffline {
				firstErr = err
			}
		}
	}
	if len(c.OCSPServer) == 0 && len(c.CRLDistributionPoints) == 0 {
		return doc.NewLTVError(pdfsign.LTVNoRevInfo, "", RevName(c), nil)
	}
	if !opts.CRLOnly {
		for _, u := range c.OCSPServer {
			der, resp, err := fetchOCSP(ctx, c, issuer, u, opts)
			if err != nil {
				note(err)
				continue
			}
			if resp.Certificate != nil {
				data.AddCert(resp.Certificate)
			}
			refs.OCSP = append(refs.OCSP, addOnce(&data.OCSPs, der))
			break
		}
	}
	if !opts.OCSPOnly {
		for _, u := range c.CRLDistributionPoints {
			der, ok := crlCache[u]
			if !ok {
				var err error
				der, err = FetchCRL(ctx, u, opts)
				if err != nil {
					note(err)
					continue
				}
			}
			if err := checkCRL(der, c, issuer, u, opts.Now); err != nil {
				note(err)
				continue
			}
			crlCache[u] = der
			refs.CRL = append(refs.CRL, addOnce(&data.CRLs, der))
			break
		}
	}
	var le *pdfsign.LTVError
	if errors.As(firstErr, &le) && le.Kind == pdfsign.LTVRevoked {
		return firstErr
	}
	if len(refs.OCSP) == 0 && len(refs.CRL) == 0 {
		if firstErr == nil {
			return doc.NewLTVError(pdfsign.LTVNoRevInfo, "", RevName(c), nil)
		}
		return firstErr
	}
	data.PerCert[c] = refs
	return nil
}

func revHTTP(ctx context.Context, opts RevocationOptions, method, u, ctype string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVRevInvalid, u, err.Error(), err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := opts.Client.Do(req)
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVRevOffline, u, NetDetail(err), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVRevOffline, u, NetDetail(err), err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, doc.NewLTVError(pdfsign.LTVRevOffline, u, "HTTP "+resp.Status, nil)
	}
	return b, nil
}

func fetchOCSP(ctx context.Context, c, issuer *x509.Certificate, u string, opts RevocationOptions) ([]byte, *ocsp.Response, error) {
	// SHA-1 CertIDs: what every responder understands (RFC 5019).
	req, err := ocsp.CreateRequest(c, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		return nil, nil, doc.NewLTVError(pdfsign.LTVRevInvalid, u, err.Error(), err)
	}
	der, err := revHTTP(ctx, opts, http.MethodPost, u, "application/ocsp-request", req)
	if err != nil {
		return nil, nil, err
	}
	resp, err := checkOCSP(der, c, issuer, opts.Now)
	if err != nil {
		var le *pdfsign.LTVError
		if errors.As(err, &le) {
			le.URL = u
		}
		return nil, nil, err
	}
	return der, resp, nil
}

// checkOCSP parses and verifies an OCSP response for c: signature by the
// issuer or a delegated responder it certified, freshness, status good.
func checkOCSP(der []byte, c, issuer *x509.Certificate, now time.Time) (*ocsp.Response, error) {
	resp, err := ocsp.ParseResponseForCert(der, c, issuer)
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVRevInvalid, "", ParseErrText("OCSP", err), err)
	}
	if resp.Certificate != nil && !revHasEKU(resp.Certificate, x509.ExtKeyUsageOCSPSigning) &&
		!resp.Certificate.Equal(issuer) {
		return nil, doc.NewLTVDetail(pdfsign.LTVRevInvalid, "", "ocsp_signer_usage", nil, nil)
	}
	skew := 5 * time.Minute
	if resp.ThisUpdate.After(now.Add(skew)) || !resp.NextUpdate.IsZero() && resp.NextUpdate.Before(now.Add(-skew)) {
		return nil, doc.NewLTVDetail(pdfsign.LTVRevInvalid, "", "ocsp_stale", nil, nil)
	}
	switch resp.Status {
	case ocsp.Good:
		return resp, nil
	case ocsp.Revoked:
		return nil, doc.NewLTVError(pdfsign.LTVRevoked, "", fmt.Sprintf("%s (%s)", RevName(c), resp.RevokedAt.UTC().Format(time.RFC3339)), nil)
	}
	return nil, doc.NewLTVDetail(pdfsign.LTVRevInvalid, "", "ocsp_unknown", map[string]any{"Name": RevName(c)}, nil)
}

func FetchCRL(ctx context.Context, u string, opts RevocationOptions) ([]byte, error) {
	return revHTTP(ctx, opts, http.MethodGet, u, "", nil)
}

// checkCRL verifies a CRL's signature by issuer, its freshness, and that c
// is not listed.
func checkCRL(der []byte, c, issuer *x509.Certificate, u string, now time.Time) error {
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return doc.NewLTVError(pdfsign.LTVRevInvalid, u, ParseErrText("CRL", err), err)
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return doc.NewLTVError(pdfsign.LTVRevInvalid, u, ParseErrText("CRL signature", err), err)
	}
	if !crl.NextUpdate.IsZero() && crl.NextUpdate.Before(now) {
		return doc.NewLTVDetail(pdfsign.LTVRevInvalid, u, "crl_stale", nil, nil)
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(c.SerialNumber) == 0 {
			return doc.NewLTVError(pdfsign.LTVRevoked, u, fmt.Sprintf("%s (%s)", RevName(c), e.RevocationTime.UTC().Format(time.RFC3339)), nil)
		}
	}
	return nil
}

// RevStatus is what embedded revocation data says about one certificate.
type RevStatus int

const (
	RevUnknown RevStatus = iota // no usable data for it
	RevGood
	RevRevoked
)

// CheckEmbeddedRevocation decides c's status from the OCSP responses and CRLs
// found in a document (DSS or CMS), as of at. Answers that do not verify
// against issuer are ignored.
func CheckEmbeddedRevocation(c, issuer *x509.Certificate, ocsps, crls [][]byte, at time.Time) RevStatus {
	if RevSelfSigned(c) || RevNoCheck(c) {
		return RevGood
	}
	status := RevUnknown
	for _, der := range ocsps {
		resp, err := ocsp.ParseResponseForCert(der, c, issuer)
		if err != nil {
			continue
		}
		if resp.Status == ocsp.Revoked && !resp.RevokedAt.After(at) {
			return RevRevoked
		}
		if resp.Status == ocsp.Good {
			status = RevGood
		}
	}
	for _, der := range crls {
		crl, err := x509.ParseRevocationList(der)
		if err != nil || crl.CheckSignatureFrom(issuer) != nil || !bytes.Equal(crl.RawIssuer, c.RawIssuer) {
			continue
		}
		revoked := false
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(c.SerialNumber) == 0 && !e.RevocationTime.After(at) {
				revoked = true
			}
		}
		if revoked {
			return RevRevoked
		}
		status = RevGood
	}
	return status
}

var oidOCSPNoCheck = []int{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}

// RevNoCheck: the certificate carries id-pkix-ocsp-nocheck (an OCSP responder's, checked by no one).
func RevNoCheck(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oidOCSPNoCheck) {
			return true
		}
	}
	return false
}

func RevSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

func revHasEKU(c *x509.Certificate, u x509.ExtKeyUsage) bool {
	for _, e := range c.ExtKeyUsage {
		if e == u {
			return true
		}
	}
	return false
}

func RevName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return c.Subject.String()
}
