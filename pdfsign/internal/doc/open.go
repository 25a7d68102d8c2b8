package doc

import (
	"errors"
	"fmt"
	"os"

	"github.com/certigna-desktop/app/pdfsign"
)

// Opening an input: only a regular file, and a panic met while reading it
// is a damaged-PDF error.

// OpenInput opens a PDF for reading after making sure it is a regular file:
// a FIFO would block the open (and every read) forever, a device never
// ends.
func OpenInput(path string) (*os.File, os.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, NewErr(pdfsign.KindInputNotFound, path, err)
		}
		return nil, nil, NewErr(pdfsign.KindIO, path, err)
	}
	if st.IsDir() {
		return nil, nil, NewErr(pdfsign.KindNotPDF, path, errors.New("is a directory"))
	}
	if !st.Mode().IsRegular() {
		return nil, nil, NewErr(pdfsign.KindNotRegular, path, nil)
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, nil, NewErr(pdfsign.KindIO, path, err)
	}
	// The path may have been swapped between the two calls.
	st, err = f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, nil, NewErr(pdfsign.KindIO, path, err)
		}
		return nil, nil, NewErr(pdfsign.KindNotRegular, path, nil)
	}
	return f, st, nil
}

// PanicErr turns a panic met while reading a file into a damaged-PDF error:
// what a person sees is the file refused (exit 7), never a stack trace. The
// fuzz targets call the reader without this recover, so such bugs still
// show up there.
func PanicErr(path string, p any) error {
	return &pdfsign.Error{Kind: pdfsign.KindDamaged, Path: path, Err: fmt.Errorf("unexpected structure (internal error: %v)", p)}
}
