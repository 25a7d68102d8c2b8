package pdfsign

import (
	"github.com/certigna-desktop/app/internal/cms"

	"github.com/certigna-desktop/app/internal/pdf"

	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// Options tune a signature. The zero value gives an invisible PAdES B-B
// signature on the first page with SHA-256, dated now. TSA, LTV and Visible
// reach the writer through the hooks of doc.go (tsa*.go, ltv*.go,
// appearance*.go).
type Options struct {
	Reason, Location, ContactInfo, Name string
	Page                                int         // 1-based; 0 = first page
	Hash                                crypto.Hash // default SHA-256; SHA-384 and SHA-512 allowed
	Time                                time.Time   // /M; default now
	Force                               bool        // overwrite an existing output (never the input)
	TSA                                 *TSAConfig  // RFC 3161 timestamp → B-T (tsa*.go)
	LTV                                 bool        // add a DSS revision → B-LT (ltv*.go)
	Lang                                string      // language of the visible stamp
	Visible                             *Visible    // visible stamp (appearance.go); nil = invisible
	// AllowLower saves the signature at the level reached when the TSA or
	// the revocation servers fail (Result.Warning says why); otherwise such
	// a failure is an error and no file is written.
	AllowLower bool
}

// Result describes a signature just written.
type Result struct {
	Output       string    `json:"output"`
	Field        string    `json:"field"`
	Page         int       `json:"page"`
	ByteRange    [4]int64  `json:"byte_range"`
	ContentsSize int       `json:"contents_size"` // bytes reserved for the CMS
	CMSSize      int       `json:"cms_size"`      // bytes of the CMS
	Hash         string    `json:"hash"`
	SigningTime  time.Time `json:"signing_time"`
	Level        string    `json:"level"`
	SignerCN     string    `json:"signer_cn"`
	// Warning, with Options.AllowLower, is why Level is below what was asked.
	Warning error `json:"-"`
}

// signConfig is the internal form of Options plus the hooks of the B-T,
// B-LT and visible-stamp work (see doc.go).
type signConfig struct {
	opts  Options
	hash  crypto.Hash
	cms   cms.Params
	when  time.Time
	field string // field name; "" = first free "SignatureN"

	// unsignedReserve is how many bytes to reserve in /Contents for the
	// unsigned attributes returned by cms.unsignedAttrs (e.g. 12 KiB for a
	// timestamp token with its TSA chain).
	unsignedReserve int

	// appearance, when set, makes the widget visible: given the chosen page
	// and the update being built (u.alloc / u.put / u.putStream to add the
	// form XObject, fonts…), it returns the widget's /Rect and its /AP
	// dictionary. The widget then gets /F 4 (print) instead of hidden-locked.
	appearance func(pg *pageInfo, u *pdf.Increment) (rect [4]float64, ap *pdf.Dict, err error)

	// finish, when set, runs on the complete signed temporary file (open for
	// read/write, before fsync and rename): the place to append a DSS or a
	// document timestamp with appendIncrement. An error discards the output.
	finish func(f *os.File, res *Result) error
}

// signHooks are run by Sign, in order, after the options are checked: the
// B-T / B-LT / visible-stamp files register theirs from init() to fill in
// cfg.unsignedReserve, cfg.cms.unsignedAttrs, cfg.appearance and cfg.finish
// from cfg.opts (TSA, LTV, Visible).
var signHooks []func(cfg *signConfig) error

// pageInfo describes the page that carries the widget.
type pageInfo struct {
	Ref      pdf.Ref
	Number   int        // 1-based
	MediaBox [4]float64 // inherited if need be
	CropBox  [4]float64 // = MediaBox when absent
	Rotate   int        // 0, 90, 180, 270
	Dict     *pdf.Dict  // the page dictionary as read (do not modify)
}

// DefaultOutput is the output path used when none is given: "IN-signed.pdf"
// beside the input.
func DefaultOutput(in string) string {
	ext := filepath.Ext(in)
	base := strings.TrimSuffix(in, ext)
	if ext == "" || !strings.EqualFold(ext, ".pdf") {
		return in + "-signed.pdf"
	}
	return base + "-signed" + ext
}

// signerWithCert is what token.Signer offers besides crypto.Signer.
type signerWithCert interface {
	Certificate() *x509.Certificate
	Chain() []*x509.Certificate
}

// Sign writes to out a copy of in with a PAdES baseline B-B signature
// appended as an incremental update. chain[0] is the signer's certificate,
// followed by its issuers (if chain is empty and signer has Certificate()
// and Chain() methods, they are used). out == "" means DefaultOutput(in).
// On any error no output file is left behind.
func Sign(in, out string, signer crypto.Signer, chain []*x509.Certificate, opts Options) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, &Error{Kind: KindInternal, Path: in, Err: fmt.Errorf("panic: %v\n%s", p, debug.Stack())}
		}
		if err != nil {
			err = withPath(err, in)
		}
	}()
	if out == "" {
		out = DefaultOutput(in)
	}
	cfg, err := newSignConfig(signer, chain, opts)
	if err != nil {
		return nil, err
	}
	for _, h := range signHooks {
		if err := h(cfg); err != nil {
			return nil, err
		}
	}
	return signFile(in, out, cfg)
}

