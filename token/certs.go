package token

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"time"

	"github.com/miekg/pkcs11"
)

// Certificate is an X.509 certificate object of the token.
type Certificate struct {
	ID            []byte // CKA_ID: pairs the certificate with its key
	Label         string
	Cert          *x509.Certificate
	SubjectCN     string
	SHA256        [32]byte
	KeyUsage      []string // "digital_signature", "non_repudiation", …
	HasPrivateKey bool     // a private key — or, while private objects are hidden before login, a public key — has the same CKA_ID
	Expired       bool
	NotYetValid   bool
}

// Certificates lists the token's certificates; no login is needed.
func (m *Module) Certificates(slot uint) ([]Certificate, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.tokenInfoLocked(slot); err != nil {
		return nil, err
	}
	sh, err := m.openSessionLocked(slot, false)
	if err != nil {
		return nil, err
	}
	defer m.ctx.CloseSession(sh)
	certs, err := m.certificatesLocked(sh, time.Now())
	if err != nil {
		return nil, m.removedOr(slot, fromCKR(err, false))
	}
	return certs, nil
}

func (m *Module) certificatesLocked(sh pkcs11.SessionHandle, now time.Time) ([]Certificate, error) {
	objs, err := m.findLocked(sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
	})
	if err != nil {
		return nil, err
	}
	keyIDs := map[string]bool{}
	for _, class := range []uint{pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY} {
		keys, err := m.findLocked(sh, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)})
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			a, err := m.ctx.GetAttributeValue(sh, k, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_ID, nil)})
			if err == nil && len(a) == 1 && len(a[0].Value) > 0 {
				keyIDs[string(a[0].Value)] = true
			}
		}
	}
	out := []Certificate{}
	for _, o := range objs {
		attrs, err := m.ctx.GetAttributeValue(sh, o, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil),
			pkcs11.NewAttribute(pkcs11.CKA_ID, nil),
			pkcs11.NewAttribute(pkcs11.CKA_LABEL, nil),
		})
		if err != nil || len(attrs) != 3 {
			continue
		}
		x, err := x509.ParseCertificate(attrs[0].Value)
		if err != nil {
			continue // not something we can show or sign with
		}
		c := Certificate{
			ID:          bytes.Clone(attrs[1].Value),
			Label:       clean(string(attrs[2].Value)),
			Cert:        x,
			SubjectCN:   x.Subject.CommonName,
			SHA256:      sha256.Sum256(x.Raw),
			KeyUsage:    keyUsageWords(x.KeyUsage),
			Expired:     now.After(x.NotAfter),
			NotYetValid: now.Before(x.NotBefore),
		}
		c.HasPrivateKey = len(c.ID) > 0 && keyIDs[string(c.ID)]
		out = append(out, c)
	}
	return out, nil
}

func (m *Module) findLocked(sh pkcs11.SessionHandle, tmpl []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	if err := m.ctx.FindObjectsInit(sh, tmpl); err != nil {
		return nil, err
	}
	var all []pkcs11.ObjectHandle
	for {
		objs, _, err := m.ctx.FindObjects(sh, 64)
		if err != nil {
			_ = m.ctx.FindObjectsFinal(sh)
			return nil, err
		}
		all = append(all, objs...)
		if len(objs) == 0 {
			break
		}
	}
	return all, m.ctx.FindObjectsFinal(sh)
}

var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digital_signature"},
	{x509.KeyUsageContentCommitment, "non_repudiation"},
	{x509.KeyUsageKeyEncipherment, "key_encipherment"},
	{x509.KeyUsageDataEncipherment, "data_encipherment"},
	{x509.KeyUsageKeyAgreement, "key_agreement"},
	{x509.KeyUsageCertSign, "cert_sign"},
	{x509.KeyUsageCRLSign, "crl_sign"},
	{x509.KeyUsageEncipherOnly, "encipher_only"},
	{x509.KeyUsageDecipherOnly, "decipher_only"},
}

func keyUsageWords(ku x509.KeyUsage) []string {
	out := []string{}
	for _, k := range keyUsageNames {
		if ku&k.bit != 0 {
			out = append(out, k.name)
		}
	}
	return out
}
