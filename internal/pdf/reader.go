package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// The reader follows the cross-reference chain (classic tables, xref streams,
// hybrid files, earlier incremental updates) and fetches single objects on
// demand: it never loads the document, only the xref sections and the
// objects asked for, so memory does not grow with the file's page content.

type objStm struct {
	data  []byte
	first int
	offs  []int // object offsets relative to first, by index
	nums  []int
}

type Reader struct {
	f         io.ReaderAt
	size      int64
	Sections  []*XrefSection // newest first
	Xref      map[int]XrefEntry
	Trailer   *Dict // newest trailer, older keys filled in
	startxref int64 // value of the last startxref
	version   string
	objstms   map[int]*objStm
	objstmLen int // decoded bytes held in objstms
	cache     map[int]Object
	lim       *limits // work bounds (limits.go)

	crypt      *decryptor // set for an encrypted document read with the empty password
	encryptNum int        // the /Encrypt dictionary's object (never encrypted)
	base       int64      // bytes before %PDF that a signed copy leaves out (oddfiles.go)
	repaired   bool       // the table was rebuilt by a scan (repair.go)

	// top is above every object number the file uses or refers to as far
	// as it was read (numbering.go): where an update's new numbers start.
	top int
}

const (
	maxObjectWindow = 64 << 20  // an object (dict/array) larger than this is refused
	maxStreamDecode = 256 << 20 // decoded object or xref stream larger than this is refused
)

// newReader reads the header, the xref chain and the trailer.
func NewReader(f io.ReaderAt, size int64) (*Reader, error) { return newReader(f, size, false, false) }

// NewReaderDecrypting is NewReader for a document that may be encrypted
// with an empty opening password: it is read through its decryption, as
// PDF viewers open it without asking (verify), and an update written with
// it is encrypted with the document's key (signing, encrypt.go); any other
// encrypted document is still refused.
func NewReaderDecrypting(f io.ReaderAt, size int64) (*Reader, error) {
	return newReader(f, size, true, false)
}

// Encrypted reports whether the document is encrypted (and read decrypted).
func (r *Reader) Encrypted() bool { return r.crypt != nil }

// newReader reads a file; with prefixOK, bytes before its header are
// accepted as they are (newOffsetReader, oddfiles.go, decides).
func newReader(f io.ReaderAt, size int64, decrypt, prefixOK bool) (*Reader, error) {
	r := &Reader{f: f, size: size, Xref: map[int]XrefEntry{}, objstms: map[int]*objStm{}, cache: map[int]Object{}, lim: newLimits(size)}
	head := make([]byte, min(int64(1024), size))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, errIO(err)
	}
	i := bytes.Index(head, []byte("%PDF-"))
	if i < 0 {
		return nil, &ReadError{Kind: readNotPDF}
	}
	if i > 0 && !prefixOK {
		return newOffsetReader(f, size, int64(i), decrypt)
	}
	v := head[i+5:]
	if j := bytes.IndexAny(v, "\r\n %"); j >= 0 {
		v = v[:j]
	}
	r.version = string(v)
	sx, err := r.findStartxref()
	if err != nil {
		return nil, err
	}
	r.startxref = sx
	if err := r.readChain(sx); err != nil {
		return nil, err
	}
	if r.Trailer.Get("Encrypt") != nil { // /Encrypt null is no encryption
		if !decrypt {
			return nil, &ReadError{Kind: readEncrypted}
		}
		if err := r.openEncryption(); err != nil {
			return nil, &ReadError{Kind: readEncrypted, Err: err}
		}
	}
	if _, ok := r.Trailer.Get("Root").(Ref); !ok {
		return nil, errDamaged("trailer has no /Root")
	}
	return r, nil
}

// readObjectAt parses "N G obj <object>" at off. With allowStream, a stream
// object is returned as *Stream (data not read).
func (r *Reader) readObjectAt(off int64, header bool) (Object, int, int, error) {
	if off < 0 || off >= r.size {
		return nil, 0, 0, fmt.Errorf("offset %d outside the file", off)
	}
	for n := int64(4096); ; n *= 4 {
		n = min(n, r.size-off)
		if err := r.lim.add(&r.lim.read, n, r.lim.readMax, "read"); err != nil {
			return nil, 0, 0, err
		}
		r.lim.lastWindow = n
		buf := make([]byte, n)
		if _, err := r.f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, 0, errIO(err)
		}
		o, num, gen, err := ParseIndirect(buf, off, header, off+n >= r.size)
		if errors.Is(err, errTruncated) && off+n < r.size && n < maxObjectWindow {
			continue
		}
		if err == nil {
			r.see(num)
			r.seeRefs(o)
		}
		return o, num, gen, err
	}
}