func newSignConfig(signer crypto.Signer, chain []*x509.Certificate, opts Options) (*signConfig, error) {
	if signer == nil {
		return nil, &Error{Kind: KindSigner, Err: errors.New("no signer")}
	}
	if len(chain) == 0 {
		if sc, ok := signer.(signerWithCert); ok && sc.Certificate() != nil {
			chain = append([]*x509.Certificate{sc.Certificate()}, sc.Chain()...)
		}
	}
	if len(chain) == 0 || chain[0] == nil {
		return nil, &Error{Kind: KindCertificate, Err: errors.New("no signer certificate")}
	}
	cert := chain[0]
	if !publicKeysEqual(cert.PublicKey, signer.Public()) {
		return nil, &Error{Kind: KindCertificate, Err: errors.New("the certificate does not match the signing key")}
	}
	if _, err := cms.MaxSignatureLen(signer.Public()); err != nil {
		return nil, &Error{Kind: KindCertificate, Err: err}
	}
	h := opts.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	if h != crypto.SHA256 && h != crypto.SHA384 && h != crypto.SHA512 {
		return nil, &Error{Kind: KindHash, Err: fmt.Errorf("%v not supported (SHA-256, SHA-384, SHA-512)", h)}
	}
	when := opts.Time
	if when.IsZero() {
		when = time.Now()
	}
	return &signConfig{
		opts: opts, hash: h, when: when,
		cms: cms.Params{Signer: signer, Cert: cert, Chain: chain[1:], Hash: h},
	}, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	type eq interface{ Equal(crypto.PublicKey) bool }
	if e, ok := a.(eq); ok {
		return e.Equal(b)
	}
	return false
}

// checkPaths refuses to write over the input or over an existing file.
func checkPaths(in, out string, force bool) (os.FileInfo, error) {
	inInfo, err := os.Stat(in)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, newErr(KindInputNotFound, in, err)
		}
		return nil, newErr(KindIO, in, err)
	}
	if inInfo.IsDir() {
		return nil, newErr(KindNotPDF, in, errors.New("is a directory"))
	}
	absIn, err1 := filepath.Abs(in)
	absOut, err2 := filepath.Abs(out)
	if err1 == nil && err2 == nil && absIn == absOut {
		return nil, newErr(KindSameFile, out, nil)
	}
	if outInfo, err := os.Stat(out); err == nil {
		if os.SameFile(inInfo, outInfo) {
			return nil, newErr(KindSameFile, out, nil)
		}
		if outInfo.IsDir() || !force {
			return nil, newErr(KindOutputExists, out, nil)
		}
	}
	return inInfo, nil
}

// pdfDate formats t as a PDF date.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	if off == 0 {
		return t.Format("D:20060102150405") + "Z"
	}
	return fmt.Sprintf("%s%c%02d'%02d'", t.Format("D:20060102150405"), sign, off/3600, off%3600/60)
}

const (
	markContents  = "contents"  // the '<' of the /Contents placeholder
	markByteRange = "byterange" // the '[' of the /ByteRange placeholder
	byteRangeLen  = 48          // width of the /ByteRange array text
)

// sigPlan is the update of a signature, before hashing.
type sigPlan struct {
	u         *pdf.Increment
	sigRef    pdf.Ref
	field     string
	page      *pageInfo
	contentsN int // bytes reserved for the CMS (hex digits = 2×)
}

