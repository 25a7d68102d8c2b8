package cms

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Parsing and checking of CMS SignedData made by any tool: DER or BER,
// with or without signed attributes, RSA PKCS#1 v1.5, RSA-PSS, ECDSA, SHA-1
// to SHA-512.

type SignedData struct {
	Certs        []*x509.Certificate
	EContentType asn1.ObjectIdentifier
	EContent     []byte     // nil when detached
	SignerInfo   SignerInfo // the first SignerInfo
	SignerCount  int        // how many SignerInfos there are
}

type SignerInfo struct {
	issuer       []byte   // raw issuer Name (IssuerAndSerialNumber), or nil
	serial       *big.Int //
	ski          []byte   // SubjectKeyIdentifier form
	DigestAlg    asn1.ObjectIdentifier
	SignedAttrs  []byte // full TLV as found ([0] tag), nil if absent
	Attrs        map[string][][]byte
	sigAlg       asn1.ObjectIdentifier
	sigAlgParams []byte
	Signature    []byte
	Unsigned     map[string][][]byte
}

var errCMS = errors.New("malformed CMS")

func Parse(der []byte) (*SignedData, error) {
	if norm, err := BERToDER(der); err == nil {
		der = norm
	}
	s := cryptobyte.String(der)
	var ci, sd cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&ct) || !ct.Equal(oidSignedData) {
		return nil, fmt.Errorf("%w: not a SignedData", errCMS)
	}
	var ex cryptobyte.String
	if !ci.ReadASN1(&ex, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ex.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return nil, errCMS
	}
	p := &SignedData{}
	var version int64
	var digestAlgs, encap, sis cryptobyte.String
	if !sd.ReadASN1Integer(&version) || !sd.ReadASN1(&digestAlgs, cbasn1.SET) || !sd.ReadASN1(&encap, cbasn1.SEQUENCE) {
		return nil, errCMS
	}
	if !encap.ReadASN1ObjectIdentifier(&p.EContentType) {
		return nil, errCMS
	}
	if encap.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var e, oct cryptobyte.String
		if !encap.ReadASN1(&e, cbasn1.Tag(0).Constructed().ContextSpecific()) || !e.ReadASN1(&oct, cbasn1.OCTET_STRING) {
			return nil, errCMS
		}
		p.EContent = append([]byte{}, oct...)
	}
	if sd.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var certs cryptobyte.String
		if !sd.ReadASN1(&certs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return nil, errCMS
		}
		for !certs.Empty() {
			var c cryptobyte.String
			var tag cbasn1.Tag
			if !certs.ReadAnyASN1Element(&c, &tag) {
				return nil, errCMS
			}
			if tag != cbasn1.SEQUENCE {
				continue // attribute or other certificate formats
			}
			if cert, err := ParseCertificateLenient(c); err == nil {
				p.Certs = append(p.Certs, cert)
			}
		}
	}
	if sd.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		var crls cryptobyte.String
		sd.ReadASN1(&crls, cbasn1.Tag(1).Constructed().ContextSpecific())
	}
	if !sd.ReadASN1(&sis, cbasn1.SET) {
		return nil, errCMS
	}
	var si cryptobyte.String
	if !sis.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("%w: no SignerInfo", errCMS)
	}
	if err := parseSignerInfo(si, &p.SignerInfo); err != nil {
		return nil, err
	}
	for p.SignerCount = 1; !sis.Empty(); p.SignerCount++ {
		if !sis.ReadASN1(&si, cbasn1.SEQUENCE) {
			return nil, errCMS
		}
	}
	return p, nil
}

func parseSignerInfo(si cryptobyte.String, out *SignerInfo) error {
	var v int64
	if !si.ReadASN1Integer(&v) {
		return errCMS
	}
	if si.PeekASN1Tag(cbasn1.SEQUENCE) {
		var ias cryptobyte.String
		var issuer cryptobyte.String
		out.serial = new(big.Int)
		if !si.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !ias.ReadASN1Integer(out.serial) {
			return fmt.Errorf("%w: signer identifier", errCMS)
		}
		out.issuer = issuer
	} else {
		var ski cryptobyte.String
		if !si.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) {
			return fmt.Errorf("%w: signer identifier", errCMS)
		}
		out.ski = ski
	}
	var da cryptobyte.String
	if !si.ReadASN1(&da, cbasn1.SEQUENCE) || !da.ReadASN1ObjectIdentifier(&out.DigestAlg) {
		return errCMS
	}
	if si.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) {
		var full, inner cryptobyte.String
		if !si.ReadASN1Element(&full, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return errCMS
		}
		out.SignedAttrs = full
		c := full
		if !c.ReadASN1(&inner, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return errCMS
		}
		var err error
		if out.Attrs, err = parseAttrs(inner); err != nil {
			return err
		}
	}
	var sa cryptobyte.String
	if !si.ReadASN1(&sa, cbasn1.SEQUENCE) || !sa.ReadASN1ObjectIdentifier(&out.sigAlg) {
		return errCMS
	}
	out.sigAlgParams = sa
	var sig cryptobyte.String
	if !si.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return errCMS
	}
	out.Signature = sig
	if si.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		var ua cryptobyte.String
		if !si.ReadASN1(&ua, cbasn1.Tag(1).Constructed().ContextSpecific()) {
			return errCMS
		}
		var err error
		if out.Unsigned, err = parseAttrs(ua); err != nil {
			return err
		}
	}
	return nil
}

// parseAttrs reads SET OF Attribute content into OID → values (DER each).
func parseAttrs(s cryptobyte.String) (map[string][][]byte, error) {
	m := map[string][][]byte{}
	for !s.Empty() {
		var a, vals cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !s.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) || !a.ReadASN1(&vals, cbasn1.SET) {
			return nil, fmt.Errorf("%w: attribute", errCMS)
		}
		for !vals.Empty() {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !vals.ReadAnyASN1Element(&v, &tag) {
				return nil, fmt.Errorf("%w: attribute value", errCMS)
			}
			m[oid.String()] = append(m[oid.String()], v)
		}
		if len(m[oid.String()]) == 0 {
			m[oid.String()] = append(m[oid.String()], nil)
		}
	}
	return m, nil
}

func HashFromOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for h, o := range HashOIDs {
		if o.Equal(oid) {
			return h, true
		}
	}
	return 0, false
}

// signerCert finds the certificate the SignerInfo names.
func (p *SignedData) SignerCert() *x509.Certificate { return p.SignerCertIn(p.Certs) }

// SignerCertIn finds the certificate the SignerInfo names among certs (a
// timestamp token may leave its TSA certificate to the document's DSS).
func (p *SignedData) SignerCertIn(certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		if p.SignerInfo.ski != nil {
			if bytes.Equal(c.SubjectKeyId, p.SignerInfo.ski) {
				return c
			}
			continue
		}
		if bytes.Equal(c.RawIssuer, p.SignerInfo.issuer) && c.SerialNumber.Cmp(p.SignerInfo.serial) == 0 {
			return c
		}
	}
	return nil
}

// attr returns the first value (DER) of the signed attribute oid, or nil.
func (si *SignerInfo) Attr(oid asn1.ObjectIdentifier) []byte {
	if v := si.Attrs[oid.String()]; len(v) > 0 {
		return v[0]
	}
	return nil
}

// signedBytes is what the signature covers: the signed attributes as a DER
// SET (the [0] tag replaced by SET), or nil when there are none.
func (si *SignerInfo) SignedBytes() []byte {
	if si.SignedAttrs == nil {
		return nil
	}
	b := append([]byte{}, si.SignedAttrs...)
	b[0] = 0x31
	return b
}
