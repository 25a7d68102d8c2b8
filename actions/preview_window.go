package actions

import (
	"context"
	"image"
	"time"

	"github.com/certigna-desktop/app/pdfsign/sign"
)

// The window's page preview: documents opened by OpenPreview, seen through
// PreviewDoc, and the stamp drawn as the signer will draw it.

// PageField is a signature field and where it is shown. Name is the PDF's
// text, raw: for matching, never for a screen (ShownText).
type PageField struct {
	Name   string
	Page   int
	OnPage [4]float64
	Signed bool
}

// PreviewDoc is one document open for the preview. Pages are numbered from
// 1; places are page coordinates (points on the page as displayed, from its
// bottom-left corner: what --rect takes).
type PreviewDoc interface {
	Count() int
	// Size is page i's size as displayed, in points.
	Size(i int) (w, h float64, err error)
	Render(ctx context.Context, i int, dpi float64) (image.Image, error)
	// Quick is page i without its huge images (grey boxes instead), when
	// it has some (ok false otherwise): a first picture while Render
	// decodes them, with the same geometry.
	Quick(ctx context.Context, i int, dpi float64) (img image.Image, ok bool, err error)
	// Fields are the document's empty signature fields that have a place
	// on a page.
	Fields() []PageField
	// SignatureFields are all its signature fields that have a place on
	// a page, signed ones too (the verify screen outlines them).
	SignatureFields() []PageField
	// Corner is where the stamp goes for a corner choice (StampCorners) on
	// page i, as the signer computes it.
	Corner(i int, corner string) [4]float64
	Close() error
}

// PageSource opens documents for the window's preview.
type PageSource struct{}

// NewPageSource is the window's preview source.
func NewPageSource() *PageSource { return &PageSource{} }

// OpenPages opens path for the preview.
func (PageSource) OpenPages(ctx context.Context, path string) (PreviewDoc, error) {
	p, err := OpenPreview(ctx, path)
	if err != nil {
		return nil, err
	}
	return previewDoc{p}, nil
}

// StampPicture renders the stamp the signer will draw for o, at w × h
// points as displayed, at dpi.
func (PageSource) StampPicture(ctx context.Context, o SignOptions, w, h, dpi float64) (image.Image, error) {
	img, err := StampPicture(ctx, sign.StampPreview{Holder: o.Name, Reason: o.Reason, Location: o.Location,
		Lang: o.Lang, When: time.Now(), W: w, H: h}, dpi)
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return img, nil
}

// Warm starts the renderer in advance.
func (PageSource) Warm() { _ = WarmPreview() }

type previewDoc struct{ p *Preview }

func (d previewDoc) Count() int { return d.p.Pages() }

func (d previewDoc) Size(i int) (float64, float64, error) { return d.p.PageSize(i) }

func (d previewDoc) Render(ctx context.Context, i int, dpi float64) (image.Image, error) {
	img, err := d.p.Render(ctx, i, dpi)
	if err != nil {
		return nil, err
	}
	return img, nil
}

func (d previewDoc) Quick(ctx context.Context, i int, dpi float64) (image.Image, bool, error) {
	img, ok, err := d.p.Quick(ctx, i, dpi)
	if !ok {
		return nil, false, err
	}
	return img, true, nil
}

func (d previewDoc) Fields() []PageField { return pageFields(d.p.Fields()) }

func (d previewDoc) SignatureFields() []PageField { return pageFields(d.p.AllFields()) }

func pageFields(fs []sign.FieldInfo) []PageField {
	var out []PageField
	for _, f := range fs {
		out = append(out, PageField{Name: f.Name, Page: f.Page, OnPage: f.OnPage, Signed: f.Signed})
	}
	return out
}

func (d previewDoc) Corner(i int, corner string) [4]float64 {
	c, _ := ParseCorner(corner)
	return d.p.Corner(i, c)
}

func (d previewDoc) Close() error { return d.p.Close() }
