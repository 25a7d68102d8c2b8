package ui

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// dragFrom sends the events the desktop driver sends for a mouse drag from
// `from` by (dx, dy) pixels in steps: each with the pointer's current
// position and the movement since the previous event. (test.Drag sends one
// event with the start position, which the real driver never does.)
func dragFrom(w fyne.Window, d fyne.Draggable, from fyne.Position, dx, dy float32) {
	obj := d.(fyne.CanvasObject)
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(obj)
	pos := from.Subtract(at)
	const steps = 4
	for i := 0; i < steps; i++ {
		step := fyne.NewDelta(dx/steps, dy/steps)
		pos = pos.Add(step)
		d.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pos, AbsolutePosition: pos.Add(at)}, Dragged: step})
	}
	d.DragEnd()
}

func solid(w, h int, c color.Color) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{c}, image.Point{}, draw.Src)
	return img
}

func nearPlace(a, b [4]float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 0.51 {
			return false
		}
	}
	return true
}

// The placement widget: a drag inside moves the stamp, a drag on a corner
// resizes it (the opposite corner stays), a drag outside brings it under
// the pointer, the page's edges stop it; Tab focuses it, the arrows move it
// 5 points, + and − resize it by 10 %; a click on an empty field's box
// chooses that field; the stamp's picture is drawn where its place is.
func TestPlacerDragKeysFields(t *testing.T) {
	test.NewTempApp(t)
	p := newPlacer("Emplacement de la signature")
	var got [4]float64
	changes := 0
	p.OnChanged = func(r [4]float64) { got = r; changes++ }
	field := ""
	p.OnField = func(n string) { field = n }
	p.SetPage(solid(612, 792, color.White), 612, 792)
	p.SetStamp(solid(40, 12, color.NRGBA{R: 0xff, A: 0xff}))
	p.SetPlace([4]float64{100, 100, 200, 60})
	p.SetFields([]placerField{{Name: "Acheteur", OnPage: [4]float64{350, 600, 200, 50}}}, "")
	entry := widget.NewEntry()
	w := test.NewTempWindow(t, container.NewVBox(entry, p))
	w.Resize(fyne.NewSize(340, 480))
	// 0.5 px per point: the page is 306 × 396 px
	p.Resize(fyne.NewSize(306, 396))
	at := fyne.CurrentApp().Driver().AbsolutePositionForObject(p)
	screen := func(x, y float64) fyne.Position { // page coordinates → window
		return at.Add(fyne.NewPos(float32(x*0.5), float32((792-y)*0.5)))
	}

	// move: grab the stamp's middle, 50 px right and 25 px up
	dragFrom(w, p, screen(200, 130), 50, -25)
	if want := [4]float64{200, 150, 200, 60}; !nearPlace(got, want) || !nearPlace(p.Place(), want) {
		t.Fatalf("moved to %v, want %v", got, want)
	}
	// resize by the top-right corner: the bottom-left stays
	dragFrom(w, p, screen(400, 210), 20, -10)
	if want := [4]float64{200, 150, 240, 80}; !nearPlace(p.Place(), want) {
		t.Fatalf("resized to %v, want %v", p.Place(), want)
	}
	// resize by the bottom-left corner
	dragFrom(w, p, screen(200, 150), -10, 10)
	if want := [4]float64{180, 130, 260, 100}; !nearPlace(p.Place(), want) {
		t.Fatalf("resized by bottom-left to %v, want %v", p.Place(), want)
	}
	// a drag that starts outside brings the stamp's centre there
	dragFrom(w, p, screen(450, 400), 0, 0.01)
	if want := [4]float64{450 - 130, 400 - 50, 260, 100}; !nearPlace(p.Place(), want) {
		t.Fatalf("dragged from outside to %v, want %v", p.Place(), want)
	}
	// the page's edge stops it
	dragFrom(w, p, screen(450, 400), -400, 0)
	if r := p.Place(); r[0] != 0 || r[2] != 260 {
		t.Fatalf("dragged off the left edge: %v", r)
	}

	// keyboard only: Tab from the entry reaches the placer
	w.Canvas().Focus(entry)
	test.FocusNext(w.Canvas())
	if !p.Focused() || w.Canvas().Focused() != p {
		t.Fatalf("Tab did not reach the placer (focused %T)", w.Canvas().Focused())
	}
	before := p.Place()
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	if r := p.Place(); r[0] != before[0]+5 || r[1] != before[1]+5 {
		t.Fatalf("arrows: %v → %v", before, r)
	}
	for i := 0; i < 4; i++ { // away from the edge, so that growing is not clamped
		w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	}
	before = p.Place()
	w.Canvas().Focused().TypedRune('+')
	if r := p.Place(); !nearPlace(r, [4]float64{before[0] - 13, before[1] - 5, 286, 110}) {
		t.Fatalf("+: %v → %v", before, r)
	}
	w.Canvas().Focused().TypedRune('-')
	if r := p.Place(); !nearPlace(r, before) {
		t.Fatalf("− after +: %v, want %v", r, before)
	}
	if changes < 8 {
		t.Errorf("OnChanged called %d times", changes)
	}

	// the stamp's picture is drawn at its place: red pixels fill the
	// stamp's rectangle on the captured window, and nothing red outside
	r := p.Place()
	img := w.Canvas().Capture()
	sc := w.Canvas().Scale()
	tl, br := screen(r[0], r[1]+r[3]), screen(r[0]+r[2], r[1])
	var in, out int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr > 0xe000 && cg < 0x3000 && cb < 0x3000 {
				fx, fy := float32(x)/sc, float32(y)/sc
				if fx >= tl.X-2 && fx <= br.X+2 && fy >= tl.Y-2 && fy <= br.Y+2 {
					in++
				} else {
					out++
				}
			}
		}
	}
	area := float64((br.X - tl.X) * (br.Y - tl.Y) * sc * sc)
	if float64(in) < area*0.8 || out > 0 {
		t.Errorf("stamp picture: %d red pixels inside (area %.0f), %d outside", in, area, out)
	}

	// a click on the field's box chooses it
	test.TapCanvas(w.Canvas(), screen(450, 625))
	if field != "Acheteur" {
		t.Fatalf("field clicked: %q", field)
	}
}
