package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// pagePane is what the sign screen's preview and the verify screen's share:
// the document (pageDoc), its page drawn in a Placer, the page navigation,
// the line above the page (loading, simplified, a failure) and the card
// that holds them, hidden without a document. What each screen draws over
// the page (the stamp and the fields to click; the signature fields
// outlined) stays in its own file, reached through the hooks below.
type pagePane struct {
	pageDoc
	placer *placer
	// pageLabel "Page 2 sur 5"; Prev / Next turn pages; Msg says the
	// loading, a simplified page or a failure (hidden when empty).
	pageLabel  *widget.Label
	prev, next *button
	msg        *widget.Label
	card       *widget.Card
	// failure is the importance of a failure's sentence on Msg.
	failure widget.Importance

	// opened reads what the screen needs of a document just opened and
	// says which page to show first; shown follows that page's request.
	opened func(doc previewDoc) int
	shown  func()
	// reset clears the screen's own part when the document changes.
	reset func()
	// drawn puts the screen's own part on the page just drawn.
	drawn func()
	// controls refreshes the screen's own controls after the navigation.
	controls func()
}

// init builds the shared widgets; name is the placer's accessible name.
func (p *pagePane) init(a *App, src PageSource, name string) {
	p.pageDoc = pageDoc{a: a, src: src}
	p.placer = newPlacer(name)
	p.pageLabel = widget.NewLabel("")
	p.prev = newIconButton("", theme.NavigateBackIcon(), func() { p.show(p.page - 1) })
	p.next = newIconButton("", theme.NavigateNextIcon(), func() { p.show(p.page + 1) })
	// icon-only: the name a screen reader will say (docs/ui.md)
	p.prev.Name, p.next.Name = a.t("ui.preview.prev_page"), a.t("ui.preview.next_page")
	p.msg = para("")
	p.msg.Hide()
}

// nav is the row of the page buttons around "Page 2 sur 5".
func (p *pagePane) nav() fyne.CanvasObject {
	return container.NewHBox(p.prev, layout.NewSpacer(), p.pageLabel, layout.NewSpacer(), p.next)
}

// setCard makes box the preview's card, hidden until a document comes.
func (p *pagePane) setCard(box fyne.CanvasObject) {
	p.card = widget.NewCard("", "", box)
	p.card.Hide()
	p.refreshControls()
}

// view is the preview's card.
func (p *pagePane) view() fyne.CanvasObject { return p.card }

// load shows path's pages (a new document; "" closes the preview): what
// was in flight for the previous one is cancelled and its renderer
// instance closed.
func (p *pagePane) load(path string) {
	a := p.a
	p.open(path, func(doc previewDoc, err error) {
		if err != nil {
			p.say(message(err, a.lang), p.failure)
			return
		}
		first := p.opened(doc)
		p.say("", widget.MediumImportance)
		p.show(first)
		if p.shown != nil {
			p.shown()
		}
	})
	p.placer.SetPage(nil, 0, 0)
	p.placer.SetFields(nil, "")
	p.reset()
	if path == "" {
		p.card.Hide()
		a.relayout()
		return
	}
	p.card.Show()
	p.say(a.t("ui.preview.loading"), widget.MediumImportance)
	p.refreshControls()
	a.relayout()
}

// say shows msg above the page (hidden when empty: no blank line).
func (p *pagePane) say(msg string, imp widget.Importance) {
	setStatus(p.msg, msg, imp)
	if msg == "" {
		p.msg.Hide()
	} else {
		p.msg.Show()
	}
}

// show renders page n: a quick picture first when the page is heavy.
func (p *pagePane) show(n int) {
	a := p.a
	if p.doc == nil || n < 1 || n > p.doc.Count() {
		return
	}
	p.page = n
	p.refreshControls()
	p.draw(n, func(img image.Image, w, h float64, simplified bool, err error) {
		switch {
		case err != nil:
			p.say(message(err, a.lang), p.failure)
			return
		case simplified:
			p.say(a.t("ui.preview.simplified"), widget.MediumImportance)
		default:
			p.say("", widget.MediumImportance)
		}
		p.placer.SetPage(img, w, h)
		p.drawn()
		a.relayout()
	})
}

// refreshControls enables the page buttons and says the page, then the
// screen's own controls.
func (p *pagePane) refreshControls() {
	p.navigate(p.pageLabel, p.prev, p.next)
	if p.controls != nil {
		p.controls()
	}
}
