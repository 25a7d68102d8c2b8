package pdfsign

import (
	"context"
	"fmt"
	"image"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/render"
)

// Render and compare: what a viewer shows of the revision a signature signed
// and of the final document, page by page. The structural analysis
// (changes*.go) judges objects; this judges pixels, since an allowed-looking
// change (a new signature field, a form fill, an annotation, an object shared
// between an appearance and the page) can still paint over signed content.
//
// A pixel may differ only inside an annotation or widget that a later
// revision added or changed (a signature, a filled field, a comment), and
// only where the signed page content underneath is blank and no unchanged
// annotation lies: adding ink on empty paper is allowed, covering or
// revealing signed content is not. Only pages whose objects changed, plus
// page 1, are rendered.

// PageChange is a page whose display differs from the signed revision's
// outside what the later changes may paint.
type PageChange struct {
	Page  int        `json:"page"`  // 1-based
	Rects []PageRect `json:"rects"` // where, at most maxVisualRects
}

// PageRect is in points, from the top-left corner of the page as displayed
// (CropBox, /Rotate applied).
type PageRect struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

const (
	visualDPI       = 72
	visualTol       = 16 // a channel difference below this is rendering noise
	visualCell      = 8  // pixels per cell when grouping differences
	maxVisualPages  = 64 // pages compared per signature
	maxVisualRects  = 20 // rectangles listed per page
	maxReachPerPage = 20000
)

// visualLimits bounds the renderer like the PDF reader.
var visualLimits = render.Limits{MaxPages: maxVisualPages + 1}

// visualCheck compares, for each signature whose later changes the
// structure allows, its signed revision with the final document.
func visualCheck(ctx context.Context, f io.ReaderAt, size int64, r *pdf.Reader, rep *Report) {
	var todo []*SignatureReport
	for i := range rep.Signatures {
		s := &rep.Signatures[i]
		if s.Changes != nil && s.Changes.Allowed && s.Changes.Class != ClassNone && len(s.ByteRange) >= 4 && s.ByteRangeOK {
			todo = append(todo, s)
		}
	}
	if len(todo) == 0 {
		return
	}
	final, err := render.OpenReader(ctx, f, size, visualLimits)
	if err != nil {
		for _, s := range todo {
			s.problem("visual_unchecked", "warning", "")
		}
		return
	}
	defer final.Close()
	finalSt := r.StateBefore(size + 1)
	finalPages := pageList(finalSt)
	done := map[int64]*visualResult{}
	for _, s := range todo {
		end := lastEnd(s.ByteRange)
		res, ok := done[end]
		if !ok {
			res = compareRevision(ctx, f, end, r, final, finalSt, finalPages)
			done[end] = res
		}
		switch {
		case res.unchecked:
			s.problem("visual_unchecked", "warning", "")
		case len(res.pages) > 0:
			s.Changes.Allowed = false
			s.Changes.Visible = res.pages
			s.LaterChanges = ChangesOther
			kept := s.Problems[:0]
			for _, p := range s.Problems {
				if p.Code != "later_signatures" && p.Code != "changes_allowed" {
					kept = append(kept, p)
				}
			}
			s.Problems = kept
			s.problem("visible_changes", "error", pagesText(res.pages))
			rep.OK = false
		}
	}
}

func pagesText(pages []PageChange) string {
	var b strings.Builder
	for i, p := range pages {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, p.Page)
	}
	return b.String()
}

type visualResult struct {
	pages     []PageChange
	unchecked bool
}

func compareRevision(ctx context.Context, f io.ReaderAt, end int64, r *pdf.Reader, final *render.Doc, finalSt *pdf.State, finalPages []int) *visualResult {
	res := &visualResult{}
	signed, err := render.OpenReader(ctx, f, end, visualLimits)
	if err != nil {
		res.unchecked = true
		return res
	}
	defer signed.Close()
	signedSt := r.StateBefore(end)
	signedPages := pageList(signedSt)
	changed := map[int]bool{}
	for _, sec := range r.Sections {
		if sec.Offset >= end {
			for n := range sec.Entries {
				changed[n] = true
			}
		}
	}
	if final.Pages() != signed.Pages() {
		// The structure already refuses a page added or removed; say where.
		res.pages = append(res.pages, PageChange{Page: min(final.Pages(), signed.Pages()) + 1})
		return res
	}
	compared := 0
	for i := 0; i < final.Pages(); i++ {
		if i > 0 {
			pageChanged := i >= len(finalPages) || i >= len(signedPages) || finalPages[i] != signedPages[i] ||
				reachesChanged(finalSt, finalPages[i], changed)
			if !pageChanged {
				continue
			}
		}
		if compared == maxVisualPages {
			res.unchecked = true
			break
		}
		compared++
		var pageNum int
		if i < len(finalPages) {
			pageNum = finalPages[i]
		}
		pc, ok := comparePage(ctx, signed, final, i, finalSt, pageNum, changed)
		if !ok {
			res.unchecked = true
			return res
		}
		if pc != nil {
			res.pages = append(res.pages, *pc)
		}
	}
	return res
}

