package verify

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// Checking one signature: its byte range, its CMS (digest, signature,
// signing-certificate attribute), its certificate's trust, its PAdES level.

// checkOne checks one signature. The steps, in order:
//  1. what its dictionary says (describeSignature);
//  2. what it covers: byte range, revision, later changes (checkCoverage);
//  3. its CMS: digest, signature value, signing-certificate attribute,
//     certificate and trust (checkCMS);
//  4. for a signature (not a document timestamp): its timestamp and the
//     revocation data embedded in the document (checkLTV, verify_ltv.go);
//  5. its PAdES level, from all the above (padesLevel).
func checkOne(f *os.File, size int64, r *pdf.Reader, sf doc.SigField, ends []revision, opts Options) SignatureReport {
	s := describeSignature(r, sf)
	contents, ranges := checkCoverage(&s, f, size, r, sf.V, ends)
	if s.SubFilter == "adbe.x509.rsa_sha1" {
		checkX509RSASHA1(&s, r, sf.V, f, contents, ranges, opts)
		return s
	}
	p, complete := checkCMS(&s, f, contents, ranges, opts)
	if complete {
		s.Valid = s.ByteRangeOK && s.DigestOK && s.SignatureOK && s.CertificateOK
	}
	if p != nil && s.Type == "signature" {
		checkLTV(&s, r, contents, opts)
	}
	if complete {
		s.Level = padesLevel(&s, p)
	}
	return s
}

// describeSignature reads the signature dictionary's type and texts.
func describeSignature(r *pdf.Reader, sf doc.SigField) SignatureReport {
	v := sf.V
	s := SignatureReport{Field: sf.Name, Type: "signature", SubFilter: v.NameOf("SubFilter"), Trust: TrustNotChecked, Problems: []Problem{}}
	if v.NameOf("Type") == "DocTimeStamp" || s.SubFilter == "ETSI.RFC3161" {
		s.Type = "timestamp"
	}
	text := func(k string) string {
		o, _ := r.Resolve(v.Get(k))
		if str, ok := o.(pdf.String); ok {
			return pdf.DecodeTextString(str.B)
		}
		return ""
	}
	s.Reason, s.Location, s.ContactInfo, s.Name = text("Reason"), text("Location"), text("ContactInfo"), text("Name")
	if m := text("M"); m != "" {
		if t, ok := parsePDFDate(m); ok {
			s.SigningTime = t
		}
	}
	return s
}

// checkCoverage checks the byte range against the file and /Contents, and
// places the signature among the revisions; it returns the /Contents bytes
// and the signed ranges.
func checkCoverage(s *SignatureReport, f *os.File, size int64, r *pdf.Reader, v *pdf.Dict, ends []revision) ([]byte, [][2]int64) {
	bro, _ := r.Resolve(v.Get("ByteRange"))
	bra, _ := bro.(pdf.Array)
	for _, e := range bra {
		n, _ := pdf.ToInt(e)
		s.ByteRange = append(s.ByteRange, n)
	}
	co, _ := r.Resolve(v.Get("Contents"))
	contents, _ := co.(pdf.String)
	ranges, brErr := checkByteRange(f, size, s.ByteRange, contents.B)
	s.ByteRangeOK = brErr == nil
	if brErr != nil {
		s.problem("byte_range", "error", brErr.Error())
	}
	end := lastEnd(s.ByteRange)
	s.CoversWholeDocument = s.ByteRangeOK && end == size
	for i, rv := range ends {
		if end >= rv.markerEnd && end <= rv.end {
			s.Revision = i + 1
		}
	}
	s.ModifiedAfter = end < size
	switch {
	case !s.ModifiedAfter:
		s.LaterChanges = ChangesNone
	case s.Revision == 0 || !s.ByteRangeOK:
		s.LaterChanges = ChangesUnknown
		s.problem("not_revision_end", "error", "")
	default:
		s.LaterChanges = laterChanges(r, end)
		if s.LaterChanges == ChangesOther {
			s.problem("modified_after", "error", "")
		} else {
			s.problem("later_signatures", "info", "")
		}
	}
	return contents.B, ranges
}

