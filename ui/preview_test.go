package ui_test

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/ui"
	"github.com/certigna-desktop/app/ui/backend"
)

// startPreview opens the window with the page preview switched on.
func startPreview(t *testing.T, tok *testtoken.Token) *harness {
	t.Helper()
	withOptions = func(o *ui.Options) { o.Pages = backend.NewPages() }
	defer func() { withOptions = nil }()
	return start(t, tok, "fr")
}

// renderPage renders page n of path at 72 dpi with the app's renderer.
func renderPage(t *testing.T, path string, n int) image.Image {
	t.Helper()
	d, err := backend.NewPages().OpenPages(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	img, err := d.Render(context.Background(), n, 72)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func diffBox(a, b image.Image) image.Rectangle {
	var r image.Rectangle
	for y := 0; y < a.Bounds().Dy(); y++ {
		for x := 0; x < a.Bounds().Dx(); x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r
}

// The placement chosen in the window is where the signed file has its
// stamp, on every vector (/Rotate 0/90/180/270, CropBox offsets, odd
// sizes): the document is dropped, its page shows in the preview, "Signer
// sur cette page" puts a stamp, a mouse drag moves it, a drag on its
// corner resizes it, the arrows nudge it; then the PIN, "Signer", and the
// signed page rendered again: the pixels that changed are the rectangle
// the preview showed (±1 px at 72 dpi).
func TestPlacementInWindowLandsInSignedFile(t *testing.T) {
	tok := softhsm(t)
	h := startPreview(t, tok)
	h.app.Show(ui.ScreenSign)
	for _, vec := range testpdf.Vectors() {
		t.Run(vec.Name, func(t *testing.T) {
			v := h.app.SignView()
			v.Stamp.SetSelectedIndex(0) // invisible: each vector places its own stamp
			in := filepath.Join(t.TempDir(), vec.Name+".pdf")
			if err := os.WriteFile(in, testpdf.Build(testpdf.Page{}, vec.Page), 0o644); err != nil {
				t.Fatal(err)
			}
			h.app.HandleDrop([]fyne.URI{storage.NewFileURI(in)})
			h.settle()
			pv := v.Preview
			if pv.Msg.Text != "" || pv.PageLabel.Text != "Page 1 sur 2" {
				t.Fatalf("preview: %q / %q", pv.Msg.Text, pv.PageLabel.Text)
			}
			test.Tap(pv.Next)
			h.settle()
			p := pv.Placer
			w, hh := p.PageSize()
			if pv.PageLabel.Text != "Page 2 sur 2" || w <= 0 {
				t.Fatalf("page 2: %q %gx%g", pv.PageLabel.Text, w, hh)
			}
			test.Tap(pv.PlaceHere)
			h.settle()
			if p.Place()[2] <= 0 || h.win.Canvas().Focused() != p {
				t.Fatalf("no stamp placed (%v), focus %T", p.Place(), h.win.Canvas().Focused())
			}
			// the mouse: grab the stamp's middle and drag it up-left,
			// then its top-right corner outwards
			r := p.Place()
			s := float64(p.Size().Width) / w
			if sh := float64(p.Size().Height) / hh; sh < s {
				s = sh
			}
			offX := (float64(p.Size().Width) - s*w) / 2
			offY := (float64(p.Size().Height) - s*hh) / 2
			at := fyne.CurrentApp().Driver().AbsolutePositionForObject(p)
			screen := func(x, y float64) fyne.Position {
				return at.Add(fyne.NewPos(float32(offX+x*s), float32(offY+(hh-y)*s)))
			}
			dragFrom(h.win, p, screen(r[0]+r[2]/2, r[1]+r[3]/2), -float32(0.3*w*s), -float32(0.25*hh*s))
			moved := p.Place()
			if moved[0] >= r[0] || moved[1] <= r[1] {
				t.Fatalf("drag did not move the stamp: %v → %v", r, moved)
			}
			dragFrom(h.win, p, screen(moved[0]+moved[2], moved[1]+moved[3]), 12, -8)
			grown := p.Place()
			if grown[2] <= moved[2] || grown[3] <= moved[3] || grown[0] != moved[0] || grown[1] != moved[1] {
				t.Fatalf("corner drag: %v → %v", moved, grown)
			}
			// the keyboard: the placer has the focus
			h.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
			h.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
			place := p.Place()
			if place[0] != grown[0]-5 || place[1] != grown[1]-5 {
				t.Fatalf("arrows: %v → %v", grown, place)
			}
			if v.Stamp.Selected != "À l’endroit choisi sur l’aperçu" || !v.Corner.Disabled() {
				t.Fatalf("stamp choice %q", v.Stamp.Selected)
			}
			h.settle()
			if v.Submit.Disabled() {
				t.Fatalf("Signer disabled: %q", v.DocStatus.Text)
			}
			v.PIN.SetText("")
			test.Type(v.PIN, tok.PIN)
			test.Tap(v.Submit)
			h.settle()
			if v.Output == "" || v.Result == nil || !v.Result.Valid {
				t.Fatalf("not signed: %q", v.Status.Text)
			}
			got := diffBox(renderPage(t, in, 2), renderPage(t, v.Output, 2))
			// page coordinates (y up from the bottom) → rows from the top
			want := image.Rect(int(place[0]+0.5), int(hh-place[1]-place[3]+0.5), int(place[0]+place[2]+0.5), int(hh-place[1]+0.5))
			d := got.Min.Sub(want.Min)
			e := got.Max.Sub(want.Max)
			if d.X < -1 || d.X > 1 || d.Y < -1 || d.Y > 1 || e.X < -1 || e.X > 1 || e.Y < -1 || e.Y > 1 {
				t.Errorf("stamp in the signed file at %v, shown at %v (place %v on %gx%g)", got, want, place, w, hh)
			}
			if before, after := renderPage(t, in, 1), renderPage(t, v.Output, 1); !diffBox(before, after).Empty() {
				t.Error("page 1 changed")
			}
		})
	}
}
