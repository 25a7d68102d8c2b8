package ui

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/testtoken"
)

// press delivers one key as the desktop driver (GLFW) does: key down and
// typed key to the object focused at that moment, then the key's character
// to the object focused after that (the character callback comes second),
// then key up. Space on a button that opens a screen moves the focus
// between the two.
func press(c fyne.Canvas, name fyne.KeyName, r rune) {
	if k, ok := c.Focused().(desktop.Keyable); ok {
		k.KeyDown(&fyne.KeyEvent{Name: name})
	}
	if f := c.Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: name})
	} else if k := c.OnTypedKey(); k != nil {
		k(&fyne.KeyEvent{Name: name}) // nothing focused: the window's own handler
	}
	if r != 0 {
		if f := c.Focused(); f != nil {
			f.TypedRune(r)
		}
	}
	if k, ok := c.Focused().(desktop.Keyable); ok {
		k.KeyUp(&fyne.KeyEvent{Name: name})
	}
}

// typeKeys types s key by key as a person does.
func typeKeys(c fyne.Canvas, s string) {
	for _, r := range s {
		press(c, fyne.KeyName(string(r)), r)
	}
}

// repeat is a held key's auto-repeat: typed key and character, no key down.
func repeat(c fyne.Canvas, name fyne.KeyName, r rune) {
	if f := c.Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: name})
		f.TypedRune(r)
	}
}

// buttonWithText is the window's button showing text.
func buttonWithText(w fyne.Window, text string) *button {
	for _, o := range test.LaidOutObjects(w.Content()) {
		if b, ok := o.(*button); ok && b.Text == text {
			return b
		}
	}
	return nil
}

// Space on a sidebar button or on the guide's "Faire une signature de test"
// opens a screen whose code field takes the focus: the Space's character
// must not land in it (it did, and the correct PIN sent with a space cost a
// try). Through pkcs11-spy: no C_Login/C_SetPIN for the key, exactly one for
// the code then typed, and it is accepted.
func TestSpaceThatOpensAScreenTypesNothing(t *testing.T) {
	testtoken.Need(t, "pkcs11-tool")
	tok := softhsm(t)
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spy.Setenv(t)
	h := startModule(t, tok, spy.Path, "fr", nil)
	c := h.win.Canvas()

	// sidebar → PIN screen
	c.Focus(h.app.navButton(screenPIN))
	press(c, fyne.KeySpace, ' ')
	f := h.app.pinForm()
	if h.app.shown() != screenPIN || f == nil || c.Focused() != f.current {
		t.Fatalf("Space on the sidebar: screen %s, focus %T", h.app.shown(), c.Focused())
	}
	repeat(c, fyne.KeySpace, ' ') // the key held down
	repeat(c, fyne.KeySpace, ' ')
	if f.current.Text != "" {
		t.Fatalf("the Space reached the code field: %q", f.current.Text)
	}
	if n := spy.Count("C_Login") + spy.Count("C_SetPIN"); n != 0 {
		t.Fatalf("%d code calls for a key", n)
	}
	const newPIN = "97531864"
	typeKeys(c, tok.PIN)
	if f.current.Text != tok.PIN {
		t.Fatalf("typed keys give %q", f.current.Text)
	}
	press(c, fyne.KeyReturn, 0) // Enter: next empty field
	typeKeys(c, newPIN)
	press(c, fyne.KeyReturn, 0)
	typeKeys(c, newPIN)
	press(c, fyne.KeyReturn, 0) // complete: submits
	h.settle()
	if !f.succeeded {
		t.Fatalf("PIN change refused: %q", f.status.Text)
	}
	if n := spy.Count("C_SetPIN"); n != 1 {
		t.Fatalf("%d C_SetPIN for one change", n)
	}
	// the keyboard is on the next step's button: Space goes on from there
	if b, ok := c.Focused().(*button); !ok || b.Text != "Faire une signature de test" {
		t.Fatalf("after the change the focus is on %T, not the next step", c.Focused())
	}

	// guide's "Faire une signature de test" → sign screen
	h.app.show(screenGuide)
	b := buttonWithText(h.win, "Faire une signature de test")
	if b == nil {
		t.Fatal("no test-signature button on the guide")
	}
	c.Focus(b)
	press(c, fyne.KeySpace, ' ')
	v := h.app.signView()
	if h.app.shown() != screenSign || v == nil || c.Focused() != v.pin {
		t.Fatalf("Space on the guide's button: screen %s, focus %T", h.app.shown(), c.Focused())
	}
	if v.pin.Text != "" {
		t.Fatalf("the Space reached the PIN field: %q", v.pin.Text)
	}
	logins := spy.Count("C_Login")
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(sampleIn(t, t.TempDir(), "a.pdf"))})
	h.settle()
	c.Focus(v.pin)
	typeKeys(c, newPIN)
	press(c, fyne.KeyReturn, 0)
	h.settle()
	if v.output == "" {
		t.Fatalf("not signed: %q", v.status.Text)
	}
	if n := spy.Count("C_Login") - logins; n != 1 {
		t.Fatalf("%d C_Login for one signature", n)
	}

	// sidebar → sign screen again: the field is empty and stays so
	c.Focus(h.app.navButton(screenGuide))
	press(c, fyne.KeySpace, ' ')
	c.Focus(h.app.navButton(screenSign))
	press(c, fyne.KeySpace, ' ')
	if v := h.app.signView(); c.Focused() == v.pin && v.pin.Text != "" {
		t.Fatalf("the Space reached the PIN field: %q", v.pin.Text)
	}
}

