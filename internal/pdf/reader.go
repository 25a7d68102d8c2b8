package pdf

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// The reader follows the cross-reference chain (classic tables, xref streams,
// hybrid files, earlier incremental updates) and fetches single objects on
// demand: it never loads the document, only the xref sections and the
// objects asked for, so memory does not grow with the file's page content.

type XrefEntry struct {
	Typ byte  // 0 free, 1 in use at offset, 2 compressed in an object stream
	off int64 // offset (type 1) or object stream number (type 2)
	gen int   // generation (type 1) or index in the object stream (type 2)
}

// xrefSection is one cross-reference section: a table (with the entries of a
// hybrid file's /XRefStm folded in) or an xref stream.
type XrefSection struct {
	Offset  int64
	Stream  bool
	trailer *Dict
	Entries map[int]XrefEntry
}

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
	cache     map[int]Object
}

const (
	maxObjectWindow = 64 << 20  // an object (dict/array) larger than this is refused
	maxStreamDecode = 256 << 20 // decoded object or xref stream larger than this is refused
)

// newReader reads the header, the xref chain and the trailer.
func NewReader(f io.ReaderAt, size int64) (*Reader, error) {
	r := &Reader{f: f, size: size, Xref: map[int]XrefEntry{}, objstms: map[int]*objStm{}, cache: map[int]Object{}}
	head := make([]byte, min(int64(1024), size))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, errIO(err)
	}
	i := bytes.Index(head, []byte("%PDF-"))
	if i < 0 {
		return nil, &ReadError{Kind: readNotPDF}
	}
	if i > 0 {
		// Offsets would be relative to the header; signing such a file would
		// need every reader to repair it.
		return nil, errDamaged("%d bytes before the %%PDF header", i)
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
	if r.Trailer.Has("Encrypt") {
		return nil, &ReadError{Kind: readEncrypted}
	}
	if _, ok := r.Trailer.Get("Root").(Ref); !ok {
		return nil, errDamaged("trailer has no /Root")
	}
	return r, nil
}

// findStartxref finds the last "startxref N" in the file's tail.
func (r *Reader) findStartxref() (int64, error) {
	for _, n := range []int64{4096, 1 << 20} {
		n = min(n, r.size)
		tail := make([]byte, n)
		if _, err := r.f.ReadAt(tail, r.size-n); err != nil && !errors.Is(err, io.EOF) {
			return 0, errIO(err)
		}
		i := bytes.LastIndex(tail, []byte("startxref"))
		if i < 0 {
			if n == r.size {
				break
			}
			continue
		}
		p := &Parser{B: append(tail[i+9:], ' ')}
		p.skipSpace()
		o, _, err := p.number()
		off, ok := ToInt(o)
		if err != nil || !ok || off <= 0 || off >= r.size {
			return 0, errDamaged("startxref unreadable")
		}
		return off, nil
	}
	return 0, errDamaged("no startxref")
}

func (r *Reader) readChain(off int64) error {
	seen := map[int64]bool{}
	for off > 0 {
		if seen[off] || len(seen) > 10000 {
			return errDamaged("xref chain loops")
		}
		seen[off] = true
		sec, err := r.readSection(off)
		if err != nil {
			return err
		}
		r.Sections = append(r.Sections, sec)
		for n, e := range sec.Entries {
			if _, ok := r.Xref[n]; !ok {
				r.Xref[n] = e
			}
		}
		if r.Trailer == nil {
			r.Trailer = sec.trailer.Clone()
		} else {
			for _, k := range sec.trailer.Keys() {
				if !r.Trailer.Has(k) && (k == "Root" || k == "Info" || k == "ID" || k == "Encrypt") {
					r.Trailer.Set(k, sec.trailer.Get(k))
				}
			}
		}
		prev, ok := ToInt(sec.trailer.Get("Prev"))
		if !ok {
			break
		}
		if prev <= 0 || prev >= r.size {
			return errDamaged("bad /Prev %d", prev)
		}
		off = prev
	}
	return nil
}

