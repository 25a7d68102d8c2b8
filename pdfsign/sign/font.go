package sign

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/certigna-desktop/app/internal/pdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The visible stamp's font: Go Regular (BSD-licensed, shipped with
// golang.org/x/image), embedded as a TrueType subset so the stamp renders the
// same in every viewer, accents included. The PDF font is a simple TrueType
// font with WinAnsiEncoding, which covers French (é è à ç ô œ « » …); the
// subset keeps every glyph id but empties the outlines of unused glyphs, so
// the font's cmap and metrics stay valid without being rebuilt.

// stampFont is the parsed font plus its PDF metrics.
type stampFont struct {
	raw                        []byte
	f                          *sfnt.Font
	upem                       int
	widths                     [256]int // WinAnsi code → advance in 1/1000 em
	glyph                      [256]sfnt.GlyphIndex
	bbox                       [4]int // in 1/1000 em
	ascent, descent, capHeight int
}

var (
	stampFontOnce sync.Once
	stampFontVal  *stampFont
	stampFontErr  error
)

func loadStampFont() (*stampFont, error) {
	stampFontOnce.Do(func() { stampFontVal, stampFontErr = parseStampFont(goregular.TTF) })
	return stampFontVal, stampFontErr
}

func parseStampFont(raw []byte) (*stampFont, error) {
	f, err := sfnt.Parse(raw)
	if err != nil {
		return nil, err
	}
	sf := &stampFont{raw: raw, f: f, upem: int(f.UnitsPerEm())}
	var b sfnt.Buffer
	ppem := fixed.I(sf.upem)
	scale := func(v fixed.Int26_6) int { return int(v) * 1000 / 64 / sf.upem }
	for code := 32; code < 256; code++ {
		r := winAnsiRune(byte(code))
		if r == 0 {
			continue
		}
		gi, err := f.GlyphIndex(&b, r)
		if err != nil || gi == 0 {
			continue
		}
		adv, err := f.GlyphAdvance(&b, gi, ppem, font.HintingNone)
		if err != nil {
			continue
		}
		sf.glyph[code] = gi
		sf.widths[code] = scale(adv)
	}
	m, err := f.Metrics(&b, ppem, font.HintingNone)
	if err != nil {
		return nil, err
	}
	sf.ascent, sf.descent = scale(m.Ascent), -scale(m.Descent)
	sf.capHeight = scale(m.CapHeight)
	bounds, err := f.Bounds(&b, ppem, font.HintingNone)
	if err != nil {
		return nil, err
	}
	// sfnt's bounds are y-down.
	sf.bbox = [4]int{scale(bounds.Min.X), -scale(bounds.Max.Y), scale(bounds.Max.X), -scale(bounds.Min.Y)}
	return sf, nil
}

// winAnsi maps 0x80–0x9F of Windows-1252; the rest of 0x20–0xFF is Latin-1.
var winAnsiHigh = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

func winAnsiRune(c byte) rune {
	switch {
	case c < 0x20 || c == 0x7f:
		return 0
	case c >= 0x80 && c <= 0x9f:
		return winAnsiHigh[c-0x80]
	}
	return rune(c)
}

// encodeWinAnsi encodes s; runes outside WinAnsi or without a glyph become '?'.
func (sf *stampFont) encode(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		code := byte('?')
		if r >= 0x20 && r <= 0xff && !(r >= 0x7f && r <= 0x9f) {
			code = byte(r)
		} else {
			for i, h := range winAnsiHigh {
				if h == r && h != 0 {
					code = byte(0x80 + i)
				}
			}
		}
		if sf.glyph[code] == 0 {
			code = '?'
		}
		out = append(out, code)
	}
	return out
}

// width is the advance of encoded text at size points.
func (sf *stampFont) width(enc []byte, size float64) float64 {
	w := 0
	for _, c := range enc {
		w += sf.widths[c]
	}
	return float64(w) * size / 1000
}

