package sign

import "math"

// Page coordinates: where a person places the stamp.
//
// The window's preview and the CLI's --rect share one coordinate system,
// "page coordinates": points (1/72 inch) on the page AS DISPLAYED — the
// visible box (the CropBox, clipped to the MediaBox, as readers and the
// renderer show it) after its /Rotate — with the origin at the displayed
// bottom-left corner, x to the right and y up. A rectangle is x, y, w, h:
// its displayed bottom-left corner and its size. On an upright page whose
// CropBox starts at 0,0 (most documents) they are the PDF's own user-space
// coordinates, so "--rect 350,40,200,60" keeps its meaning there.
//
// DisplayToUser turns such a rectangle into the widget's rectangle in
// default user space (what /Rect holds), userToDisplay back; both are pure
// and exact inverses.

// normRotate is a /Rotate value as readers apply it: a multiple of 90 in
// 0..270 (others are rounded towards zero to one, as pdfium does).
func normRotate(rotate int) int {
	return ((rotate/90)%4 + 4) % 4 * 90
}

// VisibleBox is the box a reader shows: crop clipped to media, both
// normalised (llx ≤ urx, lly ≤ ury). A crop box that misses the media box
// entirely, or a zero one, is ignored.
func VisibleBox(media, crop [4]float64) [4]float64 {
	m, c := normRect(media), normRect(crop)
	v := [4]float64{math.Max(m[0], c[0]), math.Max(m[1], c[1]), math.Min(m[2], c[2]), math.Min(m[3], c[3])}
	if c == ([4]float64{}) || v[2] <= v[0] || v[3] <= v[1] {
		return m
	}
	return v
}

// DisplaySize is the width and height, in points, of a page whose visible
// box is box, as displayed with rotate.
func DisplaySize(box [4]float64, rotate int) (w, h float64) {
	b := normRect(box)
	w, h = b[2]-b[0], b[3]-b[1]
	if r := normRotate(rotate); r == 90 || r == 270 {
		w, h = h, w
	}
	return w, h
}

// DisplayToUser maps the rectangle r (x, y, w, h in page coordinates) on a
// page whose visible box is box, displayed with rotate, to x, y, w, h in
// default user space.
func DisplayToUser(box [4]float64, rotate int, r [4]float64) [4]float64 {
	b := normRect(box)
	W, H := b[2]-b[0], b[3]-b[1]
	// One displayed point → user space, relative to the box's origin. A
	// /Rotate of 90 turns the page clockwise for display.
	pt := func(x, y float64) (float64, float64) {
		switch normRotate(rotate) {
		case 90:
			return W - y, x
		case 180:
			return W - x, H - y
		case 270:
			return y, H - x
		}
		return x, y
	}
	x1, y1 := pt(r[0], r[1])
	x2, y2 := pt(r[0]+r[2], r[1]+r[3])
	return [4]float64{b[0] + math.Min(x1, x2), b[1] + math.Min(y1, y2), math.Abs(x2 - x1), math.Abs(y2 - y1)}
}

// userToDisplay is DisplayToUser's inverse: u (x, y, w, h in default user
// space, e.g. a signature field's /Rect) in page coordinates.
func userToDisplay(box [4]float64, rotate int, u [4]float64) [4]float64 {
	b := normRect(box)
	W, H := b[2]-b[0], b[3]-b[1]
	pt := func(x, y float64) (float64, float64) {
		x, y = x-b[0], y-b[1]
		switch normRotate(rotate) {
		case 90:
			return y, W - x
		case 180:
			return W - x, H - y
		case 270:
			return H - y, x
		}
		return x, y
	}
	x1, y1 := pt(u[0], u[1])
	x2, y2 := pt(u[0]+u[2], u[1]+u[3])
	return [4]float64{math.Min(x1, x2), math.Min(y1, y2), math.Abs(x2 - x1), math.Abs(y2 - y1)}
}
