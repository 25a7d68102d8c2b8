package pdfsign

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sort"

	"github.com/certigna-desktop/app/internal/pdf"
)

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