// comparePage renders page i of both revisions; nil when every difference
// is allowed, ok=false when it could not be rendered.
func comparePage(ctx context.Context, signed, final *render.Doc, i int, st *pdf.State, pageNum int, changed map[int]bool) (*PageChange, bool) {
	a, err := signed.Render(ctx, i, visualDPI)
	if err != nil {
		return nil, false
	}
	b, err := final.Render(ctx, i, visualDPI)
	if err != nil {
		return nil, false
	}
	if !a.Rect.Eq(b.Rect) {
		_, _, _, err := final.PageBox(i)
		if err != nil {
			return nil, false
		}
		return &PageChange{Page: i + 1, Rects: []PageRect{{0, 0, float64(b.Rect.Dx()) * 72 / visualDPI, float64(b.Rect.Dy()) * 72 / visualDPI}}}, true
	}
	w, h := a.Rect.Dx(), a.Rect.Dy()
	var free, may, protect []image.Rectangle
	if pageNum != 0 {
		free, may, protect = annotRects(st, pageNum, changed, w, h)
	}
	var content *image.RGBA // the signed page without annotations, on demand
	cw, ch := (w+visualCell-1)/visualCell, (h+visualCell-1)/visualCell
	cells := make([]bool, cw*ch)
	bad := false
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			o := y*a.Stride + x*4
			if !differs(a.Pix[o:o+3], b.Pix[o:o+3]) {
				continue
			}
			pt := image.Pt(x, y)
			if inAny(pt, free) {
				continue
			}
			if inAny(pt, may) && !inAny(pt, protect) {
				if content == nil {
					content, err = signed.RenderContent(ctx, i, visualDPI)
					if err != nil {
						return nil, false
					}
				}
				if white(content.Pix[o : o+3]) {
					continue
				}
			}
			cells[(y/visualCell)*cw+x/visualCell] = true
			bad = true
		}
	}
	if !bad {
		return nil, true
	}
	return &PageChange{Page: i + 1, Rects: cellRects(cells, cw, ch)}, true
}

func differs(p, q []byte) bool {
	for c := 0; c < 3; c++ {
		d := int(p[c]) - int(q[c])
		if d > visualTol || d < -visualTol {
			return true
		}
	}
	return false
}

func white(p []byte) bool { return p[0] >= 250 && p[1] >= 250 && p[2] >= 250 }

func inAny(p image.Point, rs []image.Rectangle) bool {
	for _, r := range rs {
		if p.In(r) {
			return true
		}
	}
	return false
}

// cellRects groups the marked cells into bounding rectangles of their
// connected groups, in points.
func cellRects(cells []bool, cw, ch int) []PageRect {
	seen := make([]bool, len(cells))
	var out []PageRect
	for start := range cells {
		if !cells[start] || seen[start] {
			continue
		}
		x0, y0, x1, y1 := cw, ch, 0, 0
		stack := []int{start}
		seen[start] = true
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := c%cw, c/cw
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= cw || ny >= ch {
						continue
					}
					n := ny*cw + nx
					if cells[n] && !seen[n] {
						seen[n] = true
						stack = append(stack, n)
					}
				}
			}
		}
		k := float64(visualCell) * 72 / visualDPI
		out = append(out, PageRect{X: float64(x0) * k, Y: float64(y0) * k, W: float64(x1-x0+1) * k, H: float64(y1-y0+1) * k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].W*out[i].H > out[j].W*out[j].H })
	if len(out) > maxVisualRects {
		out = out[:maxVisualRects]
	}
	return out
}

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
