package sign

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
)

// The visible signature stamp: a form XObject for the widget's normal
// appearance, with the holder's name, the date and time, the reason (and
// location), in French or English, drawn with the embedded Go Regular
// subset. It is written in the signature's own revision, so it is covered
// by the signature.

// Corner names a corner of the displayed page, for cornerRect.
type Corner int

const (
	BottomRight Corner = iota // the default
	BottomLeft
	TopRight
	TopLeft
)

// Default stamp size and margin from the page edge, in points.
const (
	stampWidth  = 200.0
	stampHeight = 60.0
	stampMargin = 24.0
)

// Visible asks for a visible stamp.
type Visible struct {
	// Rect is x, y, width, height in the page's default user space (points
	// from the lower-left corner of the MediaBox, as PDF coordinates go):
	// a signature field's rectangle. It wins over OnPage and Corner.
	Rect [4]float64
	// OnPage is x, y, width, height in page coordinates (place.go: points
	// on the page as displayed, from its displayed bottom-left corner): the
	// place chosen in the window's preview or with the CLI's --rect. When
	// both are zero, the stamp goes to Corner of the page as displayed.
	OnPage [4]float64
	Corner Corner
	// Holder overrides the name shown (default: Options.Name, else the
	// certificate's common name).
	Holder string
}

// cornerRect is the x, y, w, h of a stampWidth×stampHeight stamp in corner c
// of a page whose visible box is box (llx, lly, urx, ury), as displayed with
// the page's /Rotate (0, 90, 180, 270). The result is in default user space.
func cornerRect(box [4]float64, rotate int, c Corner) [4]float64 {
	return DisplayToUser(box, rotate, CornerOnPage(box, rotate, c))
}

// CornerOnPage is cornerRect in page coordinates (place.go).
func CornerOnPage(box [4]float64, rotate int, c Corner) [4]float64 {
	dw, dh := DisplaySize(box, rotate)
	sw, sh := math.Min(stampWidth, dw-2*stampMargin), math.Min(stampHeight, dh-2*stampMargin)
	sw, sh = math.Max(sw, 1), math.Max(sh, 1)
	// Lower-left corner of the stamp in display coordinates.
	dx, dy := dw-stampMargin-sw, stampMargin
	switch c {
	case BottomLeft:
		dx = stampMargin
	case TopRight:
		dy = dh - stampMargin - sh
	case TopLeft:
		dx, dy = stampMargin, dh-stampMargin-sh
	}
	return [4]float64{dx, dy, sw, sh}
}

// stampText is what the stamp says, one line each.
func stampText(lang, holder, reason, location string, when time.Time) []string {
	date := when.Format("02/01/2006 15:04:05 -07:00")
	if lang == "en" {
		date = when.Format("2006-01-02 15:04:05 -07:00")
	}
	lines := []string{
		assets.T(lang, "ltv.stamp.signed_by", map[string]any{"Name": holder}),
		assets.T(lang, "ltv.stamp.date", map[string]any{"Date": date}),
	}
	if reason != "" {
		lines = append(lines, assets.T(lang, "ltv.stamp.reason", map[string]any{"Reason": reason}))
	}
	if location != "" {
		lines = append(lines, assets.T(lang, "ltv.stamp.location", map[string]any{"Location": location}))
	}
	return lines
}

// stampRect is the stamp's x, y, w, h on pg, checked: at least 10×10
// points and overlapping the page. A nil v is fine (no stamp).
func stampRect(pg *pageInfo, v *Visible) ([4]float64, error) {
	if v == nil {
		return [4]float64{}, nil
	}
	box := VisibleBox(pg.MediaBox, pg.CropBox)
	rect := v.Rect
	if rect == [4]float64{} {
		on := v.OnPage
		if on == [4]float64{} {
			on = CornerOnPage(box, pg.Rotate, v.Corner)
		} else if err := checkOnPage(pg, box, on); err != nil {
			return rect, err
		}
		rect = DisplayToUser(box, pg.Rotate, on)
	}
	x, y, w, h := rect[0], rect[1], rect[2], rect[3]
	if !(w >= 10 && h >= 10) || math.IsInf(x+y+w+h, 0) || math.IsNaN(x+y+w+h) {
		return rect, tooSmall(w, h)
	}
	mb := pg.MediaBox
	if x+w <= mb[0] || y+h <= mb[1] || x >= mb[2] || y >= mb[3] {
		return rect, rectErr("outside", map[string]any{"Page": pg.Number},
			fmt.Sprintf("rectangle %g,%g,%g,%g is outside page %d (%g,%g–%g,%g)", x, y, w, h, pg.Number, mb[0], mb[1], mb[2], mb[3]))
	}
	return rect, nil
}