func (r *Reader) readSection(off int64) (*XrefSection, error) {
	peek := make([]byte, min(32, r.size-off))
	if _, err := r.f.ReadAt(peek, off); err != nil && !errors.Is(err, io.EOF) {
		return nil, errIO(err)
	}
	t := bytes.TrimLeft(peek, " \r\n\t\f\x00")
	if bytes.HasPrefix(t, []byte("xref")) {
		sec, err := r.readTable(off + int64(len(peek)-len(t)))
		if err != nil {
			return nil, err
		}
		sec.Offset = off
		// Hybrid file: the hidden objects listed by /XRefStm come after the
		// table's own entries.
		if xs, ok := ToInt(sec.trailer.Get("XRefStm")); ok && xs > 0 && xs < r.size {
			if ss, err := r.readXrefStream(xs); err == nil {
				for n, e := range ss.Entries {
					if _, ok := sec.Entries[n]; !ok {
						sec.Entries[n] = e
					}
				}
			}
		}
		return sec, nil
	}
	return r.readXrefStream(off)
}

// countingReader tracks the position of a bufio-read table.
type tableScanner struct {
	br  *bufio.Reader
	pos int64
}

func (s *tableScanner) token() (string, error) {
	var tok []byte
	for {
		c, err := s.br.ReadByte()
		if err != nil {
			if len(tok) > 0 && errors.Is(err, io.EOF) {
				return string(tok), nil
			}
			return "", err
		}
		s.pos++
		if IsWhite(c) {
			if len(tok) > 0 {
				return string(tok), nil
			}
			continue
		}
		if len(tok) == 0 && c == '%' { // comment
			for {
				c, err := s.br.ReadByte()
				if err != nil {
					return "", err
				}
				s.pos++
				if c == '\n' || c == '\r' {
					break
				}
			}
			continue
		}
		if isDelim(c) && len(tok) > 0 {
			_ = s.br.UnreadByte()
			s.pos--
			return string(tok), nil
		}
		tok = append(tok, c)
		if len(tok) > 32 {
			return "", errors.New("token too long")
		}
	}
}

func (r *Reader) readTable(off int64) (*XrefSection, error) {
	s := &tableScanner{br: bufio.NewReaderSize(io.NewSectionReader(r.f, off, r.size-off), 64<<10), pos: off}
	if tok, err := s.token(); err != nil || tok != "xref" {
		return nil, errDamaged("xref table expected at %d", off)
	}
	sec := &XrefSection{Entries: map[int]XrefEntry{}}
	for {
		tok, err := s.token()
		if err != nil {
			return nil, errDamaged("xref table truncated at %d", off)
		}
		if tok == "trailer" {
			break
		}
		start, err1 := strconv.Atoi(tok)
		ctok, err := s.token()
		count, err2 := strconv.Atoi(ctok)
		if err != nil || err1 != nil || err2 != nil || start < 0 || count < 0 || count > 50_000_000 {
			return nil, errDamaged("bad xref subsection at %d", s.pos)
		}
		for i := 0; i < count; i++ {
			a, e1 := s.token()
			b, e2 := s.token()
			c, e3 := s.token()
			if e1 != nil || e2 != nil || e3 != nil {
				return nil, errDamaged("xref table truncated")
			}
			o, err1 := strconv.ParseInt(a, 10, 64)
			g, err2 := strconv.Atoi(b)
			if err1 != nil || err2 != nil || (c != "n" && c != "f") {
				return nil, errDamaged("bad xref entry %q %q %q", a, b, c)
			}
			// A common writer bug numbers the first subsection from 1 while
			// its first entry is the free head of object 0.
			if i == 0 && start == 1 && c == "f" && g == 65535 && o == 0 {
				start = 0
			}
			n := start + i
			if _, dup := sec.Entries[n]; dup {
				continue
			}
			if c == "n" {
				if o <= 0 || o >= r.size {
					// Some writers list unused objects as "n" with offset 0.
					sec.Entries[n] = XrefEntry{Typ: 0}
					continue
				}
				sec.Entries[n] = XrefEntry{Typ: 1, off: o, gen: g}
			} else {
				sec.Entries[n] = XrefEntry{Typ: 0, gen: g}
			}
		}
	}
	o, _, _, err := r.readObjectAt(s.pos, false)
	if err != nil {
		return nil, errDamaged("trailer unreadable: %v", err)
	}
	d, ok := o.(*Dict)
	if !ok {
		return nil, errDamaged("trailer is not a dictionary")
	}
	sec.trailer = d
	return sec, nil
}

