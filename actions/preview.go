package actions

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"
	"os"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/render"
)

// The page preview both front ends share: the window's sign screen and the
// CLI's render verb open documents here, with the same bounds, and get the
// same pages, sizes (as displayed: what page coordinates measure) and stamp.

// PreviewLimits bound one document's preview like the reader bounds a
// signature: each call within PreviewTimeout, at most the renderer's pages
// per open document, files up to the renderer's size limit.
var PreviewLimits = render.Limits{Timeout: PreviewTimeout}

// PreviewTimeout bounds opening a document and each page drawn.
const PreviewTimeout = 15 * time.Second

// MaxPreviewDPI bounds a page's resolution (a huge page at a high
// resolution is refused by the renderer's pixel limit anyway).
const MaxPreviewDPI = 600

// PreviewError is a preview that could not be made, in the person's words.
type PreviewError struct {
	Kind string // "unreadable", "too_large", "timeout", "page", "not_found"
	Page int
	Err  error
}

func (e *PreviewError) Error() string {
	if e.Err != nil {
		return "preview: " + e.Kind + ": " + e.Err.Error()
	}
	return "preview: " + e.Kind
}
func (e *PreviewError) Unwrap() error { return e.Err }

// Message is the refusal in lang, never the renderer's own text.
func (e *PreviewError) Message(lang string) string {
	return assets.T(lang, "preview.err."+e.Kind, map[string]any{"Page": e.Page})
}

func previewErr(err error, page int) error {
	if err == nil {
		return nil
	}
	var pe *PreviewError
	if errors.As(err, &pe) {
		return err
	}
	kind := "unreadable"
	switch {
	case errors.Is(err, render.ErrTooLarge), errors.Is(err, render.ErrTooMany):
		kind = "too_large"
	case errors.Is(err, render.ErrCancelled), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		kind = "timeout"
	case errors.Is(err, render.ErrBadPage):
		kind = "page"
	case errors.Is(err, os.ErrNotExist):
		kind = "not_found"
	}
	return &PreviewError{Kind: kind, Page: page, Err: err}
}

// WarmPreview starts the renderer ahead of the first document (the sign
// screen calls it when it opens): the first preview then costs the page,
// not the engine's start.
func WarmPreview() error { return previewErr(render.Warm(), 0) }

// Preview is one document open for the preview.
type Preview struct {
	doc    *render.Doc
	data   []byte           // the renderer's copy of the file
	fields []sign.FieldInfo // empty ones
	all    []sign.FieldInfo // signed or not (the verify screen's)
}

// OpenPreview opens the PDF at path for the preview: the renderer's copy
// in memory (the file is read once, never written), and its empty
// signature fields with their places.
func OpenPreview(ctx context.Context, path string) (*Preview, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, previewErr(err, 0)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, previewErr(err, 0)
	}
	max := PreviewLimits.MaxBytes
	if max <= 0 {
		max = render.DefaultMaxBytes
	}
	if st.Size() > max {
		return nil, &PreviewError{Kind: "too_large"}
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, previewErr(err, 0)
	}
	doc, err := render.Open(ctx, data, PreviewLimits)
	if err != nil {
		return nil, previewErr(err, 0)
	}
	p := &Preview{doc: doc, data: data}
	// A form's "sign here" boxes; a document the signer cannot read has
	// none to show (the check before the PIN says why).
	if fs, err := sign.SignatureFields(path); err == nil {
		for _, fi := range fs {
			if !fi.Visible() || fi.Page <= 0 || fi.OnPage[2] <= 0 {
				continue
			}
			p.all = append(p.all, fi)
			if !fi.Signed {
				p.fields = append(p.fields, fi)
			}
		}
	}
	return p, nil
}

// Pages is the number of pages.
func (p *Preview) Pages() int { return p.doc.Pages() }

// PageSize is page n's (1-based) size as displayed, in points.
func (p *Preview) PageSize(n int) (w, h float64, err error) {
	w, h, _, err = p.doc.PageBox(n - 1)
	return w, h, previewErr(err, n)
}