// asButton is o as a button, the window's (ui.Button) or Fyne's own (a
// dialog's).
func asButton(o fyne.CanvasObject) (*widget.Button, bool) {
	switch b := o.(type) {
	case *button:
		return &b.Button, true
	case *widget.Button:
		return b, true
	}
	return nil, false
}

// Enter presses a focused button as Space does, and the focus is visible
// on every button, the blue (primary) ones included: a ring drawn around
// it, in a colour that is not the button's.
func TestEnterPressesButtonsAndFocusIsVisible(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	c := h.win.Canvas()
	c.Focus(h.app.navButton(screenToken))
	press(c, fyne.KeyReturn, 0)
	if h.app.shown() != screenToken {
		t.Fatalf("Enter on the sidebar: screen %s", h.app.shown())
	}
	h.app.show(screenPIN)
	sub := h.app.pinForm().submit
	if sub.Importance != widget.HighImportance {
		t.Fatal("the PIN form's button is not the primary one")
	}
	test.FocusNext(c) // from the last code field to the button
	for i := 0; i < 10 && c.Focused() != sub; i++ {
		test.FocusNext(c)
	}
	if c.Focused() != sub || !sub.Focused() {
		t.Fatalf("Tab does not reach the primary button (focus %T)", c.Focused())
	}
	ring := focusRingOf(sub)
	if ring == nil || !ring.Visible() || ring.StrokeWidth < 2 {
		t.Fatal("no visible focus ring on the focused primary button")
	}
	if ring.StrokeColor == NewTheme().Color("primary", 0) {
		t.Fatal("the focus ring has the button's own colour")
	}
	test.FocusNext(c)
	if ring.Visible() {
		t.Fatal("the ring stays after the focus left")
	}
}

// focusRingOf is the outline rectangle the button draws over itself.
func focusRingOf(b *button) *canvas.Rectangle {
	objs := test.WidgetRenderer(b).Objects()
	if r, ok := objs[len(objs)-1].(*canvas.Rectangle); ok && r.StrokeWidth > 0 {
		return r
	}
	return nil
}

