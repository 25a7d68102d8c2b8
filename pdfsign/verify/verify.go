package verify

import (
	"context"
	"os"
	"sort"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// Verify checks every signature of the PDF at path. A file without any
// signature gives a report and an *Error of KindNoSignature. Nothing is
// fetched from the network: revocation is judged from the data embedded in
// the document. ctx can stop a long verification between signatures.
//
// The steps, in order: the file is opened and its xref chain read, its
// revisions located (verify_changes.go), its signature fields found
// (pdfsign's sigfields.go), then each signature checked (checkOne,
// verify_signature.go) and the report's verdict given.
func Verify(ctx context.Context, path string, opts Options) (rep *Report, err error) {
	defer func() {
		if p := recover(); p != nil {
			rep, err = nil, doc.PanicErr(path, p)
		}
	}()
	f, st, err := doc.OpenInput(path) // a FIFO or a device is refused before it is opened (limits.go)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err = verifyReadBack(ctx, f, st.Size(), opts) // File, and ReadBack's check (written.go)
	if rep != nil {
		rep.File = path
		// Names, reasons, field names, details: attacker text, made safe
		// once here for every consumer (safetext.go).
		rep.sanitize()
	}
	return rep, doc.WithPath(err, path)
}

func File(ctx context.Context, f *os.File, size int64, opts Options) (*Report, error) {
	if size == 0 {
		return nil, doc.NewErr(pdfsign.KindNotPDF, "", nil)
	}
	r, err := doc.OpenForVerify(f, size) // as signing reads it (signable.go)
	if err != nil {
		return nil, err
	}
	rep := &Report{Size: size, Encrypted: r.Encrypted()}
	ends, err := revisionEnds(f, size, r)
	if err != nil {
		return nil, err
	}
	rep.Revisions = len(ends)
	fields, err := doc.SigFields(r)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return rep, doc.NewErr(pdfsign.KindNoSignature, "", nil)
	}
	opts.docCerts, _, _, _ = ReadDSS(r, "")
	rep.OK = true
	seen := map[string]int{} // signature → its index in rep.Signatures
	keys := sigKeys{}
	for _, sf := range fields {
		if err := ctx.Err(); err != nil {
			return nil, &pdfsign.Error{Kind: pdfsign.KindCanceled, Err: err}
		}
		// The same signature named by many fields is verified once; the
		// fields, the signatures and the bytes they hash are bounded
		// (limits.go).
		if err := r.CountSigField(); err != nil {
			return nil, err
		}
		key, err := keys.key(r, sf.V)
		if err != nil {
			return nil, err
		}
		if i, dup := seen[key]; dup {
			s := rep.Signatures[i]
			s.Field = sf.Name
			s.Problems = append([]Problem(nil), s.Problems...)
			rep.Signatures = append(rep.Signatures, s)
			continue
		}
		if err := r.CountSignature(); err != nil {
			return nil, err
		}
		if err := r.CountHashed(sigWork(r, sf.V, size)); err != nil {
			return nil, err
		}
		seen[key] = len(rep.Signatures)
		rep.Checked++
		s := checkOne(f, size, r, sf, ends, opts)
		rep.Signatures = append(rep.Signatures, s)
	}
	if err := r.LimitErr(); err != nil {
		return nil, err
	}
	// What changed after each signature, allowed or not (decides rep.OK),
	// then the levels that need every signature (B-LTA); the analysis reads
	// through the same bounded reader.
	applyChanges(r, ends, fields, rep)
	finishLevels(r, rep)
	if err := r.LimitErr(); err != nil {
		return nil, err
	}
	// What a viewer shows, signed revision against final document, for the
	// changes the structure allows (verify_visual.go).
	visualCheck(ctx, f, size, r, rep)
	if err := r.LimitErr(); err != nil { // a page's reach cut short would skip its comparison
		return nil, err
	}
	// Oldest signature first.
	sort.SliceStable(rep.Signatures, func(i, j int) bool {
		return rep.Signatures[i].order < rep.Signatures[j].order
	})
	return rep, nil
}

func lastEnd(br []int64) int64 {
	if len(br) < 2 {
		return 0
	}
	return br[len(br)-2] + br[len(br)-1]
}
