package pdf

import (
	"bytes"
	"errors"
	"io"
	"sort"
)

// Damaged cross-reference data that readers repair (qpdf, mupdf, pdf.js
// rebuild the table by scanning the file for "N G obj"): NewRepairedReader
// does the same scan, and a signature's update then carries a COMPLETE
// cross-reference table — every object of the file at its true offset, no
// /Prev — so that after signing no reader has anything left to repair:
// they all read the table we wrote, which says what their own repair said
// (the last definition of each object in the file wins, as in qpdf's
// reconstruction). docs/pdfsign.md states the rule.
//
// Only files without cross-reference streams and object streams are
// repaired (their objects cannot be found by scanning alone), that end with
// %%EOF (not cut short) and have a trailer: anything else stays refused as
// damaged.

// maxRepairObjects bounds the objects a repair records.
const maxRepairObjects = 2_000_000

// NewRepairedReader rebuilds the cross-reference table of a damaged file by
// scanning it. Bytes before "%PDF-" are left out, as with NewReader.
func NewRepairedReader(f io.ReaderAt, size int64) (*Reader, error) {
	head := make([]byte, min(int64(1024), size))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, errIO(err)
	}
	h := bytes.Index(head, []byte("%PDF-"))
	if h < 0 {
		return nil, &ReadError{Kind: readNotPDF}
	}
	base := int64(h)
	if base > 0 {
		f = io.NewSectionReader(f, base, size-base)
		size -= base
	}
	r := &Reader{f: f, size: size, Xref: map[int]XrefEntry{}, objstms: map[int]*objStm{}, cache: map[int]Object{}, lim: newLimits(size), base: base, repaired: true}
	v := head[h+5:]
	if j := bytes.IndexAny(v, "\r\n %"); j >= 0 {
		v = v[:j]
	}
	r.version = string(v)
	var trailers []*Dict
	err := scanObjects(f, size, func(num, gen int, off int64) error {
		o, n, g, err := r.readObjectAt(off, true)
		if err != nil || n != num || g != gen {
			return nil // not an object after all (or unreadable): readers skip it too
		}
		var d *Dict
		switch x := o.(type) {
		case *Dict:
			d = x
		case *Stream:
			d = x.Dict
		}
		if t := d.NameOf("Type"); t == "XRef" || t == "ObjStm" {
			return errDamaged("cross-reference or object streams: cannot be repaired by a scan")
		}
		if len(r.Xref) >= maxRepairObjects {
			return errDamaged("too many objects")
		}
		r.Xref[num] = XrefEntry{Typ: 1, off: off, gen: gen}
		return nil
	}, func(off int64) {
		if o, _, _, err := r.readObjectAt(off, false); err == nil {
			if d, ok := o.(*Dict); ok {
				trailers = append(trailers, d)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	// A file cut short (a download that stopped) is not repaired: what is
	// missing would silently be missing from the signed document too.
	tail := make([]byte, min(int64(1024), size))
	if _, err := f.ReadAt(tail, size-int64(len(tail))); (err != nil && !errors.Is(err, io.EOF)) || !bytes.Contains(tail, []byte("%%EOF")) {
		return nil, errDamaged("the file does not end with %%%%EOF: it may be cut short")
	}
	if len(trailers) == 0 {
		return nil, errDamaged("no trailer found")
	}
	// The newest trailer first; older ones fill in missing keys. The /Root
	// is the newest that is a catalog (pdf.js: a /Root must have /Pages):
	// an update naming its /Info dictionary as /Root (pdf.js's issue9418)
	// leaves the older trailer's catalog in place.
	tr := &Dict{}
	for i := len(trailers) - 1; i >= 0; i-- {
		if !tr.Has("Root") && r.isCatalog(trailers[i].Get("Root")) {
			tr.Set("Root", trailers[i].Get("Root"))
		}
	}
	for i := len(trailers) - 1; i >= 0; i-- {
		for _, k := range []string{"Root", "Info", "ID", "Encrypt"} {
			if !tr.Has(k) && trailers[i].Has(k) {
				tr.Set(k, trailers[i].Get(k))
			}
		}
	}
	// A trailer naming a catalog that is there: without it, readers give up
	// (qpdf: "unable to find /Root dictionary").
	if root, ok := tr.Get("Root").(Ref); !ok || r.Xref[root.Num].Typ != 1 {
		return nil, errDamaged("no trailer names a catalog")
	}
	tr.Set("Size", Int(maxKey(r.Xref)+1))
	r.Trailer = tr
	r.Sections = []*XrefSection{{trailer: tr, Entries: r.Xref}}
	if r.Trailer.Get("Encrypt") != nil {
		if err := r.openEncryption(); err != nil {
			return nil, &ReadError{Kind: readEncrypted, Err: err}
		}
	}
	return r, nil
}

// isCatalog reports whether root names, among the objects the scan found,
// a dictionary whose /Pages is a dictionary. Read at their offsets, not
// through the cache: encryption is not open yet.
func (r *Reader) isCatalog(root Object) bool {
	dictOf := func(o Object) *Dict {
		switch x := o.(type) {
		case *Dict:
			return x
		case Ref:
			e, ok := r.Xref[x.Num]
			if !ok || e.Typ != 1 {
				return nil
			}
			if o, _, _, err := r.readObjectAt(e.off, true); err == nil {
				d, _ := o.(*Dict)
				return d
			}
		}
		return nil
	}
	_, isRef := root.(Ref)
	c := dictOf(root)
	return isRef && c != nil && dictOf(c.Get("Pages")) != nil
}

// Repairable reports whether err (from NewReader or CheckXref) is damage
// that readers repair by a scan, so that NewRepairedReader may try: not a
// work limit, not a crafted structure such as a /Prev loop.
func Repairable(err error) bool {
	var re *ReadError
	return errors.As(err, &re) && re.Kind == readDamaged && !re.noRepair && !IsLimit(err)
}

// Repaired reports whether r was rebuilt by NewRepairedReader: an update
// then writes a complete table without /Prev.
func (r *Reader) Repaired() bool { return r.repaired }

func maxKey(m map[int]XrefEntry) int {
	n := 0
	for k := range m {
		n = max(n, k)
	}
	return n
}

// scanObjects calls obj for every "N G obj" that starts a line, skipping
// stream data (up to its "endstream"), and trailer for every "trailer"
// keyword's dictionary offset. It reads the file once, in chunks.
func scanObjects(f io.ReaderAt, size int64, obj func(num, gen int, off int64) error, trailer func(off int64)) error {
	const chunk = 1 << 20
	buf := make([]byte, chunk+64)
	inStream := false
	for pos := int64(0); pos < size; pos += chunk {
		n, err := f.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
		if err != nil && !errors.Is(err, io.EOF) {
			return errIO(err)
		}
		b := buf[:n]
		limit := min(n, chunk) // starts in the overlap belong to the next chunk
		for i := 0; i < limit; i++ {
			if inStream {
				j := bytes.Index(b[i:], []byte("endstream"))
				if j < 0 || i+j >= limit {
					i = limit - 1
					continue
				}
				inStream = false
				i += j + len("endstream") - 1
				continue
			}
			c := b[i]
			if i > 0 && b[i-1] != '\n' && b[i-1] != '\r' && !(pos == 0 && i == 0) {
				if c == 's' && bytes.HasPrefix(b[i:], []byte("stream")) && (i+6 < n && (b[i+6] == '\r' || b[i+6] == '\n')) &&
					(b[i-1] == '>' || isWhiteSpace(b[i-1])) {
					inStream = true
					i += 5
				}
				continue
			}
			// At a line start.
			if c == 't' && bytes.HasPrefix(b[i:], []byte("trailer")) {
				trailer(pos + int64(i) + 7)
				continue
			}
			if c == 's' && bytes.HasPrefix(b[i:], []byte("stream")) && i+6 < n && (b[i+6] == '\r' || b[i+6] == '\n') {
				inStream = true
				i += 5
				continue
			}
			if c < '0' || c > '9' {
				continue
			}
			num, j := digits(b, i)
			if j >= n || !isWhiteSpace(b[j]) {
				continue
			}
			for j < n && isWhiteSpace(b[j]) {
				j++
			}
			gen, k := digits(b, j)
			if k == j || k >= n || !isWhiteSpace(b[k]) {
				continue
			}
			for k < n && isWhiteSpace(b[k]) {
				k++
			}
			if !bytes.HasPrefix(b[k:], []byte("obj")) {
				continue
			}
			if err := obj(num, gen, pos+int64(i)); err != nil {
				return err
			}
			i = k + 2
		}
	}
	return nil
}

func isWhiteSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0
}

func digits(b []byte, i int) (int, int) {
	v := 0
	j := i
	for j < len(b) && b[j] >= '0' && b[j] <= '9' && j-i < 10 {
		v = v*10 + int(b[j]-'0')
		j++
	}
	return v, j
}

// completeTable adds to offsets/gens every object of a repaired reader that
// the update does not rewrite, so that the update's table is complete.
func (u *Increment) completeTable(offsets map[int]int64, gens map[int]int) {
	nums := make([]int, 0, len(u.r.Xref))
	for n := range u.r.Xref {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for _, n := range nums {
		e := u.r.Xref[n]
		if _, ok := offsets[n]; !ok && e.Typ == 1 {
			offsets[n] = e.off
			gens[n] = e.gen
		}
	}
}
