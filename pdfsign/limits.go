package pdfsign

import (
	"errors"
	"fmt"
	"os"
)

// Hostile input (issue #11). The reader's work bounds live in
// internal/pdf/limits.go; a bound reached comes out of WithPath as a *Error
// of KindLimit whose Err is a *pdf.LimitError (Message names the bound).
// Here: inputs that are not regular files, panics, and the per-signature
// accounting of Verify.

// Kinds added by the hostile-input work (errors.go has the others).
const (
	KindLimit      Kind = "limit"       // the file asks for more work than its size can justify
	KindNotRegular Kind = "not_regular" // a pipe, a device, a folder… given as a PDF
)

// OpenInput opens a PDF for reading after making sure it is a regular file:
// a FIFO would block the open (and every read) forever, a device never
// ends.
func OpenInput(path string) (*os.File, os.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, NewErr(KindInputNotFound, path, err)
		}
		return nil, nil, NewErr(KindIO, path, err)
	}
	if st.IsDir() {
		return nil, nil, NewErr(KindNotPDF, path, errors.New("is a directory"))
	}
	if !st.Mode().IsRegular() {
		return nil, nil, NewErr(KindNotRegular, path, nil)
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, nil, NewErr(KindIO, path, err)
	}
	// The path may have been swapped between the two calls.
	st, err = f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, nil, NewErr(KindIO, path, err)
		}
		return nil, nil, NewErr(KindNotRegular, path, nil)
	}
	return f, st, nil
}

// PanicErr turns a panic met while reading a file into a damaged-PDF error:
// what a person sees is the file refused (exit 7), never a stack trace. The
// fuzz targets call the reader without this recover, so such bugs still
// show up there.
func PanicErr(path string, p any) error {
	return &Error{Kind: KindDamaged, Path: path, Err: fmt.Errorf("unexpected structure (internal error: %v)", p)}
}
