package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Checking a SignerInfo: its signature value over the signed attributes
// or the content digest (RSA PKCS#1 v1.5 and PSS, ECDSA, Ed25519), the
// signing-certificate attribute, the algorithm's name for people.

// checkSigningCert checks that the signing-certificate-v2 (or, without it,
// signing-certificate) attribute names cert; present is false when there is
// neither.
func (si *SignerInfo) CheckSigningCert(cert *x509.Certificate) (present bool, err error) {
	v2 := true
	val := si.Attr(OIDAttrSigningCertV2)
	if val == nil {
		v2, val = false, si.Attr(OIDAttrSigningCertV1)
	}
	if val == nil {
		return false, nil
	}
	if h, want, ok := ESSCertHash(val, v2); !ok || !bytes.Equal(HashOf(h, cert.Raw), want) {
		return true, errors.New("the signing-certificate attribute names another certificate")
	}
	return true, nil
}

// algorithmName describes the signature algorithm for people.
func AlgorithmName(si *SignerInfo, pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if si.sigAlg.Equal(oidRSAPSS) {
			return fmt.Sprintf("RSA-PSS %d", k.N.BitLen())
		}
		return fmt.Sprintf("RSA PKCS#1 v1.5 %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	if info, ok := sigAlgTable[si.sigAlg.String()]; ok {
		return map[string]string{"ed448": "Ed448", "dsa": "DSA", "ec": "ECDSA", "rsa": "RSA", "rsapss": "RSA-PSS", "ed25519": "Ed25519"}[info.key]
	}
	return si.sigAlg.String()
}

// CheckSignature verifies the SignerInfo's signature over data (the signed
// attributes or, without them, the content digest given as digest). The
// signatureAlgorithm must fit the key and the digestAlgorithm
// (CheckAlgorithms); an algorithm not implemented here gives an error that
// wraps ErrUnsupportedAlgorithm.
func CheckSignature(si *SignerInfo, pub any, data, digest []byte) error {
	h, err := CheckAlgorithms(si.DigestAlg, si.sigAlg, pub)
	if err != nil {
		return err
	}
	var pss *rsa.PSSOptions
	if si.sigAlg.Equal(oidRSAPSS) {
		if pss, err = ParsePSSParams(si.sigAlgParams); err != nil {
			return err
		}
		if pss.Hash != h {
			return &AlgorithmMismatchError{Detail: fmt.Sprintf("RSA-PSS hash %v, digest algorithm %v", pss.Hash, h)}
		}
	}
	if k, ok := pub.(ed25519.PublicKey); ok { // Ed25519 signs the data itself
		if data == nil || !ed25519.Verify(k, data, si.Signature) {
			return errors.New("Ed25519 signature does not verify")
		}
		return nil
	}
	d := digest
	if data != nil {
		d = HashOf(h, data)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return verifyRSA(k, h, d, si.Signature, pss)
	case *ecdsa.PublicKey:
		sig := si.Signature
		if plainECDSA(si.sigAlg) {
			sig = plainToASN1(sig)
		}
		if !ecdsa.VerifyASN1(k, d, sig) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("%w: key type %T", ErrUnsupportedAlgorithm, pub)
}

// parsePSSParams reads RSASSA-PSS-params (RFC 4055), defaults included.
func ParsePSSParams(params []byte) (*rsa.PSSOptions, error) {
	opts := &rsa.PSSOptions{Hash: crypto.SHA1, SaltLength: 20}
	s := cryptobyte.String(params)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return opts, nil
	}
	if seq.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var e, alg cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !seq.ReadASN1(&e, cbasn1.Tag(0).Constructed().ContextSpecific()) || !e.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
			return nil, errors.New("bad PSS parameters")
		}
		h, ok := HashFromOID(oid)
		if !ok {
			return nil, fmt.Errorf("PSS hash %v not supported", oid)
		}
		opts.Hash = h
	}
	mgfHash := crypto.SHA1
	if seq.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		var e, alg, inner cryptobyte.String
		var mgf, hoid asn1.ObjectIdentifier
		if !seq.ReadASN1(&e, cbasn1.Tag(1).Constructed().ContextSpecific()) || !e.ReadASN1(&alg, cbasn1.SEQUENCE) ||
			!alg.ReadASN1ObjectIdentifier(&mgf) || !alg.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.ReadASN1ObjectIdentifier(&hoid) {
			return nil, errors.New("bad PSS mask generation parameters")
		}
		h, ok := HashFromOID(hoid)
		if !mgf.Equal(oidPSSMGF1) || !ok {
			return nil, fmt.Errorf("%w: PSS mask generation %v %v", ErrUnsupportedAlgorithm, mgf, hoid)
		}
		mgfHash = h
	}
	if seq.PeekASN1Tag(cbasn1.Tag(2).Constructed().ContextSpecific()) {
		var e cryptobyte.String
		var salt int64
		if !seq.ReadASN1(&e, cbasn1.Tag(2).Constructed().ContextSpecific()) || !e.ReadASN1Integer(&salt) || salt < 0 || salt > 1024 {
			return nil, errors.New("bad PSS salt length")
		}
		opts.SaltLength = int(salt)
	}
	if seq.PeekASN1Tag(cbasn1.Tag(3).Constructed().ContextSpecific()) {
		var e cryptobyte.String
		var trailer int64
		if !seq.ReadASN1(&e, cbasn1.Tag(3).Constructed().ContextSpecific()) || !e.ReadASN1Integer(&trailer) || trailer != 1 {
			return nil, fmt.Errorf("%w: PSS trailer field", ErrUnsupportedAlgorithm)
		}
	}
	if mgfHash != opts.Hash {
		// Go's RSA-PSS uses one hash for both; such a signature cannot be
		// checked here (which does not make it invalid).
		return nil, fmt.Errorf("%w: PSS with MGF1 over %v and %v", ErrUnsupportedAlgorithm, mgfHash, opts.Hash)
	}
	return opts, nil
}