// checkCMS checks the CMS in contents over the signed ranges. complete is
// false when a check could not be carried to its end.
func checkCMS(s *SignatureReport, f *os.File, contents []byte, ranges [][2]int64, opts Options) (p *cms.SignedData, complete bool) {
	p, err := cms.Parse(contents)
	if err != nil {
		s.problem("cms_unreadable", "error", pki.ParseErrText("CMS", err))
		return nil, false
	}
	s.cms = p
	h, ok := cms.DigestHash(p.SignerInfo.DigestAlg)
	if !ok {
		// Neither valid nor invalid: nothing here can check it.
		s.Unsupported = true
		s.problem("unsupported_algorithm", "error", p.SignerInfo.DigestAlg.String())
		return p, false
	}
	s.Hash = pki.HashName(h)
	if h == crypto.SHA1 || h == crypto.MD5 {
		s.problem("weak_hash", "warning", s.Hash)
	}
	cert := p.SignerCert()
	if cert == nil {
		cert = p.SignerCertIn(opts.docCerts)
	}
	if cert == nil {
		s.problem("signer_cert_missing", "error", "")
	} else {
		s.signerCert = cert
		s.SignerCN = cert.Subject.CommonName
		s.Signer = cert.Subject.String()
		s.Issuer = cert.Issuer.String()
		s.Serial = cert.SerialNumber.Text(16)
		sum := sha256.Sum256(cert.Raw)
		s.CertSHA256 = hex.EncodeToString(sum[:])
		s.CertFrom, s.CertTo = cert.NotBefore, cert.NotAfter
		s.Algorithm = cms.AlgorithmName(&p.SignerInfo, cert.PublicKey)
		if k, ok := cert.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
			s.problem("weak_key", "warning", s.Algorithm)
		}
		s.CertificateOK = true
	}
	// Digest of the signed ranges, streamed; for the signature just
	// written, the one kept while writing (ReadBack, written.go).
	var digest []byte
	if s.ByteRangeOK {
		digest = opts.written.digestFor(s.ByteRange, h)
	}
	if s.ByteRangeOK && digest == nil {
		hh := h.New()
		buf := make([]byte, 1<<20)
		for _, rg := range ranges {
			if _, err := io.CopyBuffer(hh, io.NewSectionReader(f, rg[0], rg[1]), buf); err != nil {
				s.problem("io", "error", err.Error())
				return p, false
			}
		}
		digest = hh.Sum(nil)
	}
	// What the content digest must match.
	content := digest
	switch {
	case s.Type == "timestamp":
		tst, err := cms.ParseTSTInfo(p.EContent)
		th, ok := crypto.Hash(0), false
		if err == nil {
			th, ok = cms.HashFromOID(tst.ImprintAlg)
		}
		if !ok {
			s.problem("cms_unreadable", "error", "TSTInfo")
			return p, false
		}
		imprint := tst.Imprint
		if th != h && s.ByteRangeOK {
			hh := th.New()
			for _, rg := range ranges {
				io.Copy(hh, io.NewSectionReader(f, rg[0], rg[1]))
			}
			digest = hh.Sum(nil)
		}
		s.DigestOK = s.ByteRangeOK && bytes.Equal(imprint, digest)
		content = cms.HashOf(h, p.EContent)
	case p.EContent != nil && s.SubFilter == "adbe.pkcs7.sha1": // the content is the SHA-1 of the ranges
		s.DigestOK = s.ByteRangeOK && bytes.Equal(p.EContent, hashOfRanges(f, ranges, crypto.SHA1))
		content = cms.HashOf(h, p.EContent)
	case p.EContent != nil: // content embedded (attached) rather than detached: it must be the signed ranges
		s.DigestOK = s.ByteRangeOK && bytes.Equal(cms.HashOf(h, p.EContent), digest)
		s.problem("attached_content", "info", "")
	default:
		s.DigestOK = s.ByteRangeOK
	}
	if p.SignerInfo.Attrs != nil {
		md := p.SignerInfo.Attrs[cms.OIDAttrMessageDigest.String()]
		var got []byte
		if len(md) == 1 {
			var raw asn1.RawValue
			if _, err := asn1.Unmarshal(md[0], &raw); err == nil {
				got = raw.Bytes
			}
		}
		if !bytes.Equal(got, content) {
			s.DigestOK = false
		}
	}
	if !s.DigestOK && s.ByteRangeOK {
		s.problem("digest_mismatch", "error", "")
	}
	if cert != nil {
		var data []byte
		if p.SignerInfo.SignedAttrs != nil {
			data = p.SignerInfo.SignedBytes()
		}
		var mismatch *cms.AlgorithmMismatchError
		switch err := cms.CheckSignature(&p.SignerInfo, cert.PublicKey, data, content); {
		case err == nil:
			s.SignatureOK = true
		case errors.Is(err, cms.ErrUnsupportedAlgorithm):
			s.Unsupported = true
			s.problem("unsupported_signature_algorithm", "error", s.Algorithm)
		case errors.As(err, &mismatch):
			s.problem("algorithm_mismatch", "error", mismatch.Detail)
		default:
			s.problem("signature_invalid", "error", err.Error())
		}
		// The signing-certificate attribute binds the certificate.
		if _, err := p.SignerInfo.CheckSigningCert(cert); err != nil {
			s.CertificateOK = false
			s.problem("signing_cert_mismatch", "error", "")
		}
		at := s.SigningTime
		if at.IsZero() {
			at = time.Now()
		} else if at.Before(cert.NotBefore) || at.After(cert.NotAfter) {
			// Signed (by its own claim) outside the certificate's validity:
			// not a valid signature, whatever the mathematics say. Without
			// a claimed time nothing can be said (an old signature whose
			// certificate has since expired is not made invalid by it).
			s.CertificateOK = false
			s.problem("cert_not_valid_at_signing", "error", cert.NotBefore.Format(time.DateOnly)+" – "+cert.NotAfter.Format(time.DateOnly))
		}
		if opts.Roots != nil {
			inter := x509.NewCertPool()
			if opts.Intermediates != nil {
				inter = opts.Intermediates.Clone()
			}
			for _, c := range p.Certs {
				inter.AddCert(c)
			}
			_, err := cert.Verify(x509.VerifyOptions{Roots: opts.Roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if err != nil {
				s.Trust, s.TrustError = TrustUntrusted, err.Error()
				s.problem("untrusted", "warning", err.Error())
			} else {
				s.Trust = TrustTrusted
			}
		}
	}
	return p, true
}

// padesLevel: B-B needs a valid ETSI.CAdES.detached signature, signed
// attributes with signing-certificate(-v2) and no signing-time; B-T adds a
// signature timestamp that verifies; B-LT adds a DSS whose revocation data
// says every certificate of the chains is good.
func padesLevel(s *SignatureReport, p *cms.SignedData) string {
	if s.SubFilter != "ETSI.CAdES.detached" || p.SignerInfo.Attrs == nil || !s.Valid {
		return ""
	}
	if _, ok := p.SignerInfo.Attrs[cms.OIDAttrSigningCertV2.String()]; !ok {
		if _, ok := p.SignerInfo.Attrs[cms.OIDAttrSigningCertV1.String()]; !ok {
			s.problem("no_signing_certificate_attr", "info", "")
			return ""
		}
	}
	if _, ok := p.SignerInfo.Attrs[cms.OIDAttrSigningTime.String()]; ok {
		s.problem("signing_time_attr", "info", "")
		return ""
	}
	lr := s.LTV
	if _, ok := p.SignerInfo.Unsigned[cms.OIDAttrTimeStampToken.String()]; !ok || lr == nil || !lr.TimestampOK {
		return "B-B"
	}
	if lr.DSS && lr.Revocation == "good" {
		return "B-LT"
	}
	return "B-T"
}

func hashOfRanges(f io.ReaderAt, ranges [][2]int64, h crypto.Hash) []byte {
	hh := h.New()
	for _, rg := range ranges {
		io.Copy(hh, io.NewSectionReader(f, rg[0], rg[1]))
	}
	return hh.Sum(nil)
}

// checkByteRange checks that the ranges start at 0, do not overlap, stay in
// the file, and leave exactly one gap holding the /Contents hex string.
func checkByteRange(f io.ReaderAt, size int64, br []int64, contents []byte) ([][2]int64, error) {
	if len(br) < 4 || len(br)%2 != 0 {
		return nil, fmt.Errorf("ByteRange has %d numbers", len(br))
	}
	var ranges [][2]int64
	for i := 0; i < len(br); i += 2 {
		if br[i] < 0 || br[i+1] < 0 || br[i]+br[i+1] > size || br[i]+br[i+1] < br[i] {
			return nil, errors.New("ByteRange outside the file")
		}
		ranges = append(ranges, [2]int64{br[i], br[i+1]})
	}
	if ranges[0][0] != 0 {
		return nil, errors.New("ByteRange does not start at the beginning of the file")
	}
	if len(ranges) != 2 {
		return nil, fmt.Errorf("ByteRange has %d ranges, 2 expected", len(ranges))
	}
	gs, ge := ranges[0][1], ranges[1][0]
	if ge <= gs || ge-gs > 64<<20 {
		return nil, errors.New("ByteRange ranges overlap")
	}
	gap := make([]byte, ge-gs)
	if _, err := f.ReadAt(gap, gs); err != nil {
		return nil, err
	}
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' {
		return nil, errors.New("the unsigned gap is not the /Contents hex string")
	}
	dec := make([]byte, 0, len(gap)/2)
	var hi byte
	half := false
	for _, c := range gap[1 : len(gap)-1] {
		if pdf.IsWhite(c) {
			continue
		}
		v, ok := pdf.Unhex(c)
		if !ok {
			return nil, errors.New("the unsigned gap holds more than the /Contents hex string")
		}
		if half {
			dec = append(dec, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		dec = append(dec, hi<<4)
	}
	if !bytes.Equal(dec, contents) {
		return nil, errors.New("the unsigned gap is not this signature's /Contents")
	}
	return ranges, nil
}

// parsePDFDate reads "D:YYYYMMDDHHmmSSOHH'mm'" (every part after the year
// optional).
func parsePDFDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	if len(s) < 4 {
		return time.Time{}, false
	}
	digits := func(i, n, def int) int {
		if i+n > len(s) {
			return def
		}
		v := 0
		for _, c := range s[i : i+n] {
			if c < '0' || c > '9' {
				return def
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y := digits(0, 4, -1)
	if y < 0 {
		return time.Time{}, false
	}
	mo, d, h, mi, se := digits(4, 2, 1), digits(6, 2, 1), digits(8, 2, 0), digits(10, 2, 0), digits(12, 2, 0)
	loc := time.UTC
	if len(s) > 14 {
		switch s[14] {
		case '+', '-':
			oh, om := digits(15, 2, 0), 0
			if len(s) > 18 && s[17] == '\'' {
				om = digits(18, 2, 0)
			}
			off := oh*3600 + om*60
			if s[14] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		}
	}
	return time.Date(y, time.Month(mo), d, h, mi, se, 0, loc), true
}