// parseIndirect parses an object (with its "N G obj" header when header is
// set) at the start of buf, which begins at file offset base. atEOF says buf
// reaches the end of the file.
func ParseIndirect(buf []byte, base int64, header, atEOF bool) (Object, int, int, error) {
	b := buf
	if atEOF {
		b = append(buf[:len(buf):len(buf)], ' ', ' ') // lets a final token end
	}
	p := &Parser{B: b, Eof: atEOF}
	num, gen := -1, -1
	if header {
		var err error
		if num, gen, err = p.parseIndirectHeader(); err != nil {
			return nil, 0, 0, err
		}
	}
	o, err := p.ParseObject(0)
	if err != nil {
		return nil, 0, 0, err
	}
	d, ok := o.(*Dict)
	if !ok || !header {
		return o, num, gen, nil
	}
	p.skipSpace()
	save := p.pos
	kw := p.keyword()
	if string(kw) != "stream" {
		if p.truncated() {
			return nil, 0, 0, errTruncated
		}
		p.pos = save
		return d, num, gen, nil
	}
	// The data starts after the EOL that follows "stream".
	if p.pos < len(p.B) && p.B[p.pos] == '\r' {
		p.pos++
	}
	if p.pos < len(p.B) && p.B[p.pos] == '\n' {
		p.pos++
	}
	return &Stream{Dict: d, Offset: base + int64(p.pos)}, num, gen, nil
}

// Resolve follows references (a few levels) to a direct object.
func (r *Reader) Resolve(o Object) (Object, error) { return resolveWith(r.Fetch, o) }

// resolveWith follows references with fetch, the latest revision's or one
// state's.
func resolveWith(fetch func(int) (Object, error), o Object) (Object, error) {
	for i := 0; i < 8; i++ {
		ref, ok := o.(Ref)
		if !ok {
			return o, nil
		}
		var err error
		if o, err = fetch(ref.Num); err != nil {
			return nil, err
		}
	}
	return nil, errDamaged("reference chain too long")
}

// resolveDict resolves o and returns it as a dictionary (the dictionary of a
// stream too), or nil.
func (r *Reader) ResolveDict(o Object) (*Dict, error) { return resolveDict(r, o) }

// fetch returns object num as of the latest revision (nil for a free or
// missing object, as the PDF spec says).
func (r *Reader) Fetch(num int) (Object, error) {
	if o, ok := r.cache[num]; ok {
		return o, nil
	}
	e, ok := r.Xref[num]
	if !ok {
		return nil, nil
	}
	// A /Length or /Filter may itself be in an object stream whose own
	// /Length is elsewhere…: bound the nesting, never the Go stack.
	if r.lim.depth >= limitFetchDepth {
		return nil, r.lim.hit("depth", limitFetchDepth)
	}
	r.lim.depth++
	defer func() { r.lim.depth-- }()
	o, err := r.FetchEntry(num, e)
	if err != nil {
		return nil, err
	}
	if len(r.cache) > 4096 {
		clear(r.cache)
	}
	r.cache[num] = o
	return o, nil
}

func (r *Reader) FetchEntry(num int, e XrefEntry) (Object, error) {
	if e.Typ == 1 || e.Typ == 2 {
		if err := r.lim.add(&r.lim.objects, 1, r.lim.objectsMax, "objects"); err != nil {
			return nil, err
		}
	}
	switch e.Typ {
	case 1:
		k := objKey{off: e.off, num: num}
		if o, ok := r.lim.objs.get(k); ok {
			return o, nil
		}
		o, n, _, err := r.readObjectAt(e.off, true)
		if err != nil && !IsLimit(err) {
			// The offset inside a comment line just before the object:
			// the header that follows (oddfiles.go).
			if off := r.afterComment(e.off); off != e.off {
				o, n, _, err = r.readObjectAt(off, true)
			}
		}
		if IsLimit(err) {
			return nil, err
		}
		if err != nil {
			return nil, errDamaged("object %d unreadable: %v", num, err)
		}
		if n != num {
			return nil, errDamaged("object %d: xref offset points at object %d", num, n)
		}
		if r.crypt != nil && num != r.encryptNum {
			o = r.crypt.decryptObject(num, e.gen, o)
		}
		r.lim.objs.put(k, o, r.lim.lastWindow)
		return o, nil
	case 2:
		o, err := r.fetchCompressed(r.Xref, r.objstms, num, int(e.off), e.gen)
		if err != nil && !IsLimit(err) {
			return r.fallbackEntry(num, err) // oddfiles.go
		}
		return o, err
	}
	return nil, nil
}

