package ui

import (
	"context"
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The preview's page thumbnails: drawn one at a time off the UI goroutine
// for short documents; a click shows that page.

// maxThumbs: thumbnails are drawn for documents of up to this many pages
// (the arrows turn the pages of longer ones).
const maxThumbs = 12

// loadThumbs draws the page thumbnails, one at a time, off the UI
// goroutine.
func (pp *pagePreview) loadThumbs(ctx context.Context, gen int) {
	a := pp.v.a
	doc := pp.doc
	n := doc.Count()
	if n < 2 || n > maxThumbs {
		pp.thumbScroll.Hide()
		return
	}
	pp.thumbScroll.Show()
	a.background(func() {
		for i := 1; i <= n; i++ {
			w, h, err := doc.Size(i)
			if err != nil || ctx.Err() != nil {
				return
			}
			img, err := doc.Render(ctx, i, math.Max(4, math.Min(30, 72*72/math.Max(w, h))))
			if err != nil {
				return
			}
			page := i
			a.do(func() {
				if gen != pp.gen {
					return
				}
				pp.thumbs.Add(newThumb(img, a.t("ui.preview.page_short", map[string]any{"Page": page}), func() { pp.show(page) }))
			})
		}
	})
}

// thumb is one page's thumbnail: a click shows that page.
type thumb struct {
	widget.BaseWidget
	img   image.Image
	label string
	onTap func()
}

func newThumb(img image.Image, label string, onTap func()) *thumb {
	t := &thumb{img: img, label: label, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *thumb) Tapped(*fyne.PointEvent) { t.onTap() }

func (t *thumb) CreateRenderer() fyne.WidgetRenderer {
	im := canvas.NewImageFromImage(t.img)
	im.FillMode = canvas.ImageFillContain
	im.SetMinSize(fyne.NewSize(48, 64))
	l := canvas.NewText(t.label, theme.Color(theme.ColorNameForeground))
	l.TextSize = theme.CaptionTextSize()
	l.Alignment = fyne.TextAlignCenter
	return widget.NewSimpleRenderer(container.NewBorder(nil, l, nil, nil, im))
}
