package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// How the placer draws: the page, its signature fields as boxes (empty ones
// blue, signed ones green, each with its label in words), the stamp with its
// outline and corner handles.

var (
	fieldEmpty  = color.NRGBA{0x1f, 0x4a, 0x99, 0xff}
	fieldSigned = color.NRGBA{0x1b, 0x7a, 0x3a, 0xff}
)

func (p *placer) CreateRenderer() fyne.WidgetRenderer {
	r := &placerRenderer{p: p}
	r.bg = canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	r.page = canvas.NewImageFromImage(nil)
	r.page.FillMode = canvas.ImageFillStretch
	r.page.ScaleMode = canvas.ImageScaleSmooth
	r.pageEdge = canvas.NewRectangle(color.Transparent)
	r.pageEdge.StrokeColor = color.NRGBA{0x80, 0x80, 0x80, 0xff}
	r.pageEdge.StrokeWidth = 1
	r.stamp = canvas.NewImageFromImage(nil)
	r.stamp.FillMode = canvas.ImageFillStretch
	r.stamp.ScaleMode = canvas.ImageScaleSmooth
	r.outline = canvas.NewRectangle(color.Transparent)
	for i := range r.handles {
		r.handles[i] = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	}
	r.refreshObjects()
	return r
}

type placerRenderer struct {
	p        *placer
	bg       *canvas.Rectangle
	page     *canvas.Image
	pageEdge *canvas.Rectangle
	fields   []fieldBox
	stamp    *canvas.Image
	outline  *canvas.Rectangle
	handles  [4]*canvas.Rectangle
	objects  []fyne.CanvasObject
}

// fieldBox is one field drawn: its outline and, when it has one, its label
// on a paper-coloured tag above it (inside when the page's top is too near).
type fieldBox struct {
	box   *canvas.Rectangle
	tagBg *canvas.Rectangle
	tag   *canvas.Text
}

func (r *placerRenderer) refreshObjects() {
	p := r.p
	r.fields = r.fields[:0]
	r.objects = []fyne.CanvasObject{r.bg, r.page, r.pageEdge}
	for i, f := range p.fields {
		col := fieldEmpty
		if f.Signed {
			col = fieldSigned
		}
		b := canvas.NewRectangle(color.NRGBA{col.R, col.G, col.B, 0x20})
		b.StrokeColor = col
		b.StrokeWidth = 2
		if f.Name == p.chosenField {
			b.FillColor = color.NRGBA{col.R, col.G, col.B, 0x60}
			b.StrokeWidth = 3
		}
		if i == p.current && p.focused {
			b.StrokeColor = theme.Color(theme.ColorNameFocus)
			b.StrokeWidth = 3
		}
		fb := fieldBox{box: b}
		r.objects = append(r.objects, b)
		if f.Label != "" {
			fb.tagBg = canvas.NewRectangle(color.NRGBA{0xff, 0xff, 0xff, 0xe0})
			fb.tag = canvas.NewText(f.Label, col)
			fb.tag.TextSize = theme.CaptionTextSize()
			fb.tag.TextStyle.Bold = f.Signed
			r.objects = append(r.objects, fb.tagBg, fb.tag)
		}
		r.fields = append(r.fields, fb)
	}
	r.objects = append(r.objects, r.stamp, r.outline)
	for _, h := range r.handles {
		r.objects = append(r.objects, h)
	}
}

func (r *placerRenderer) Layout(size fyne.Size) {
	p := r.p
	r.bg.Resize(size)
	s, off := p.scale()
	pageSize := fyne.NewSize(s*float32(p.pageW), s*float32(p.pageH))
	r.page.Move(off)
	r.page.Resize(pageSize)
	r.pageEdge.Move(off)
	r.pageEdge.Resize(pageSize)
	for i, f := range p.fields {
		if i >= len(r.fields) {
			break
		}
		at, sz := p.toScreen(f.OnPage)
		fb := r.fields[i]
		fb.box.Move(at)
		fb.box.Resize(sz)
		if fb.tag == nil {
			continue
		}
		ts := fb.tag.MinSize()
		y := at.Y - ts.Height - 1
		if y < off.Y {
			y = at.Y + 2
		}
		x := at.X // kept on the page when the box is near its right edge
		if right := off.X + pageSize.Width; x+ts.Width+4 > right {
			x = max(off.X, right-ts.Width-4)
		}
		fb.tag.Move(fyne.NewPos(x+2, y))
		fb.tag.Resize(ts)
		fb.tagBg.Move(fyne.NewPos(x, y))
		fb.tagBg.Resize(fyne.NewSize(ts.Width+4, ts.Height))
	}
	at, sz := p.toScreen(p.rect)
	r.stamp.Move(at)
	r.stamp.Resize(sz)
	r.outline.Move(at)
	r.outline.Resize(sz)
	const hs = 8
	corners := []fyne.Position{
		{X: at.X, Y: at.Y + sz.Height}, {X: at.X + sz.Width, Y: at.Y + sz.Height},
		{X: at.X + sz.Width, Y: at.Y}, at,
	}
	for i, c := range corners {
		r.handles[i].Move(fyne.NewPos(c.X-hs/2, c.Y-hs/2))
		r.handles[i].Resize(fyne.NewSize(hs, hs))
	}
}

func (r *placerRenderer) MinSize() fyne.Size { return r.p.MinSize() }

func (r *placerRenderer) Refresh() {
	p := r.p
	if len(r.fields) != len(p.fields) || len(p.fields) > 0 {
		r.refreshObjects()
	}
	r.page.Image = p.page
	if p.page == nil {
		r.page.Hide()
	} else {
		r.page.Show()
	}
	r.page.Refresh()
	shown := p.rect[2] > 0 && p.page != nil
	r.stamp.Image = p.stamp
	r.outline.StrokeColor = theme.Color(theme.ColorNamePrimary)
	r.outline.StrokeWidth = 1
	if p.focused {
		r.outline.StrokeColor = theme.Color(theme.ColorNameFocus)
		r.outline.StrokeWidth = 3
	}
	for _, o := range []fyne.CanvasObject{r.stamp, r.outline} {
		if shown {
			o.Show()
		} else {
			o.Hide()
		}
	}
	if p.stamp == nil {
		r.stamp.Hide()
	}
	for _, h := range r.handles {
		if shown && !p.Fixed {
			h.Show()
		} else {
			h.Hide()
		}
	}
	r.stamp.Refresh()
	r.outline.Refresh()
	r.Layout(p.Size())
	canvas.Refresh(p)
}

func (r *placerRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *placerRenderer) Destroy()                     {}
