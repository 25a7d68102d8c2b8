package verify

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
	"github.com/certigna-desktop/app/pdfsign/trust"
)

// The old adbe.x509.rsa_sha1 format (ISO 32000-1, 12.8.3.2): /Contents is a
// DER OCTET STRING holding a raw PKCS#1 v1.5 RSA signature of the signed
// ranges' digest, and /Cert the signer's certificate (first of an array).
// No CMS: the digest algorithm is the one the signature's DigestInfo names.

func checkX509RSASHA1(s *SignatureReport, r *pdf.Reader, v *pdf.Dict, f *os.File, contents []byte, ranges [][2]int64, opts Options) {
	co, _ := r.Resolve(v.Get("Cert"))
	var certDER []byte
	switch c := co.(type) {
	case pdf.String:
		certDER = c.B
	case pdf.Array:
		if len(c) > 0 {
			if o, _ := r.Resolve(c[0]); o != nil {
				if cs, ok := o.(pdf.String); ok {
					certDER = cs.B
				}
			}
		}
	}
	cert, err := cms.ParseCertificateLenient(certDER)
	if err != nil {
		s.problem("signer_cert_missing", "error", "")
		return
	}
	s.signerCert = cert
	s.SignerCN, s.Signer, s.Issuer = cert.Subject.CommonName, cert.Subject.String(), cert.Issuer.String()
	s.Serial = cert.SerialNumber.Text(16)
	sum := sha256.Sum256(cert.Raw)
	s.CertSHA256 = hex.EncodeToString(sum[:])
	s.CertFrom, s.CertTo = cert.NotBefore, cert.NotAfter
	s.CertificateOK = true
	if opts.Roots != nil {
		at := s.SigningTime
		if at.IsZero() {
			at = time.Now()
		}
		if tv := trust.CheckChain(cert, nil, opts.Roots, at); tv.Trusted {
			s.Trust = TrustTrusted
		} else {
			s.Trust, s.TrustError = TrustUntrusted, tv.Detail
			s.problem("untrusted", "warning", tv.Detail)
		}
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		s.Unsupported = true
		s.problem("unsupported_signature_algorithm", "error", fmt.Sprintf("%T", cert.PublicKey))
		return
	}
	s.Algorithm = fmt.Sprintf("RSA PKCS#1 v1.5 %d", pub.N.BitLen())
	sig := contents
	var inner []byte
	if rest, err := asn1.Unmarshal(contents, &inner); err == nil && len(bytes.Trim(rest, "\x00")) == 0 {
		sig = inner
	}
	h, digest, err := cms.OpenPKCS1(pub, sig)
	if err != nil {
		s.problem("signature_invalid", "error", err.Error())
		return
	}
	s.Hash = pki.HashName(h)
	if h == crypto.SHA1 || h == crypto.MD5 {
		s.problem("weak_hash", "warning", s.Hash)
	}
	s.SignatureOK = true
	s.DigestOK = s.ByteRangeOK && bytes.Equal(digest, hashOfRanges(f, ranges, h))
	if s.ByteRangeOK && !s.DigestOK {
		s.problem("digest_mismatch", "error", "")
	}
	s.Valid = s.ByteRangeOK && s.DigestOK && s.SignatureOK && s.CertificateOK
}
