package doc

// The paths a command reads and writes: never the input as the output,
// never over an existing file unless asked.

import (
	"errors"

	"os"
	"path/filepath"

	"github.com/certigna-desktop/app/pdfsign"
)

// CheckPaths refuses to write over the input or over an existing file.
func CheckPaths(in, out string, force bool) (os.FileInfo, error) {
	inInfo, err := os.Stat(in)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, NewErr(pdfsign.KindInputNotFound, in, err)
		}
		return nil, NewErr(pdfsign.KindIO, in, err)
	}
	if inInfo.IsDir() {
		return nil, NewErr(pdfsign.KindNotPDF, in, errors.New("is a directory"))
	}
	if !inInfo.Mode().IsRegular() {
		return nil, NewErr(pdfsign.KindNotRegular, in, nil) // a FIFO or a device: reading it could block forever
	}
	absIn, err1 := filepath.Abs(in)
	absOut, err2 := filepath.Abs(out)
	if err1 == nil && err2 == nil && absIn == absOut {
		return nil, NewErr(pdfsign.KindSameFile, out, nil)
	}
	if outInfo, err := os.Stat(out); err == nil {
		if os.SameFile(inInfo, outInfo) {
			return nil, NewErr(pdfsign.KindSameFile, out, nil)
		}
		if outInfo.IsDir() || !force {
			return nil, NewErr(pdfsign.KindOutputExists, out, nil)
		}
	}
	return inInfo, nil
}
