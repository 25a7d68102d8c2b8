package ui

import (
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// placer shows a rendered page and the stamp on it, and lets a person
// choose the stamp's place: drag it, drag a corner to resize it, or with
// the keyboard (focus it with Tab or a click) move it with the arrows and
// resize it with + and −. Empty signature fields of the page are outlined
// boxes: a click on one chooses it instead.
//
// Places are in page coordinates (pdfsign/place.go): points on the page as
// displayed, from its bottom-left corner, x right, y up — what --rect
// takes and what the signer turns into the widget's /Rect.
//
// It is reusable (verify's preview): with Fixed set it only shows, with
// the fields outlined.
type placer struct {
	widget.BaseWidget

	// Name is the accessible name: what the widget is, said before its
	// state (Describe).
	Name string
	// OnChanged is called after each move or resize with the new place.
	OnChanged func(r [4]float64)
	// OnField is called when a field's box is clicked, or chosen with the
	// keyboard on a fixed page (placer_fields.go).
	OnField func(name string)
	// OnCurrent is called when the keyboard goes to another field of a
	// fixed page ("" none).
	OnCurrent func(name string)
	// OnNeedPlace is called when a key asks to place a stamp on a page
	// that has none (Enter, Space, an arrow, +): the keyboard's way to
	// start.
	OnNeedPlace func()
	// Fixed: no placing (a picture of the page with its fields, which the
	// arrows go through).
	Fixed bool

	page         image.Image
	pageW, pageH float64 // the page as displayed, in points
	stamp        image.Image
	rect         [4]float64 // the stamp; zero size: none shown
	fields       []placerField
	chosenField  string
	current      int // the field the keyboard is on (fixed page), -1 none
	focused      bool
	maxH         float32

	drag     int // what a drag moves: dragNone, dragMove, dragCorner+i
	dragFrom fyne.Position
	dragRect [4]float64
}

// placerField is a signature field drawn on the page: empty (blue) or
// signed (green), with its label in words ("" none) above it.
type placerField struct {
	Name   string
	OnPage [4]float64 // page coordinates
	Signed bool
	Label  string
}

const (
	dragNone = iota
	dragMove
	dragCorner // + 0 bottom-left, 1 bottom-right, 2 top-right, 3 top-left
)

// Keyboard steps, in points.
const (
	placerNudge  = 5.0
	placerResize = 1.1 // factor per + / −
	placerMin    = 20.0
)

// newPlacer is an empty placer (no page yet).
func newPlacer(name string) *placer {
	p := &placer{Name: name, maxH: 420, current: -1}
	p.ExtendBaseWidget(p)
	return p
}

// SetPage shows img, a rendering of a page of w × h points as displayed;
// the stamp is kept on the page.
func (p *placer) SetPage(img image.Image, w, h float64) {
	p.page, p.pageW, p.pageH = img, w, h
	if p.rect[2] > 0 {
		p.rect = p.clamp(p.rect)
	}
	p.Refresh()
}

// PageSize is the displayed page's size in points (0 without a page).
func (p *placer) PageSize() (w, h float64) { return p.pageW, p.pageH }

// SetStamp sets the stamp's picture (nil: an outlined box).
func (p *placer) SetStamp(img image.Image) { p.stamp = img; p.Refresh() }

// SetPlace puts the stamp at r (page coordinates); a zero size hides it.
func (p *placer) SetPlace(r [4]float64) {
	if r[2] > 0 {
		r = p.clamp(r)
	}
	p.rect = r
	p.Refresh()
}

// Place is the stamp's place (page coordinates).
func (p *placer) Place() [4]float64 { return p.rect }

// SetFields outlines the page's empty signature fields; chosen is the one
// the signature goes into ("" none).
func (p *placer) SetFields(fs []placerField, chosen string) {
	p.fields, p.chosenField = fs, chosen
	if p.current >= len(fs) {
		p.current = -1
	}
	p.Refresh()
}

// SetMaxHeight bounds the widget's height (the page is scaled to fit).
func (p *placer) SetMaxHeight(h float32) { p.maxH = h; p.Refresh() }

// scale is pixels per point and the page's offset in the widget.
func (p *placer) scale() (s float32, off fyne.Position) {
	sz := p.Size()
	if p.pageW <= 0 || p.pageH <= 0 || sz.Width <= 0 || sz.Height <= 0 {
		return 0, fyne.Position{}
	}
	s = float32(math.Min(float64(sz.Width)/p.pageW, float64(sz.Height)/p.pageH))
	return s, fyne.NewPos((sz.Width-s*float32(p.pageW))/2, (sz.Height-s*float32(p.pageH))/2)
}

// toScreen turns a place (page coordinates, y up) into the widget's
// top-left position and size.
func (p *placer) toScreen(r [4]float64) (fyne.Position, fyne.Size) {
	s, off := p.scale()
	top := p.pageH - r[1] - r[3]
	return fyne.NewPos(off.X+s*float32(r[0]), off.Y+s*float32(top)), fyne.NewSize(s*float32(r[2]), s*float32(r[3]))
}

// toPage turns a widget position into page coordinates.
func (p *placer) toPage(pos fyne.Position) (x, y float64) {
	s, off := p.scale()
	if s == 0 {
		return 0, 0
	}
	return float64((pos.X - off.X) / s), p.pageH - float64((pos.Y-off.Y)/s)
}

// clamp keeps r on the page, at least placerMin points a side.
func (p *placer) clamp(r [4]float64) [4]float64 {
	if p.pageW <= 0 || p.pageH <= 0 {
		return r
	}
	r[2] = math.Max(math.Min(r[2], p.pageW), math.Min(placerMin, p.pageW))
	r[3] = math.Max(math.Min(r[3], p.pageH), math.Min(placerMin, p.pageH))
	r[0] = math.Max(0, math.Min(r[0], p.pageW-r[2]))
	r[1] = math.Max(0, math.Min(r[1], p.pageH-r[3]))
	for i := range r {
		r[i] = math.Round(r[i]*100) / 100
	}
	return r
}

func (p *placer) changed(r [4]float64) {
	r = p.clamp(r)
	if r == p.rect {
		return
	}
	p.rect = r
	p.Refresh()
	if p.OnChanged != nil {
		p.OnChanged(r)
	}
}

// Covered is the share of the stamp's area where the rendered page has
// ink (text, lines, pictures: any pixel clearly darker than paper white).
func (p *placer) Covered() float64 {
	r := p.rect
	if p.page == nil || r[2] <= 0 || p.pageW <= 0 || p.pageH <= 0 {
		return 0
	}
	b := p.page.Bounds()
	sx, sy := float64(b.Dx())/p.pageW, float64(b.Dy())/p.pageH
	x0 := b.Min.X + int(math.Floor(r[0]*sx))
	x1 := b.Min.X + int(math.Ceil((r[0]+r[2])*sx))
	y0 := b.Min.Y + int(math.Floor((p.pageH-r[1]-r[3])*sy))
	y1 := b.Min.Y + int(math.Ceil((p.pageH-r[1])*sy))
	var ink, all int
	for y := max(y0, b.Min.Y); y < min(y1, b.Max.Y); y++ {
		for x := max(x0, b.Min.X); x < min(x1, b.Max.X); x++ {
			cr, cg, cb, _ := p.page.At(x, y).RGBA()
			if min(cr, cg, cb) < 0xd000 {
				ink++
			}
			all++
		}
	}
	if all == 0 {
		return 0
	}
	return float64(ink) / float64(all)
}

// Nudge shifts the stamp by dx, dy points (page coordinates).
func (p *placer) Nudge(dx, dy float64) {
	if p.rect[2] > 0 {
		p.changed([4]float64{p.rect[0] + dx, p.rect[1] + dy, p.rect[2], p.rect[3]})
	}
}

// Grow scales the stamp by f about its centre, keeping its proportions.
func (p *placer) Grow(f float64) {
	r := p.rect
	if r[2] <= 0 {
		return
	}
	w, h := r[2]*f, r[3]*f
	if w < placerMin || h < placerMin || w > p.pageW || h > p.pageH {
		return // keep the proportions rather than squash at an edge
	}
	p.changed([4]float64{r[0] + (r[2]-w)/2, r[1] + (r[3]-h)/2, w, h})
}

// Tapped chooses a field when its box is clicked; elsewhere it focuses
// the widget for the keyboard.
func (p *placer) Tapped(ev *fyne.PointEvent) {
	x, y := p.toPage(ev.Position)
	for i, f := range p.fields {
		r := f.OnPage
		if x >= r[0] && x <= r[0]+r[2] && y >= r[1] && y <= r[1]+r[3] {
			if p.Fixed { // the keyboard goes on from this field
				p.focus()
				p.setCurrent(i)
			}
			if p.OnField != nil {
				p.OnField(f.Name)
			}
			return
		}
	}
	p.focus()
}

func (p *placer) focus() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(p); c != nil {
		c.Focus(p)
	}
}

