package pdfsign

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sort"

	"github.com/certigna-desktop/app/internal/pdf"
)

// Verify checks every signature of the PDF at path. A file without any
// signature gives a report and an *Error of KindNoSignature. Nothing is
// fetched from the network: revocation is judged from the data embedded in
// the document. ctx can stop a long verification between signatures.
//
// The steps, in order: the file is opened and its xref chain read, its
// revisions located (verify_changes.go), its signature fields found
// (verify_fields.go), then each signature checked (checkOne,
// verify_signature.go) and the report's verdict given.
func Verify(ctx context.Context, path string, opts VerifyOptions) (rep *Report, err error) {
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
	rep, err = verifyReader(ctx, f, st.Size(), opts)
	if rep != nil {
		rep.File = path
	}
	return rep, withPath(err, path)
}

func verifyReader(ctx context.Context, f *os.File, size int64, opts VerifyOptions) (*Report, error) {
	if size == 0 {
		return nil, newErr(KindNotPDF, "", nil)
	}
	r, err := pdf.NewReaderDecrypting(f, size)
	if err != nil {
		return nil, err
	}
	rep := &Report{Size: size, Encrypted: r.Encrypted()}
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
	opts.docCerts, _, _, _ = ltvReadDSS(r, "")
	rep.OK = true
	for _, sf := range fields {
		if err := ctx.Err(); err != nil {
			return nil, &Error{Kind: KindCanceled, Err: err}
		}
		s := checkOne(f, size, r, sf, ends, opts)
		rep.Signatures = append(rep.Signatures, s)
	}
	// What changed after each signature, allowed or not (decides rep.OK),
	// then the levels that need every signature (B-LTA).
	applyChanges(r, ends, fields, rep)
	finishLevels(r, rep)
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
