package pdf

// One numbering rule for every update we write: a new object gets a number
// above every number the file uses or refers to — the entries of every
// revision's table or stream, the xref streams' own numbers, the objects
// held in object streams, each section's /Size, and every reference met in
// whatever was read (trailers included). A number taken from the newest
// /Size alone can be one the file already refers to (a dangling reference
// such as a trailer's /AdditionalStreams [N 0 R] with N = /Size, which would
// then point at our signature), or the number of the input's own xref
// stream when its /Size leaves it out; either way the update would change
// what the existing file means.

// maxObjectNumber is ISO 32000's largest object number (Annex C): a
// reference above it names nothing any writer can create, and our numbers
// never reach it, so it cannot be captured.
const maxObjectNumber = 8_388_607

// see records that object number n is used or referred to.
func (r *Reader) see(n int) {
	if n >= 0 && n <= maxObjectNumber && n >= r.top {
		r.top = n + 1
	}
}

// seeRefs records every reference inside o.
func (r *Reader) seeRefs(o Object) {
	switch o.(type) {
	case nil, Int, Real, bool, Name, String:
		return
	}
	RefsIn(o, func(ref Ref) { r.see(ref.Num) })
}

// seeSection records a cross-reference section: its entries, its /Size,
// the references in its trailer, and an xref stream's own number.
func (r *Reader) seeSection(sec *XrefSection) {
	for n := range sec.Entries {
		r.see(n)
	}
	if size, ok := ToInt(sec.trailer.Get("Size")); ok && size > 0 {
		r.see(int(min(size, maxObjectNumber+1)) - 1)
	}
	r.seeRefs(sec.trailer)
	if sec.Stream {
		r.see(sec.Num)
	}
}

// NextFree is the first number an update may give a new object: above
// every number used or referred to by the file as read so far. The object
// streams named by any revision are read (their headers list the objects
// they hold, some of which no table may list), and the objects not read
// yet cannot be known without reading the whole file: a reference inside
// an object nobody fetched is above the numbers in use only when the file
// is broken, and every object the update touches (catalog, AcroForm,
// fields, page tree down to the page, /Annots) has been read by then.
func (r *Reader) NextFree() int {
	stms := map[int]bool{}
	for _, sec := range r.Sections {
		for _, e := range sec.Entries {
			if e.Typ == 2 {
				stms[int(e.off)] = true
			}
		}
	}
	for n := range stms {
		if _, ok := r.objstms[n]; ok {
			continue
		}
		// Reading the header is enough; an unreadable one is the
		// reader's business elsewhere (fallbackEntry), not a refusal here.
		r.loadObjStm(r.Xref, r.objstms, n)
	}
	return max(r.top, 1)
}