// Render draws page n (1-based) at dpi.
func (p *Preview) Render(ctx context.Context, n int, dpi float64) (*image.RGBA, error) {
	if !(dpi > 0 && dpi <= MaxPreviewDPI) {
		return nil, &PreviewError{Kind: "too_large", Page: n}
	}
	img, err := p.doc.Render(ctx, n-1, dpi)
	return img, previewErr(err, n)
}

// QuickBudget is the decoded size above which an image is drawn as a grey
// box in a page's quick first picture (Quick): 16 MB, a 2000 × 2000 photo.
const QuickBudget = 16 << 20

// Quick draws page n (1-based) at dpi with its images above QuickBudget
// as grey boxes of the same place, when it has some (ok false otherwise:
// the real render is quick enough): a first picture in a fraction of the
// time the renderer takes to decode a huge image, on the same page
// geometry. The change is an update appended to a copy in memory (the
// renderer reads the file's bytes and the update as one), in a renderer
// instance of its own, closed before returning.
func (p *Preview) Quick(ctx context.Context, n int, dpi float64) (img *image.RGBA, ok bool, err error) {
	upd := sign.LightPage(bytes.NewReader(p.data), int64(len(p.data)), n, QuickBudget)
	if upd == nil {
		return nil, false, nil
	}
	if !(dpi > 0 && dpi <= MaxPreviewDPI) {
		return nil, false, &PreviewError{Kind: "too_large", Page: n}
	}
	all := joined{p.data, upd}
	doc, err := render.OpenReader(ctx, all, all.size(), PreviewLimits)
	if err != nil {
		return nil, false, previewErr(err, n)
	}
	defer doc.Close()
	img, err = doc.Render(ctx, n-1, dpi)
	if err != nil {
		return nil, false, previewErr(err, n)
	}
	return img, true, nil
}

// joined reads two byte slices as one (the file and an update after it),
// without copying the file.
type joined [2][]byte

func (j joined) size() int64 { return int64(len(j[0]) + len(j[1])) }

func (j joined) ReadAt(b []byte, off int64) (int, error) {
	n := 0
	for _, part := range j {
		if off >= int64(len(part)) {
			off -= int64(len(part))
			continue
		}
		c := copy(b[n:], part[off:])
		n += c
		off = 0
		if n == len(b) {
			return n, nil
		}
	}
	return n, io.EOF
}

// Fields are the empty signature fields that have a place on a page.
func (p *Preview) Fields() []sign.FieldInfo { return p.fields }

// AllFields are the signature fields, signed or not, that have a place on
// a page.
func (p *Preview) AllFields() []sign.FieldInfo { return p.all }

// Corner is where the signer puts a corner stamp on page n, in page
// coordinates (it depends only on the displayed size).
func (p *Preview) Corner(n int, c sign.Corner) [4]float64 {
	w, h, err := p.PageSize(n)
	if err != nil {
		return [4]float64{}
	}
	return sign.CornerOnPage([4]float64{0, 0, w, h}, 0, c)
}

// Close frees the renderer's copy.
func (p *Preview) Close() error { return p.doc.Close() }

// StampPicture renders the stamp sp exactly as the signer will draw it
// (sign.WriteStampPreview), at dpi.
func StampPicture(ctx context.Context, sp sign.StampPreview, dpi float64) (*image.RGBA, error) {
	var b bytes.Buffer
	if err := sign.WriteStampPreview(&b, sp); err != nil {
		return nil, err
	}
	doc, err := render.Open(ctx, b.Bytes(), PreviewLimits)
	if err != nil {
		return nil, previewErr(err, 1)
	}
	defer doc.Close()
	img, err := doc.Render(ctx, 0, dpi)
	return img, previewErr(err, 1)
}

// ParseCorner reads a corner's name as --corner takes it.
func ParseCorner(s string) (sign.Corner, bool) {
	switch s {
	case "", "bottom-right", "br":
		return sign.BottomRight, true
	case "bottom-left", "bl":
		return sign.BottomLeft, true
	case "top-right", "tr":
		return sign.TopRight, true
	case "top-left", "tl":
		return sign.TopLeft, true
	}
	return sign.BottomRight, false
}
