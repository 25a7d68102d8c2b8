package token

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"io"
	"math/big"
	"slices"
	"sync"
	"unsafe"

	"github.com/miekg/pkcs11"

	certchain "github.com/certigna-desktop/app/internal/chain"
)

// Signer signs with a private key of the token. It is logged in once, when
// made; Close logs out and closes its session.
type Signer struct {
	m      *Module
	slot   uint
	sh     pkcs11.SessionHandle
	key    pkcs11.ObjectHandle
	cert   *x509.Certificate
	chain  []*x509.Certificate
	pub    crypto.PublicKey
	always bool   // CKA_ALWAYS_AUTHENTICATE: a context-specific login before each signature
	pin    string // kept only for that login; never printed

	closeOnce sync.Once
	closed    bool
}

// Signer logs in with pin (one verification) and returns a signer for the
// private key paired with the certificate certID. A locked PIN is refused
// without asking the token; a final try only with confirmFinalTry.
func (m *Module) Signer(slot uint, certID []byte, pin string, confirmFinalTry bool) (*Signer, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.tokenInfoLocked(slot)
	if err != nil {
		return nil, err
	}
	sh, err := m.openSessionLocked(slot, false)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			_ = m.ctx.CloseSession(sh)
		}
	}()
	certs, err := m.certificatesLocked(sh, now())
	if err != nil {
		return nil, m.removedOr(slot, fromCKR(err, false))
	}
	var leaf *Certificate
	for i := range certs {
		if bytes.Equal(certs[i].ID, certID) {
			leaf = &certs[i]
			break
		}
	}
	if leaf == nil {
		return nil, &Error{Kind: KindCertNotFound}
	}
	if t.PINPad {
		pin = "" // the reader asks for it
	} else if err := CheckCode(t, pin, false); err != nil {
		return nil, err
	}
	if err := gate(t.PIN, false, confirmFinalTry); err != nil {
		return nil, err
	}
	if l := m.logins[slot]; l != nil {
		// Another signer of this slot is logged in, and login is per token
		// for the whole application: the token would answer "already
		// logged in" without checking this PIN. Share the login only for
		// the very PIN that opened it; anything else waits its turn.
		if h := sha256.Sum256(pinBytes(pin)); subtle.ConstantTimeCompare(l.pinHash[:], h[:]) != 1 {
			return nil, &Error{Kind: KindBusy}
		}
		l.count++
	} else {
		if err := m.ctx.Login(sh, pkcs11.CKU_USER, pin); err != nil {
			return nil, m.wrongPIN(slot, err, false)
		}
		m.logins[slot] = &login{count: 1, pinHash: sha256.Sum256(pinBytes(pin))}
	}
	keys, err := m.findLocked(sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_ID, certID),
	})
	if err != nil {
		m.releaseLoginLocked(slot, sh)
		return nil, m.removedOr(slot, fromCKR(err, false))
	}
	if len(keys) == 0 {
		m.releaseLoginLocked(slot, sh)
		return nil, &Error{Kind: KindNoPrivateKey}
	}
	s := &Signer{m: m, slot: slot, sh: sh, key: keys[0], cert: leaf.Cert, pub: leaf.Cert.PublicKey}
	if a, err := m.ctx.GetAttributeValue(sh, keys[0], []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_ALWAYS_AUTHENTICATE, nil)}); err == nil && len(a) == 1 {
		s.always = len(a[0].Value) > 0 && a[0].Value[0] != 0
	}
	if s.always {
		s.pin = pin // only kept for the context-specific login
	}
	switch s.pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
	default:
		m.releaseLoginLocked(slot, sh)
		return nil, &Error{Kind: KindUnsupported}
	}
	s.chain = buildChain(leaf.Cert, certs)
	m.liveSessions++
	ok = true
	return s, nil
}

// buildChain orders the token's CA certificates from the leaf's issuer up
// (internal/chain: the one chain builder); the token's other CA
// certificates follow: a verifier may still use them.
func buildChain(leaf *x509.Certificate, certs []Certificate) []*x509.Certificate {
	var cas []*x509.Certificate
	for _, c := range certs {
		if c.Cert != nil && c.Cert.IsCA {
			cas = append(cas, c.Cert)
		}
	}
	chain := certchain.Build(context.Background(), leaf, cas, certchain.Options{}).Chain[1:]
	for _, c := range cas {
		if !slices.ContainsFunc(chain, c.Equal) && !c.Equal(leaf) {
			chain = append(chain, c)
		}
	}
	return chain
}

// Public is the certificate's public key.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// Certificate is the signer's certificate.
func (s *Signer) Certificate() *x509.Certificate { return s.cert }

// Chain is the CA certificates found on the token, the issuer first.
func (s *Signer) Chain() []*x509.Certificate { return s.chain }