// essCertHash returns the hash algorithm and certificate hash of the first
// ESSCertID(v2) of a signing-certificate(-v2) attribute value.
func ESSCertHash(val []byte, v2 bool) (crypto.Hash, []byte, bool) {
	s := cryptobyte.String(val)
	var sc, certs, id cryptobyte.String
	if !s.ReadASN1(&sc, cbasn1.SEQUENCE) || !sc.ReadASN1(&certs, cbasn1.SEQUENCE) || !certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return 0, nil, false
	}
	h := crypto.SHA1
	if v2 {
		h = crypto.SHA256
		if id.PeekASN1Tag(cbasn1.SEQUENCE) {
			var alg cryptobyte.String
			var oid asn1.ObjectIdentifier
			if !id.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
				return 0, nil, false
			}
			var ok bool
			if h, ok = HashFromOID(oid); !ok {
				return 0, nil, false
			}
		}
	}
	var hv cryptobyte.String
	if !id.ReadASN1(&hv, cbasn1.OCTET_STRING) {
		return 0, nil, false
	}
	return h, hv, true
}

func HashOf(h crypto.Hash, b []byte) []byte {
	hh := h.New()
	hh.Write(b)
	return hh.Sum(nil)
}

// verifyRSA checks an RSA signature (PSS when pss is set, else PKCS#1
// v1.5), by hand for the keys crypto/rsa refuses: below 1024 bits (old
// signatures, reported weak) or with a public exponent above 2^31-1
// (rsabig.go).
func verifyRSA(k *rsa.PublicKey, h crypto.Hash, d, sig []byte, pss *rsa.PSSOptions) error {
	large := k.E > maxGoExponent
	switch {
	case pss != nil && large:
		return verifyPSSBig(k, h, d, sig, pss)
	case pss != nil:
		return rsa.VerifyPSS(k, h, d, sig, pss)
	case large || k.N.BitLen() < 1024:
		return verifyPKCS1Small(k, h, d, sig)
	}
	return rsa.VerifyPKCS1v15(k, h, d, sig)
}

// verifyPKCS1Small checks a PKCS#1 v1.5 signature by hand, for RSA keys
// below the size Go's crypto/rsa accepts.
func verifyPKCS1Small(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte) error {
	gotHash, got, err := OpenPKCS1(pub, sig)
	if err != nil {
		return err
	}
	if gotHash != h || !bytes.Equal(got, digest) {
		return errors.New("RSA signature does not verify")
	}
	return nil
}

// OpenPKCS1 opens a PKCS#1 v1.5 signature with the public key and returns
// the hash and digest its DigestInfo holds.
func OpenPKCS1(pub *rsa.PublicKey, sig []byte) (crypto.Hash, []byte, error) {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return 0, nil, fmt.Errorf("signature of %d bytes for a %d-byte key", len(sig), k)
	}
	m := new(big.Int).Exp(new(big.Int).SetBytes(sig), big.NewInt(int64(pub.E)), pub.N)
	em := m.FillBytes(make([]byte, k))
	if em[0] != 0 || em[1] != 1 {
		return 0, nil, errors.New("RSA signature does not verify")
	}
	i := 2
	for i < len(em) && em[i] == 0xff {
		i++
	}
	if i < 10 || i >= len(em) || em[i] != 0 {
		return 0, nil, errors.New("RSA signature does not verify")
	}
	var di struct {
		Alg    struct{ Algorithm asn1.ObjectIdentifier }
		Digest []byte
	}
	if rest, err := asn1.Unmarshal(em[i+1:], &di); err != nil || len(rest) != 0 {
		return 0, nil, errors.New("RSA signature does not verify (DigestInfo)")
	}
	h, ok := DigestHash(di.Alg.Algorithm)
	if !ok || len(di.Digest) != h.Size() {
		return 0, nil, fmt.Errorf("%w: digest %v", ErrUnsupportedAlgorithm, di.Alg.Algorithm)
	}
	return h, di.Digest, nil
}