// subset returns the font file with only the glyphs of used (codes) kept,
// plus .notdef and the components of composite glyphs.
func (sf *stampFont) subset(used map[byte]bool) ([]byte, error) {
	tables, err := ttfTables(sf.raw)
	if err != nil {
		return nil, err
	}
	head, loca, glyf := tables["head"], tables["loca"], tables["glyf"]
	maxp := tables["maxp"]
	if head == nil || loca == nil || glyf == nil || maxp == nil || len(head) < 54 || len(maxp) < 6 {
		return nil, errors.New("font: missing TrueType tables")
	}
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	long := binary.BigEndian.Uint16(head[50:]) == 1
	offs := make([]int, numGlyphs+1)
	for i := range offs {
		if long {
			if 4*i+4 > len(loca) {
				return nil, errors.New("font: short loca")
			}
			offs[i] = int(binary.BigEndian.Uint32(loca[4*i:]))
		} else {
			if 2*i+2 > len(loca) {
				return nil, errors.New("font: short loca")
			}
			offs[i] = 2 * int(binary.BigEndian.Uint16(loca[2*i:]))
		}
	}
	keep := map[int]bool{0: true}
	var add func(g, depth int)
	add = func(g, depth int) {
		if g < 0 || g >= numGlyphs || keep[g] && g != 0 || depth > 8 {
			return
		}
		keep[g] = true
		start, end := offs[g], offs[g+1]
		if end <= start || end > len(glyf) || end-start < 10 {
			return
		}
		data := glyf[start:end]
		if int16(binary.BigEndian.Uint16(data)) >= 0 {
			return // simple glyph
		}
		// Composite: flags, glyphIndex, arguments, optional transform.
		p := 10
		for p+4 <= len(data) {
			flags := binary.BigEndian.Uint16(data[p:])
			comp := int(binary.BigEndian.Uint16(data[p+2:]))
			add(comp, depth+1)
			p += 4
			if flags&0x0001 != 0 {
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&0x0008 != 0:
				p += 2
			case flags&0x0040 != 0:
				p += 4
			case flags&0x0080 != 0:
				p += 8
			}
			if flags&0x0020 == 0 {
				break
			}
		}
	}
	for c := range used {
		add(int(sf.glyph[c]), 0)
	}
	var newGlyf bytes.Buffer
	newLoca := make([]byte, 4*(numGlyphs+1))
	for g := 0; g < numGlyphs; g++ {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(newGlyf.Len()))
		if keep[g] && offs[g+1] > offs[g] && offs[g+1] <= len(glyf) {
			newGlyf.Write(glyf[offs[g]:offs[g+1]])
			for newGlyf.Len()%4 != 0 {
				newGlyf.WriteByte(0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*numGlyphs:], uint32(newGlyf.Len()))
	newHead := append([]byte(nil), head...)
	binary.BigEndian.PutUint16(newHead[50:], 1) // long loca offsets
	binary.BigEndian.PutUint32(newHead[8:], 0)  // checkSumAdjustment, fixed below
	out := map[string][]byte{"head": newHead, "loca": newLoca, "glyf": newGlyf.Bytes()}
	// What a PDF TrueType font needs; layout tables (GSUB, GPOS, kern) are not used.
	for _, t := range []string{"cmap", "hhea", "hmtx", "maxp", "cvt ", "fpgm", "prep", "OS/2", "post", "name"} {
		if v, ok := tables[t]; ok {
			out[t] = v
		}
	}
	file := ttfBuild(out)
	// checkSumAdjustment = 0xB1B0AFBA − checksum of the whole file.
	headOff := bytes.Index(file[12:12+16*len(out)], []byte("head"))
	if headOff >= 0 {
		off := binary.BigEndian.Uint32(file[12+headOff+8:])
		binary.BigEndian.PutUint32(file[off+8:], 0xB1B0AFBA-ttfChecksum(file))
	}
	return file, nil
}

func ttfTables(raw []byte) (map[string][]byte, error) {
	if len(raw) < 12 {
		return nil, errors.New("font: too short")
	}
	n := int(binary.BigEndian.Uint16(raw[4:]))
	if 12+16*n > len(raw) {
		return nil, errors.New("font: bad table directory")
	}
	m := map[string][]byte{}
	for i := 0; i < n; i++ {
		e := raw[12+16*i:]
		off, ln := int(binary.BigEndian.Uint32(e[8:])), int(binary.BigEndian.Uint32(e[12:]))
		if off < 0 || ln < 0 || off+ln > len(raw) {
			return nil, fmt.Errorf("font: table %q out of bounds", e[:4])
		}
		m[string(e[:4])] = raw[off : off+ln]
	}
	return m, nil
}

func ttfChecksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:min(i+4, len(b))])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

