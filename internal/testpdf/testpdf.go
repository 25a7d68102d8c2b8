// Package testpdf writes small real PDFs for tests and benchmarks: pages of
// any size, with a CropBox offset and a /Rotate, drawn with vectors and a
// standard font, so that a test can ask where things land once displayed.
package testpdf

import (
	"fmt"
	"strings"

	"github.com/certigna-desktop/app/internal/pdf"
)

// Page is one page to write.
type Page struct {
	Media  [4]float64 // llx, lly, urx, ury; zero: 0 0 612 792
	Crop   [4]float64 // zero: none
	Rotate int
	// Content is the page's content stream; empty: Ink(Media or Crop).
	// Font /F1 is Helvetica.
	Content string
}

// Ink is a content stream that marks the displayed page: a thick black
// bar along the box's left and top user-space edges and a few lines of
// text in the middle, so that a test can see orientation and covered text.
func Ink(box [4]float64) string {
	x0, y0, x1, y1 := box[0], box[1], box[2], box[3]
	var b strings.Builder
	fmt.Fprintf(&b, "0 0 0 rg %g %g 8 %g re f\n", x0+4, y0+4, y1-y0-8)
	fmt.Fprintf(&b, "%g %g %g 8 re f\n", x0+4, y1-12, x1-x0-8)
	cx, cy := x0+(x1-x0)*0.3, y0+(y1-y0)*0.55
	fmt.Fprintf(&b, "BT /F1 11 Tf %g %g Td 14 TL (Texte de la page - page text) Tj T* (Lorem ipsum dolor sit amet) Tj T* (consectetur adipiscing elit) Tj ET\n", cx, cy)
	return b.String()
}

// Build writes a PDF of pages.
func Build(pages ...Page) []byte {
	n := len(pages)
	// 1 catalog, 2 pages, 3 font, then per page: page, content.
	objs := []string{"<</Type/Catalog/Pages 2 0 R>>", "", "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"}
	var kids []string
	for i, p := range pages {
		media := p.Media
		if media == ([4]float64{}) {
			media = [4]float64{0, 0, 612, 792}
		}
		content := p.Content
		if content == "" {
			box := media
			if p.Crop != ([4]float64{}) {
				box = p.Crop
			}
			content = Ink(box)
		}
		pageNum, contNum := 4+2*i, 5+2*i
		kids = append(kids, fmt.Sprintf("%d 0 R", pageNum))
		d := fmt.Sprintf("<</Type/Page/Parent 2 0 R/MediaBox[%s]/Resources<</Font<</F1 3 0 R>>>>/Contents %d 0 R", box4(media), contNum)
		if p.Crop != ([4]float64{}) {
			d += "/CropBox[" + box4(p.Crop) + "]"
		}
		if p.Rotate != 0 {
			d += fmt.Sprintf("/Rotate %d", p.Rotate)
		}
		objs = append(objs, d+">>", fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(content), content))
	}
	objs[1] = fmt.Sprintf("<</Type/Pages/Kids[%s]/Count %d>>", strings.Join(kids, " "), n)
	return Classic("/ID[<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>]", objs...)
}

// Classic writes a PDF with a classic xref table from objects given without
// their "n 0 obj" wrapper (object 1 is the catalog); extra is added to the
// trailer (an /ID, an /Info reference): the PDF layer's own writer.
func Classic(extra string, objs ...string) []byte { return pdf.Classic(extra, objs...) }

func box4(b [4]float64) string { return fmt.Sprintf("%g %g %g %g", b[0], b[1], b[2], b[3]) }

// Vector is one of the placement vectors: a rotation, a crop offset, an
// odd size.
type Vector struct {
	Name string
	Page Page
}

// Vectors are the pages the placement must be right on: every /Rotate,
// CropBox offsets (also negative MediaBox origins) and odd sizes.
func Vectors() []Vector {
	var vs []Vector
	for _, rot := range []int{0, 90, 180, 270} {
		vs = append(vs,
			Vector{fmt.Sprintf("a4-rot%d", rot), Page{Media: [4]float64{0, 0, 595, 842}, Rotate: rot}},
			Vector{fmt.Sprintf("crop-rot%d", rot), Page{Media: [4]float64{0, 0, 612, 792}, Crop: [4]float64{53, 71, 553.5, 721}, Rotate: rot}},
			Vector{fmt.Sprintf("odd-rot%d", rot), Page{Media: [4]float64{-113, 37, 284.7, 548.3}, Crop: [4]float64{-100.5, 50, 270, 530}, Rotate: rot}},
		)
	}
	return vs
}

// ImagePage writes a one-page PDF (page pg's boxes and /Rotate) that draws a
// black side × side grey-scale image (uncompressed: side² bytes) over the
// user-space rectangle at (x, y, w, h), and a small 8 × 8 grey one 30
// points to its left.
func ImagePage(pg Page, side int, at [4]float64) []byte {
	media := pg.Media
	if media == ([4]float64{}) {
		media = [4]float64{0, 0, 612, 792}
	}
	content := fmt.Sprintf("q %g 0 0 %g %g %g cm /Big Do Q q 20 0 0 20 %g %g cm /Small Do Q", at[2], at[3], at[0], at[1], at[0]-30, at[1])
	big := string(make([]byte, side*side))
	small := strings.Repeat("\x80", 64)
	page := fmt.Sprintf("<</Type/Page/Parent 2 0 R/MediaBox[%s]/Rotate %d/Resources<</XObject<</Big 5 0 R/Small 6 0 R>>>>/Contents 4 0 R", box4(media), pg.Rotate)
	if pg.Crop != ([4]float64{}) {
		page += "/CropBox[" + box4(pg.Crop) + "]"
	}
	return Classic("",
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		page+">>",
		fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(content), content),
		fmt.Sprintf("<</Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceGray/BitsPerComponent 8/Length %d>>\nstream\n%s\nendstream", side, side, len(big), big),
		"<</Type/XObject/Subtype/Image/Width 8/Height 8/ColorSpace/DeviceGray/BitsPerComponent 8/Length 64>>\nstream\n"+small+"\nendstream",
	)
}
