package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/certigna-desktop/app/actions"
)

// Small widgets and text helpers the screens share: titles, badges,
// banners, dates, key-value forms, the wheel that scrolls the page.

func title(text string) fyne.CanvasObject {
	t := canvas.NewText(text, theme.Color(theme.ColorNameForeground))
	t.TextSize = theme.TextSize() * 1.5
	t.TextStyle.Bold = true
	return t
}

func para(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func bold(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.TextStyle.Bold = true
	l.Wrapping = fyne.TextWrapWord
	return l
}

// badgeTint is the opacity of a badge's background in its text's colour:
// light enough for the text to keep 4.5:1 (theme_test.go).
const badgeTint = 0x28

// badge is a coloured pill with bold text.
func badge(text string, c fyne.ThemeColorName) fyne.CanvasObject {
	col := theme.Color(c)
	r, g, b, _ := col.RGBA()
	bg := canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: badgeTint})
	bg.CornerRadius = theme.InputRadiusSize() * 2
	bg.StrokeColor = col
	bg.StrokeWidth = 1
	t := canvas.NewText(text, col)
	t.TextStyle.Bold = true
	return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(4, 4, 10, 10), t))
}

// bannerBox is a full-width tinted strip with wrapped text.
func bannerBox(text string, c fyne.ThemeColorName) fyne.CanvasObject {
	col := theme.Color(c)
	r, g, b, _ := col.RGBA()
	bg := canvas.NewRectangle(color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x30})
	bg.CornerRadius = theme.InputRadiusSize()
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Bold = true
	return container.NewStack(bg, l)
}

func pinBadge(a *App, s actions.PINState) fyne.CanvasObject {
	switch s {
	case actions.PINOK:
		return badge(a.t("ui.pin_state.ok"), theme.ColorNameSuccess)
	case actions.PINToBeChanged:
		return badge(a.t("ui.pin_state.to_be_changed"), theme.ColorNameWarning)
	case actions.PINCountLow:
		return badge(a.t("ui.pin_state.count_low"), theme.ColorNameWarning)
	case actions.PINFinalTry:
		return badge(a.t("ui.pin_state.final_try"), theme.ColorNameError)
	case actions.PINLocked:
		return badge(a.t("ui.pin_state.locked"), theme.ColorNameError)
	}
	return badge(a.t("ui.pin_state.not_initialized"), theme.ColorNameWarning)
}

func pinStateText(a *App, s actions.PINState) string {
	if s == "" {
		s = actions.PINNotInitialized
	}
	return a.t("ui.pin_state." + string(s))
}

func fmtDate(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if lang == "en" {
		return t.Local().Format("2 Jan 2006")
	}
	return t.Local().Format("02/01/2006")
}

func fmtTime(lang string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if lang == "en" {
		return t.Local().Format("2 Jan 2006 15:04:05")
	}
	return t.Local().Format("02/01/2006 à 15:04:05")
}

func kv(k, v string) []fyne.CanvasObject {
	kl := widget.NewLabel(k)
	kl.TextStyle.Bold = true
	vl := widget.NewLabel(v)
	vl.Wrapping = fyne.TextWrapWord
	vl.Selectable = true
	return []fyne.CanvasObject{kl, vl}
}

func form(rows ...[]fyne.CanvasObject) fyne.CanvasObject {
	objs := []fyne.CanvasObject{}
	for _, r := range rows {
		objs = append(objs, r...)
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// wheelToPage sits over a text field and hands the mouse wheel to the page:
// a field's own (horizontal) scroller would otherwise swallow it and the
// page would not move while the pointer is over a field.
type wheelToPage struct {
	widget.BaseWidget
	a *App
}

func (w *wheelToPage) Scrolled(ev *fyne.ScrollEvent) {
	if w.a.scroll != nil {
		w.a.scroll.Scrolled(ev)
	}
}

func (w *wheelToPage) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

func (w *wheelToPage) MinSize() fyne.Size { return fyne.Size{} }

// wheel wraps a text field so the wheel scrolls the page over it.
func (a *App) wheel(e fyne.CanvasObject) fyne.CanvasObject {
	w := &wheelToPage{a: a}
	w.ExtendBaseWidget(w)
	return container.NewStack(e, w)
}
