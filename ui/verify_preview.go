package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The verify screen's page preview: the document's page, drawn by the
// application's one renderer (the sign screen's), with every signature
// field outlined — signed ones green and labelled with their signer, empty
// ones blue. A click on a box, or Enter on it after the arrows, selects
// that signature's card in the report. Everything is rendered off the UI
// goroutine; choosing another document cancels what is in flight.

// verifyPreview is the verify screen's preview (exported fields for tests).
type verifyPreview struct {
	pagePane
	v *verifyView
	// hint says what a field box is.
	hint   *widget.Label
	fields []pageField
}

func newVerifyPreview(v *verifyView, src PageSource) *verifyPreview {
	a := v.a
	vp := &verifyPreview{v: v}
	vp.init(a, src, a.t("ui.vpreview.name"))
	vp.failure = widget.MediumImportance
	vp.opened, vp.reset, vp.drawn = vp.openedDoc, vp.forgetDoc, vp.sync
	vp.placer.Fixed = true
	vp.placer.SetMaxHeight(380)
	vp.placer.OnField = v.selectField
	vp.placer.OnCurrent = vp.current
	vp.hint = para("")
	vp.setCard(container.NewVBox(bold(a.t("ui.vpreview.title")), vp.msg, vp.placer, vp.nav(), vp.hint))
	return vp
}

// openedDoc keeps the document's signature fields and starts at the first
// page with a signature field, else page 1.
func (vp *verifyPreview) openedDoc(doc previewDoc) int {
	vp.fields = doc.SignatureFields()
	for _, f := range vp.fields {
		if f.Signed {
			return f.Page
		}
	}
	if len(vp.fields) > 0 {
		return vp.fields[0].Page
	}
	return 1
}

// forgetDoc forgets the previous document's fields.
func (vp *verifyPreview) forgetDoc() {
	vp.fields = nil
	vp.hint.SetText("")
}

// sync outlines the fields of the page shown, with their labels (the
// report's signer once known).
func (vp *verifyPreview) sync() {
	a := vp.v.a
	var fs []placerField
	for _, f := range vp.fields {
		if f.Page != vp.page {
			continue
		}
		label := a.t("ui.vpreview.empty")
		if f.Signed {
			label = a.t("ui.vpreview.signed")
			if s := vp.v.checkFor(f.Name); s != nil && s.Signer != "" {
				label = a.t("ui.vpreview.signed_by", map[string]any{"Signer": s.Signer})
			}
		}
		fs = append(fs, placerField{Name: f.Name, OnPage: f.OnPage, Signed: f.Signed, Label: label})
	}
	vp.placer.SetFields(fs, vp.v.selected)
	switch {
	case len(fs) > 0:
		vp.hint.SetText(a.t("ui.vpreview.hint"))
	case len(vp.fields) > 0:
		vp.hint.SetText(a.t("ui.vpreview.none_here"))
	default:
		vp.hint.SetText(a.t("ui.vpreview.none"))
	}
}

// current says the field the keyboard is on, in words.
func (vp *verifyPreview) current(name string) {
	for _, f := range vp.placer.fields {
		if f.Name == name {
			vp.hint.SetText(f.Label + " — " + vp.v.a.t("ui.vpreview.enter"))
			return
		}
	}
}

// checkFor is the report's signature in field name ("" or unknown: nil).
func (v *verifyView) checkFor(name string) *signatureCheck {
	if v.check == nil || name == "" {
		return nil
	}
	for i := range v.check.Signatures {
		if v.check.Signatures[i].Field == name {
			return &v.check.Signatures[i]
		}
	}
	return nil
}

// selectField selects the card of the signature in field name and brings
// it into view; an empty field has no card (the hint says so).
func (v *verifyView) selectField(name string) {
	a := v.a
	if v.checkFor(name) == nil {
		if v.preview != nil {
			v.preview.hint.SetText(a.t("ui.vpreview.no_card"))
		}
		return
	}
	v.selected = name
	for f, c := range v.cards {
		c.bg.Hidden = f != name
		c.bg.Refresh()
	}
	if v.preview != nil {
		v.preview.sync()
	}
	if c := v.cards[name]; c != nil && a.scroll != nil {
		d := fyne.CurrentApp().Driver()
		y := d.AbsolutePositionForObject(c.box).Y - d.AbsolutePositionForObject(a.scroll).Y + a.scroll.Offset.Y
		a.scroll.ScrollToOffset(fyne.NewPos(a.scroll.Offset.X, max(0, y-theme.Padding())))
	}
}

// selectable is a signature's card that a field box can select: a frame
// in the focus colour around it while selected.
type selectable struct {
	bg  *canvas.Rectangle
	box *fyne.Container
}

func (v *verifyView) selectableCard(s signatureCheck, card fyne.CanvasObject) fyne.CanvasObject {
	if v.cards == nil {
		v.cards = map[string]*selectable{}
	}
	bg := canvas.NewRectangle(color.Transparent)
	bg.StrokeColor = theme.Color(theme.ColorNameFocus)
	bg.StrokeWidth = 3
	bg.CornerRadius = theme.InputRadiusSize()
	bg.Hidden = s.Field == "" || s.Field != v.selected
	c := &selectable{bg: bg, box: container.NewStack(bg, card)}
	if s.Field != "" {
		v.cards[s.Field] = c
	}
	return c.box
}

// cardSelected says whether the card of the signature in field name is
// shown selected.
func (v *verifyView) cardSelected(name string) bool {
	c := v.cards[name]
	return c != nil && c.bg.Visible()
}
