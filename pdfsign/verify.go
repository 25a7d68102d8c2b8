package pdfsign

import (
	"github.com/certigna-desktop/app/internal/cms"

	"github.com/certigna-desktop/app/internal/pdf"

	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/certigna-desktop/app/assets"
)

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Roots, when set, are the trust anchors the signer's chain is checked
	// against; the result is reported (Trust) and does not make a signature
	// invalid.
	Roots *x509.CertPool
	// Intermediates are extra CA certificates besides those in the CMS.
	Intermediates *x509.CertPool
}

// Report is the result of Verify.
type Report struct {
	File       string            `json:"file"`
	Size       int64             `json:"size"`
	Revisions  int               `json:"revisions"`
	Signatures []SignatureReport `json:"signatures"`
	// OK: every signature is intact and covers the document up to its
	// revision, and any later change is only further signatures (or their
	// validation data). The CLI's exit code 0.
	OK bool `json:"ok"`
}

// Problem is one finding about a signature; Code is stable (for programs and
// translations), Detail is technical text.
type Problem struct {
	Code     string `json:"code"`
	Severity string `json:"severity"` // "error" (invalid), "warning", "info"
	Detail   string `json:"detail,omitempty"`
}

// Message is the problem for a person, in lang.
func (p Problem) Message(lang string) string {
	return assets.T(lang, "pdf.problem."+p.Code, map[string]any{"Detail": p.Detail})
}

// Later-change classes of SignatureReport.LaterChanges.
const (
	ChangesNone       = "none"       // the signature covers the whole file
	ChangesSignatures = "signatures" // later revisions only add signatures, their fields and validation data
	ChangesOther      = "other"      // later revisions change something else (content, form values, annotations…)
	ChangesUnknown    = "unknown"    // the signed range does not end at a revision boundary
)

// Trust statuses of SignatureReport.Trust.
const (
	TrustNotChecked = "not_checked"
	TrustTrusted    = "trusted"
	TrustUntrusted  = "untrusted"
)

// SignatureReport describes one signature.
type SignatureReport struct {
	Field       string    `json:"field"`
	Type        string    `json:"type"` // "signature" or "timestamp" (document timestamp)
	SubFilter   string    `json:"subfilter"`
	SignerCN    string    `json:"signer_cn"`
	Signer      string    `json:"signer"` // full subject
	Issuer      string    `json:"issuer"`
	Serial      string    `json:"serial"`
	CertSHA256  string    `json:"cert_sha256"`
	CertFrom    time.Time `json:"cert_not_before"`
	CertTo      time.Time `json:"cert_not_after"`
	SigningTime time.Time `json:"signing_time,omitzero"` // from /M (claimed by the signer)
	Reason      string    `json:"reason,omitempty"`
	Location    string    `json:"location,omitempty"`
	ContactInfo string    `json:"contact_info,omitempty"`
	Name        string    `json:"name,omitempty"`
	Hash        string    `json:"hash"`
	Algorithm   string    `json:"algorithm"`
	Level       string    `json:"level"` // "B-B", "B-T", "B-LT" or "" (not PAdES baseline)
	ByteRange   []int64   `json:"byte_range"`

	ByteRangeOK   bool `json:"byte_range_ok"` // covers the file (up to its revision) but its /Contents
	DigestOK      bool `json:"digest_ok"`
	SignatureOK   bool `json:"signature_ok"`
	CertificateOK bool `json:"certificate_ok"` // signer certificate present and matching the signed attribute
	Valid         bool `json:"valid"`          // all four above

	CoversWholeDocument bool   `json:"covers_whole_document"`
	Revision            int    `json:"revision"` // 1-based revision the signature ends; 0 if not at a revision end
	ModifiedAfter       bool   `json:"modified_after"`
	LaterChanges        string `json:"later_changes"`

	Trust      string    `json:"trust"`
	TrustError string    `json:"trust_error,omitempty"`
	Problems   []Problem `json:"problems"`
	// LTV: timestamp, embedded revocation data, trust reason (ltv_verify.go).
	LTV *LTVReport `json:"ltv,omitempty"`

	signerCert *x509.Certificate
	cms        *cms.SignedData
}

// SignerCertificate is the signer's certificate (nil if not found).
func (s *SignatureReport) SignerCertificate() *x509.Certificate { return s.signerCert }

func (s *SignatureReport) problem(code, severity, detail string) {
	s.Problems = append(s.Problems, Problem{Code: code, Severity: severity, Detail: detail})
}

