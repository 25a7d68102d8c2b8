package pdfsign

import (
	"io"
	"os"
	"path/filepath"

	"github.com/certigna-desktop/app/internal/pdf"
)

// SignedVersion writes revision n (1-based, as Report.Revisions and
// SignatureReport.Revision count them) of the PDF at in to out: the bytes
// up to that revision's %%EOF, the document as its signer saw it (what a
// viewer calls "view signed version"). Never over the input, over an
// existing out only with force, nothing left behind on failure.
func SignedVersion(in, out string, n int, force bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicErr(in, p)
		}
	}()
	if _, err := checkPaths(in, out, force); err != nil {
		return err
	}
	f, st, err := openInput(in)
	if err != nil {
		return withPath(err, in)
	}
	defer f.Close()
	r, err := pdf.NewReaderDecrypting(f, st.Size())
	if err != nil {
		return withPath(err, in)
	}
	ends, err := revisionEnds(f, st.Size(), r)
	if err != nil {
		return withPath(err, in)
	}
	if n < 1 || n > len(ends) {
		return newErr(KindRevisionRange, in, nil)
	}
	end := ends[n-1].end
	tmp, err := os.CreateTemp(filepath.Dir(out), ".certigna-revision-*.pdf")
	if err != nil {
		return newErr(KindIO, out, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, io.NewSectionReader(f, 0, end)); err != nil {
		return newErr(KindIO, out, err)
	}
	if err = tmp.Sync(); err != nil {
		return newErr(KindIO, out, err)
	}
	if err = tmp.Close(); err != nil {
		return newErr(KindIO, out, err)
	}
	if err = os.Rename(tmp.Name(), out); err != nil {
		return newErr(KindIO, out, err)
	}
	return nil
}

// RevisionEnd is where revision n (1-based) of the PDF at path ends: the
// length of its signed version.
func RevisionEnd(path string, n int) (end int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			end, err = 0, panicErr(path, p)
		}
	}()
	f, st, err := openInput(path)
	if err != nil {
		return 0, withPath(err, path)
	}
	defer f.Close()
	r, err := pdf.NewReaderDecrypting(f, st.Size())
	if err != nil {
		return 0, withPath(err, path)
	}
	ends, err := revisionEnds(f, st.Size(), r)
	if err != nil {
		return 0, withPath(err, path)
	}
	if n < 1 || n > len(ends) {
		return 0, newErr(KindRevisionRange, path, nil)
	}
	return ends[n-1].end, nil
}