// Information dialogs take Enter and Escape (focus on their button, and
// with nothing focused); the chooser closes on Escape from its path field;
// the last-try question says no to both.
func TestDialogsAnswerEnterAndEscape(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	c := h.win.Canvas()
	h.failOpen = fmt.Errorf("no opener")
	open := func() {
		t.Helper()
		h.app.show(screenGuide)
		b := buttonWithText(h.win, "Ouvrir www.certigna.com")
		if b == nil {
			t.Fatal("no button to open the site")
		}
		c.Focus(b)
		press(c, fyne.KeyReturn, 0) // Enter presses the button
		if c.Overlays().Top() == nil {
			t.Fatal("no dialog")
		}
	}
	for _, k := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEscape} {
		open()
		if _, ok := c.Focused().(*button); !ok {
			t.Fatalf("the dialog's button has no focus (%T)", c.Focused())
		}
		press(c, k, 0)
		if c.Overlays().Top() != nil {
			t.Fatalf("%s did not close the dialog", k)
		}
	}
	open()
	c.Unfocus()
	press(c, fyne.KeyEscape, 0)
	if c.Overlays().Top() != nil {
		t.Fatal("Escape with nothing focused did not close the dialog")
	}

	h.app.show(screenSign)
	test.Tap(buttonWithText(h.win, "Choisir un PDF…"))
	if c.Overlays().Top() == nil || c.Focused() != h.app.chooserField() {
		t.Fatal("the chooser is not open with the focus in its path field")
	}
	press(c, fyne.KeyEscape, 0)
	if c.Overlays().Top() != nil {
		t.Fatal("Escape in the path field did not close the chooser")
	}

	// Fyne's file browser behind "Parcourir…" (no system dialog here):
	// Escape closes it and leaves the chooser; Escape again closes that
	test.Tap(buttonWithText(h.win, "Choisir un PDF…"))
	for _, b := range buttons(c.Overlays().Top()) {
		if b.Text == "Parcourir…" {
			test.Tap(b)
		}
	}
	if n := len(c.Overlays().List()); n != 2 {
		t.Fatalf("%d dialogs after “Parcourir…”, want the chooser and the file browser", n)
	}
	press(c, fyne.KeyEscape, 0)
	if n := len(c.Overlays().List()); n != 1 {
		t.Fatalf("Escape in the file browser left %d dialogs, want the chooser", n)
	}
	press(c, fyne.KeyEscape, 0)
	if c.Overlays().Top() != nil {
		t.Fatal("the second Escape did not close the chooser")
	}
}

// Tab through the whole guide in a small window: every control that gets
// the focus is scrolled into view (8 stops were off screen), and a tick
// ticked with Space keeps the focus and the page where they were.
func TestTabScrollsFocusIntoView(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.win.Resize(fyne.NewSize(800, 600))
	h.app.show(screenGuide)
	c := h.win.Canvas()
	d := fyne.CurrentApp().Driver()
	seen, scrolled := 0, false
	var tick *check
	for i := 0; i < 60; i++ {
		test.FocusNext(c)
		o, ok := c.Focused().(fyne.CanvasObject)
		if !ok {
			continue
		}
		page := h.app.page()
		po, pp := d.AbsolutePositionForObject(o), d.AbsolutePositionForObject(page)
		if sel, ok := o.(*widget.Select); po.X < pp.X || ok && sel.Selected == "Français" {
			continue // the navigation, the language in the header
		}
		seen++
		top := po.Y - pp.Y
		if top < 0 || top+o.Size().Height > page.Size().Height {
			t.Fatalf("stop %d (%T) off screen: y %.0f..%.0f, page height %.0f", i, o, top, top+o.Size().Height, page.Size().Height)
		}
		if page.Offset.Y > 0 {
			scrolled = true
		}
		if ch, ok := o.(*check); ok && tick == nil && page.Offset.Y > 0 {
			tick = ch
		}
	}
	if seen < 5 || !scrolled {
		t.Fatalf("%d stops on the page, scrolled %v: the test proves nothing", seen, scrolled)
	}
	if tick == nil {
		t.Skip("no tick below the fold to press")
	}
	c.Focus(tick)
	off := h.app.page().Offset.Y
	was := tick.Checked
	press(c, fyne.KeySpace, ' ')
	now, ok := c.Focused().(*check)
	if !ok || now.Text != tick.Text || now.Checked == was {
		t.Fatalf("after Space on a tick the focus is on %T", c.Focused())
	}
	// the guide is rebuilt (a done step is shorter): the tick stays in view
	page := h.app.page()
	top := d.AbsolutePositionForObject(now).Y - d.AbsolutePositionForObject(page).Y
	if page.Offset.Y == 0 || top < 0 || top+now.Size().Height > page.Size().Height {
		t.Fatalf("the tick left the view (offset %.0f → %.0f, y %.0f)", off, page.Offset.Y, top)
	}
}

