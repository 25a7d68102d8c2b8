package actions

import (
	"bytes"
	"context"
	"crypto/x509"
	"sync"

	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/token"
)

// Prepared is what is settled about a signing key before its PIN is asked
// for, for one document or a batch, in the window and the CLI alike.
type Prepared struct {
	// Chain is the certificate chain to embed: the token's CA objects,
	// else the AIA caIssuers downloads, else the shipped CA certificates
	// (sign.CompleteChain).
	Chain []*x509.Certificate
	// ChainWarning (*sign.ChainWarning) says an issuer could not be had
	// (offline, no CA object): the signature is made anyway, and the person
	// is told that a validator with only the root may not link it.
	ChainWarning error
}

// Prepare completes the chain of leaf (tokenCerts: the token's other
// certificates, read without a login) and, for B-LT without AllowLower,
// refuses a chain that names no revocation server: B-LT would be
// impossible, and that is known before any PIN (sign.CheckChainLTV). It
// may go online (the issuers' downloads); it never uses the key.
func Prepare(ctx context.Context, leaf *x509.Certificate, tokenCerts []*x509.Certificate, o SignOptions) (Prepared, error) {
	return (*Chains)(nil).Prepare(ctx, leaf, tokenCerts, o)
}

// Chains remembers the chains completed during a session (the window's), so
// that an issuer is downloaded once; nil remembers nothing (a CLI run).
type Chains struct {
	m sync.Map // string(leaf.Raw) → []*x509.Certificate
}

// Prepare is the package's Prepare, remembering complete chains in c.
func (c *Chains) Prepare(ctx context.Context, leaf *x509.Certificate, tokenCerts []*x509.Certificate, o SignOptions) (Prepared, error) {
	if leaf == nil {
		// no such certificate with a key: known before the PIN
		return Prepared{}, &token.Error{Kind: token.KindCertNotFound}
	}
	p := c.complete(ctx, leaf, tokenCerts)
	if o.LTV && !o.AllowLower {
		pool := append(append([]*x509.Certificate(nil), p.Chain...), tokenCerts...)
		if err := sign.CheckChainLTV(leaf, pool); err != nil {
			return p, err
		}
		// The revocation servers accept a connection (nothing is asked:
		// no billed request), and none is at an address where the chain's
		// download just failed: else no PIN for a level that cannot be
		// reached.
		failed := sign.FailedAddresses(p.ChainWarning)
		if err := sign.CheckRevocationReachable(ctx, p.Chain, failed, NetTimeout()); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (c *Chains) complete(ctx context.Context, leaf *x509.Certificate, known []*x509.Certificate) Prepared {
	if c != nil {
		if ch, ok := c.m.Load(string(leaf.Raw)); ok {
			return Prepared{Chain: ch.([]*x509.Certificate)}
		}
	}
	chain, warn := sign.CompleteChain(ctx, leaf, known, sign.ChainOptions{})
	if warn == nil && c != nil { // an offline moment is not remembered
		c.m.Store(string(leaf.Raw), chain)
	}
	return Prepared{Chain: chain, ChainWarning: warn}
}

// TokenCertificates reads, without a login, the certificate id of slot and
// the token's other certificates (its CA objects): what Prepare needs. A
// leaf that is not there is nil: the token says so when the key is opened.
func TokenCertificates(m *token.Module, slot uint, id []byte) (leaf *x509.Certificate, others []*x509.Certificate, err error) {
	certs, err := m.Certificates(slot)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range certs {
		if leaf == nil && bytes.Equal(c.ID, id) {
			leaf = c.Cert
		} else {
			others = append(others, c.Cert)
		}
	}
	return leaf, others, nil
}
