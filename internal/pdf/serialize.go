package pdf

import (
	"bytes"
	"fmt"
	"strconv"
)

// appendObject serialises o in PDF syntax. Streams are not serialised here
// (the writer writes new streams itself).
func AppendObject(b []byte, o Object) []byte {
	switch v := o.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		if v {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case Int:
		return strconv.AppendInt(b, int64(v), 10)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case Real:
		return append(b, v...)
	case float64:
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	case Name:
		return AppendName(b, string(v))
	case String:
		if v.Hex {
			return appendHex(b, v.B)
		}
		return AppendLiteral(b, v.B)
	case Ref:
		return fmt.Appendf(b, "%d %d R", v.Num, v.Gen)
	case Array:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ' ')
			}
			b = AppendObject(b, e)
		}
		return append(b, ']')
	case *Dict:
		b = append(b, "<<"...)
		for _, e := range v.kv {
			b = AppendName(b, e.k)
			b = append(b, ' ')
			b = AppendObject(b, e.v)
		}
		return append(b, ">>"...)
	case *Stream:
		// Only reachable if a caller tries to inline a stream: write its
		// dictionary so that output stays syntactically valid.
		return AppendObject(b, v.Dict)
	}
	return append(b, "null"...)
}

func AppendName(b []byte, n string) []byte {
	b = append(b, '/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c == 0 {
			// "#00" is invalid in every PDF version (qpdf and poppler reject
			// the token); a name that came in with it is written without.
			continue
		}
		if c < 0x21 || c > 0x7e || c == '#' || isDelim(c) {
			b = fmt.Appendf(b, "#%02X", c)
			continue
		}
		b = append(b, c)
	}
	return b
}

func AppendLiteral(b []byte, s []byte) []byte {
	b = append(b, '(')
	for _, c := range s {
		switch c {
		case '(', ')', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			if c < 0x20 || c == 0x7f {
				b = fmt.Appendf(b, "\\%03o", c)
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, ')')
}

func appendHex(b []byte, s []byte) []byte {
	const digits = "0123456789ABCDEF"
	b = append(b, '<')
	for _, c := range s {
		b = append(b, digits[c>>4], digits[c&15])
	}
	return append(b, '>')
}

// textString encodes s as a PDF text string: PDFDocEncoding-compatible ASCII
// as is, anything else as UTF-16BE with a BOM.
func TextString(s string) String {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return String{B: []byte(s)}
	}
	var buf bytes.Buffer
	buf.Write([]byte{0xfe, 0xff})
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
			buf.Write([]byte{byte(hi >> 8), byte(hi), byte(lo >> 8), byte(lo)})
			continue
		}
		buf.Write([]byte{byte(r >> 8), byte(r)})
	}
	return String{B: buf.Bytes()}
}

// decodeTextString is the inverse of textString (UTF-16BE with BOM, UTF-8
// with BOM, else PDFDocEncoding read as Latin-1, which is close enough for
// display).
func DecodeTextString(b []byte) string {
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		var rs []rune
		for i := 2; i+1 < len(b); i += 2 {
			u := rune(b[i])<<8 | rune(b[i+1])
			if u >= 0xd800 && u < 0xdc00 && i+3 < len(b) {
				l := rune(b[i+2])<<8 | rune(b[i+3])
				rs = append(rs, 0x10000+(u-0xd800)<<10+(l-0xdc00))
				i += 2
				continue
			}
			rs = append(rs, u)
		}
		return string(rs)
	}
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return string(b[3:])
	}
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}

// Classic writes a whole one-revision PDF with a classic cross-reference
// table, from objects given without their "n 0 obj" wrapper (object 1 is
// the catalog); extra is added to the trailer (an /Info reference, an /ID).
func Classic(extra string, objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R%s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, extra, xref)
	return b.Bytes()
}
