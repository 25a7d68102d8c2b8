package sign

import (
	"errors"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// The refusals Sign would give, found without signing: the CLI and the
// window call Check before they ask for the PIN.

// Check tells, without signing, whether in can be signed into out with
// opts: it gives the refusals Sign would give (input missing, not a PDF,
// damaged, encrypted, page out of range, output existing or being the
// input) and those that would come only after the PIN (output folder,
// TSA, an existing DSS: precheck.go). The CLI and the UI call it before
// asking for the PIN.
func Check(in, out string, opts Options) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = doc.PanicErr(in, p)
		}
		if err != nil {
			err = doc.WithPath(err, in)
		}
	}()
	if out == "" {
		out = DefaultOutput(in)
	}
	info, err := doc.CheckPaths(in, out, opts.Force)
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
			return &pdfsign.Error{Kind: pdfsign.KindUnsupported, Err: errors.New("certified document: its author allowed no change, not even a signature")}
		}
	}
	return nil
}

// checkSignable gathers the refusals that depend on the document (before
// any PIN): DocMDP "no changes", the permissions of an encrypted file, and
// the locks and seed values of the chosen signature field (fields.go).
func checkSignable(r *pdf.Reader, catalog *pdf.Dict, opts Options) error {
	if err := checkDocMDP(r, catalog); err != nil {
		return err
	}
	if !r.AllowsSigning() {
		return &pdfsign.Error{Kind: pdfsign.KindForbidden, Err: assets.Reason{Key: "pdf.forbid.permissions"}}
	}
	_, _, err := chooseField(r, catalog, opts)
	return err
}
