package pdf

import (
	"bytes"
	"cmp"
	"io"
	"slices"
)

// Files with bytes before "%PDF-" (print-workflow headers, mail or web
// wrappers): ISO 32000-2 §7.5.2 lets them exist, and readers then take the
// offsets of the xref as counted from the header. We read such a file
// through a window that starts at the header; the signed copy is that
// window plus the update, so it starts with %PDF- and every offset in it
// is right for every reader without any repair (the bytes before the
// header are not part of the PDF and are left out of the copy).
//
// A file whose offsets were nevertheless counted from the first byte of
// the file is refused as damaged (re-save it): readers disagree on it.
func newOffsetReader(f io.ReaderAt, size, header int64, decrypt bool) (*Reader, error) {
	r, err := newReader(io.NewSectionReader(f, header, size-header), size-header, decrypt, true)
	if err == nil {
		r.base = header
		return r, nil
	}
	if _, err2 := newReader(f, size, decrypt, true); err2 == nil {
		// Offsets counted from the first byte: mupdf (and the spec) count
		// them from the header and would repair the file, then find our
		// /ByteRange past its end. Re-saving the file fixes it.
		return nil, errDamaged("%d bytes before the %%PDF header, with offsets that count them", header)
	}
	return nil, err
}

// fallbackEntry is for an object that the newest xref puts in an object
// stream that does not hold it (or cannot be read): like pdf.js, use the
// object's entry at an offset in an older section, if there is one. Sign
// rewrites the objects it changes with their own entry, so after signing
// every reader sees the same catalog, page and form whatever it did with
// the broken entry.
func (r *Reader) fallbackEntry(num int, cause error) (Object, error) {
	for _, sec := range r.Sections {
		if e, ok := sec.Entries[num]; ok && e.Typ == 1 {
			if o, err := r.FetchEntry(num, e); err == nil {
				return o, nil
			}
		}
	}
	return nil, cause
}

// CheckXref is the rule for damaged cross-reference data (docs/pdfsign.md):
// we sign only a file whose xref describes it, i.e. every object in use
// that the newest xref places at an offset starts there ("N G obj"), and
// every object stream named exists. A file that readers must repair (they
// rebuild the table by scanning, each its own way) is refused as damaged,
// with the advice to re-save it: after a repair, a validator's idea of the
// revisions, and so of what the signature covers, is its own, and Acrobat
// or mupdf may then show a sound signature as broken. The objects are read
// in file order through a 4 KB window: neighbours (a page and its content
// stream's header, small fonts) cost one read, not one each (signing
// bench/sign.sh's 5,000 pages: 5,128 preads in all instead of 10,130).
func (r *Reader) CheckXref() error {
	key, done := r.xrefCheckedBefore() // the same file, unchanged, checked earlier (checked.go)
	if done {
		return nil
	}
	if err := r.checkXref(); err != nil {
		return err
	}
	r.rememberXrefChecked(key)
	return nil
}

func (r *Reader) checkXref() error {
	const head = 48 // enough for "N G obj" after white space
	win := make([]byte, 4096)
	var winOff, winLen int64 = 0, 0
	// An xref stream's entry for itself is never used (nothing fetches an
	// xref stream by number): a wrong one is ignored, as readers do.
	self := map[int]bool{}
	for _, s := range r.Sections {
		if s.Stream {
			self[s.Num] = true
		}
	}
	// Sorted with their entries: no map lookup in the comparison (10,000
	// objects: ~270,000 comparisons).
	type numEntry struct {
		num int
		e   XrefEntry
	}
	nums := make([]numEntry, 0, len(r.Xref))
	for num, e := range r.Xref {
		nums = append(nums, numEntry{num, e})
	}
	slices.SortFunc(nums, func(a, b numEntry) int { return cmp.Compare(a.e.off, b.e.off) })
	for i, ne := range nums {
		num, e := ne.num, ne.e
		switch e.Typ {
		case 1:
			if e.off < winOff || e.off+head > winOff+winLen {
				// Only as far as the last header the window can hold: a
				// page and its content stream's header are one short read
				// (copying 4 KB per page cost more than the read itself).
				end := e.off + head
				for _, nx := range nums[i+1:] {
					if nx.e.off+head > e.off+int64(len(win)) {
						break // sorted: no later one fits either
					}
					if nx.e.Typ == 1 {
						end = nx.e.off + head
					}
				}
				n, _ := r.f.ReadAt(win[:end-e.off], e.off)
				winOff, winLen = e.off, int64(n)
			}
			b := win[e.off-winOff : min(e.off-winOff+head, winLen)]
			p := &Parser{B: append(b[:len(b):len(b)], ' '), Eof: true}
			got, gen, err := p.parseIndirectHeader()
			if err != nil {
				// A long comment line at the offset, or the offset inside
				// one: the header that follows (headerAt).
				got, gen, err = r.headerAt(e.off)
			}
			if (err != nil || got != num || gen != e.gen) && !self[num] {
				return errDamaged("the cross-reference table does not match object %d", num)
			}
		case 2:
			if s, ok := r.Xref[int(e.off)]; !ok || s.Typ != 1 {
				return errDamaged("object stream %d missing", e.off)
			}
		}
	}
	return nil
}

// Base is where the PDF starts in the file read (bytes before %PDF-, left
// out of a signed copy), and Size its length from there.
func (r *Reader) Base() int64 { return r.base }

// Size is the length of the PDF from its header to the end of the file.
func (r *Reader) Size() int64 { return r.size }

// headerAt reads "N G obj" at off, where comments and white space may come
// first (a comment is white space, ISO 32000-2 §7.2.4), and off may even
// fall inside a comment line: the object is the header that follows it.
func (r *Reader) headerAt(off int64) (int, int, error) {
	off = r.afterComment(off)
	buf := make([]byte, min(4096, r.size-off))
	n, _ := r.f.ReadAt(buf, off)
	p := &Parser{B: append(buf[:n:n], ' '), Eof: true}
	return p.parseIndirectHeader()
}

// afterComment: when off falls inside a comment line (a '%' between the
// line's start and off), the offset of the next line; else off.
func (r *Reader) afterComment(off int64) int64 {
	back := min(off, 1024)
	buf := make([]byte, back)
	if _, err := r.f.ReadAt(buf, off-back); err != nil {
		return off
	}
	line := buf[bytes.LastIndexAny(buf, "\r\n")+1:]
	if bytes.IndexByte(line, '%') < 0 {
		return off
	}
	fwd := make([]byte, min(4096, r.size-off))
	n, _ := r.f.ReadAt(fwd, off)
	if i := bytes.IndexAny(fwd[:n], "\r\n"); i >= 0 {
		return off + int64(i)
	}
	return off
}