func (r *Reader) readXrefStream(off int64) (*XrefSection, error) {
	o, _, _, err := r.readObjectAt(off, true)
	if err != nil {
		return nil, errDamaged("xref unreadable at %d: %v", off, err)
	}
	st, ok := o.(*Stream)
	if !ok || st.Dict.NameOf("Type") != "XRef" {
		return nil, errDamaged("no xref at %d", off)
	}
	data, err := r.StreamData(st, maxStreamDecode)
	if err != nil {
		return nil, errDamaged("xref stream: %v", err)
	}
	w, _ := st.Dict.Get("W").(Array)
	if len(w) != 3 {
		return nil, errDamaged("xref stream /W")
	}
	var ws [3]int
	total := 0
	for i := range ws {
		v, ok := ToInt(w[i])
		if !ok || v < 0 || v > 8 {
			return nil, errDamaged("xref stream /W")
		}
		ws[i] = int(v)
		total += ws[i]
	}
	if total == 0 {
		return nil, errDamaged("xref stream /W")
	}
	size, _ := ToInt(st.Dict.Get("Size"))
	index := []int64{0, size}
	if ix, ok := st.Dict.Get("Index").(Array); ok {
		index = index[:0]
		for _, v := range ix {
			n, ok := ToInt(v)
			if !ok || n < 0 {
				return nil, errDamaged("xref stream /Index")
			}
			index = append(index, n)
		}
		if len(index)%2 != 0 {
			return nil, errDamaged("xref stream /Index")
		}
	}
	sec := &XrefSection{Offset: off, Stream: true, trailer: st.Dict, Entries: map[int]XrefEntry{}}
	field := func(b []byte) int64 {
		var v int64
		for _, c := range b {
			v = v<<8 | int64(c)
		}
		return v
	}
	pos := 0
	for i := 0; i < len(index); i += 2 {
		start, count := index[i], index[i+1]
		for j := int64(0); j < count; j++ {
			if pos+total > len(data) {
				return sec, nil // short stream: keep what is there, as readers do
			}
			e := data[pos : pos+total]
			pos += total
			typ := int64(1)
			if ws[0] > 0 {
				typ = field(e[:ws[0]])
			}
			f2 := field(e[ws[0] : ws[0]+ws[1]])
			f3 := field(e[ws[0]+ws[1]:])
			n := int(start + j)
			if _, dup := sec.Entries[n]; dup {
				continue
			}
			switch typ {
			case 0:
				sec.Entries[n] = XrefEntry{Typ: 0}
			case 1:
				if f2 <= 0 || f2 >= r.size {
					sec.Entries[n] = XrefEntry{Typ: 0}
					continue
				}
				sec.Entries[n] = XrefEntry{Typ: 1, off: f2, gen: int(f3)}
			case 2:
				sec.Entries[n] = XrefEntry{Typ: 2, off: f2, gen: int(f3)}
			}
		}
	}
	return sec, nil
}

