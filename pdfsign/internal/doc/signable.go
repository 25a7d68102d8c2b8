package doc

import (
	"io"

	"github.com/certigna-desktop/app/internal/pdf"
)

// OpenForSigning reads a file to sign: as it is when its cross-reference
// data describes it (pdf.Reader.CheckXref); when readers would have to
// repair it, rebuilt by the same kind of scan (pdf.NewRepairedReader), so
// that the signature's update carries a complete table saying what their
// repair said and nobody repairs anything afterwards. A file that cannot be
// repaired safely keeps its "damaged" refusal (re-save it).
func OpenForSigning(f io.ReaderAt, size int64) (*pdf.Reader, error) {
	r, err := pdf.NewReaderDecrypting(f, size)
	if err == nil {
		if err = r.CheckXref(); err == nil {
			return r, nil
		}
	}
	if !pdf.Repairable(err) {
		return nil, err
	}
	if r2, err2 := pdf.NewRepairedReader(f, size); err2 == nil {
		return r2, nil
	}
	return nil, err
}

// OpenForVerify reads a file to verify the way signing reads it (one
// reading for both, issue 21): as it is, and when its cross-reference data
// cannot be read at all or its /Root does not lead to a catalog (an update
// placing the object at an offset with no header, naming its /Info as
// /Root: pdf.js's issue9418), rebuilt by the scan signing does. A rebuilt
// file that holds signatures is not read rebuilt: its revisions, and so
// what each signature covers and what changed after it, are lost with its
// tables. An unsigned rebuilt file is what signing would sign: it is read
// (and has no signature), not called unreadable.
func OpenForVerify(f io.ReaderAt, size int64) (*pdf.Reader, error) {
	r, err := pdf.NewReaderDecrypting(f, size)
	if err == nil && hasCatalog(r) {
		return r, nil
	}
	if err != nil && !pdf.Repairable(err) {
		return r, err
	}
	asIs := func() (*pdf.Reader, error) { // read as it is: the error, or the reader as opened
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	r2, err2 := pdf.NewRepairedReader(f, size)
	if err2 != nil {
		return asIs()
	}
	if fields, ferr := SigFields(r2); ferr != nil || len(fields) > 0 {
		return asIs()
	}
	return r2, nil
}

// hasCatalog: the trailer's /Root reads as a dictionary with /Pages.
func hasCatalog(r *pdf.Reader) bool {
	c, err := r.ResolveDict(r.Trailer.Get("Root"))
	return err == nil && c != nil && c.Has("Pages")
}
