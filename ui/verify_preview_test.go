package ui

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"image"
	"image/color"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/certigna-desktop/app/internal/testpdf"
	"github.com/certigna-desktop/app/pdfsign/sign"
)

// Where the two fields are, in page coordinates (as displayed).
var (
	signedAt = [4]float64{40, 60, 180, 60}
	emptyAt  = [4]float64{250, 200, 150, 50}
)

// fieldForm writes page with two empty signature fields ("Signature1",
// "Vide") at signedAt and emptyAt as displayed: their /Rect turned into the
// page's user space for its CropBox and /Rotate.
func fieldForm(t *testing.T, path string, pg testpdf.Page) {
	t.Helper()
	media := pg.Media
	box := sign.VisibleBox(media, pg.Crop)
	rect := func(r [4]float64) string {
		u := sign.DisplayToUser(box, pg.Rotate, r)
		return fmt.Sprintf("%g %g %g %g", u[0], u[1], u[0]+u[2], u[1]+u[3])
	}
	page := fmt.Sprintf("<</Type/Page/Parent 2 0 R/MediaBox[%g %g %g %g]/Resources<</Font<</F1 3 0 R>>>>/Contents 5 0 R/Annots[6 0 R 7 0 R]/Rotate %d",
		media[0], media[1], media[2], media[3], pg.Rotate)
	if pg.Crop != ([4]float64{}) {
		page += fmt.Sprintf("/CropBox[%g %g %g %g]", pg.Crop[0], pg.Crop[1], pg.Crop[2], pg.Crop[3])
	}
	ink := testpdf.Ink(box)
	pdf := testpdf.Classic("/ID[<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>]",
		"<</Type/Catalog/Pages 2 0 R/AcroForm<</Fields[6 0 R 7 0 R]>>>>",
		"<</Type/Pages/Kids[4 0 R]/Count 1>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
		page+">>",
		fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(ink), ink),
		"<</FT/Sig/T(Signature1)/Type/Annot/Subtype/Widget/Rect["+rect(signedAt)+"]/F 4/P 4 0 R>>",
		"<</FT/Sig/T(Vide)/Type/Annot/Subtype/Widget/Rect["+rect(emptyAt)+"]/F 4/P 4 0 R>>",
	)
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// signField signs field "Signature1" of in with a throwaway key for
// holder.
func signField(t *testing.T, in, out, holder string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: holder},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	if _, err := sign.Sign(context.Background(), in, out, key, []*x509.Certificate{cert},
		sign.Options{Field: "Signature1", Visible: &sign.Visible{}}); err != nil {
		t.Fatal(err)
	}
}

