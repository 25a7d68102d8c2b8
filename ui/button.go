package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// button is the window's button: Space and Enter press it (Fyne's presses
// on Space only), and the keyboard focus shows as a ring around it. Fyne
// shows focus by tinting the background with the focus colour, which on a
// blue (primary) button is blue on blue: invisible.
type button struct {
	widget.Button
	// Name is what a screen reader will say for a button without text
	// (an arrow icon): Fyne 2.7 has no accessibility API yet, the name is
	// kept for it (docs/ui.md, "Without a mouse").
	Name    string
	focused bool
	esc     func() bool // in a dialog: Escape closes it
}

func newButton(text string, tapped func()) *button {
	return newIconButton(text, nil, tapped)
}

func newIconButton(text string, icon fyne.Resource, tapped func()) *button {
	b := &button{}
	b.Text, b.Icon, b.OnTapped = text, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// AccessibleName is the button's text, or its Name when it has none.
func (b *button) AccessibleName() string {
	if b.Text != "" {
		return b.Text
	}
	return b.Name
}

// TypedKey presses the button on Enter too.
func (b *button) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		if !b.Disabled() {
			b.Tapped(nil)
		}
		return
	}
	if ev.Name == fyne.KeyEscape && b.esc != nil && b.esc() {
		return
	}
	b.Button.TypedKey(ev)
}

func (b *button) FocusGained() {
	b.focused = true
	b.Button.FocusGained()
	if focusHook != nil {
		focusHook(b)
	}
}

func (b *button) FocusLost() {
	b.focused = false
	b.Button.FocusLost()
}

// Focused says whether the button shows the keyboard focus (tests).
func (b *button) Focused() bool { return b.focused }

// focusRing is the colour of the keyboard-focus ring: dark enough on the
// light background, and distinct from the blue of a primary button.
var focusRing = color.NRGBA{R: 0xe0, G: 0x7a, B: 0x00, A: 0xff}

func (b *button) CreateRenderer() fyne.WidgetRenderer {
	return &ringRenderer{WidgetRenderer: b.Button.CreateRenderer(), ring: newRing(), b: b}
}

// newRing is a hidden keyboard-focus outline.
func newRing() *canvas.Rectangle {
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeColor = focusRing
	ring.StrokeWidth = 3
	ring.CornerRadius = theme.InputRadiusSize()
	ring.Hide()
	return ring
}

type ringRenderer struct {
	fyne.WidgetRenderer
	ring *canvas.Rectangle
	b    *button
}

func (r *ringRenderer) Layout(s fyne.Size) {
	r.WidgetRenderer.Layout(s)
	r.ring.Resize(s)
}

func (r *ringRenderer) Objects() []fyne.CanvasObject {
	objs := r.WidgetRenderer.Objects()
	return append(objs[:len(objs):len(objs)], r.ring)
}

func (r *ringRenderer) Refresh() {
	r.WidgetRenderer.Refresh()
	if r.b.focused && !r.b.Disabled() {
		r.ring.Show()
	} else {
		r.ring.Hide()
	}
	r.ring.Refresh()
}

// check is the window's tick box: the page scrolls to it when it gets the
// focus, like the other controls.
type check struct {
	widget.Check
}

func newCheck(label string, changed func(bool)) *check {
	c := &check{}
	c.Text, c.OnChanged = label, changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *check) FocusGained() {
	c.Check.FocusGained()
	if focusHook != nil {
		focusHook(c)
	}
}
