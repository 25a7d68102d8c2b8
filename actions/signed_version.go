package actions

import (
	"context"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"

	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
	"github.com/certigna-desktop/app/render"
)

// What a changed document showed when it was signed: the verify screen's
// side-by-side view (the signed version and the current one, changed
// regions outlined) and "Ouvrir la version signée".

// VisibleChange is a page that shows something else than when a signature
// was made, with the rectangles (points from the top-left of the page as
// displayed).
type VisibleChange = verify.PageChange

// PageRect is one changed region, in points from the top-left of the page.
type PageRect = verify.PageRect

// CompareDPI is the resolution of the side-by-side pages.
const CompareDPI = 60

// ComparePages draws page (1-based) of revision (what its signer saw) and of
// the current document, bounded like the preview.
func (d *Documents) ComparePages(ctx context.Context, path string, revision, page int) (signed, current *image.RGBA, err error) {
	end, err := verify.RevisionEnd(path, revision)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, previewErr(err, page)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, previewErr(err, page)
	}
	draw := func(r io.ReaderAt, size int64) (*image.RGBA, error) {
		doc, err := render.OpenReader(ctx, r, size, PreviewLimits)
		if err != nil {
			return nil, previewErr(err, page)
		}
		defer doc.Close()
		img, err := doc.Render(ctx, page-1, CompareDPI)
		return img, previewErr(err, page)
	}
	if signed, err = draw(io.NewSectionReader(f, 0, end), end); err != nil {
		return nil, nil, err
	}
	if current, err = draw(f, st.Size()); err != nil {
		return nil, nil, err
	}
	return signed, current, nil
}

// SaveSignedVersion writes revision n of path beside it under a free name
// ("contrat-version-signee-2.pdf") and returns that path.
func (d *Documents) SaveSignedVersion(path string, revision int) (string, error) {
	out := sign.FreeOutput(filepath.Dir(path), path, fmt.Sprintf("-version-signee-%d", revision), nil)
	if err := verify.SignedVersion(path, out, revision, false); err != nil {
		return "", err
	}
	return out, nil
}
