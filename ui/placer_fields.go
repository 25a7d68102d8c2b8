package ui

import (
	"image"

	"fyne.io/fyne/v2"
)

// The keyboard on a fixed page (the verify screen's preview, or the sign
// screen's when the signature goes into a field): the arrows go from one
// field to the next, Enter or Space chooses the field as a click does.

// fixedKey handles a key on a fixed page.
func (p *placer) fixedKey(k fyne.KeyName) {
	n := len(p.fields)
	if n == 0 {
		return
	}
	switch k {
	case fyne.KeyRight, fyne.KeyDown:
		p.setCurrent((p.current + 1) % n)
	case fyne.KeyLeft, fyne.KeyUp:
		if p.current < 0 {
			p.setCurrent(n - 1)
		} else {
			p.setCurrent((p.current + n - 1) % n)
		}
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		if p.current < 0 {
			p.setCurrent(0)
		}
		if p.OnField != nil {
			p.OnField(p.fields[p.current].Name)
		}
	}
}

// setCurrent puts the keyboard on field i.
func (p *placer) setCurrent(i int) {
	if i == p.current {
		return
	}
	p.current = i
	p.Refresh()
	if p.OnCurrent != nil {
		p.OnCurrent(p.CurrentField())
	}
}

// CurrentField is the field the keyboard is on ("" none).
func (p *placer) CurrentField() string {
	if p.current < 0 || p.current >= len(p.fields) {
		return ""
	}
	return p.fields[p.current].Name
}

// Fields are the fields drawn on the page.
func (p *placer) Fields() []placerField { return p.fields }

// PageImage is the page's picture shown (nil none).
func (p *placer) PageImage() image.Image { return p.page }
