package verify

import "github.com/certigna-desktop/app/internal/pdf"

// What a page shows, for the change analysis: its attributes as a viewer
// sees them (inherited, defaulted) and the objects it draws.

// pageValue is a page attribute as a viewer sees it: inherited from the page
// tree, boxes defaulted (CropBox to MediaBox, the others to CropBox), and
// references inside arrays resolved. Writers copy inherited boxes onto the
// page when they save it; that changes nothing shown.
func pageValue(st *pdf.State, page *pdf.Dict, key string) pdf.Object {
	v := pdf.InheritedValue(st, page, key)
	if v == nil {
		switch key {
		case "CropBox":
			return pageValue(st, page, "MediaBox")
		case "BleedBox", "TrimBox", "ArtBox":
			return pageValue(st, page, "CropBox")
		case "Rotate":
			return pdf.Int(0)
		}
		return nil
	}
	v, _ = st.Resolve(v)
	if a, ok := v.(pdf.Array); ok {
		out := make(pdf.Array, len(a))
		for i, e := range a {
			out[i], _ = st.Resolve(e)
		}
		return out
	}
	return v
}

// pageDraws: object n is reached, in the previous state, from a page's
// /Contents or /Resources (not through its annotations).
func (c *classifier) pageDraws(n int) bool {
	if c.drawn == nil {
		c.drawn = map[int]bool{}
		for p := range c.pr.pages {
			pd := c.prev.Dict(pdf.Ref{Num: p})
			if pd == nil {
				continue
			}
			for _, k := range []string{"Contents", "Resources"} {
				for x := range reachFrom(c.prev, pageValue(c.prev, pd, k)) {
					c.drawn[x] = true
				}
				if v := refNum(pd.Get(k)); v != 0 {
					c.drawn[v] = true
				}
			}
			if len(c.drawn) > maxRoleObjects {
				break
			}
		}
	}
	return c.drawn[n]
}

// formOnly: object n is reachable from the form's default resources (/DR)
// and from nothing the pages show (contents, resources, annotations and
// their appearances).
func (c *classifier) formOnly(n int) bool {
	if c.drOnly == nil {
		c.drOnly = map[int]bool{}
		cat := c.cur.Catalog()
		af := c.cur.Dict(cat.Get("AcroForm"))
		if af == nil {
			return false
		}
		dr := reachFrom(c.cur, af.Get("DR"))
		if len(dr) == 0 {
			return false
		}
		shown := reachFrom(c.cur, cat.Get("Pages"))
		for k := range dr {
			if !shown[k] {
				c.drOnly[k] = true
			}
		}
	}
	return c.drOnly[n]
}

// reachFrom lists the objects reachable from o in st.
func reachFrom(st *pdf.State, o pdf.Object) map[int]bool {
	return st.Reach(o, maxRoleObjects, nil, nil)
}
