// Package chain is the one certificate-chain builder: the token's key
// (token.Signer.Chain), the chain a signature embeds (sign.CompleteChain),
// the chains whose revocation data B-LT gathers and the verifier reads
// (pdfsign's LTV steps) and the check of revocation servers before the PIN
// all order a leaf's issuers here, the same way: an issuer has the leaf's
// issuer name, is not the leaf itself, and its key verifies the leaf's
// signature; a self-signed certificate ends the chain.
package chain

import (
	"bytes"
	"context"
	"crypto/x509"
)

// MaxLen is the longest chain built (a real one has 3 or 4 certificates).
const MaxLen = 10

// MaxChecks bounds the signature checks to build one chain: a signature or
// a DSS may carry thousands of certificates naming the same issuer, each
// with a key that does not fit (Go's x509 allows 100).
const MaxChecks = 100

// Options say where issuers come from after the pool.
type Options struct {
	// Fetch downloads an AIA caIssuers URL (nil: nothing is downloaded).
	Fetch func(ctx context.Context, url string) (*x509.Certificate, error)
	// Fallback is searched last (the shipped CA certificates).
	Fallback []*x509.Certificate
	// Filter, when set, says which pool certificates may be issuers (the
	// token's: CA certificates only).
	Filter func(*x509.Certificate) bool
}

// SelfSigned: issuer and subject names equal and the certificate's own key
// verifies it.
func SelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// Result is a chain and how it ended.
type Result struct {
	Chain []*x509.Certificate // leaf first, then its issuers in order
	// Complete: it ends at a self-signed certificate (or at MaxLen).
	Complete bool
	// FetchErr is why the last download failed when the chain stopped
	// for want of an issuer (nil: none was tried or one worked).
	FetchErr error
	// Bounded: it stopped at MaxChecks signature checks.
	Bounded bool
}

// Build orders leaf's chain from pool, then o.Fetch, then o.Fallback.
func Build(ctx context.Context, leaf *x509.Certificate, pool []*x509.Certificate, o Options) Result {
	r := Result{Chain: []*x509.Certificate{leaf}}
	checks := 0
	find := func(top *x509.Certificate, in []*x509.Certificate, filter func(*x509.Certificate) bool) *x509.Certificate {
		for _, c := range in {
			if c == nil || !bytes.Equal(c.RawSubject, top.RawIssuer) || c.Equal(top) || (filter != nil && !filter(c)) {
				continue
			}
			if checks++; checks > MaxChecks {
				r.Bounded = true
				return nil
			}
			if top.CheckSignatureFrom(c) == nil {
				return c
			}
		}
		return nil
	}
	for len(r.Chain) < MaxLen {
		top := r.Chain[len(r.Chain)-1]
		if SelfSigned(top) {
			r.Complete = true
			return r
		}
		issuer := find(top, pool, o.Filter)
		if r.Bounded {
			return r
		}
		if issuer == nil && o.Fetch != nil {
			for _, u := range top.IssuingCertificateURL {
				c, err := o.Fetch(ctx, u)
				if err != nil {
					r.FetchErr = err
					continue
				}
				if top.CheckSignatureFrom(c) == nil {
					issuer, r.FetchErr = c, nil
					break
				}
			}
		}
		if issuer == nil {
			issuer = find(top, o.Fallback, nil)
		}
		if issuer == nil || containsCert(r.Chain, issuer) {
			return r
		}
		r.Chain = append(r.Chain, issuer)
	}
	r.Complete = true
	return r
}

func containsCert(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range list {
		if x.Equal(c) {
			return true
		}
	}
	return false
}