// loadObjStm decodes object stream stmNum (found through xref) and parses
// its header, keeping it in objstms.
func (r *Reader) loadObjStm(xref map[int]XrefEntry, objstms map[int]*objStm, stmNum int) (*objStm, error) {
	if os, ok := objstms[stmNum]; ok {
		return os, nil
	}
	// An object stream whose /Length, /Filter or /DecodeParms names an
	// object inside itself would recurse without end.
	if r.lim.loading[stmNum] {
		return nil, errDamaged("object stream %d refers to an object inside itself", stmNum)
	}
	r.lim.loading[stmNum] = true
	defer delete(r.lim.loading, stmNum)
	e, ok := xref[stmNum]
	if !ok || e.Typ != 1 {
		return nil, errDamaged("object stream %d missing", stmNum)
	}
	o, n, _, err := r.readObjectAt(e.off, true)
	if IsLimit(err) {
		return nil, err
	}
	if err != nil || n != stmNum {
		return nil, errDamaged("object stream %d unreadable", stmNum)
	}
	st, ok := o.(*Stream)
	if !ok {
		return nil, errDamaged("object stream %d is not a stream", stmNum)
	}
	if r.crypt != nil { // the objects inside are decrypted with the stream
		st.crypt = &objectKey{stmNum, e.gen}
	}
	data, err := r.StreamData(st, maxStreamDecode)
	if IsLimit(err) {
		return nil, err
	}
	if err != nil {
		return nil, errDamaged("object stream %d: %v", stmNum, err)
	}
	first, _ := ToInt(st.Dict.Get("First"))
	cnt, _ := ToInt(st.Dict.Get("N"))
	// Each "num offset" pair of the header takes at least 4 bytes.
	if first < 0 || first > int64(len(data)) || cnt < 0 || cnt > first/4+1 {
		return nil, errDamaged("object stream %d header", stmNum)
	}
	if err := r.Step(int(cnt)); err != nil {
		return nil, err
	}
	// Two spaces after the data let a final token end: objects are then
	// parsed in place, never copied. They go in the decoder's spare
	// capacity when there is some (past len, which no other user of
	// the cached slice reads), so a large stream is not held twice.
	data = append(data, ' ', ' ')
	os := &objStm{data: data, first: int(first)}
	p := &Parser{B: append(data[:first:first], ' ')}
	for i := int64(0); i < cnt; i++ {
		a, _, err1 := p.number()
		p.skipSpace()
		b, _, err2 := p.number()
		p.skipSpace()
		an, ok1 := ToInt(a)
		bn, ok2 := ToInt(b)
		if err1 != nil || err2 != nil || !ok1 || !ok2 {
			return nil, errDamaged("object stream %d header", stmNum)
		}
		os.nums = append(os.nums, int(an))
		os.offs = append(os.offs, int(bn))
		r.see(int(an))
	}
	// Memory held here is also bounded by the run's decoded-bytes
	// budget (limits.go), whichever revision's map this is.
	if len(objstms) > 16 || r.objstmLen+len(data) > limitCacheBytes {
		clear(objstms)
		r.objstmLen = 0
	}
	objstms[stmNum] = os
	r.objstmLen += len(data)
	return os, nil
}

// fetchCompressed reads object num from object stream stmNum, found through
// xref and kept in objstms (the latest revision's, or an older State's).
func (r *Reader) fetchCompressed(xref map[int]XrefEntry, objstms map[int]*objStm, num, stmNum, idx int) (Object, error) {
	os, err := r.loadObjStm(xref, objstms, stmNum)
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= len(os.offs) || os.nums[idx] != num {
		// Index wrong: look the number up, as lenient readers do.
		if err := r.Step(len(os.nums)); err != nil {
			return nil, err
		}
		idx = -1
		for i, n := range os.nums {
			if n == num {
				idx = i
				break
			}
		}
		if idx < 0 {
			return nil, errDamaged("object %d not in object stream %d", num, stmNum)
		}
	}
	// The same object stream (by file offset) gives the same object, whatever
	// revision's State asks: parsed once while it fits the cache.
	var k objKey
	if se, ok := xref[stmNum]; ok {
		k = objKey{off: se.off, num: num, inStm: true}
		if o, ok := r.lim.objs.get(k); ok {
			return o, nil
		}
	}
	start := os.first + os.offs[idx]
	if start < os.first || start > len(os.data) {
		return nil, errDamaged("object %d offset in object stream %d", num, stmNum)
	}
	p := &Parser{B: os.data[start:], Eof: true}
	o, err := p.ParseObject(0)
	if err != nil {
		return nil, errDamaged("object %d in object stream %d: %v", num, stmNum, err)
	}
	r.seeRefs(o)
	// Parsing from a decoded (cached) object stream costs as much as
	// reading the object from the file: each revision's State parses it
	// again, so count it in the same budget.
	if err := r.lim.add(&r.lim.read, int64(p.pos), r.lim.readMax, "read"); err != nil {
		return nil, err
	}
	if k.inStm {
		r.lim.objs.put(k, o, int64(p.pos))
	}
	return o, nil
}
