package pdf

import (
	"io"
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
// or mupdf may then show a sound signature as broken. One small read per
// object: a few milliseconds for ten thousand objects.
func (r *Reader) CheckXref() error {
	buf := make([]byte, 48)
	for num, e := range r.Xref {
		switch e.Typ {
		case 1:
			n, _ := r.f.ReadAt(buf, e.off)
			p := &Parser{B: append(buf[:n:n], ' '), Eof: true}
			got, gen, err := p.parseIndirectHeader()
			if err != nil || got != num || gen != e.gen {
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
