package verify

import (
	"io"
	"os"
	"path/filepath"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
)

// SignedVersion writes revision n (1-based, as Report.Revisions and
// SignatureReport.Revision count them) of the PDF at in to out: the bytes
// up to that revision's %%EOF, the document as its signer saw it (what a
// viewer calls "view signed version"). Never over the input, over an
// existing out only with force, nothing left behind on failure.
func SignedVersion(in, out string, n int, force bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = doc.PanicErr(in, p)
		}
	}()
	if _, err := doc.CheckPaths(in, out, force); err != nil {
		return err
	}
	f, st, err := doc.OpenInput(in)
	if err != nil {
		return doc.WithPath(err, in)
	}
	defer f.Close()
	r, err := pdf.NewReaderDecrypting(f, st.Size())
	if err != nil {
		return doc.WithPath(err, in)
	}
	ends, err := revisionEnds(f, st.Size(), r)
	if err != nil {
		return doc.WithPath(err, in)
	}
	if n < 1 || n > len(ends) {
		return doc.NewErr(pdfsign.KindRevisionRange, in, nil)
	}
	end := ends[n-1].end
	tmp, err := os.CreateTemp(filepath.Dir(out), ".certigna-revision-*.pdf")
	if err != nil {
		return doc.NewErr(pdfsign.KindIO, out, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, io.NewSectionReader(f, 0, end)); err != nil {
		return doc.NewErr(pdfsign.KindIO, out, err)
	}
	if err = tmp.Sync(); err != nil {
		return doc.NewErr(pdfsign.KindIO, out, err)
	}
	if err = tmp.Close(); err != nil {
		return doc.NewErr(pdfsign.KindIO, out, err)
	}
	if err = os.Rename(tmp.Name(), out); err != nil {
		return doc.NewErr(pdfsign.KindIO, out, err)
	}
	return nil
}

// RevisionEnd is where revision n (1-based) of the PDF at path ends: the
// length of its signed version.
func RevisionEnd(path string, n int) (end int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			end, err = 0, doc.PanicErr(path, p)
		}
	}()
	f, st, err := doc.OpenInput(path)
	if err != nil {
		return 0, doc.WithPath(err, path)
	}
	defer f.Close()
	r, err := pdf.NewReaderDecrypting(f, st.Size())
	if err != nil {
		return 0, doc.WithPath(err, path)
	}
	ends, err := revisionEnds(f, st.Size(), r)
	if err != nil {
		return 0, doc.WithPath(err, path)
	}
	if n < 1 || n > len(ends) {
		return 0, doc.NewErr(pdfsign.KindRevisionRange, path, nil)
	}
	return ends[n-1].end, nil
}
