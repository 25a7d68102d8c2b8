package sign

import (
	"io"

	"github.com/certigna-desktop/app/internal/pdf"
)

// The preview's quick first picture of a page that holds huge images: the
// renderer decodes an image whole to draw it (seconds and hundreds of MB for
// a 100 MB scan), so the window first draws the page with those images
// replaced by a plain grey box of the same place, then the real page.
//
// LightPage writes that replacement as an incremental update for the
// caller to append to a copy of the file's bytes in memory (never to the
// file): each image of the page's resources (and of the form XObjects it
// draws, a few levels down) whose decoded picture exceeds budget bytes
// becomes a 1×1 grey image under the same object number. The page's
// dictionary, boxes and content are untouched: the page's geometry, and so
// the stamp's place on it, is the same as on the real page.

// lightDepth bounds the form XObjects followed into.
const lightDepth = 4

// LightPage is the update that greys out page n's (1-based) images above
// budget decoded bytes; nil when the page has none (or the file cannot be
// read here: the real render says what is wrong), or when the file is
// encrypted (the update would need its keys; the real render comes anyway).
func LightPage(f io.ReaderAt, size int64, n int, budget int64) (upd []byte) {
	defer func() {
		if recover() != nil { // a hostile file: no quick picture, the real render says
			upd = nil
		}
	}()
	r, err := pdf.NewReader(f, size)
	if err != nil || r.Encrypted() || r.Trailer.Has("Encrypt") {
		return nil
	}
	catalog, err := r.ResolveDict(r.Trailer.Get("Root"))
	if err != nil || catalog == nil {
		return nil
	}
	pg, err := findPage(r, catalog, n)
	if err != nil {
		return nil
	}
	heavy := map[pdf.Ref]bool{}
	seen := map[int]bool{}
	res, _ := r.ResolveDict(pg.Resources)
	heavyImages(r, res, budget, heavy, seen, 0)
	if len(heavy) == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil && err != io.EOF {
		return nil
	}
	u := pdf.NewIncrement(r)
	for ref := range heavy {
		d := &pdf.Dict{}
		d.Set("Type", pdf.Name("XObject"))
		d.Set("Subtype", pdf.Name("Image"))
		d.Set("Width", pdf.Int(1))
		d.Set("Height", pdf.Int(1))
		d.Set("ColorSpace", pdf.Name("DeviceGray"))
		d.Set("BitsPerComponent", pdf.Int(8))
		u.PutStream(ref, d, []byte{0xc8})
	}
	s, err := u.Bytes(size, last[0])
	if err != nil {
		return nil
	}
	return s.Data
}

// heavyImages adds to heavy the images of res above budget decoded bytes
// (32 bits a pixel: the renderer's bitmap), following form XObjects.
func heavyImages(r *pdf.Reader, res *pdf.Dict, budget int64, heavy map[pdf.Ref]bool, seen map[int]bool, depth int) {
	if res == nil || depth > lightDepth {
		return
	}
	xo, err := r.ResolveDict(res.Get("XObject"))
	if err != nil || xo == nil {
		return
	}
	for _, k := range xo.Keys() {
		ref, ok := xo.Get(k).(pdf.Ref)
		if !ok || seen[ref.Num] || r.Step(1) != nil {
			continue
		}
		seen[ref.Num] = true
		o, err := r.Resolve(ref)
		st, ok := o.(*pdf.Stream)
		if err != nil || !ok {
			continue
		}
		switch st.Dict.NameOf("Subtype") {
		case "Image":
			w, _ := pdf.ToInt(resolved(r, st.Dict.Get("Width")))
			h, _ := pdf.ToInt(resolved(r, st.Dict.Get("Height")))
			if w > 0 && h > 0 && w <= 1<<20 && h <= 1<<20 && w*h*4 > budget {
				heavy[ref] = true
			}
		case "Form":
			sub, _ := r.ResolveDict(st.Dict.Get("Resources"))
			heavyImages(r, sub, budget, heavy, seen, depth+1)
		}
	}
}

func resolved(r *pdf.Reader, o pdf.Object) pdf.Object {
	v, err := r.Resolve(o)
	if err != nil {
		return nil
	}
	return v
}