// Sign signs digest (already hashed with opts.HashFunc()). RSA keys sign
// PKCS#1 v1.5, or PSS when opts is *rsa.PSSOptions; ECDSA keys return an
// ASN.1 DER signature, as crypto.Signer requires.
func (s *Signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	hash := crypto.Hash(0)
	if opts != nil {
		hash = opts.HashFunc()
	}
	if hash != 0 && len(digest) != hash.Size() {
		return nil, &Error{Kind: KindUnsupported, Reason: "digest length"}
	}
	var mech *pkcs11.Mechanism
	data := digest
	switch s.pub.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			h, mgf, ok := pssIDs(hash)
			if !ok {
				return nil, &Error{Kind: KindUnsupported}
			}
			salt := pss.SaltLength
			switch salt {
			case rsa.PSSSaltLengthEqualsHash, rsa.PSSSaltLengthAuto:
				salt = hash.Size()
			}
			mech = pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, pkcs11.NewPSSParams(h, mgf, uint(salt)))
		} else {
			prefix, ok := digestInfoPrefix[hash]
			if !ok {
				return nil, &Error{Kind: KindUnsupported}
			}
			data = append(bytes.Clone(prefix), digest...)
			mech = pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil)
		}
	case *ecdsa.PublicKey:
		mech = pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil)
	}

	m := s.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if s.closed || m.closed {
		return nil, &Error{Kind: KindTokenRemoved}
	}
	if err := m.ctx.SignInit(s.sh, []*pkcs11.Mechanism{mech}, s.key); err != nil {
		return nil, m.signErr(s.slot, err)
	}
	if s.always {
		if err := m.ctx.Login(s.sh, pkcs11.CKU_CONTEXT_SPECIFIC, s.pin); err != nil {
			// Finish the pending operation so the session stays usable.
			_, _ = m.ctx.Sign(s.sh, data)
			return nil, m.wrongPIN(s.slot, err, false)
		}
	}
	sig, err := m.ctx.Sign(s.sh, data)
	if err != nil {
		return nil, m.signErr(s.slot, err)
	}
	if _, ok := s.pub.(*ecdsa.PublicKey); ok {
		if len(sig) == 0 || len(sig)%2 != 0 {
			return nil, &Error{Kind: KindToken, Reason: "bad ECDSA signature"}
		}
		n := len(sig) / 2
		return asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])})
	}
	return sig, nil
}

// login is the application's login on one slot, shared by its signers.
type login struct {
	count   int
	pinHash [32]byte // to recognise the same PIN without keeping it
}

// releaseLoginLocked drops one signer's share of the login; the last one
// logs out.
func (m *Module) releaseLoginLocked(slot uint, sh pkcs11.SessionHandle) {
	l := m.logins[slot]
	if l == nil {
		return
	}
	if l.count--; l.count <= 0 {
		delete(m.logins, slot)
		_ = m.ctx.Logout(sh)
	}
}

func (m *Module) signErr(slot uint, err error) error {
	e := fromCKR(err, false)
	switch e.Kind {
	case KindToken, KindTokenRemoved:
		return m.removedOr(slot, e)
	}
	return e
}

// Close logs out and ends the signer's session. Safe to call twice.
func (s *Signer) Close() error {
	var err error
	s.closeOnce.Do(func() {
		m := s.m
		m.mu.Lock()
		defer m.mu.Unlock()
		s.closed = true
		s.pin = ""
		m.liveSessions--
		if m.closed {
			return
		}
		m.releaseLoginLocked(s.slot, s.sh)
		if e := m.ctx.CloseSession(s.sh); e != nil && !isCKR(e, pkcs11.CKR_SESSION_HANDLE_INVALID) {
			err = fromCKR(e, false)
		}
	})
	return err
}

func isCKR(err error, code uint) bool {
	pe, ok := err.(pkcs11.Error)
	return ok && uint(pe) == code
}

func pssIDs(h crypto.Hash) (hashMech, mgf uint, ok bool) {
	switch h {
	case crypto.SHA1:
		return pkcs11.CKM_SHA_1, pkcs11.CKG_MGF1_SHA1, true
	case crypto.SHA224:
		return pkcs11.CKM_SHA224, pkcs11.CKG_MGF1_SHA224, true
	case crypto.SHA256:
		return pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256, true
	case crypto.SHA384:
		return pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384, true
	case crypto.SHA512:
		return pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512, true
	}
	return 0, 0, false
}

// DigestInfo headers of PKCS#1 v1.5 (RFC 8017 §9.2 note 1); hash 0 signs the
// bytes as given (TLS 1.0's MD5+SHA1).
var digestInfoPrefix = map[crypto.Hash][]byte{
	0:             {},
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// pinBytes is the PIN's bytes without a copy, read only: []byte(pin) would
// leave one more copy of the PIN in memory (issue #23). The caller's PIN may
// be a view of a buffer it wipes after the call (the CLI's codes): nothing
// here keeps it longer, except Signer for a context-specific login, until
// Close.
func pinBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
