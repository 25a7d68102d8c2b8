package ui

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// sideBySide lays the sign screen out: with room, the form (top, then
// bottom) on the left and the preview on the right; else the form's top,
// the preview, then the form's bottom (the options), so that "Signer"
// stays in view on a small screen.
type sideBySide struct {
	side  float32 // the preview column's width
	lastW float32
}

func (l *sideBySide) isWide(w float32) bool { return w >= mainMin+l.side+theme.Padding() }

func (l *sideBySide) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	top, side, bottom := objs[0], objs[1], objs[2]
	l.lastW = size.Width
	p := theme.Padding()
	if l.isWide(size.Width) && side.Visible() {
		mw := size.Width - l.side - p
		th := top.MinSize().Height
		top.Move(fyne.NewPos(0, 0))
		top.Resize(fyne.NewSize(mw, th))
		bottom.Move(fyne.NewPos(0, th+p))
		bottom.Resize(fyne.NewSize(mw, bottom.MinSize().Height))
		side.Move(fyne.NewPos(mw+p, 0))
		side.Resize(fyne.NewSize(l.side, side.MinSize().Height))
		return
	}
	y := float32(0)
	for _, o := range []fyne.CanvasObject{top, side, bottom} {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + p
	}
}

func (l *sideBySide) MinSize(objs []fyne.CanvasObject) fyne.Size {
	top, side, bottom := objs[0].MinSize(), objs[1].MinSize(), objs[2].MinSize()
	p := theme.Padding()
	w := float32(math.Max(float64(top.Width), float64(bottom.Width)))
	if !objs[1].Visible() {
		return fyne.NewSize(w, top.Height+p+bottom.Height)
	}
	w = float32(math.Max(float64(w), float64(side.Width)))
	if l.isWide(l.lastW) {
		return fyne.NewSize(w, float32(math.Max(float64(top.Height+p+bottom.Height), float64(side.Height))))
	}
	return fyne.NewSize(w, top.Height+side.Height+bottom.Height+2*p)
}
