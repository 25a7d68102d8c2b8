package verify

import (
	"image"
	"math"

	"github.com/certigna-desktop/app/internal/pdf"
)

// Where a later revision may paint on a page: the page's objects and what
// they reach, the annotations a later revision added or changed, and their
// rectangles in the rendered page's pixels.

// pageList is the page objects in order (object numbers; 0 for a direct
// page, which cannot be told apart).
func pageList(st *pdf.State) []int {
	ro := rolesOf(st)
	out := make([]int, 0, len(ro.pages))
	for n, i := range ro.pages {
		for len(out) < i {
			out = append(out, 0)
		}
		out[i-1] = n
	}
	return out
}

// reachesChanged: page n or anything it shows (contents, resources,
// annotations and their appearances; not /Parent nor /P, which lead to other
// pages) is an object a later revision wrote.
func reachesChanged(st *pdf.State, n int, changed map[int]bool) bool {
	found := false
	skip := func(k string) bool { return k == "Parent" || k == "P" || k == "Popup" }
	st.Reach(pdf.Ref{Num: n}, maxReachPerPage, skip, func(k int, _ pdf.Object) bool {
		found = changed[k]
		return !found
	})
	return found
}

// annotRects lists, in pixels of the rendered page, the rectangles of the
// annotations a later revision added or changed, and of the unchanged ones
// (protect: what they show was signed). Of the changed ones, free may paint
// anything: the widgets of signature fields now signed (a visible signature
// is its signer's, named in the report, and a stamp may sit on a footer)
// and note icons (Text annotations of at most 32×32 pt); the others (may)
// only on blank paper.
func annotRects(st *pdf.State, pageNum int, changed map[int]bool, w, h int) (free, may, protect []image.Rectangle) {
	page := st.Dict(pdf.Ref{Num: pageNum})
	if page == nil {
		return nil, nil, nil
	}
	crop := numbers(st, pageValue(st, page, "CropBox"))
	if len(crop) != 4 {
		return nil, nil, nil
	}
	rot := 0
	if v, ok := pageValue(st, page, "Rotate").(pdf.Int); ok {
		rot = ((int(v) % 360) + 360) % 360
	}
	annotsChanged := changed[pageNum] || changed[refNum(page.Get("Annots"))]
	for _, a := range st.Array(page.Get("Annots")) {
		d := st.Dict(a)
		if d == nil {
			continue
		}
		rc := numbers(st, d.Get("Rect"))
		if len(rc) != 4 {
			continue
		}
		px := toPixels(rc, crop, rot, w, h)
		if f, ok := d.Get("F").(pdf.Int); ok && f&(8|16) != 0 {
			// NoZoom / NoRotate: drawn unturned from its upper-left
			// corner, not where the turned rectangle lies.
			k := max(px.Dx(), px.Dy())
			px = image.Rect(px.Min.X-k, px.Min.Y-k, px.Max.X+k, px.Max.Y+k).Intersect(image.Rect(0, 0, w, h))
		}
		n := refNum(a)
		isNew := (n == 0 && annotsChanged) || (n != 0 && reachesChanged(st, n, changed))
		switch {
		case !isNew:
			protect = append(protect, px)
		case signedSigWidget(st, d):
			free = append(free, px)
		case d.NameOf("Subtype") == "Text" && math.Abs(rc[2]-rc[0]) <= 32 && math.Abs(rc[3]-rc[1]) <= 32:
			free = append(free, px)
		default:
			may = append(may, px)
		}
	}
	return free, may, protect
}

// signedSigWidget: a widget whose field (itself or its parent) is a
// signature field with a value.
func signedSigWidget(st *pdf.State, d *pdf.Dict) bool {
	for i := 0; d != nil && i < 8; i++ {
		if ft := d.NameOf("FT"); ft != "" {
			return ft == "Sig" && st.Dict(d.Get("V")) != nil
		}
		d = st.Dict(d.Get("Parent"))
	}
	return false
}

func numbers(st *pdf.State, o pdf.Object) []float64 {
	var out []float64
	for _, e := range st.Array(o) {
		e, _ = st.Resolve(e)
		v, ok := pdf.ToFloat(e)
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		out = append(out, v)
	}
	return out
}

// toPixels maps a PDF rectangle to the rendered page's pixels: origin at the
// CropBox, turned by /Rotate (clockwise), y downwards; 2 pixels of margin
// for anti-aliasing.
func toPixels(rc, crop []float64, rot, w, h int) image.Rectangle {
	llx, lly := math.Min(crop[0], crop[2]), math.Min(crop[1], crop[3])
	urx, ury := math.Max(crop[0], crop[2]), math.Max(crop[1], crop[3])
	pt := func(x, y float64) (float64, float64) {
		switch rot {
		case 90:
			return y - lly, x - llx
		case 180:
			return urx - x, y - lly
		case 270:
			return ury - y, urx - x
		}
		return x - llx, ury - y
	}
	x0, y0 := pt(rc[0], rc[1])
	x1, y1 := pt(rc[2], rc[3])
	s := float64(visualDPI) / 72
	r := image.Rect(int(math.Floor(math.Min(x0, x1)*s))-2, int(math.Floor(math.Min(y0, y1)*s))-2,
		int(math.Ceil(math.Max(x0, x1)*s))+2, int(math.Ceil(math.Max(y0, y1)*s))+2)
	return r.Intersect(image.Rect(0, 0, w, h))
}