// Dragged moves the stamp (grabbed inside, or brought under the pointer
// when grabbed outside) or resizes it (grabbed by a corner).
func (p *placer) Dragged(ev *fyne.DragEvent) {
	if p.Fixed || p.rect[2] <= 0 {
		return
	}
	if p.drag == dragNone {
		p.dragFrom = ev.Position.Subtract(ev.Dragged)
		p.dragRect = p.rect
		p.drag = p.grab(p.dragFrom)
		if p.drag == dragNone { // outside: the stamp's centre jumps there
			x, y := p.toPage(p.dragFrom)
			p.dragRect[0], p.dragRect[1] = x-p.rect[2]/2, y-p.rect[3]/2
			p.drag = dragMove
		}
	}
	s, _ := p.scale()
	if s == 0 {
		return
	}
	dx := float64((ev.Position.X - p.dragFrom.X) / s)
	dy := -float64((ev.Position.Y - p.dragFrom.Y) / s)
	r := p.dragRect
	switch p.drag {
	case dragMove:
		p.changed([4]float64{r[0] + dx, r[1] + dy, r[2], r[3]})
		return
	}
	// a corner: the opposite corner stays
	x0, y0, x1, y1 := r[0], r[1], r[0]+r[2], r[1]+r[3]
	switch p.drag - dragCorner {
	case 0:
		x0, y0 = x0+dx, y0+dy
	case 1:
		x1, y0 = x1+dx, y0+dy
	case 2:
		x1, y1 = x1+dx, y1+dy
	case 3:
		x0, y1 = x0+dx, y1+dy
	}
	x0, x1 = math.Max(0, x0), math.Min(p.pageW, x1)
	y0, y1 = math.Max(0, y0), math.Min(p.pageH, y1)
	if x1-x0 < placerMin || y1-y0 < placerMin {
		return
	}
	p.changed([4]float64{x0, y0, x1 - x0, y1 - y0})
}

