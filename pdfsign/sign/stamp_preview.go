package sign

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/certigna-desktop/app/internal/pdf"
)

// StampPreview is what the window's preview draws before the PIN: the
// stamp exactly as Sign will write it (the same appearance stream, font
// and text), on a one-page PDF of the stamp's displayed size, for the
// renderer to draw over the page.
type StampPreview struct {
	Holder, Reason, Location, Lang string
	When                           time.Time // zero: now
	// W, H: the stamp's size on the page as displayed, in points.
	W, H float64
}

// WriteStampPreview writes the preview PDF of p to w. The page is upright
// (no /Rotate): Sign turns the same form with /Matrix on a rotated page,
// so what the reader shows is this picture at the chosen place.
func WriteStampPreview(w io.Writer, p StampPreview) error {
	if !(p.W >= 10 && p.H >= 10) || p.W > 14400 || p.H > 14400 {
		return tooSmall(p.W, p.H)
	}
	when := p.When
	if when.IsZero() {
		when = time.Now()
	}
	lang := p.Lang
	if lang != "en" {
		lang = "fr"
	}
	// A blank page of the stamp's size, then the stamp as one update (the
	// objects Sign adds), then a content stream that draws it full page.
	box := fmt.Sprintf("0 0 %g %g", round2(p.W), round2(p.H))
	base := pdf.Classic("", "<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox["+box+"]>>")
	r, err := pdf.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		return err
	}
	u := pdf.NewIncrement(r)
	mb := [4]float64{0, 0, round2(p.W), round2(p.H)}
	pg := &pageInfo{Ref: pdf.Ref{Num: 3}, Number: 1, MediaBox: mb, CropBox: mb}
	_, ap, err := buildAppearance(pg, u, &Visible{Rect: [4]float64{0, 0, mb[2], mb[3]}},
		stampText(lang, p.Holder, p.Reason, p.Location, when))
	if err != nil {
		return err
	}
	xo := &pdf.Dict{}
	xo.Set("S", ap.Get("N"))
	res := &pdf.Dict{}
	res.Set("XObject", xo)
	cRef := u.Alloc()
	u.PutStream(cRef, &pdf.Dict{}, []byte("/S Do\n"))
	page := &pdf.Dict{}
	page.Set("Type", pdf.Name("Page"))
	page.Set("Parent", pdf.Ref{Num: 2})
	page.Set("MediaBox", pdf.Array{pdf.Int(0), pdf.Int(0), mb[2], mb[3]})
	page.Set("Resources", res)
	page.Set("Contents", cRef)
	u.Put(pdf.Ref{Num: 3}, page)
	s, err := u.Bytes(int64(len(base)), '\n')
	if err != nil {
		return err
	}
	if _, err := w.Write(base); err != nil {
		return err
	}
	_, err = w.Write(s.Data)
	return err
}
