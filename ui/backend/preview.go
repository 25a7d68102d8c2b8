package backend

import (
	"context"
	"image"
	"time"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/ui"
)

// Pages adapts the shared preview (actions, over render/) to
// ui.PageSource.
type Pages struct{}

// NewPages is the real page source.
func NewPages() *Pages { return &Pages{} }

// OpenPages opens path for the preview.
func (Pages) OpenPages(ctx context.Context, path string) (ui.Pages, error) {
	p, err := actions.OpenPreview(ctx, path)
	if err != nil {
		return nil, err
	}
	return previewDoc{p}, nil
}

// StampPicture renders the stamp the signer will draw for o.
func (Pages) StampPicture(ctx context.Context, o ui.SignOptions, w, h, dpi float64) (image.Image, error) {
	img, err := actions.StampPicture(ctx, pdfsign.StampPreview{Holder: o.Name, Reason: o.Reason, Location: o.Location,
		Lang: o.Lang, When: time.Now(), W: w, H: h}, dpi)
	if err != nil {
		return nil, err
	}
	return img, nil
}

// Warm starts the renderer in advance.
func (Pages) Warm() { _ = actions.WarmPreview() }

type previewDoc struct{ p *actions.Preview }

func (d previewDoc) Count() int { return d.p.Pages() }

func (d previewDoc) Size(i int) (float64, float64, error) { return d.p.PageSize(i) }

func (d previewDoc) Render(ctx context.Context, i int, dpi float64) (image.Image, error) {
	img, err := d.p.Render(ctx, i, dpi)
	if err != nil {
		return nil, err
	}
	return img, nil
}

func (d previewDoc) Fields() []ui.PageField {
	var out []ui.PageField
	for _, f := range d.p.Fields() {
		out = append(out, ui.PageField{Name: f.Name, Page: f.Page, OnPage: f.OnPage})
	}
	return out
}

func (d previewDoc) Corner(i int, corner string) [4]float64 {
	c, _ := actions.ParseCorner(corner)
	return d.p.Corner(i, c)
}

func (d previewDoc) Close() error { return d.p.Close() }