// DragEnd ends a move or resize.
func (p *placer) DragEnd() { p.drag = dragNone }

// grab says what a drag starting at pos takes: a corner (within a few
// pixels), the stamp, or nothing.
func (p *placer) grab(pos fyne.Position) int {
	at, sz := p.toScreen(p.rect)
	const near = 8
	corners := []fyne.Position{
		{X: at.X, Y: at.Y + sz.Height}, {X: at.X + sz.Width, Y: at.Y + sz.Height},
		{X: at.X + sz.Width, Y: at.Y}, at,
	}
	for i, c := range corners {
		if abs32(pos.X-c.X) <= near && abs32(pos.Y-c.Y) <= near {
			return dragCorner + i
		}
	}
	if pos.X >= at.X && pos.X <= at.X+sz.Width && pos.Y >= at.Y && pos.Y <= at.Y+sz.Height {
		return dragMove
	}
	return dragNone
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// FocusGained / FocusLost: the stamp's outline shows the keyboard focus.
func (p *placer) FocusGained() { p.focused = true; p.Refresh() }
func (p *placer) FocusLost()   { p.focused = false; p.Refresh() }

// Focused says whether the keyboard moves the stamp now.
func (p *placer) Focused() bool { return p.focused }

// needPlace asks for a stamp when there is none; true when it did.
func (p *placer) needPlace() bool {
	if p.rect[2] > 0 || p.page == nil || p.OnNeedPlace == nil {
		return false
	}
	p.OnNeedPlace()
	return true
}

// TypedRune: + (or =) grows the stamp, − (or -) shrinks it.
func (p *placer) TypedRune(r rune) {
	if p.Fixed {
		if r == ' ' {
			p.fixedKey(fyne.KeySpace)
		}
		return
	}
	if (r == '+' || r == '=' || r == ' ') && p.needPlace() {
		return
	}
	switch r {
	case '+', '=':
		p.Grow(placerResize)
	case '-', '−', '_':
		p.Grow(1 / placerResize)
	}
}

// TypedKey: the arrows move the stamp.
func (p *placer) TypedKey(ev *fyne.KeyEvent) {
	if p.Fixed {
		p.fixedKey(ev.Name)
		return
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyLeft, fyne.KeyRight, fyne.KeyUp, fyne.KeyDown:
		if p.needPlace() {
			return
		}
	}
	switch ev.Name {
	case fyne.KeyLeft:
		p.Nudge(-placerNudge, 0)
	case fyne.KeyRight:
		p.Nudge(placerNudge, 0)
	case fyne.KeyUp:
		p.Nudge(0, placerNudge)
	case fyne.KeyDown:
		p.Nudge(0, -placerNudge)
	} // + and − arrive as runes too (TypedRune): once is enough
}

// Cursor: a hand over the page (it can be dragged).
func (p *placer) Cursor() desktop.Cursor {
	if p.Fixed {
		return desktop.DefaultCursor
	}
	return desktop.PointerCursor
}

// MinSize: a readable page, the width of a column, the height bounded.
func (p *placer) MinSize() fyne.Size {
	w := float32(280)
	h := float32(200)
	if p.pageW > 0 && p.pageH > 0 {
		h = float32(math.Min(float64(p.maxH), float64(w)*p.pageH/p.pageW))
	}
	return fyne.NewSize(w, h)
}
