package verify

import (
	"context"
	"fmt"
	"image"
	"io"
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