// near says whether c is within 8/255 per channel of want.
func near(c color.Color, want color.NRGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(v uint32, w uint8) bool { x := int(v>>8) - int(w); return x >= -8 && x <= 8 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

// edgeAt finds, along the row y of img from x-6 to x+6, the column with
// want's colour (the outline's stroke) nearest x; -1 when none.
func edgeAt(img image.Image, x, y int, want color.NRGBA) int {
	for dx := 0; dx <= 6; dx++ {
		for _, c := range []int{x - dx, x + dx} {
			if near(img.At(c, y), want) {
				return c
			}
		}
	}
	return -1
}

// The verify screen's preview on a turned page (/Rotate 90), a cropped one
// (CropBox offset) and both: the signed field outlined in green with its
// signer's name (escaped), the empty one in blue, each where the page shows
// it (the outline's pixels in the captured window at the field's place,
// ±3 px: the stroke is drawn just outside the box); a click on the signed box, or the arrows and Enter, selects its
// card in the report; a click on the empty one says it is empty.
func TestVerifyPreviewOutlinesFields(t *testing.T) {
	tok := softhsm(t)
	h := startPreview(t, tok)
	var vecs []testpdf.Vector
	for _, v := range testpdf.Vectors() {
		switch v.Name {
		case "a4-rot90", "crop-rot0", "crop-rot90", "odd-rot270":
			vecs = append(vecs, v)
		}
	}
	for _, vec := range vecs {
		t.Run(vec.Name, func(t *testing.T) {
			dir := t.TempDir()
			form, signed := filepath.Join(dir, "form.pdf"), filepath.Join(dir, "signé.pdf")
			fieldForm(t, form, vec.Page)
			// text from a certificate is attacker text: a right-to-left override
			signField(t, form, signed, "Alice Vérif\u202eeliF")
			v := verifyFile(t, h, signed)
			vp := v.preview
			if v.check == nil || len(v.check.Signatures) != 1 || vp == nil || vp.pageLabel.Text != "Page 1 sur 1" {
				t.Fatalf("check %+v %v, preview %q %q", v.check, v.err, vp.pageLabel.Text, vp.msg.Text)
			}
			p := vp.placer
			fs := p.Fields()
			if len(fs) != 2 {
				t.Fatalf("fields %+v", fs)
			}
			for _, f := range fs {
				switch f.Name {
				case "Signature1":
					if !f.Signed || f.OnPage != signedAt || !strings.HasPrefix(f.Label, "Signé par Alice Vérif") || strings.ContainsRune(f.Label, '\u202e') {
						t.Errorf("signed field %+v", f)
					}
				case "Vide":
					if f.Signed || f.OnPage != emptyAt || f.Label != "Champ de signature vide" {
						t.Errorf("empty field %+v", f)
					}
				}
			}
			// the outlines in the captured window, where the page shows
			// the fields
			img := h.win.Canvas().Capture()
			sc := placerScreen(p)
			for _, c := range []struct {
				r   [4]float64
				col color.NRGBA
			}{{signedAt, color.NRGBA{0x1b, 0x7a, 0x3a, 0xff}}, {emptyAt, color.NRGBA{0x1f, 0x4a, 0x99, 0xff}}} {
				left, right := sc(c.r[0], c.r[1]+c.r[3]/2), sc(c.r[0]+c.r[2], c.r[1]+c.r[3]/2)
				scale := img.Bounds().Dx() / int(h.win.Canvas().Size().Width)
				y := int(left.Y) * scale
				for _, e := range []fyne.Position{left, right} {
					x := int(e.X) * scale
					// the painter strokes just outside the box: 2 px, plus rounding
					if got := edgeAt(img, x, y, c.col); got < 0 || got < x-3*scale || got > x+3*scale {
						var row []string
						for k := x - 8; k <= x+8; k++ {
							r, g, b, _ := img.At(k, y).RGBA()
							row = append(row, fmt.Sprintf("%d:%02x%02x%02x", k, r>>8, g>>8, b>>8))
						}
						t.Errorf("field %v: no outline at %d,%d (found %d) %v", c.r, x, y, got, row)
					}
				}
			}
			// a click on the signed box selects its card
			test.TapCanvas(h.win.Canvas(), sc(signedAt[0]+signedAt[2]/2, signedAt[1]+signedAt[3]/2))
			h.settle()
			if v.selected != "Signature1" || !v.cardSelected("Signature1") {
				t.Fatalf("selected %q", v.selected)
			}
			test.TapCanvas(h.win.Canvas(), sc(emptyAt[0]+emptyAt[2]/2, emptyAt[1]+emptyAt[3]/2))
			h.settle()
			if v.selected != "Signature1" || vp.hint.Text != "Ce champ est vide : personne ne l’a encore signé." {
				t.Fatalf("empty field: selected %q, hint %q", v.selected, vp.hint.Text)
			}
		})
	}
}

// The keyboard alone: Tab reaches the page, the arrows go from field to
// field (said in words), Enter selects the signature's card.
func TestVerifyPreviewKeyboard(t *testing.T) {
	tok := softhsm(t)
	h := startPreview(t, tok)
	dir := t.TempDir()
	form, signed := filepath.Join(dir, "form.pdf"), filepath.Join(dir, "signé.pdf")
	fieldForm(t, form, testpdf.Vectors()[0].Page)
	signField(t, form, signed, "Alice Martin")
	v := verifyFile(t, h, signed)
	p := v.preview.placer
	for i := 0; i < 30 && h.win.Canvas().Focused() != p; i++ {
		h.win.Canvas().FocusNext()
	}
	if h.win.Canvas().Focused() != p {
		t.Fatal("Tab never reaches the page")
	}
	for i := 0; i < 2 && p.CurrentField() != "Signature1"; i++ {
		p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyRight})
	}
	if p.CurrentField() != "Signature1" || !strings.HasPrefix(v.preview.hint.Text, "Signé par Alice Martin —") {
		t.Fatalf("current %q, hint %q", p.CurrentField(), v.preview.hint.Text)
	}
	p.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.settle()
	if v.selected != "Signature1" || !v.cardSelected("Signature1") {
		t.Fatalf("Enter selected %q", v.selected)
	}
	snapshot(t, h, "25-verify-preview.png")
}