// readObjectAt parses "N G obj <object>" at off. With allowStream, a stream
// object is returned as *Stream (data not read).
func (r *Reader) readObjectAt(off int64, header bool) (Object, int, int, error) {
	if off < 0 || off >= r.size {
		return nil, 0, 0, fmt.Errorf("offset %d outside the file", off)
	}
	for n := int64(4096); ; n *= 4 {
		n = min(n, r.size-off)
		buf := make([]byte, n)
		if _, err := r.f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, 0, errIO(err)
		}
		o, num, gen, err := ParseIndirect(buf, off, header, off+n >= r.size)
		if errors.Is(err, errTruncated) && off+n < r.size && n < maxObjectWindow {
			continue
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

// resolve follows references (a few levels) to a direct object.
func (r *Reader) Resolve(o Object) (Object, error) {
	for i := 0; i < 8; i++ {
		ref, ok := o.(Ref)
		if !ok {
			return o, nil
		}
		var err error
		if o, err = r.Fetch(ref.Num); err != nil {
			return nil, err
		}
	}
	return nil, errDamaged("reference chain too long")
}

// resolveDict resolves o and returns it as a dictionary (the dictionary of a
// stream too), or nil.
func (r *Reader) ResolveDict(o Object) (*Dict, error) {
	o, err := r.Resolve(o)
	if err != nil {
		return nil, err
	}
	switch v := o.(type) {
	case *Dict:
		return v, nil
	case *Stream:
		return v.Dict, nil
	}
	return nil, nil
}

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
	switch e.Typ {
	case 1:
		o, n, _, err := r.readObjectAt(e.off, true)
		if err != nil {
			return nil, errDamaged("object %d unreadable: %v", num, err)
		}
		if n != num {
			return nil, errDamaged("object %d: xref offset points at object %d", num, n)
		}
		return o, nil
	case 2:
		return r.fetchCompressed(num, int(e.off), e.gen)
	}
	return nil, nil
}

func (r *Reader) fetchCompressed(num, stmNum, idx int) (Object, error) {
	os, ok := r.objstms[stmNum]
	if !ok {
		e, ok := r.Xref[stmNum]
		if !ok || e.Typ != 1 {
			return nil, errDamaged("object stream %d missing", stmNum)
		}
		o, n, _, err := r.readObjectAt(e.off, true)
		if err != nil || n != stmNum {
			return nil, errDamaged("object stream %d unreadable", stmNum)
		}
		st, ok := o.(*Stream)
		if !ok {
			return nil, errDamaged("object stream %d is not a stream", stmNum)
		}
		data, err := r.StreamData(st, maxStreamDecode)
		if err != nil {
			return nil, errDamaged("object stream %d: %v", stmNum, err)
		}
		first, _ := ToInt(st.Dict.Get("First"))
		cnt, _ := ToInt(st.Dict.Get("N"))
		if first < 0 || first > int64(len(data)) || cnt < 0 || cnt > int64(len(data)) {
			return nil, errDamaged("object stream %d header", stmNum)
		}
		os = &objStm{data: data, first: int(first)}
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
		}
		if len(r.objstms) > 16 {
			clear(r.objstms)
		}
		r.objstms[stmNum] = os
	}
	if idx < 0 || idx >= len(os.offs) || os.nums[idx] != num {
		// Index wrong: look the number up, as lenient readers do.
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
	start := os.first + os.offs[idx]
	if start < os.first || start > len(os.data) {
		return nil, errDamaged("object %d offset in object stream %d", num, stmNum)
	}
	o, _, _, err := ParseIndirect(os.data[start:], 0, false, true)
	if err != nil {
		return nil, errDamaged("object %d in object stream %d: %v", num, stmNum, err)
	}
	return o, nil
}

// streamData reads and decodes a stream (FlateDecode with PNG/TIFF predictors,
// or no filter), at most limit decoded bytes.
func (r *Reader) StreamData(st *Stream, limit int64) ([]byte, error) {
	lo, err := r.Resolve(st.Dict.Get("Length"))
	if err != nil {
		return nil, err
	}
	length, ok := ToInt(lo)
	if !ok || length < 0 || st.Offset+length > r.size {
		// Find endstream instead, like lenient readers.
		length, err = r.findEndstream(st.Offset)
		if err != nil {
			return nil, err
		}
	}
	if length > limit {
		return nil, fmt.Errorf("stream too large")
	}
	raw := make([]byte, length)
	if _, err := r.f.ReadAt(raw, st.Offset); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	filters, _ := r.Resolve(st.Dict.Get("Filter"))
	parms, _ := r.Resolve(st.Dict.Get("DecodeParms"))
	var fl []Object
	var pl []Object
	switch v := filters.(type) {
	case Name:
		fl = []Object{v}
		pl = []Object{parms}
	case Array:
		fl = v
		if pa, ok := parms.(Array); ok {
			pl = pa
		}
	}
	data := raw
	for i, f := range fl {
		n, _ := f.(Name)
		var dp *Dict
		if i < len(pl) {
			dp, _ = r.ResolveDict(pl[i])
		}
		switch n {
		case "FlateDecode", "Fl":
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, err
			}
			var out bytes.Buffer
			_, err = io.Copy(&out, io.LimitReader(zr, limit+1))
			if int64(out.Len()) > limit {
				return nil, fmt.Errorf("stream too large")
			}
			// A truncated deflate stream is common; keep what decoded.
			if err != nil && out.Len() == 0 {
				return nil, err
			}
			data = out.Bytes()
			if data, err = unpredict(data, dp); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("filter %s not supported here", n)
		}
	}
	return data, nil
}

