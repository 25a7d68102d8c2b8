package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
)

// The sign screen's page preview: the document's page as it is, with the
// stamp drawn where the signature will put it (the signer's own appearance,
// rendered), page navigation and thumbnails, the empty signature fields as
// boxes to click, a warning when the stamp covers the page's text or
// pictures. Everything is rendered off the UI goroutine through the
// application's renderer (Options.Pages); choosing another document cancels
// what is in flight. For a batch, the preview goes through the documents:
// one place for all of them, or one per document.

// pagePreview is the preview's state; its widgets are exported through
// SignView for tests.
type pagePreview struct {
	pagePane
	v *signView
	// placeHereButton puts a stamp on the page shown when there is none.
	placeHereButton  *button
	thumbs           *fyne.Container
	thumbScroll      *container.Scroll
	where, warn      *widget.Label
	docLabel         *widget.Label
	docPrev, docNext *button
	// samePlace: in a batch, one place for every document (the default).
	samePlace *widget.Check
	docRow    *fyne.Container
	box       *fyne.Container

	fields   []pageField
	stampKey string
	stampGen int
	batchDoc int                    // the batch document shown
	places   map[string]placeOnPage // per document, when SamePlace is off
}

// placeOnPage is a stamp's place chosen on the preview.
type placeOnPage struct {
	Page int
	Rect [4]float64
}

func newPagePreview(v *signView, src PageSource) *pagePreview {
	a := v.a
	pp := &pagePreview{v: v, places: map[string]placeOnPage{}}
	pp.init(a, src, a.t("ui.preview.name"))
	pp.failure = widget.WarningImportance
	pp.opened, pp.shown, pp.reset, pp.drawn, pp.controls = pp.openedDoc, pp.loadThumbsNow, pp.forgetDoc, pp.sync, pp.ownControls
	pp.placer.OnChanged = pp.placed
	pp.placer.OnField = pp.fieldClicked
	pp.placer.OnNeedPlace = pp.placeHere
	pp.placeHereButton = newIconButton(a.t("ui.preview.place_here"), theme.ContentAddIcon(), pp.placeHere)
	pp.thumbs = container.NewHBox()
	pp.thumbScroll = container.NewHScroll(pp.thumbs)
	pp.where = para("")
	// normal text: LowImportance is the disabled grey, below 4.5:1
	pp.warn = para("")
	pp.warn.Importance = widget.WarningImportance
	pp.docLabel = bold("")
	pp.docPrev = newIconButton("", theme.NavigateBackIcon(), func() { pp.showBatchDoc(pp.batchDoc - 1) })
	pp.docNext = newIconButton("", theme.NavigateNextIcon(), func() { pp.showBatchDoc(pp.batchDoc + 1) })
	pp.docPrev.Name, pp.docNext.Name = a.t("ui.preview.prev_doc"), a.t("ui.preview.next_doc")
	pp.samePlace = widget.NewCheck(a.t("ui.preview.same_place"), func(on bool) {
		if on {
			pp.places = map[string]placeOnPage{}
		} else if v.stampPlaced() {
			for _, p := range v.batch {
				pp.places[p] = placeOnPage{v.placePage, v.placeRect}
			}
		}
		v.checkedKey = ""
		v.recheck()
	})
	pp.samePlace.SetChecked(true)
	// the stamp says the reason: drawn again once typing pauses
	prev := v.reason.OnChanged
	var typing *time.Timer
	v.reason.OnChanged = func(r string) {
		if prev != nil {
			prev(r)
		}
		if typing != nil {
			typing.Stop()
		}
		typing = time.AfterFunc(400*time.Millisecond, func() { a.do(pp.stampPicture) })
	}
	if w, ok := src.(interface{ Warm() }); ok {
		a.background(w.Warm) // the engine starts while the person chooses a document
	}
	pp.docRow = container.NewBorder(nil, pp.samePlace, pp.docPrev, pp.docNext, pp.docLabel)
	pp.docRow.Hide()
	pp.box = container.NewVBox(bold(a.t("ui.preview.title")), pp.docRow, pp.msg, pp.placer, pp.nav(), pp.placeHereButton, pp.thumbScroll, pp.where, pp.warn)
	pp.setCard(pp.box)
	return pp
}

