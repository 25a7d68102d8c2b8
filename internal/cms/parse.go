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
	"time"

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
		if pss != nil {
			return rsa.VerifyPSS(k, h, d, si.Signature, pss)
		}
		if k.N.BitLen() < 1024 {
			// Go refuses keys this small; old signatures made with them are
			// still checked truthfully (and the key reported weak).
			return verifyPKCS1Small(k, h, d, si.Signature)
		}
		return rsa.VerifyPKCS1v15(k, h, d, si.Signature)
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

// TSTInfo is TSTInfo (RFC 3161 §2.4.2), the fields we use.
type TSTInfo struct {
	Policy       asn1.ObjectIdentifier
	ImprintAlg   asn1.ObjectIdentifier
	Imprint      []byte
	SerialNumber *big.Int
	GenTime      time.Time
	Nonce        *big.Int
}

// parseTSTInfo reads TSTInfo by hand: its optional fields are told apart by
// tag, which encoding/asn1's RawValue would not do.
func ParseTSTInfo(der []byte) (*TSTInfo, error) {
	s := cryptobyte.String(der)
	var seq, mi, alg, hashed cryptobyte.String
	var version int64
	info := &TSTInfo{SerialNumber: new(big.Int)}
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1Integer(&version) ||
		!seq.ReadASN1ObjectIdentifier(&info.Policy) || !seq.ReadASN1(&mi, cbasn1.SEQUENCE) ||
		!mi.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&info.ImprintAlg) ||
		!mi.ReadASN1(&hashed, cbasn1.OCTET_STRING) || !seq.ReadASN1Integer(info.SerialNumber) ||
		!readGeneralizedTime(&seq, &info.GenTime) {
		return nil, errors.New("malformed TSTInfo")
	}
	info.Imprint = []byte(hashed)
	seq.SkipOptionalASN1(cbasn1.SEQUENCE) // accuracy
	seq.SkipOptionalASN1(cbasn1.BOOLEAN)  // ordering
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		info.Nonce = new(big.Int)
		if !seq.ReadASN1Integer(info.Nonce) {
			return nil, errors.New("malformed TSTInfo nonce")
		}
	}
	return info, nil
}

// berToDER rewrites BER indefinite lengths and non-minimal lengths as DER
// (constructed strings are concatenated), so that cryptobyte can read CMS
// from tools that emit BER.
func BERToDER(b []byte) ([]byte, error) {
	out, rest, err := berElem(b, 0)
	if err != nil {
		return nil, err
	}
	_ = rest
	return out, nil
}

func berElem(b []byte, depth int) ([]byte, []byte, error) {
	if depth > 64 {
		return nil, nil, errors.New("BER too deep")
	}
	if len(b) < 2 {
		return nil, nil, errors.New("BER truncated")
	}
	// Tag (multi-byte tags supported).
	i := 1
	if b[0]&0x1f == 0x1f {
		for i < len(b) && b[i]&0x80 != 0 {
			i++
		}
		i++
	}
	if i >= len(b) {
		return nil, nil, errors.New("BER truncated")
	}
	tag := b[:i]
	constructed := b[0]&0x20 != 0
	l := int(b[i])
	i++
	var content []byte
	var rest []byte
	if l == 0x80 { // indefinite
		if !constructed {
			return nil, nil, errors.New("BER indefinite primitive")
		}
		var parts [][]byte
		c := b[i:]
		for {
			if len(c) < 2 {
				return nil, nil, errors.New("BER truncated")
			}
			if c[0] == 0 && c[1] == 0 {
				rest = c[2:]
				break
			}
			e, r, err := berElem(c, depth+1)
			if err != nil {
				return nil, nil, err
			}
			parts = append(parts, e)
			c = r
		}
		content = bytes.Join(parts, nil)
	} else {
		if l&0x80 != 0 {
			n := l & 0x7f
			if n > 4 || i+n > len(b) {
				return nil, nil, errors.New("BER length")
			}
			l = 0
			for k := 0; k < n; k++ {
				l = l<<8 | int(b[i+k])
			}
			i += n
		}
		if l < 0 || i+l > len(b) {
			return nil, nil, errors.New("BER truncated")
		}
		raw := b[i : i+l]
		rest = b[i+l:]
		if constructed {
			var parts [][]byte
			for len(raw) > 0 {
				e, r, err := berElem(raw, depth+1)
				if err != nil {
					return nil, nil, err
				}
				parts = append(parts, e)
				raw = r
			}
			content = bytes.Join(parts, nil)
		} else {
			content = raw
		}
	}
	// A constructed OCTET STRING (BER chunks) becomes a primitive one.
	t := append([]byte{}, tag...)
	if constructed && len(tag) == 1 && (tag[0]&0x1f == 4 || tag[0]&0x1f == 3) && tag[0]&0xc0 == 0 {
		var joined []byte
		c := content
		for len(c) > 0 {
			var inner cryptobyte.String
			s := cryptobyte.String(c)
			var tg cbasn1.Tag
			if !s.ReadAnyASN1(&inner, &tg) {
				return nil, nil, errors.New("BER string chunk")
			}
			joined = append(joined, inner...)
			c = s
		}
		content = joined
		t[0] &^= 0x20
	}
	out := append(t, derLen(len(content))...)
	return append(out, content...), rest, nil
}

func derLen(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	var l []byte
	for v := n; v > 0; v >>= 8 {
		l = append([]byte{byte(v)}, l...)
	}
	return append([]byte{0x80 | byte(len(l))}, l...)
}

func HashOf(h crypto.Hash, b []byte) []byte {
	hh := h.New()
	hh.Write(b)
	return hh.Sum(nil)
}

// readGeneralizedTime reads a GeneralizedTime, fractions of a second
// included (RFC 3161 allows them in genTime; cryptobyte refuses them).
func readGeneralizedTime(s *cryptobyte.String, out *time.Time) bool {
	var raw cryptobyte.String
	if !s.ReadASN1(&raw, cbasn1.GeneralizedTime) {
		return false
	}
	for _, layout := range []string{"20060102150405Z0700", "20060102150405.999999999Z0700"} {
		if t, err := time.Parse(layout, string(raw)); err == nil {
			*out = t.UTC()
			return true
		}
	}
	return false
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
