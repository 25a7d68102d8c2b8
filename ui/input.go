package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// input is the window's text field: it takes only what is typed into it.
//
// A key's character arrives after the key itself (GLFW: key callback, then
// character callback). Space on a button that opens a screen taps the
// button on the key, the screen focuses its first field, and the Space's
// character then lands in that field: a correct PIN sent with a space costs
// a try. So a field focused by the program (not by a click, Tab or a typed
// key) ignores characters until a key goes down inside it; holding the key
// (auto-repeat sends characters without a new key down) types nothing
// either.
type input struct {
	widget.Entry
	armed bool        // focused by the program: characters wait for a key down here
	esc   func() bool // in a dialog: Escape closes it
	// Typed runs after the person typed or erased in the field (never for
	// the program's SetText): a form clears its stale refusal there
	Typed func()
}

func newInput() *input {
	f := &input{}
	f.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	f.ExtendBaseWidget(f)
	return f
}

// newCodeInput is a masked field for a PIN or a code, with the eye that
// shows it (Fyne adds it to a password field without an action item).
func newCodeInput() *input {
	f := &input{}
	f.Password = true
	f.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	f.ExtendBaseWidget(f)
	return f
}

// FocusGained: focus given by Tab or a click; whatever comes next is typed here.
func (f *input) FocusGained() {
	f.armed = false
	f.Entry.FocusGained()
	if focusHook != nil {
		focusHook(f)
	}
}

// KeyDown: a key pressed in this field, so its character belongs here.
func (f *input) KeyDown(ev *fyne.KeyEvent) {
	f.armed = false
	f.Entry.KeyDown(ev)
}

// Tapped: a click in the field is the person choosing it.
func (f *input) Tapped(ev *fyne.PointEvent) {
	f.armed = false
	f.Entry.Tapped(ev)
}

// MouseDown: as Tapped, for the desktop's press that starts a selection.
func (f *input) MouseDown(ev *desktop.MouseEvent) {
	f.armed = false
	f.Entry.MouseDown(ev)
}

// TypedRune drops a character whose key went down elsewhere.
func (f *input) TypedRune(r rune) {
	if f.armed {
		return
	}
	f.Entry.TypedRune(r)
	if f.Typed != nil {
		f.Typed()
	}
}

// TypedKey: Escape closes the dialog the field is in.
func (f *input) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && f.esc != nil && f.esc() {
		return
	}
	f.Entry.TypedKey(ev)
	if f.Typed != nil && (ev.Name == fyne.KeyBackspace || ev.Name == fyne.KeyDelete) {
		f.Typed()
	}
}

// focus moves the keyboard focus for the person (a screen opening, Enter
// moving to the next empty field). An Input focused this way takes no
// character of the key being pressed now.
func (a *App) focus(o fyne.Focusable) {
	if o == nil || a.win == nil {
		return
	}
	a.win.Canvas().Focus(o)
	if f, ok := o.(*input); ok {
		f.armed = true
	}
}

// focusHook scrolls the page to a control that gained the keyboard focus
// (App.scrollIntoView; one window per process).
var focusHook func(fyne.CanvasObject)

// scrollIntoView moves the page so o, a control of the page that just got
// the focus, is in view: Tab must never land on something off screen.
func (a *App) scrollIntoView(o fyne.CanvasObject) {
	if !a.onPage(o) {
		return
	}
	d := fyne.CurrentApp().Driver()
	po, ps := d.AbsolutePositionForObject(o), d.AbsolutePositionForObject(a.scroll)
	const margin = 8
	top := po.Y - ps.Y
	bottom := top + o.Size().Height
	view := a.scroll.Size().Height
	switch {
	case top < 0:
		a.scroll.Offset.Y += top - margin
	case bottom > view:
		a.scroll.Offset.Y += bottom - view + margin
	default:
		return
	}
	if a.scroll.Offset.Y < 0 {
		a.scroll.Offset.Y = 0
	}
	a.scroll.Refresh()
}

// outlineText draws the focus ring around f when it is a selectable text of
// the page (a value of "Mon token", a result's file name): Tab stops there
// to let the text be copied, and Fyne shows no focus on it.
func (a *App) outlineText(f fyne.Focusable) {
	r := a.textRing
	if r == nil {
		return
	}
	o, ok := f.(fyne.CanvasObject)
	_, text := f.(interface{ SelectedText() string })
	if !ok || !text || !a.onPage(o) {
		if r.Visible() {
			r.Hide()
		}
		return
	}
	d := fyne.CurrentApp().Driver()
	const m = 2 // outside the text, not over it
	// the ring's layer covers the scrolled content from its origin
	pos := d.AbsolutePositionForObject(o).Subtract(d.AbsolutePositionForObject(a.scroll.Content)).SubtractXY(m, m)
	size := o.Size().AddWidthHeight(2*m, 2*m)
	if r.Visible() && r.Position() == pos && r.Size() == size {
		return
	}
	r.Move(pos)
	r.Resize(size)
	r.Show()
	r.Refresh()
}

// focusOutline is the ring drawn around a focused selectable text (tests).
func (a *App) focusOutline() *canvas.Rectangle { return a.textRing }

// onPage: o is a control of the current page, not of the navigation, the
// header or a dialog.
func (a *App) onPage(o fyne.CanvasObject) bool {
	if a.scroll == nil || a.win == nil || a.win.Canvas().Overlays().Top() != nil {
		return false // a dialog's control, or no page yet
	}
	d := fyne.CurrentApp().Driver()
	po, ps := d.AbsolutePositionForObject(o), d.AbsolutePositionForObject(a.scroll)
	return po.X >= ps.X && po.X < ps.X+a.scroll.Size().Width && !inContainers(a.header, o)
}

// page is the scrolled page of the current screen (tests).
func (a *App) page() *container.Scroll { return a.scroll }

// inContainers says whether o is in the containers under root.
func inContainers(root, o fyne.CanvasObject) bool {
	if root == o {
		return true
	}
	if c, ok := root.(*fyne.Container); ok {
		for _, k := range c.Objects {
			if inContainers(k, o) {
				return true
			}
		}
	}
	return false
}
