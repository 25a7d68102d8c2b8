package ui

import (
	"context"
	"image"
)

// PageSource is the page preview's side of the app: documents rendered by
// the application's one renderer (bounded in time, memory and pages, off
// the UI goroutine, cancelled through ctx), and the stamp drawn as the
// signer will draw it. The real one is in ui/backend.
type PageSource interface {
	OpenPages(ctx context.Context, path string) (Pages, error)
	// StampPicture is the stamp of opts (holder, reason, language) at
	// w × h points as displayed, rendered at dpi.
	StampPicture(ctx context.Context, opts SignOptions, w, h, dpi float64) (image.Image, error)
}

// Pages is one document open for the preview. Pages are numbered from 1;
// places are page coordinates (points on the page as displayed, from its
// bottom-left corner: what --rect takes).
type Pages interface {
	Count() int
	// Size is page i's size as displayed, in points.
	Size(i int) (w, h float64, err error)
	Render(ctx context.Context, i int, dpi float64) (image.Image, error)
	// Fields are the document's empty signature fields that have a place
	// on a page.
	Fields() []PageField
	// Corner is where the stamp goes for a corner choice (StampCorners) on
	// page i, as the signer computes it.
	Corner(i int, corner string) [4]float64
	Close() error
}

// PageField is an empty signature field and where it is shown.
type PageField struct {
	Name   string
	Page   int
	OnPage [4]float64
}
