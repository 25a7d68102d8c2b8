package pdf

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"maps"
	"strconv"
)

// Reading the cross-reference chain: the last startxref, classic tables,
// xref streams, hybrid files' /XRefStm and earlier updates through /Prev.

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
	Num     int // the xref stream's own object number (Stream only)
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
		if seen[off] {
			return &ReadError{Kind: readDamaged, Err: errors.New("xref chain loops"), noRepair: true}
		}
		if len(seen) >= limitSections {
			return r.lim.hit("sections", limitSections)
		}
		seen[off] = true
		sec, err := r.readSection(off)
		if err != nil {
			return err
		}
		r.Sections = append(r.Sections, sec)
		if err := r.Step(len(sec.Entries)); err != nil {
			return err
		}
		r.seeSection(sec)
		if len(r.Xref) == 0 {
			// The newest section whole: one copy, not a map grown entry
			// by entry (10,000 objects for bench/sign.sh's 5,000 pages).
			r.Xref = maps.Clone(sec.Entries)
		} else {
			for n, e := range sec.Entries {
				if _, ok := r.Xref[n]; !ok {
					r.Xref[n] = e
				}
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
		if !ok || prev == 0 {
			// /Prev 0 names no section (offset 0 is the header): the
			// chain ends, as qpdf reads it, without a warning.
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
			ss, seen := r.lim.xrefStms[xs]
			if !seen { // read once, however many sections name it
				var err error
				if ss, err = r.readXrefStream(xs); IsLimit(err) {
					return nil, err
				}
				r.lim.xrefStms[xs] = ss
			}
			if ss != nil {
				r.seeSection(ss)
				if err := r.lim.add(&r.lim.entries, int64(len(ss.Entries)), r.lim.entriesMax, "entries"); err != nil {
					return nil, err
				}
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

// entry reads an entry of the exact form ISO 32000-2 §7.5.4 gives (10
// digits, a space, 5 digits, a space, n or f, then white space), the form
// nearly every writer uses, without making tokens of it: what the tokens
// would give, at a tenth of the cost (10,000 entries for bench/sign.sh's
// 5,000 pages, read at each opening). ok false: nothing consumed but white
// space; the caller reads the entry through token.
func (s *tableScanner) entry() (off int64, gen int, kind byte, ok bool) {
	for {
		c, err := s.br.Peek(1)
		if err != nil || !IsWhite(c[0]) {
			break
		}
		_, _ = s.br.Discard(1)
		s.pos++
	}
	b, err := s.br.Peek(19)
	if err != nil || b[10] != ' ' || b[16] != ' ' || (b[17] != 'n' && b[17] != 'f') || !IsWhite(b[18]) {
		return 0, 0, 0, false
	}
	for _, d := range b[:10] {
		if d < '0' || d > '9' {
			return 0, 0, 0, false
		}
		off = off*10 + int64(d-'0')
	}
	for _, d := range b[11:16] {
		if d < '0' || d > '9' {
			return 0, 0, 0, false
		}
		gen = gen*10 + int(d-'0')
	}
	kind = b[17]
	_, _ = s.br.Discard(19) // the white space that ends "n" too, as token does
	s.pos += 19
	return off, gen, kind, true
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
		if len(sec.Entries) == 0 && count > 8 {
			// Sized once for the subsection (bounded: the count is the
			// file's word, the entries read are limited as they come).
			sec.Entries = make(map[int]XrefEntry, min(count, 1<<17))
		}
		for i := 0; i < count; i++ {
			o, g, c, ok := s.entry()
			if !ok {
				a, e1 := s.token()
				b, e2 := s.token()
				ct, e3 := s.token()
				if e1 != nil || e2 != nil || e3 != nil {
					return nil, errDamaged("xref table truncated")
				}
				var err1, err2 error
				o, err1 = strconv.ParseInt(a, 10, 64)
				g, err2 = strconv.Atoi(b)
				if err1 != nil || err2 != nil || (ct != "n" && ct != "f") {
					return nil, errDamaged("bad xref entry %q %q %q", a, b, ct)
				}
				c = ct[0]
			}
			// A common writer bug numbers the first subsection from 1 while
			// its first entry is the free head of object 0.
			if i == 0 && start == 1 && c == 'f' && g == 65535 && o == 0 {
				start = 0
			}
			n := start + i
			if _, dup := sec.Entries[n]; dup {
				continue
			}
			if err := r.lim.add(&r.lim.entries, 1, r.lim.entriesMax, "entries"); err != nil {
				return nil, err
			}
			if c == 'n' {
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
	if IsLimit(err) {
		return nil, err
	}
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
	o, num, _, err := r.readObjectAt(off, true)
	if IsLimit(err) {
		return nil, err
	}
	if err != nil {
		return nil, errDamaged("xref unreadable at %d: %v", off, err)
	}
	st, ok := o.(*Stream)
	if !ok || st.Dict.NameOf("Type") != "XRef" {
		return nil, errDamaged("no xref at %d", off)
	}
	data, err := r.StreamData(st, maxStreamDecode)
	if IsLimit(err) {
		return nil, err
	}
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
	sec := &XrefSection{Offset: off, Stream: true, trailer: st.Dict, Entries: map[int]XrefEntry{}, Num: num}
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
			if err := r.lim.add(&r.lim.entries, 1, r.lim.entriesMax, "entries"); err != nil {
				return nil, err
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
