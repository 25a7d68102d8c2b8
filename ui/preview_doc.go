package ui

import (
	"context"
	"image"
	"math"

	"fyne.io/fyne/v2/widget"
)

// pageDoc is a preview's document, shared by the sign screen's preview and
// the verify screen's: opened in the background through the application's
// renderer; replacing it cancels what is in flight and closes the previous
// renderer instance; a late answer for a replaced document or another page
// is dropped.
type pageDoc struct {
	a    *App
	src  PageSource
	doc  previewDoc
	path string
	page int // shown, 1-based
	// gen numbers loads: a late answer for an older one is dropped.
	gen    int
	cancel context.CancelFunc
	ctx    context.Context // the current load's, cancelled by the next
}

// open replaces the document with path's ("" none); opened is called on
// the UI goroutine with the document (then kept) or the error, unless
// another open came meanwhile.
func (d *pageDoc) open(path string, opened func(previewDoc, error)) {
	a := d.a
	d.stop()
	gen := d.gen
	if old := d.doc; old != nil {
		a.background(func() { old.Close() })
	}
	d.doc, d.path, d.page = nil, path, 0
	if path == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.ctx = cancel, ctx
	src := d.src
	a.background(func() {
		doc, err := src.OpenPages(ctx, path)
		if err == nil && ctx.Err() != nil { // replaced or stopped meanwhile
			doc.Close()
			return
		}
		a.do(func() {
			if gen != d.gen {
				if doc != nil {
					a.background(func() { doc.Close() })
				}
				return
			}
			if err == nil {
				d.doc = doc
			}
			opened(doc, err)
		})
	})
}

// stop cancels what is in flight (the app stops, the document is
// replaced); release then frees the document, once that work is over.
func (d *pageDoc) stop() {
	d.gen++
	if d.cancel != nil {
		d.cancel()
	}
}

func (d *pageDoc) release() {
	if d.doc != nil {
		d.doc.Close()
		d.doc = nil
	}
}

// draw makes page n the one shown and renders it in the background at
// about 1000 pixels on its long side (sharp at the preview's size on a
// HiDPI screen, cheap to draw); drawn gets it on the UI goroutine with its
// size as displayed, unless the document or the page changed meanwhile.
// A page holding huge images is drawn first without them (simplified:
// grey boxes in their place, same geometry), then whole.
func (d *pageDoc) draw(n int, drawn func(img image.Image, w, h float64, simplified bool, err error)) {
	a := d.a
	d.page = n
	gen, doc, ctx := d.gen, d.doc, d.ctx
	current := func() bool { return gen == d.gen && n == d.page }
	a.background(func() {
		w, h, err := doc.Size(n)
		var img image.Image
		if err == nil {
			dpi := math.Max(20, math.Min(150, 72*1000/math.Max(w, h)))
			if q, ok, qerr := doc.Quick(ctx, n, dpi); ok && qerr == nil {
				a.do(func() {
					if current() {
						drawn(q, w, h, true, nil)
					}
				})
			}
			img, err = doc.Render(ctx, n, dpi)
		}
		a.do(func() {
			if current() {
				drawn(img, w, h, false, err)
			}
		})
	})
}

// navigate says the page shown ("Page 2 sur 5") on label and enables the
// previous and next page buttons.
func (d *pageDoc) navigate(label *widget.Label, prev, next *button) {
	n := 0
	if d.doc != nil {
		n = d.doc.Count()
	}
	if n == 0 {
		label.SetText("")
	} else {
		label.SetText(d.a.t("ui.preview.page", map[string]any{"Page": d.page, "Pages": n}))
	}
	enable(prev, d.page > 1)
	enable(next, d.page < n)
}