// ttfBuild writes an sfnt file with the tables sorted by tag, 4-aligned.
func ttfBuild(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	es, sr := 0, 1
	for sr*2 <= n {
		sr *= 2
		es++
	}
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, []uint16{0x0001, 0x0000, uint16(n), uint16(sr * 16), uint16(es), uint16(n*16 - sr*16)})
	off := 12 + 16*n
	for _, t := range tags {
		d := tables[t]
		b.WriteString(t)
		binary.Write(&b, binary.BigEndian, []uint32{ttfChecksum(d), uint32(off), uint32(len(d))})
		off += (len(d) + 3) &^ 3
	}
	for _, t := range tags {
		b.Write(tables[t])
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	return b.Bytes()
}

// putFont adds the font objects (font dict, descriptor, FontFile2) for the
// codes used and returns the font dictionary's reference.
func (sf *stampFont) putFont(u *pdf.Increment, used map[byte]bool) (pdf.Ref, error) {
	file, err := sf.subset(used)
	if err != nil {
		return pdf.Ref{}, err
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(file)
	zw.Close()
	// Subset tag: six capitals derived from the glyphs kept, as the PDF spec asks.
	codes := make([]byte, 0, len(used))
	for c := range used {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool { return codes[i] < codes[j] })
	sum := sha256.Sum256(codes)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	name := pdf.Name(string(tag) + "+GoRegular")

	fileRef, descRef, fontRef := u.Alloc(), u.Alloc(), u.Alloc()
	fd := &pdf.Dict{}
	fd.Set("Filter", pdf.Name("FlateDecode"))
	fd.Set("Length1", pdf.Int(len(file)))
	u.PutStream(fileRef, fd, z.Bytes())

	desc := &pdf.Dict{}
	desc.Set("Type", pdf.Name("FontDescriptor"))
	desc.Set("FontName", name)
	desc.Set("Flags", pdf.Int(32)) // nonsymbolic: the WinAnsi encoding applies
	desc.Set("FontBBox", pdf.Array{pdf.Int(sf.bbox[0]), pdf.Int(sf.bbox[1]), pdf.Int(sf.bbox[2]), pdf.Int(sf.bbox[3])})
	desc.Set("ItalicAngle", pdf.Int(0))
	desc.Set("Ascent", pdf.Int(sf.ascent))
	desc.Set("Descent", pdf.Int(sf.descent))
	desc.Set("CapHeight", pdf.Int(sf.capHeight))
	desc.Set("StemV", pdf.Int(80))
	desc.Set("FontFile2", fileRef)
	u.Put(descRef, desc)

	fnt := &pdf.Dict{}
	fnt.Set("Type", pdf.Name("Font"))
	fnt.Set("Subtype", pdf.Name("TrueType"))
	fnt.Set("BaseFont", name)
	fnt.Set("FirstChar", pdf.Int(32))
	fnt.Set("LastChar", pdf.Int(255))
	w := make(pdf.Array, 0, 224)
	for c := 32; c < 256; c++ {
		w = append(w, pdf.Int(sf.widths[c]))
	}
	fnt.Set("Widths", w)
	fnt.Set("Encoding", pdf.Name("WinAnsiEncoding"))
	fnt.Set("FontDescriptor", descRef)
	u.Put(fontRef, fnt)
	return fontRef, nil
}