// buildAppearance adds the stamp's objects to u and returns the widget Rect
// (llx, lly, urx, ury) and its /AP dictionary.
func buildAppearance(pg *pageInfo, u *pdf.Increment, v *Visible, lines []string) ([4]float64, *pdf.Dict, error) {
	rect, err := stampRect(pg, v)
	if err != nil {
		return [4]float64{}, nil, err
	}
	x, y, w, h := rect[0], rect[1], rect[2], rect[3]
	sf, err := loadStampFont()
	if err != nil {
		return [4]float64{}, nil, fontErr(err)
	}
	// The form is drawn upright for the reader: on a rotated page its own
	// width runs along the rectangle's height, and /Matrix turns it.
	fw, fh := w, h
	matrix := pdf.Array{pdf.Int(1), pdf.Int(0), pdf.Int(0), pdf.Int(1), pdf.Int(0), pdf.Int(0)}
	switch pg.Rotate {
	case 90:
		fw, fh = h, w
		matrix = pdf.Array{pdf.Int(0), pdf.Int(1), pdf.Int(-1), pdf.Int(0), pdf.Int(0), pdf.Int(0)}
	case 180:
		matrix = pdf.Array{pdf.Int(-1), pdf.Int(0), pdf.Int(0), pdf.Int(-1), pdf.Int(0), pdf.Int(0)}
	case 270:
		fw, fh = h, w
		matrix = pdf.Array{pdf.Int(0), pdf.Int(-1), pdf.Int(1), pdf.Int(0), pdf.Int(0), pdf.Int(0)}
	}
	enc := make([][]byte, len(lines))
	used := map[byte]bool{}
	for i, l := range lines {
		enc[i] = sf.encode(l)
		for _, c := range enc[i] {
			used[c] = true
		}
	}
	// Font size: the largest (up to 10 pt) at which every line fits.
	pad := math.Min(4, fw/20)
	size := 10.0
	for _, e := range enc {
		if wd := sf.width(e, 1); wd > 0 {
			size = math.Min(size, (fw-2*pad)/wd)
		}
	}
	leading := 1.2
	size = math.Min(size, (fh-2*pad)/(leading*float64(len(lines))))
	size = math.Max(size, 1)

	var c bytes.Buffer
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	c.WriteString("q\n0.94 0.96 1 rg\n")
	fmt.Fprintf(&c, "0 0 %s %s re f\n", f(round2(fw)), f(round2(fh)))
	c.WriteString("0.12 0.29 0.6 RG 1 w\n")
	fmt.Fprintf(&c, "0.5 0.5 %s %s re S\n", f(round2(fw-1)), f(round2(fh-1)))
	c.WriteString("BT\n0.05 0.1 0.25 rg\n")
	fmt.Fprintf(&c, "/F1 %s Tf\n%s TL\n", f(round2(size)), f(round2(size*leading)))
	top := fh - pad - float64(sf.ascent)*size/1000
	fmt.Fprintf(&c, "%s %s Td\n", f(round2(pad)), f(round2(top)))
	for i, e := range enc {
		if i > 0 {
			c.WriteString("T*\n")
		}
		c.Write(pdf.AppendLiteral(nil, e))
		c.WriteString(" Tj\n")
	}
	c.WriteString("ET\nQ\n")

	fontRef, err := sf.putFont(u, used)
	if err != nil {
		return [4]float64{}, nil, fontErr(err)
	}
	fonts := &pdf.Dict{}
	fonts.Set("F1", fontRef)
	res := &pdf.Dict{}
	res.Set("Font", fonts)
	res.Set("ProcSet", pdf.Array{pdf.Name("PDF"), pdf.Name("Text")})
	xd := &pdf.Dict{}
	xd.Set("Type", pdf.Name("XObject"))
	xd.Set("Subtype", pdf.Name("Form"))
	xd.Set("BBox", pdf.Array{pdf.Int(0), pdf.Int(0), round2(fw), round2(fh)})
	xd.Set("Matrix", matrix)
	xd.Set("Resources", res)
	xRef := u.Alloc()
	u.PutStream(xRef, xd, c.Bytes())
	ap := &pdf.Dict{}
	ap.Set("N", xRef)
	return [4]float64{x, y, x + w, y + h}, ap, nil
}

// checkOnPage refuses a place chosen in page coordinates that is too small
// or does not overlap the page as displayed, in those coordinates.
func checkOnPage(pg *pageInfo, box [4]float64, on [4]float64) error {
	x, y, w, h := on[0], on[1], on[2], on[3]
	if math.IsInf(x+y+w+h, 0) || math.IsNaN(x+y+w+h) || !(w >= 10 && h >= 10) {
		return tooSmall(w, h)
	}
	dw, dh := DisplaySize(box, pg.Rotate)
	if x+w <= 0 || y+h <= 0 || x >= dw || y >= dh {
		return rectErr("outside", map[string]any{"Page": pg.Number},
			fmt.Sprintf("rectangle %g,%g,%g,%g is outside page %d (%g×%g points as displayed)", x, y, w, h, pg.Number, round2(dw), round2(dh)))
	}
	return nil
}

// tooSmall refuses a stamp smaller than 10×10 points.
func tooSmall(w, h float64) *pdfsign.LTVError {
	return rectErr("too_small", map[string]any{"W": round2(w), "H": round2(h)},
		fmt.Sprintf("%g×%g points is too small (10×10 at least)", w, h))
}

// fontErr: the stamp's embedded font could not be read (a broken build).
func fontErr(err error) *pdfsign.LTVError {
	e := rectErr("font", nil, "font: "+err.Error())
	e.Err = err
	return e
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