// verifyHooks run after each signature has been checked: the B-T / B-LT work
// adds timestamp and DSS checks there (and may raise Level).
var verifyHooks []func(v *verifyContext, s *SignatureReport) error

// verifyContext is what verify hooks get.
type verifyContext struct {
	r      *pdf.Reader
	f      *os.File
	opts   VerifyOptions
	report *Report
	sigV   *pdf.Dict // the signature dictionary being checked
}

// Verify checks every signature of the PDF at path. A file without any
// signature gives a report and an *Error of KindNoSignature.
func Verify(path string, opts VerifyOptions) (rep *Report, err error) {
	defer func() {
		if p := recover(); p != nil {
			rep, err = nil, &Error{Kind: KindInternal, Path: path, Err: fmt.Errorf("panic: %v\n%s", p, debug.Stack())}
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, newErr(KindInputNotFound, path, err)
		}
		return nil, newErr(KindIO, path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, newErr(KindIO, path, err)
	}
	if st.IsDir() {
		return nil, newErr(KindNotPDF, path, errors.New("is a directory"))
	}
	rep, err = verifyReader(f, st.Size(), opts)
	if rep != nil {
		rep.File = path
	}
	return rep, withPath(err, path)
}

// sigField is a signature field found in the form.
type sigField struct {
	name string
	v    *pdf.Dict
}

func verifyReader(f *os.File, size int64, opts VerifyOptions) (*Report, error) {
	if size == 0 {
		return nil, newErr(KindNotPDF, "", nil)
	}
	r, err := pdf.NewReader(f, size)
	if err != nil {
		return nil, err
	}
	rep := &Report{Size: size}
	ends, err := revisionEnds(f, size, r)
	if err != nil {
		return nil, err
	}
	rep.Revisions = len(ends)
	fields, err := signatureFields(r)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return rep, newErr(KindNoSignature, "", nil)
	}
	ctx := &verifyContext{r: r, f: f, opts: opts, report: rep}
	rep.OK = true
	for _, sf := range fields {
		s := checkOne(f, size, r, sf, ends, opts)
		ctx.sigV = sf.v
		for _, h := range verifyHooks {
			if err := h(ctx, &s); err != nil {
				s.problem("hook", "warning", err.Error())
			}
		}
		if !s.Valid || !(s.CoversWholeDocument || s.LaterChanges == ChangesSignatures) {
			rep.OK = false
		}
		rep.Signatures = append(rep.Signatures, s)
	}
	// Oldest signature first.
	sort.SliceStable(rep.Signatures, func(i, j int) bool {
		return lastEnd(rep.Signatures[i].ByteRange) < lastEnd(rep.Signatures[j].ByteRange)
	})
	return rep, nil
}

func lastEnd(br []int64) int64 {
	if len(br) < 2 {
		return 0
	}
	return br[len(br)-2] + br[len(br)-1]
}