// openedDoc keeps the document's empty fields (the stamp's possible
// places) and starts at the page the signature goes on.
func (pp *pagePreview) openedDoc(doc previewDoc) int {
	pp.fields = doc.Fields()
	return pp.startPage()
}

// loadThumbsNow draws the pages' thumbnails, after the page shown.
func (pp *pagePreview) loadThumbsNow() { pp.loadThumbs(pp.ctx, pp.gen) }

// forgetDoc forgets the previous document's fields, stamp and thumbnails.
func (pp *pagePreview) forgetDoc() {
	pp.fields, pp.stampKey = nil, ""
	pp.thumbs.Objects = nil
	pp.thumbs.Refresh()
	pp.warn.SetText("")
	pp.where.SetText("")
}

// close ends the preview (the screen is left).
func (pp *pagePreview) close() { pp.load("") }

// startPage is the page the signature goes on, as far as known.
func (pp *pagePreview) startPage() int {
	v := pp.v
	if f := pp.usedField(); f != nil {
		return f.Page
	}
	switch v.a.stampPage {
	case actions.StampLast:
		return pp.doc.Count()
	case actions.StampPlaced:
		if pl, ok := pp.placeFor(pp.path); ok {
			return min(pl.Page, pp.doc.Count())
		}
	}
	return 1
}

// usedField is the empty field the signature will go into: the one chosen,
// or the document's only one.
func (pp *pagePreview) usedField() *pageField {
	v := pp.v
	name := ""
	if v.fieldSelect.Visible() {
		name = v.selectedField()
	} else if len(pp.fields) == 1 {
		name = pp.fields[0].Name
	}
	for i := range pp.fields {
		if pp.fields[i].Name == name {
			return &pp.fields[i]
		}
	}
	return nil
}

// sync puts the stamp where the options say it goes on the page shown,
// and the fields of that page.
func (pp *pagePreview) sync() {
	v := pp.v
	if pp.doc == nil || pp.page == 0 {
		return
	}
	var fs []placerField
	for _, f := range pp.fields {
		if f.Page == pp.page {
			fs = append(fs, placerField{Name: f.Name, OnPage: f.OnPage})
		}
	}
	used := pp.usedField()
	chosen := ""
	if used != nil {
		chosen = used.Name
	}
	pp.placer.SetFields(fs, chosen)
	var r [4]float64
	pp.placer.Fixed = false
	switch {
	case used != nil:
		// the stamp goes in the field: its box, not a place of one's own
		pp.placer.Fixed = true
		if used.Page == pp.page {
			r = used.OnPage
		}
	case v.a.stampPage == actions.StampFirst && pp.page == 1, v.a.stampPage == actions.StampLast && pp.page == pp.doc.Count():
		r = pp.doc.Corner(pp.page, v.a.stampCorn)
	case v.a.stampPage == actions.StampPlaced:
		pl, ok := pp.placeFor(pp.path)
		if ok && pl.Page > pp.doc.Count() && len(v.batch) <= 1 {
			// placed on a longer document: shown, and signed, on this
			// one's last page
			v.placePage, pl.Page = pp.doc.Count(), pp.doc.Count()
			defer v.recheck() // the check saw the other page
		}
		if ok && pl.Page == pp.page {
			r = pl.Rect
		}
	}
	pp.placer.SetPlace(r)
	if got := pp.placer.Place(); got != r && v.a.stampPage == actions.StampPlaced {
		// kept on a smaller page: the signature goes where it is shown
		v.placePage, v.placeRect = pp.page, got
		if len(v.batch) > 1 && !pp.samePlace.Checked {
			pp.places[pp.path] = placeOnPage{pp.page, got}
		}
	}
	pp.refreshControls()
	pp.describe()
	pp.stampPicture()
}

