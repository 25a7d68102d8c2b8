package browsers

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Why a profile file is not read or written (issue #23): a link, something
// other than a regular file (a FIFO would block forever), or a file far too
// large for a list of modules (a sparse 3 GB file must not be loaded).
var (
	errLinked     = errors.New("a symbolic link")
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = errors.New("too large")
)

// readProfileFile reads a profile file Register/Unregister may rewrite: the
// name itself, never what a link points to (follow=false), only a regular
// file, at most max bytes. It returns the file's permission bits, so that its
// replacement keeps them. A missing file is fs.ErrNotExist.
func readProfileFile(p string, max int64, follow bool) ([]byte, fs.FileMode, error) {
	f, err := openNoBlock(p, follow)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	// The open itself did not block (O_NONBLOCK); what was opened is checked
	// on the descriptor, so a file swapped after a Lstat changes nothing.
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, errNotRegular
	}
	if fi.Size() > max {
		return nil, 0, errTooLarge
	}
	// Read one byte past the bound: a file that grew since the fstat is
	// still refused, and memory stays bounded.
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, 0, err
	}
	if int64(len(b)) > max {
		return nil, 0, errTooLarge
	}
	return b, fi.Mode().Perm(), nil
}

// profileFileError turns a readProfileFile failure into the message a
// person reads.
func profileFileError(p string, err error) error {
	switch {
	case errors.Is(err, errLinked):
		target, _ := os.Readlink(p)
		return &Error{Kind: KindLinked, Path: p, Detail: target, Err: err}
	case errors.Is(err, errNotRegular):
		return &Error{Kind: KindNotRegular, Path: p, Err: err}
	case errors.Is(err, errTooLarge):
		size := ""
		if fi, e := os.Lstat(p); e == nil {
			size = fmt.Sprintf("%d MB", fi.Size()>>20)
		}
		return &Error{Kind: KindTooLarge, Path: p, Detail: size, Err: err}
	}
	return &Error{Kind: KindWrite, Path: p, Err: err}
}

// writeNew writes b to p through a new file created exclusively next to it
// (O_EXCL: never an existing file, never through a link) and renamed over p:
// rename replaces the name p, so a link already there is replaced, not
// followed, and nothing outside the folder is touched. A crash leaves the old
// or the new file, never half of one.
func writeNew(p string, b []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename: no such file
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}
