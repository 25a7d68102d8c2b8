package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG 2's relative luminance of c.
func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// contrast is WCAG 2's contrast ratio of a and b.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over is c at opacity alpha over the opaque bg.
func over(c, bg color.Color, alpha uint8) color.Color {
	f, b := color.NRGBAModel.Convert(c).(color.NRGBA), color.NRGBAModel.Convert(bg).(color.NRGBA)
	mix := func(x, y uint8) uint8 {
		return uint8(math.Round(float64(x)*float64(alpha)/255 + float64(y)*(1-float64(alpha)/255)))
	}
	return color.NRGBA{R: mix(f.R, b.R), G: mix(f.G, b.G), B: mix(f.B, b.B), A: 0xff}
}

// Finding 12: the theme's coloured texts (a label's success, warning or
// error, a badge on its own tint) read at 4.5:1 at least (WCAG AA) on the
// window's background; Fyne's own green did not.
func TestThemeTextContrast(t *testing.T) {
	th := NewTheme()
	bg := th.Color(theme.ColorNameBackground, theme.VariantLight)
	for _, n := range []fyne.ThemeColorName{theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError,
		theme.ColorNamePrimary, theme.ColorNamePlaceHolder, theme.ColorNameForeground} {
		c := th.Color(n, theme.VariantLight)
		if r := contrast(c, bg); r < 4.5 {
			t.Errorf("%s on the background: %.2f:1", n, r)
		}
		if r := contrast(c, over(c, bg, badgeTint)); r < 4.5 {
			t.Errorf("%s badge on its tint: %.2f:1", n, r)
		}
	}
	// the measure measures: black on white 21:1, Fyne's green 1.4:1
	if r := contrast(color.Black, color.White); math.Abs(r-21) > 0.01 {
		t.Errorf("black on white %.2f", r)
	}
	if r := contrast(theme.DefaultTheme().Color(theme.ColorNameSuccess, theme.VariantLight), bg); r > 2 {
		t.Errorf("Fyne's green %.2f:1: the test would not have caught it", r)
	}
}
