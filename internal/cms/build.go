package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"sort"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CMS (RFC 5652) SignedData for PAdES, built with cryptobyte so that any
// crypto.Signer works (a token key is opaque) and so that the signed
// attributes are exactly the PAdES baseline ones: content-type,
// message-digest, signing-certificate-v2 — and no signing-time.

// The two ways signing itself can fail, for the caller to classify.
var (
	ErrSignerFailed = errors.New("the signer failed")
	ErrKeyMismatch  = errors.New("the signature does not match the certificate")
)

// attribute is one CMS Attribute, DER-encoded (SEQUENCE { type, SET OF values }).
type Attribute []byte

// makeAttribute builds an Attribute with one value (given DER-encoded).
func MakeAttribute(oid asn1.ObjectIdentifier, value []byte) Attribute {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(value) })
	})
	return b.BytesOrPanic()
}

// cmsParams is everything the CMS builder needs besides the content digest.
type Params struct {
	Signer crypto.Signer
	Cert   *x509.Certificate
	Chain  []*x509.Certificate // embedded after cert; duplicates of cert are skipped
	Hash   crypto.Hash

	// UnsignedAttrs, when set, is called with the signature value and returns
	// unsigned attributes for the SignerInfo (pdfsign's timestamp step: the
	// RFC 3161 signature-time-stamp-token). The caller reserves room for them
	// when sizing (Build's reserve).
	UnsignedAttrs func(sigValue []byte) ([]Attribute, error)
}

func digestAlgID(b *cryptobyte.Builder, h crypto.Hash) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(HashOIDs[h])
	})
}

// sigAlgID writes the SignerInfo signatureAlgorithm for the key.
func sigAlgID(b *cryptobyte.Builder, pub crypto.PublicKey, h crypto.Hash) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		switch pub.(type) {
		case *ecdsa.PublicKey:
			b.AddASN1ObjectIdentifier(ecdsaSigOIDs[h])
		default: // RSA PKCS#1 v1.5: rsaEncryption with the digest algorithm given apart
			b.AddASN1ObjectIdentifier(oidRSA)
			b.AddASN1NULL()
		}
	})
}

// maxSignatureLen is the largest signature value the key can produce.
func MaxSignatureLen(pub crypto.PublicKey) (int, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return (k.N.BitLen() + 7) / 8, nil
	case *ecdsa.PublicKey:
		n := (k.Curve.Params().BitSize+7)/8 + 1 // INTEGER may need a leading zero
		inner := 2 * (2 + n)
		if n > 127 {
			inner = 2 * (3 + n)
		}
		if inner > 127 {
			return inner + 3, nil
		}
		return inner + 2, nil
	}
	return 0, fmt.Errorf("key type %T not supported (RSA or ECDSA only)", pub)
}

// signedAttributes returns the DER of the signed attributes as a SET (the
// bytes that are signed); the SignerInfo carries the same content under [0].
func signedAttributes(p *Params, digest []byte) []byte {
	ct := cryptobyte.NewBuilder(nil)
	ct.AddASN1ObjectIdentifier(oidData)
	md := cryptobyte.NewBuilder(nil)
	md.AddASN1OctetString(digest)
	certHash := sha256.Sum256(p.Cert.Raw)
	sc := cryptobyte.NewBuilder(nil)
	sc.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2, hashAlgorithm DEFAULT sha256
				b.AddASN1OctetString(certHash[:])
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
						b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddBytes(p.Cert.RawIssuer)
						})
					})
					b.AddASN1BigInt(p.Cert.SerialNumber)
				})
			})
		})
	})
	attrs := []Attribute{
		MakeAttribute(OIDAttrContentType, ct.BytesOrPanic()),
		MakeAttribute(OIDAttrMessageDigest, md.BytesOrPanic()),
		MakeAttribute(OIDAttrSigningCertV2, sc.BytesOrPanic()),
	}
	return derSet(cbasn1.SET, attrs)
}

// derSet encodes a DER SET OF with its elements sorted, as DER requires.
func derSet(tag cbasn1.Tag, elems []Attribute) []byte {
	s := make([][]byte, len(elems))
	for i, e := range elems {
		s[i] = e
	}
	sort.Slice(s, func(i, j int) bool { return bytes.Compare(s[i], s[j]) < 0 })
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, e := range s {
			b.AddBytes(e)
		}
	})
	return b.BytesOrPanic()
}

// buildCMS returns the ContentInfo(SignedData). With sigValue nil it signs;
// otherwise it uses the given value (sizing runs pass a dummy of maximal
// length and unsigned attributes of the reserved size).
func Build(p *Params, digest []byte, sizing bool, reserve int) ([]byte, error) {
	sa := signedAttributes(p, digest)
	var sig []byte
	var unsigned []Attribute
	if sizing {
		n, err := MaxSignatureLen(p.Signer.Public())
		if err != nil {
			return nil, err
		}
		sig = make([]byte, n)
		if reserve > 0 {
			// A filler attribute of the reserved size stands for the real ones.
			unsigned = []Attribute{MakeAttribute(OIDAttrTimeStampToken, bytes.Repeat([]byte{0x05, 0x00}, reserve/2))}
		}
	} else {
		h := p.Hash.New()
		h.Write(sa)
		var err error
		sig, err = p.Signer.Sign(rand.Reader, h.Sum(nil), p.Hash)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSignerFailed, err)
		}
		if err := checkOwnSignature(p.Cert.PublicKey, p.Hash, h.Sum(nil), sig); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrKeyMismatch, err)
		}
		if p.UnsignedAttrs != nil {
			if unsigned, err = p.UnsignedAttrs(sig); err != nil {
				return nil, err
			}
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { digestAlgID(b, p.Hash) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncapsulatedContentInfo, detached
					b.AddASN1ObjectIdentifier(oidData)
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddBytes(p.Cert.Raw)
					for _, c := range p.Chain {
						if c != nil && !bytes.Equal(c.Raw, p.Cert.Raw) {
							b.AddBytes(c.Raw)
						}
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { // SignerInfos
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
							b.AddBytes(p.Cert.RawIssuer)
							b.AddASN1BigInt(p.Cert.SerialNumber)
						})
						digestAlgID(b, p.Hash)
						// signedAttrs [0] IMPLICIT: same content as the signed SET.
						var inner cryptobyte.String
						s := cryptobyte.String(sa)
						s.ReadASN1(&inner, cbasn1.SET)
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(inner) })
						sigAlgID(b, p.Signer.Public(), p.Hash)
						b.AddASN1OctetString(sig)
						if len(unsigned) > 0 {
							set := derSet(cbasn1.Tag(1).Constructed().ContextSpecific(), unsigned)
							b.AddBytes(set)
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}

// checkOwnSignature verifies a fresh signature against the certificate, so a
// token whose key does not match the chosen certificate is caught before a
// useless file is written.
func checkOwnSignature(pub any, h crypto.Hash, digest, sig []byte) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(k, h, digest, sig); err != nil {
			return fmt.Errorf("the signature does not match the certificate's key: %w", err)
		}
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return fmt.Errorf("the signature does not match the certificate's key")
		}
	default:
		return fmt.Errorf("certificate key type %T not supported", pub)
	}
	return nil
}
