package ui

import (
	"context"
	"image"

	"github.com/certigna-desktop/app/actions"
)

// PageSource is the page preview's side of the app: documents rendered by
// the application's one renderer (bounded in time, memory and pages, off
// the UI goroutine, cancelled through ctx), and the stamp drawn as the
// signer will draw it. The real one is actions.PageSource.
type PageSource interface {
	OpenPages(ctx context.Context, path string) (actions.PreviewDoc, error)
	// StampPicture is the stamp of opts (holder, reason, language) at
	// w × h points as displayed, rendered at dpi.
	StampPicture(ctx context.Context, opts actions.SignOptions, w, h, dpi float64) (image.Image, error)
}

// previewDoc is one document open for the preview (actions.PreviewDoc), and
// pageField an empty signature field on one of its pages.
type (
	previewDoc = actions.PreviewDoc
	pageField  = actions.PageField
)