// signatureFields walks the AcroForm field tree for signed signature fields.
func signatureFields(r *pdf.Reader) ([]sigField, error) {
	catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil {
		return nil, err
	}
	if catalog == nil {
		return nil, damagedf("catalog missing")
	}
	acro, err := r.ResolveDict(catalog.Get("AcroForm"))
	if err != nil || acro == nil {
		return nil, err
	}
	var out []sigField
	visited := map[int]bool{}
	var walk func(o pdf.Object, parent string, ft string, depth int) error
	walk = func(o pdf.Object, parent, ft string, depth int) error {
		if depth > 32 || len(visited) > 100000 {
			return nil
		}
		if ref, ok := o.(pdf.Ref); ok {
			if visited[ref.Num] {
				return nil
			}
			visited[ref.Num] = true
		}
		d, err := r.ResolveDict(o)
		if err != nil || d == nil {
			return err
		}
		name := parent
		if t, ok := d.Get("T").(pdf.String); ok {
			if name != "" {
				name += "."
			}
			name += pdf.DecodeTextString(t.B)
		}
		if v := d.NameOf("FT"); v != "" {
			ft = v
		}
		if ft == "Sig" && d.Has("V") {
			v, err := r.ResolveDict(d.Get("V"))
			if err != nil {
				return err
			}
			if v != nil {
				out = append(out, sigField{name: name, v: v})
			}
		}
		kids, err := r.Resolve(d.Get("Kids"))
		if err != nil {
			return err
		}
		if a, ok := kids.(pdf.Array); ok {
			for _, k := range a {
				if err := walk(k, name, ft, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	fo, err := r.Resolve(acro.Get("Fields"))
	if err != nil {
		return nil, err
	}
	fa, _ := fo.(pdf.Array)
	for _, fld := range fa {
		if err := walk(fld, "", "", 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// revision is where one revision ends: just after "%%EOF" (markerEnd) and
// after the end-of-line that follows it (end).
type revision struct{ markerEnd, end int64 }

// revisionEnds lists, oldest first, where revisions end, one per xref
// section (the first %%EOF after each section).
func revisionEnds(f io.ReaderAt, size int64, r *pdf.Reader) ([]revision, error) {
	var starts []int64
	buf := make([]byte, 1<<20)
	for pos := int64(0); pos < size; {
		n, err := f.ReadAt(buf, pos)
		if n == 0 && err != nil {
			break
		}
		chunk := buf[:n]
		for i := 0; ; {
			j := bytes.Index(chunk[i:], []byte("%%EOF"))
			if j < 0 {
				break
			}
			starts = append(starts, pos+int64(i+j))
			i += j + 5
		}
		if n < len(buf) {
			break
		}
		pos += int64(n) - 4 // overlap so that a marker across chunks is seen
	}
	starts = dedup(starts)
	offs := make([]int64, 0, len(r.Sections))
	for _, s := range r.Sections {
		offs = append(offs, s.Offset)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	var revs []revision
	for _, o := range offs {
		k := sort.Search(len(starts), func(i int) bool { return starts[i] > o })
		if k == len(starts) {
			continue
		}
		me := starts[k] + 5
		if len(revs) > 0 && revs[len(revs)-1].markerEnd == me {
			continue
		}
		e := me
		eol := make([]byte, 2)
		n, _ := f.ReadAt(eol, me)
		if n > 0 && eol[0] == '\r' {
			e++
			if n > 1 && eol[1] == '\n' {
				e++
			}
		} else if n > 0 && eol[0] == '\n' {
			e++
		}
		revs = append(revs, revision{me, e})
	}
	if len(revs) == 0 {
		revs = append(revs, revision{size, size})
	} else if last := &revs[len(revs)-1]; last.end < size && isBlank(f, last.end, size) {
		// Blank bytes after the last %%EOF belong to the last revision.
		last.end = size
	}
	return revs, nil
}

func isBlank(f io.ReaderAt, from, to int64) bool {
	if to-from > 4096 {
		return false
	}
	b := make([]byte, to-from)
	f.ReadAt(b, from)
	return len(bytes.Trim(b, " \r\n\t\x00")) == 0
}

func dedup(a []int64) []int64 {
	sort.Slice(a, func(i, j int) bool { return a[i] < a[j] })
	out := a[:0]
	for i, v := range a {
		if i == 0 || v != a[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func checkOne(f *os.File, size int64, r *pdf.Reader, sf sigField, ends []revision, opts VerifyOptions) SignatureReport {
	v := sf.v
	s := SignatureReport{Field: sf.name, Type: "signature", SubFilter: v.NameOf("SubFilter"), Trust: TrustNotChecked, Problems: []Problem{}}
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
	// ByteRange.
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
	if s.SubFilter == "adbe.x509.rsa_sha1" {
		s.problem("unsupported_subfilter", "error", s.SubFilter)
		return s
	}
	p, err := cms.Parse(contents.B)
	if err != nil {
		s.problem("cms_unreadable", "error", err.Error())
		return s
	}
	s.cms = p
	h, ok := cms.HashFromOID(p.SignerInfo.DigestAlg)
	if !ok {
		s.problem("unsupported_algorithm", "error", p.SignerInfo.DigestAlg.String())
		return s
	}
	s.Hash = hashName(h)
	if h == crypto.SHA1 {
		s.problem("weak_hash", "warning", "SHA-1")
	}
	cert := p.SignerCert()
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
		s.CertificateOK = true
	}
	// Digest of the signed ranges, streamed.
	var digest []byte
	if s.ByteRangeOK {
		hh := h.New()
		buf := make([]byte, 1<<20)
		for _, rg := range ranges {
			if _, err := io.CopyBuffer(hh, io.NewSectionReader(f, rg[0], rg[1]), buf); err != nil {
				s.problem("io", "error", err.Error())
				return s
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
			return s
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
		if err := cms.CheckSignature(&p.SignerInfo, cert.PublicKey, data, content); err != nil {
			s.problem("signature_invalid", "error", err.Error())
		} else {
			s.SignatureOK = true
		}
		// The signing-certificate attribute binds the certificate.
		if _, err := p.SignerInfo.CheckSigningCert(cert); err != nil {
			s.CertificateOK = false
			s.problem("signing_cert_mismatch", "error", "")
		}
		at := s.SigningTime
		if at.IsZero() {
			at = time.Now()
		}
		if at.Before(cert.NotBefore) || at.After(cert.NotAfter) {
			s.problem("cert_not_valid_at_signing", "warning", cert.NotBefore.Format(time.DateOnly)+" – "+cert.NotAfter.Format(time.DateOnly))
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
	s.Valid = s.ByteRangeOK && s.DigestOK && s.SignatureOK && s.CertificateOK
	s.Level = padesLevel(&s, p)
	return s
}

// padesLevel: B-B needs ETSI.CAdES.detached, signed attributes with
// signing-certificate-v2 and no signing-time; B-T adds a signature timestamp.
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
	if _, ok := p.SignerInfo.Unsigned[cms.OIDAttrTimeStampToken.String()]; ok {
		return "B-T"
	}
	return "B-B"
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

// laterChanges classifies what the revisions after end changed: only
// signatures (new signature fields, filled empty signature fields, the
// AcroForm's field list, page /Annots, a DSS) or something else.
func laterChanges(r *pdf.Reader, end int64) string {
	var later, earlier []*pdf.XrefSection
	for _, s := range r.Sections {
		if s.Offset >= end {
			later = append(later, s)
		} else {
			earlier = append(earlier, s)
		}
	}
	changed := map[int]bool{}
	for _, s := range later {
		for n, e := range s.Entries {
			if e.Typ != 0 {
				changed[n] = true
			}
		}
	}
	for n := range changed {
		var old *pdf.XrefEntry
		for _, s := range earlier {
			if e, ok := s.Entries[n]; ok {
				old = &e
				break
			}
		}
		if old == nil || old.Typ == 0 {
			continue // a new object cannot change what the signature saw unless something old points at it
		}
		oldObj, err1 := r.FetchEntry(n, *old)
		newObj, err2 := r.Fetch(n)
		if err1 != nil || err2 != nil {
			return ChangesOther
		}
		if !allowedChange(oldObj, newObj) {
			return ChangesOther
		}
	}
	return ChangesSignatures
}

func allowedChange(oldObj, newObj pdf.Object) bool {
	if bytes.Equal(pdf.AppendObject(nil, oldObj), pdf.AppendObject(nil, newObj)) {
		if os, ok := oldObj.(*pdf.Stream); ok {
			ns, _ := newObj.(*pdf.Stream)
			return ns != nil && os.Offset == ns.Offset
		}
		return true
	}
	switch o := oldObj.(type) {
	case pdf.Array:
		n, ok := newObj.(pdf.Array)
		if !ok {
			return false
		}
		have := map[string]bool{}
		for _, e := range n {
			have[string(pdf.AppendObject(nil, e))] = true
		}
		for _, e := range o {
			if !have[string(pdf.AppendObject(nil, e))] {
				return false
			}
		}
		return true
	case *pdf.Dict:
		n, ok := newObj.(*pdf.Dict)
		if !ok {
			return false
		}
		var allowed map[string]bool
		switch {
		case o.NameOf("Type") == "Catalog":
			allowed = map[string]bool{"AcroForm": true, "DSS": true, "Extensions": true}
		case o.NameOf("Type") == "Page":
			allowed = map[string]bool{"Annots": true}
		case o.Has("Fields"):
			allowed = map[string]bool{"Fields": true, "SigFlags": true, "DR": true, "DA": true, "NeedAppearances": true}
		case o.NameOf("FT") == "Sig":
			if o.Has("V") {
				allowed = map[string]bool{"AP": true}
			} else {
				allowed = map[string]bool{"V": true, "AP": true, "F": true, "Rect": true, "MK": true}
			}
		default:
			return false
		}
		keys := map[string]bool{}
		for _, k := range o.Keys() {
			keys[k] = true
		}
		for _, k := range n.Keys() {
			keys[k] = true
		}
		for k := range keys {
			if allowed[k] {
				continue
			}
			if !bytes.Equal(pdf.AppendObject(nil, o.Get(k)), pdf.AppendObject(nil, n.Get(k))) {
				return false
			}
		}
		return true
	}
	return false
}