func signFile(in, out string, cfg *signConfig) (*Result, error) {
	inInfo, err := checkPaths(in, out, cfg.opts.Force)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(in)
	if err != nil {
		return nil, newErr(KindIO, in, err)
	}
	defer f.Close()
	size := inInfo.Size()
	r, err := pdf.NewReader(f, size)
	if err != nil {
		return nil, withPath(err, in)
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil {
		return nil, newErr(KindIO, in, err)
	}
	// Size the placeholder from a CMS built with a signature value of the
	// key's maximal length; a failed fit (a hook returning more than it
	// reserved) is retried once with the real size.
	reserve := cfg.unsignedReserve
	var extra int
	for attempt := 0; ; attempt++ {
		dummy := make([]byte, cfg.hash.Size())
		sizing, err := cms.Build(&cfg.cms, dummy, true, reserve)
		if err != nil {
			return nil, &Error{Kind: KindCertificate, Err: err}
		}
		plan, err := planSignature(r, cfg, len(sizing)+64+extra)
		if err != nil {
			return nil, withPath(err, in)
		}
		res, need, err := writeSigned(f, size, last[0], out, plan, cfg)
		if err != nil {
			return nil, withPath(err, out)
		}
		if need == 0 {
			return res, nil
		}
		if attempt > 0 {
			return nil, &Error{Kind: KindInternal, Path: out, Err: fmt.Errorf("signature of %d bytes does not fit", need)}
		}
		extra = need - plan.contentsN + 1024
	}
}

// planSignature prepares the update: signature dictionary, field/widget,
// AcroForm, page /Annots, catalog if need be.
func planSignature(r *pdf.Reader, cfg *signConfig, contentsN int) (*sigPlan, error) {
	u := pdf.NewIncrement(r)
	rootRef := r.Trailer.Get("Root").(pdf.Ref)
	catalog, err := r.ResolveDict(rootRef)
	if err != nil {
		return nil, err
	}
	if catalog == nil {
		return nil, damagedf("catalog missing")
	}
	if err := checkDocMDP(r, catalog); err != nil {
		return nil, err
	}
	pg, err := findPage(r, catalog, cfg.opts.Page)
	if err != nil {
		return nil, err
	}
	catalog = catalog.Clone()
	catalogChanged := false

	// AcroForm: rewrite the object that holds it.
	var acro *pdf.Dict
	var acroRef *pdf.Ref
	switch v := catalog.Get("AcroForm").(type) {
	case pdf.Ref:
		d, err := r.ResolveDict(v)
		if err != nil {
			return nil, err
		}
		if d != nil {
			acro = d.Clone()
			acroRef = &v
		}
	case *pdf.Dict:
		acro = v.Clone()
	}
	if acro == nil {
		acro = &pdf.Dict{}
		ref := u.Alloc()
		acroRef = &ref
		catalog.Set("AcroForm", ref)
		catalogChanged = true
	}
	var fields pdf.Array
	var fieldsRef *pdf.Ref
	switch v := acro.Get("Fields").(type) {
	case pdf.Ref:
		o, err := r.Resolve(v)
		if err != nil {
			return nil, err
		}
		if a, ok := o.(pdf.Array); ok {
			fields = append(pdf.Array(nil), a...)
			fieldsRef = &v
		}
	case pdf.Array:
		fields = v
	}
	name := cfg.field
	if name == "" {
		name, err = freeFieldName(r, fields)
		if err != nil {
			return nil, err
		}
	}
	sigRef := u.Alloc()
	widgetRef := u.Alloc()
	fields = append(fields, widgetRef)
	if fieldsRef != nil {
		u.Put(*fieldsRef, fields)
	} else {
		acro.Set("Fields", fields)
	}
	flags, _ := pdf.ToInt(acro.Get("SigFlags"))
	acro.Set("SigFlags", pdf.Int(flags|3))
	if acroRef != nil {
		u.Put(*acroRef, acro)
	} else {
		catalog.Set("AcroForm", acro)
		catalogChanged = true
	}

	// The widget, merged with its field.
	w := &pdf.Dict{}
	w.Set("Type", pdf.Name("Annot"))
	w.Set("Subtype", pdf.Name("Widget"))
	w.Set("FT", pdf.Name("Sig"))
	w.Set("T", pdf.TextString(name))
	w.Set("V", sigRef)
	w.Set("P", pg.Ref)
	w.Set("F", pdf.Int(132)) // hidden from view but printed flags: Print + Locked
	w.Set("Rect", pdf.Array{pdf.Int(0), pdf.Int(0), pdf.Int(0), pdf.Int(0)})
	if cfg.appearance != nil {
		rect, ap, err := cfg.appearance(pg, u)
		if err != nil {
			return nil, err
		}
		w.Set("Rect", pdf.Array{float64(rect[0]), float64(rect[1]), float64(rect[2]), float64(rect[3])})
		w.Set("F", pdf.Int(4|128))
		if ap != nil {
			w.Set("AP", ap)
		}
	}
	u.Put(widgetRef, w)

	// The page's /Annots (an indirect array is rewritten in place).
	page := pg.Dict.Clone()
	switch v := page.Get("Annots").(type) {
	case pdf.Ref:
		o, err := r.Resolve(v)
		if err != nil {
			return nil, err
		}
		if a, ok := o.(pdf.Array); ok {
			u.Put(v, append(append(pdf.Array(nil), a...), widgetRef))
		} else {
			page.Set("Annots", pdf.Array{widgetRef})
			u.Put(pg.Ref, page)
		}
	case pdf.Array:
		page.Set("Annots", append(v, widgetRef))
		u.Put(pg.Ref, page)
	default:
		page.Set("Annots", pdf.Array{widgetRef})
		u.Put(pg.Ref, page)
	}
	if catalogChanged {
		u.Put(rootRef, catalog)
	}

	// The signature dictionary, with fixed-width placeholders.
	var b bytes.Buffer
	b.WriteString("<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached")
	b.Write(pdf.AppendObject([]byte("/M"), pdf.TextString(pdfDate(cfg.when))))
	for _, kv := range [][2]string{{"Name", cfg.opts.Name}, {"Reason", cfg.opts.Reason}, {"Location", cfg.opts.Location}, {"ContactInfo", cfg.opts.ContactInfo}} {
		if kv[1] != "" {
			b.Write(pdf.AppendObject(pdf.AppendName(nil, kv[0]), pdf.TextString(kv[1])))
		}
	}
	b.WriteString("/ByteRange")
	marks := map[string]int{markByteRange: b.Len()}
	b.WriteString("[" + strings.Repeat(" ", byteRangeLen-2) + "]")
	b.WriteString("/Contents")
	marks[markContents] = b.Len()
	b.WriteString("<" + strings.Repeat("0", 2*contentsN) + ">")
	b.WriteString(">>")
	u.PutBody(sigRef, b.Bytes(), marks)
	return &sigPlan{u: u, sigRef: sigRef, field: name, page: pg, contentsN: contentsN}, nil
}

// freeFieldName is the first "SignatureN" not used by a top-level field.
func freeFieldName(r *pdf.Reader, fields pdf.Array) (string, error) {
	used := map[string]bool{}
	for i, f := range fields {
		if i > 20000 {
			break
		}
		d, err := r.ResolveDict(f)
		if err != nil {
			return "", err
		}
		if s, ok := d.Get("T").(pdf.String); ok {
			used[pdf.DecodeTextString(s.B)] = true
		}
	}
	for n := 1; ; n++ {
		name := fmt.Sprintf("Signature%d", n)
		if !used[name] {
			return name, nil
		}
	}
}

// findPage walks the page tree to page n (0 = 1), carrying the inheritable
// boxes and rotation; only the nodes on the way are read.
func findPage(r *pdf.Reader, catalog *pdf.Dict, n int) (*pageInfo, error) {
	if n <= 0 {
		n = 1
	}
	rootRef, ok := catalog.Get("Pages").(pdf.Ref)
	if !ok {
		return nil, damagedf("catalog has no page tree")
	}
	node, err := r.ResolveDict(rootRef)
	if err != nil {
		return nil, err
	}
	if node == nil {
		return nil, damagedf("page tree missing")
	}
	total, _ := pdf.ToInt(node.Get("Count"))
	if int64(n) > total && total > 0 {
		return nil, &Error{Kind: KindPageRange, Err: fmt.Errorf("page %d of %d", n, total)}
	}
	var media, crop pdf.Object
	var rotate pdf.Object
	inherit := func(d *pdf.Dict) {
		if v := d.Get("MediaBox"); v != nil {
			media = v
		}
		if v := d.Get("CropBox"); v != nil {
			crop = v
		}
		if v := d.Get("Rotate"); v != nil {
			rotate = v
		}
	}
	inherit(node)
	want := n
	visited := map[int]bool{rootRef.Num: true}
	for steps := 0; steps < 1_000_000; steps++ {
		kidsObj, err := r.Resolve(node.Get("Kids"))
		if err != nil {
			return nil, err
		}
		kids, _ := kidsObj.(pdf.Array)
		descended := false
		for _, k := range kids {
			kref, ok := k.(pdf.Ref)
			if !ok || visited[kref.Num] {
				continue
			}
			kd, err := r.ResolveDict(kref)
			if err != nil {
				return nil, err
			}
			if kd == nil {
				continue
			}
			isNode := kd.NameOf("Type") == "Pages" || (kd.NameOf("Type") != "Page" && kd.Has("Kids"))
			if isNode {
				cnt, _ := pdf.ToInt(kd.Get("Count"))
				if int64(want) > cnt {
					want -= int(cnt)
					continue
				}
				visited[kref.Num] = true
				node = kd
				inherit(kd)
				descended = true
				break
			}
			if want == 1 {
				inherit(kd)
				pi := &pageInfo{Ref: kref, Number: n, Dict: kd}
				pi.MediaBox = boxOf(r, media, [4]float64{0, 0, 612, 792})
				pi.CropBox = boxOf(r, crop, pi.MediaBox)
				if rv, err := r.Resolve(rotate); err == nil {
					if v, ok := pdf.ToInt(rv); ok {
						pi.Rotate = int(((v % 360) + 360) % 360)
					}
				}
				return pi, nil
			}
			want--
		}
		if !descended {
			return nil, &Error{Kind: KindPageRange, Err: fmt.Errorf("page %d not found", n)}
		}
	}
	return nil, damagedf("page tree too deep")
}

func boxOf(r *pdf.Reader, o pdf.Object, def [4]float64) [4]float64 {
	o, err := r.Resolve(o)
	a, ok := o.(pdf.Array)
	if err != nil || !ok || len(a) != 4 {
		return def
	}
	var box [4]float64
	for i := range box {
		ao, _ := r.Resolve(a[i])
		v, ok := pdf.ToFloat(ao)
		if !ok {
			return def
		}
		box[i] = v
	}
	return box
}

// writeSigned writes the signed file. It returns need > 0 (and no file) when
// the CMS turned out larger than the placeholder.
func writeSigned(in *os.File, size int64, lastByte byte, out string, plan *sigPlan, cfg *signConfig) (res *Result, need int, err error) {
	s, err := plan.u.Bytes(size, lastByte)
	if err != nil {
		return nil, 0, err
	}
	cPos := s.Marks[markContents] // absolute offset of '<'
	gapEnd := cPos + int64(2*plan.contentsN) + 2
	total := size + int64(len(s.Data))
	br := [4]int64{0, cPos, gapEnd, total - gapEnd}
	brText := fmt.Sprintf("[%d %d %d %d]", br[0], br[1], br[2], br[3])
	if len(brText) > byteRangeLen {
		return nil, 0, &Error{Kind: KindInternal, Err: errors.New("byte range too wide")}
	}
	brText = brText[:len(brText)-1] + strings.Repeat(" ", byteRangeLen-len(brText)) + "]"
	rel := func(abs int64) int64 { return abs - size }
	copy(s.Data[rel(s.Marks[markByteRange]):], brText)

	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return nil, 0, newErr(KindIO, out, err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// One pass over the input: copy and hash together.
	h := cfg.hash.New()
	buf := make([]byte, 1<<20)
	n, err := io.CopyBuffer(io.MultiWriter(tmp, h), io.NewSectionReader(in, 0, size), buf)
	if err != nil {
		return nil, 0, newErr(KindIO, out, err)
	}
	if n != size {
		return nil, 0, newErr(KindIO, in.Name(), errors.New("input changed while signing"))
	}
	h.Write(s.Data[:rel(cPos)])
	h.Write(s.Data[rel(gapEnd):])
	digest := h.Sum(nil)
	der, err := cms.Build(&cfg.cms, digest, false, 0)
	switch {
	case errors.Is(err, cms.ErrSignerFailed):
		return nil, 0, &Error{Kind: KindSigner, Err: err}
	case errors.Is(err, cms.ErrKeyMismatch):
		return nil, 0, &Error{Kind: KindCertificate, Err: err}
	case err != nil:
		return nil, 0, err
	}
	if len(der) > plan.contentsN {
		return nil, len(der), nil
	}
	hex.Encode(s.Data[rel(cPos)+1:], der)
	if _, err := tmp.Write(s.Data); err != nil {
		return nil, 0, newErr(KindIO, out, err)
	}
	res = &Result{
		Output: out, Field: plan.field, Page: plan.page.Number, ByteRange: br,
		ContentsSize: plan.contentsN, CMSSize: len(der), Hash: hashName(cfg.hash),
		SigningTime: cfg.when, Level: "B-B", SignerCN: cfg.cms.Cert.Subject.CommonName,
	}
	if cfg.finish != nil {
		if err := cfg.finish(tmp, res); err != nil {
			return nil, 0, err
		}
	}
	if err := tmp.Sync(); err != nil {
		return nil, 0, newErr(KindIO, out, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, 0, newErr(KindIO, out, err)
	}
	if err := publish(tmp.Name(), out, cfg.opts.Force); err != nil {
		return nil, 0, err
	}
	ok = true
	return res, 0, nil
}

// publish moves the finished temporary file to out: without Force through a
// hard link, which fails if out appeared meanwhile (no clobbering).
func publish(tmp, out string, force bool) error {
	if !force {
		if err := os.Link(tmp, out); err == nil {
			os.Remove(tmp)
			syncDir(filepath.Dir(out))
			return nil
		} else if errors.Is(err, os.ErrExist) {
			os.Remove(tmp)
			return newErr(KindOutputExists, out, nil)
		}
		// No hard links on this file system: check, then rename.
		if _, err := os.Stat(out); err == nil {
			os.Remove(tmp)
			return newErr(KindOutputExists, out, nil)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return newErr(KindIO, out, err)
	}
	syncDir(filepath.Dir(out))
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func hashName(h crypto.Hash) string {
	switch h {
	case crypto.SHA1:
		return "SHA-1"
	case crypto.SHA256:
		return "SHA-256"
	case crypto.SHA384:
		return "SHA-384"
	case crypto.SHA512:
		return "SHA-512"
	}
	return h.String()
}

// Check tells, without signing, whether in can be signed into out with
// opts: it gives the refusals Sign would give (input missing, not a PDF,
// damaged, encrypted, page out of range, output existing or being the
// input). The CLI and the UI call it before asking for the PIN.
func Check(in, out string, opts Options) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Kind: KindInternal, Path: in, Err: fmt.Errorf("panic: %v", p)}
		}
		if err != nil {
			err = withPath(err, in)
		}
	}()
	if out == "" {
		out = DefaultOutput(in)
	}
	info, err := checkPaths(in, out, opts.Force)
	if err != nil {
		return err
	}
	f, err := os.Open(in)
	if err != nil {
		return newErr(KindIO, in, err)
	}
	defer f.Close()
	r, err := pdf.NewReader(f, info.Size())
	if err != nil {
		return withPath(err, in)
	}
	catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil {
		return withPath(err, in)
	}
	if catalog == nil {
		return newErr(KindDamaged, in, errors.New("catalog missing"))
	}
	if err := checkDocMDP(r, catalog); err != nil {
		return withPath(err, in)
	}
	pg, err := findPage(r, catalog, opts.Page)
	if err != nil {
		return withPath(err, in)
	}
	_, err = stampRect(pg, opts.Visible) // appearance.go: a visible stamp must fit the page
	return err
}

// checkDocMDP refuses a document certified with "no changes allowed"
// (DocMDP P=1): any new signature would break its certification.
func checkDocMDP(r *pdf.Reader, catalog *pdf.Dict) error {
	perms, err := r.ResolveDict(catalog.Get("Perms"))
	if err != nil || perms == nil {
		return err
	}
	sig, err := r.ResolveDict(perms.Get("DocMDP"))
	if err != nil || sig == nil {
		return err
	}
	refs, _ := r.Resolve(sig.Get("Reference"))
	ra, _ := refs.(pdf.Array)
	for _, ref := range ra {
		d, err := r.ResolveDict(ref)
		if err != nil || d == nil || d.NameOf("TransformMethod") != "DocMDP" {
			continue
		}
		tp, _ := r.ResolveDict(d.Get("TransformParams"))
		if p, ok := pdf.ToInt(tp.Get("P")); ok && p == 1 {
			return &Error{Kind: KindUnsupported, Err: errors.New("certified document: its author allowed no change, not even a signature")}
		}
	}
	return nil
}
