package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// appTheme is the default theme, always light (the CA's documents and site
// are light; a dark window surprises the people this app is for), with a
// slightly larger text for readability.
type appTheme struct{}

// NewTheme is the app's theme.
func NewTheme() fyne.Theme { return appTheme{} }

func (appTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary:
		return color.NRGBA{R: 0x0b, G: 0x5c, B: 0xad, A: 0xff}
	case theme.ColorNameBackground:
		return color.NRGBA{R: 0xf7, G: 0xf8, B: 0xfa, A: 0xff}
	// text colours readable on the background and on their own badge's
	// tint (WCAG AA, 4.5:1: theme_test.go); Fyne's bright green read 1.4:1
	case theme.ColorNameSuccess:
		return color.NRGBA{R: 0x18, G: 0x63, B: 0x26, A: 0xff}
	case theme.ColorNameWarning:
		return color.NRGBA{R: 0x80, G: 0x46, B: 0x00, A: 0xff}
	case theme.ColorNameError:
		return color.NRGBA{R: 0xa3, G: 0x22, B: 0x1b, A: 0xff}
	case theme.ColorNamePlaceHolder:
		return color.NRGBA{R: 0x5f, G: 0x63, B: 0x68, A: 0xff}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (appTheme) Font(s fyne.TextStyle) fyne.Resource     { return theme.DefaultTheme().Font(s) }
func (appTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }
func (appTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return 14.5
	}
	return theme.DefaultTheme().Size(n)
}