func (r *Reader) findEndstream(off int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for pos := off; pos < r.size; pos += int64(len(buf)) - 16 {
		n, _ := r.f.ReadAt(buf, pos)
		if i := bytes.Index(buf[:n], []byte("endstream")); i >= 0 {
			l := pos + int64(i) - off
			return l, nil
		}
		if n < len(buf) {
			break
		}
	}
	return 0, fmt.Errorf("endstream not found")
}

// unpredict undoes PNG (10–15) and TIFF (2) predictors.
func unpredict(data []byte, dp *Dict) ([]byte, error) {
	if dp == nil {
		return data, nil
	}
	pred, _ := ToInt(dp.Get("Predictor"))
	if pred <= 1 {
		return data, nil
	}
	cols := int64(1)
	if c, ok := ToInt(dp.Get("Columns")); ok {
		cols = c
	}
	colors := int64(1)
	if c, ok := ToInt(dp.Get("Colors")); ok {
		colors = c
	}
	bpc := int64(8)
	if c, ok := ToInt(dp.Get("BitsPerComponent")); ok {
		bpc = c
	}
	if cols <= 0 || cols > 1<<20 || colors <= 0 || colors > 32 || bpc <= 0 || bpc > 16 {
		return nil, fmt.Errorf("bad predictor parameters")
	}
	bpp := int((colors*bpc + 7) / 8)
	row := int((cols*colors*bpc + 7) / 8)
	if pred == 2 {
		if bpc != 8 {
			return nil, fmt.Errorf("TIFF predictor with %d bits", bpc)
		}
		for i := 0; i+row <= len(data); i += row {
			for j := bpp; j < row; j++ {
				data[i+j] += data[i+j-bpp]
			}
		}
		return data, nil
	}
	out := make([]byte, 0, len(data))
	prev := make([]byte, row)
	for i := 0; i+row+1 <= len(data); i += row + 1 {
		ft := data[i]
		cur := append([]byte(nil), data[i+1:i+1+row]...)
		for j := 0; j < row; j++ {
			var a, b, c byte
			if j >= bpp {
				a = cur[j-bpp]
				c = prev[j-bpp]
			}
			b = prev[j]
			switch ft {
			case 0:
			case 1:
				cur[j] += a
			case 2:
				cur[j] += b
			case 3:
				cur[j] += byte((int(a) + int(b)) / 2)
			case 4:
				cur[j] += paeth(a, b, c)
			default:
				return nil, fmt.Errorf("bad PNG filter %d", ft)
			}
		}
		out = append(out, cur...)
		prev = cur
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
