package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Checking and embedding RFC 3161 time-stamp tokens (the TSA client is in
// tsa.go; the CMS parsing in cmsparse.go).

// VerifyTimestampToken checks that token is a time-stamp token over data,
// signed by a certificate it carries (or found in roots' chain) that has the
// timeStamping EKU. With roots non-nil, the TSA chain must also build to them
// at the token's time (at is ignored then; zero means genTime).
func VerifyTimestampToken(token, data []byte, roots *x509.CertPool, at time.Time) (*TimestampToken, error) {
	return VerifyTimestampTokenWith(token, data, roots, at, nil)
}

// VerifyTimestampTokenWith is VerifyTimestampToken with extra certificates
// (the document's DSS) where a token that left out its TSA certificate finds it.
func VerifyTimestampTokenWith(token, data []byte, roots *x509.CertPool, at time.Time, extra []*x509.Certificate) (*TimestampToken, error) {
	sd, err := cms.Parse(token)
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVTSAGarbage, "", ParseErrText("time-stamp token", err), err)
	}
	si := &sd.SignerInfo
	if sd.SignerCount != 1 {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAGarbage, "", "tst_signers", nil, nil)
	}
	digest, ok := cms.HashFromOID(si.DigestAlg)
	if !ok || si.SignedAttrs == nil {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAGarbage, "", "tst_digest", nil, nil)
	}
	if !sd.EContentType.Equal(cms.OIDTSTInfo) || sd.EContent == nil {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAGarbage, "", "tst_content", nil, nil)
	}
	info, err := cms.ParseTSTInfo(sd.EContent)
	if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVTSAGarbage, "", ParseErrText("TSTInfo", err), err)
	}
	h, ok := cms.HashFromOID(info.ImprintAlg)
	if !ok || !h.Available() {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAMismatch, "", "imprint_hash", nil, nil)
	}
	if !bytes.Equal(cms.HashOf(h, data), info.Imprint) {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAMismatch, "", "imprint_differs", nil, nil)
	}
	tsaCert := sd.SignerCert()
	if tsaCert == nil {
		tsaCert = sd.SignerCertIn(extra)
	}
	if tsaCert == nil {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAInvalid, "", "tsa_cert_missing", nil, nil)
	}
	var ct asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(si.Attr(cms.OIDAttrContentType), &ct); err != nil || !ct.Equal(cms.OIDTSTInfo) {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAInvalid, "", "tst_content_type", nil, nil)
	}
	var md []byte
	if _, err := asn1.Unmarshal(si.Attr(cms.OIDAttrMessageDigest), &md); err != nil {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAInvalid, "", "tst_no_digest", nil, nil)
	}
	if !bytes.Equal(cms.HashOf(digest, sd.EContent), md) {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAInvalid, "", "tst_digest_mismatch", nil, nil)
	}
	// RFC 3161 requires a signing-certificate(-v2) attribute naming the TSA.
	if present, err := si.CheckSigningCert(tsaCert); !present {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAInvalid, "", "tst_no_signing_cert", nil, nil)
	} else if err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVTSAInvalid, "", err.Error(), err)
	}
	if err := cms.CheckSignature(si, tsaCert.PublicKey, si.SignedBytes(), nil); err != nil {
		return nil, doc.NewLTVError(pdfsign.LTVTSAInvalid, "", "TSA signature: "+err.Error(), err)
	}
	if !tsHasTimeStampingEKU(tsaCert) {
		return nil, doc.NewLTVDetail(pdfsign.LTVTSAInvalid, "", "tsa_cert_usage", nil, nil)
	}
	if roots != nil {
		inter := x509.NewCertPool()
		for _, c := range sd.Certs {
			inter.AddCert(c)
		}
		if at.IsZero() {
			at = info.GenTime
		}
		if _, err := tsaCert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
			return nil, doc.NewLTVError(pdfsign.LTVTSAInvalid, "", "TSA certificate chain: "+err.Error(), err)
		}
	}
	return &TimestampToken{Token: token, GenTime: info.GenTime, Serial: info.SerialNumber, Policy: info.Policy,
		Hash: h, Imprint: info.Imprint, Signer: tsaCert, Certs: sd.Certs}, nil
}

func tsHasTimeStampingEKU(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageTimeStamping {
			return true
		}
	}
	for _, o := range c.UnknownExtKeyUsage {
		if o.Equal(oidTSEKUTimeStamping) {
			return true
		}
	}
	return false
}

// appendSignatureTimestamp returns unsignedAttrs content (the DER of
// Attribute SEQUENCEs, possibly empty) with a signature-time-stamp-token
// attribute holding token appended. The CMS builder puts the result in the
// SignerInfo's [1] IMPLICIT SET.
func appendSignatureTimestamp(unsignedAttrs, token []byte) []byte {
	var b cryptobyte.Builder
	b.AddBytes(unsignedAttrs)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(cms.OIDAttrTimeStampToken)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(token) })
	})
	return b.BytesOrPanic()
}