// A code field is cleared when what it is for changes: another document,
// another certificate, another screen; the reason typed for one document
// is not the next one's.
func TestCodeClearedWhenItsTargetChanges(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	a, b := sampleIn(t, dir, "a.pdf"), sampleIn(t, dir, "b.pdf")
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(a)})
	h.settle()
	test.Type(v.pin, tok.PIN)
	test.Type(v.reason, "Bon pour accord")
	h.app.handleDrop([]fyne.URI{storage.NewFileURI(b)})
	h.settle()
	if v.pin.Text != "" || v.reason.Text != "" {
		t.Fatalf("another document: PIN kept %v, reason %q", v.pin.Text != "", v.reason.Text)
	}
	test.Type(v.pin, tok.PIN)
	h.app.refresh() // the token read again, nothing changed: the PIN stays
	h.settle()
	if v.pin.Text != tok.PIN {
		t.Fatal("the PIN was cleared by a refresh of the same token")
	}
	if len(v.cert.Options) < 2 {
		t.Fatalf("certificate choices %q", v.cert.Options)
	}
	v.cert.SetSelectedIndex(1)
	h.settle()
	if v.pin.Text != "" {
		t.Fatal("another certificate: the PIN stays")
	}
	test.Type(v.pin, tok.PIN)
	h.app.show(screenGuide)
	h.app.show(screenSign)
	if v := h.app.signView(); v.pin.Text != "" {
		t.Fatal("another screen and back: the PIN stays")
	}
}

// The weak-PIN warning appears under "Valider": the button does not move
// from under the pointer while the new PIN is typed.
func TestWeakWarningDoesNotMoveTheButton(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenPIN)
	f := h.app.pinForm()
	d := fyne.CurrentApp().Driver()
	before := d.AbsolutePositionForObject(f.submit)
	test.Type(f.newPIN, "4444")
	if !f.weak.Visible() {
		t.Fatal("no warning for 4444")
	}
	if after := d.AbsolutePositionForObject(f.submit); after != before {
		t.Fatalf("“Valider” moved from %v to %v", before, after)
	}
}

// manyTried is discovery's answer on a machine with 25 places that all fail
// the same way (a double: no machine here has 25 broken modules).
type manyTried struct{ TokenService }

func (c manyTried) Module() actions.ModuleStatus {
	m := c.TokenService.Module()
	for i := 0; i < 25; i++ {
		m.Candidates = append(m.Candidates, actions.Candidate{Path: fmt.Sprintf("/opt/vendor%d/lib.so", i), Source: "known",
			Status: "failed", Reason: catalogErr{"token.err.module_not_found"}})
	}
	return m
}

// Driver screen: the same reason for 25 places is said once, for all of
// them, not 25 times.
func TestDriverReasonsSaidOnce(t *testing.T) {
	tok := softhsm(t)
	h := startWith(t, tok, "fr", func(s TokenService) TokenService { return manyTried{s} })
	h.app.show(screenDriver)
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if acc, ok := o.(*widget.Accordion); ok {
			acc.OpenAll()
		}
	}
	want := assets.T("fr", "token.err.module_not_found", map[string]any{"Reason": "x"})
	n := 0
	for _, o := range test.LaidOutObjects(h.win.Content()) {
		if l, ok := o.(*widget.Label); ok {
			n += strings.Count(l.Text, want)
		}
	}
	if n != 1 {
		t.Fatalf("the reason is said %d times", n)
	}
	mustShow(t, h.win, "Pour ces 25 emplacements")
}

// Every button of every screen has a name a screen reader can say (its
// text, or Name for an icon-only one), the preview's arrows included.
func TestEveryButtonHasAnAccessibleName(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	for _, s := range []string{screenGuide, screenDriver, screenToken, screenPIN, screenSign, screenVerify, screenBrowsers, screenAbout} {
		h.app.show(s)
		if s == screenSign {
			h.app.signView().sampleNow()
			h.settle()
		}
		n := 0
		for _, o := range test.LaidOutObjects(h.win.Content()) {
			if b, ok := o.(*button); ok {
				n++
				if b.AccessibleName() == "" {
					t.Errorf("%s: a button without a name (icon %v)", s, b.Icon)
				}
			}
		}
		if n == 0 {
			t.Errorf("%s: no button seen", s)
		}
	}
}

// "Utiliser un document d'exemple" twice leaves one copy in Documents.
func TestSampleNotCopiedAgain(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	v.sampleNow()
	h.settle()
	first := v.inputPath
	v.sampleNow()
	h.settle()
	ents, err := os.ReadDir(h.docs)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || v.inputPath != first {
		t.Fatalf("%d files in Documents after two clicks (%s, then %s)", len(ents), first, v.inputPath)
	}
}

