package pdfsign

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/certigna-desktop/app/internal/pdf"
)

// The refusals Sign would give, found without signing: the CLI and the
// window call Check before they ask for the PIN.

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
	if !inInfo.Mode().IsRegular() {
		return nil, newErr(KindNotRegular, in, nil) // a FIFO or a device: reading it could block forever
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

// Check tells, without signing, whether in can be signed into out with
// opts: it gives the refusals Sign would give (input missing, not a PDF,
// damaged, encrypted, page out of range, output existing or being the
// input) and those that would come only after the PIN (output folder,
// TSA, an existing DSS: precheck.go). The CLI and the UI call it before
// asking for the PIN.
func Check(in, out string, opts Options) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicErr(in, p)
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
	if err := CheckInput(in, opts); err != nil {
		return err
	}
	return checkOutputPlace(out, info.Size(), opts.Force) // precheck.go
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