// placed is a move or resize on the preview: the stamp now goes there.
func (pp *pagePreview) placed(r [4]float64) {
	v := pp.v
	v.placePage, v.placeRect = pp.page, r
	if len(v.batch) > 1 && !pp.samePlace.Checked {
		pp.places[pp.path] = placeOnPage{pp.page, r}
	}
	v.setStampChoice(actions.StampPlaced)
	pp.describe()
	pp.stampPicture()
	v.recheck()
}

// placeHere puts a stamp on the page shown, in its bottom-right corner.
func (pp *pagePreview) placeHere() {
	if pp.doc == nil || pp.page == 0 {
		return
	}
	r := pp.doc.Corner(pp.page, actions.StampCorners[0])
	pp.placer.SetPlace(r)
	pp.placed(pp.placer.Place())
	pp.v.a.win.Canvas().Focus(pp.placer)
}

// fieldClicked chooses the clicked field for the signature.
func (pp *pagePreview) fieldClicked(name string) {
	v := pp.v
	if v.fieldSelect.Visible() {
		v.selectField(name) // rechecks
	}
	pp.sync()
}

// describe says where the stamp is (the placer's accessible description)
// and warns when it covers the page's text or pictures.
func (pp *pagePreview) describe() {
	a := pp.v.a
	r := pp.placer.Place()
	if r[2] <= 0 {
		pp.where.SetText(a.t("ui.preview.no_stamp_here"))
		pp.warn.SetText("")
		pp.warn.Hide()
		return
	}
	f := func(x float64) string { return fmt.Sprintf("%.0f", x) }
	pp.where.SetText(a.t("ui.preview.where", map[string]any{"Page": pp.page, "X": f(r[0]), "Y": f(r[1]), "W": f(r[2]), "H": f(r[3])}))
	if c := pp.placer.Covered(); c > coveredWarn {
		pp.warn.SetText(a.t("ui.preview.covers"))
		pp.warn.Show()
	} else {
		pp.warn.SetText("")
		pp.warn.Hide()
	}
}

// coveredWarn: the share of the stamp's area where the page has ink above
// which the stamp is said to cover text or pictures (a hairline or a
// page number's corner stays below it).
const coveredWarn = 0.01

// stampPicture renders the stamp at its size, as the signer will draw it;
// an unchanged stamp is not rendered again.
func (pp *pagePreview) stampPicture() {
	v := pp.v
	a := v.a
	r := pp.placer.Place()
	if r[2] <= 0 {
		return
	}
	o := actions.SignOptions{Lang: a.lang, Reason: v.reason.Text, Name: a.t("ui.preview.holder")}
	if c := a.signingCert(); c != nil {
		o.Name = c.Holder
	}
	key := fmt.Sprintf("%s|%s|%s|%.1f|%.1f", o.Lang, o.Reason, o.Name, r[2], r[3])
	if key == pp.stampKey {
		return
	}
	pp.stampKey = key
	pp.stampGen++
	gen := pp.stampGen
	src := pp.src
	a.background(func() {
		img, err := src.StampPicture(context.Background(), o, r[2], r[3], 144)
		a.do(func() {
			if gen != pp.stampGen || err != nil {
				return // a box stays drawn; the signature's check says what is wrong
			}
			pp.placer.SetStamp(img)
		})
	})
}

// ownControls shows "Place here" and the batch's document row.
func (pp *pagePreview) ownControls() {
	a := pp.v.a
	if pp.doc != nil && pp.page > 0 && pp.placer.Place()[2] <= 0 && pp.usedField() == nil {
		pp.placeHereButton.Show()
	} else {
		pp.placeHereButton.Hide()
	}
	if len(pp.v.batch) > 1 {
		pp.docLabel.SetText(a.t("ui.preview.batch_doc", map[string]any{"N": pp.batchDoc + 1, "Count": len(pp.v.batch),
			"Name": filepath.Base(pp.path)}))
		enable(pp.docPrev, pp.batchDoc > 0)
		enable(pp.docNext, pp.batchDoc < len(pp.v.batch)-1)
		pp.docRow.Show()
	} else {
		pp.docRow.Hide()
	}
}

func enable(b *button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

const mainMin = 430