// Once the personal PIN is set in the app, the guide's tick no longer says
// "Déjà fait avec le pilote".
func TestPINStepTickSaysDoneAfterTheApp(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenGuide)
	mustShow(t, h.win, "Déjà fait avec le pilote")
	h.app.show(screenPIN)
	f := h.app.pinForm()
	test.Type(f.current, tok.PIN)
	test.Type(f.newPIN, "97531864")
	test.Type(f.confirm, "97531864")
	test.Tap(f.submit)
	h.settle()
	if !f.succeeded {
		t.Fatalf("PIN change: %q", f.status.Text)
	}
	h.app.show(screenGuide)
	if shows(h.win, "Déjà fait avec le pilote") {
		t.Fatal("“Déjà fait avec le pilote” after the PIN was set in the app")
	}
}

// A refusal goes away once the person types again in the form: no stale
// red error beside corrected fields.
func TestStaleErrorClearedWhenTyping(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenPIN)
	f := h.app.pinForm()
	c := h.win.Canvas()
	test.Type(f.current, tok.PIN)
	test.Type(f.newPIN, "97531864")
	test.Type(f.confirm, "97531865")
	test.Tap(f.submit)
	h.settle()
	if f.status.Text == "" || f.status.Importance != widget.DangerImportance {
		t.Fatalf("no refusal for a mismatch: %q", f.status.Text)
	}
	c.Focus(f.confirm)
	press(c, fyne.KeyBackspace, 0)
	if f.status.Text != "" {
		t.Fatalf("the refusal stays while the field is corrected: %q", f.status.Text)
	}

	// the PDF chooser's "not found" too
	h.app.show(screenVerify)
	test.Tap(buttonWithText(h.win, "Choisir un PDF…"))
	path := h.app.chooserField()
	typeKeys(c, "/nulle/part.pdf")
	press(c, fyne.KeyReturn, 0)
	const notFound = "Aucun fichier à cet emplacement"
	if !strings.Contains(strings.Join(overlayTexts(h.win), "\n"), notFound) {
		t.Fatal("no message for a missing file")
	}
	c.Focus(path)
	press(c, fyne.KeyBackspace, 0)
	if strings.Contains(strings.Join(overlayTexts(h.win), "\n"), notFound) {
		t.Fatal("“not found” stays while the path is corrected")
	}
}

// Tab stops on a selectable text (the token's values, so they can be
// copied) and Fyne shows nothing there: the window draws the focus ring
// around it, and takes it away when the focus moves on.
func TestSelectableTextShowsFocus(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.Start()
	h.settle()
	h.app.show(screenToken)
	c := h.win.Canvas()
	isText := func(f fyne.Focusable) bool { _, ok := f.(interface{ SelectedText() string }); return ok }
	for i := 0; i < 30 && !isText(c.Focused()); i++ {
		test.FocusNext(c)
	}
	if !isText(c.Focused()) {
		t.Fatal("no selectable text in the token screen's Tab order: the test proves nothing")
	}
	// followFocus checks a few times a second through RunOnUI
	waitRing := func(visible bool) *canvas.Rectangle {
		r := h.app.focusOutline()
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			h.drain()
			if r = h.app.focusOutline(); r != nil && r.Visible() == visible {
				return r
			}
		}
		t.Fatalf("the focus ring of the selectable text: visible %v, want %v", r != nil && r.Visible(), visible)
		return nil
	}
	r := waitRing(true)
	d := fyne.CurrentApp().Driver()
	o := c.Focused().(fyne.CanvasObject)
	at := d.AbsolutePositionForObject(o).Subtract(d.AbsolutePositionForObject(h.app.page().Content))
	if r.StrokeColor == nil || r.StrokeWidth < 2 || r.Position().X > at.X || r.Position().Y > at.Y ||
		r.Position().X+r.Size().Width < at.X+o.Size().Width || r.Position().Y+r.Size().Height < at.Y+o.Size().Height {
		t.Fatalf("the ring (%v %v) is not around the text (%v %v)", r.Position(), r.Size(), at, o.Size())
	}
	for i := 0; i < 30 && isText(c.Focused()); i++ {
		test.FocusNext(c)
	}
	waitRing(false)
}
