package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// The object parser: PDF syntax (names, strings, numbers, references,
// arrays, dictionaries, indirect headers) from a byte window.

// errTruncated: the buffer ended inside an object; the caller may retry with
// more bytes.
var errTruncated = errors.New("pdf: object truncated")

// errSyntax is a malformed object.
type syntaxError struct {
	pos int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("pdf syntax at +%d: %s", e.pos, e.msg) }

// maxDepth bounds nesting, so a hostile file cannot exhaust the stack.
const maxDepth = 64

type Parser struct {
	B   []byte
	pos int
	Eof bool // the buffer ends where the data ends: no "truncated" retry
}

// truncated reports whether running out of buffer means "read more".
func (p *Parser) truncated() bool { return p.pos >= len(p.B) && !p.Eof }

func IsWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isRegular(c byte) bool { return !IsWhite(c) && !isDelim(c) }

// skipSpace skips white space and comments.
func (p *Parser) skipSpace() {
	for p.pos < len(p.B) {
		c := p.B[p.pos]
		if IsWhite(c) {
			p.pos++
			continue
		}
		if c == '%' {
			for p.pos < len(p.B) && p.B[p.pos] != '\n' && p.B[p.pos] != '\r' {
				p.pos++
			}
			continue
		}
		return
	}
}

// keyword reads a run of regular characters.
func (p *Parser) keyword() []byte {
	start := p.pos
	for p.pos < len(p.B) && isRegular(p.B[p.pos]) {
		p.pos++
	}
	return p.B[start:p.pos]
}

func (p *Parser) errf(format string, a ...any) error {
	return &syntaxError{pos: p.pos, msg: fmt.Sprintf(format, a...)}
}

// parseObject reads one direct object (or a reference).
func (p *Parser) ParseObject(depth int) (Object, error) {
	if depth > maxDepth {
		return nil, p.errf("nesting too deep")
	}
	p.skipSpace()
	if p.pos >= len(p.B) {
		return nil, errTruncated
	}
	c := p.B[p.pos]
	switch {
	case c == '/':
		return p.parseName()
	case c == '(':
		return p.parseLiteral()
	case c == '<':
		if p.pos+1 >= len(p.B) {
			return nil, errTruncated
		}
		if p.B[p.pos+1] == '<' {
			return p.parseDict(depth)
		}
		return p.parseHex()
	case c == '[':
		p.pos++
		var a Array
		for {
			p.skipSpace()
			if p.pos >= len(p.B) {
				return nil, errTruncated
			}
			if p.B[p.pos] == ']' {
				p.pos++
				return a, nil
			}
			o, err := p.ParseObject(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, o)
		}
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return p.parseNumberOrRef()
	case isRegular(c):
		start := p.pos
		kw := p.keyword()
		if p.truncated() && len(kw) < 5 {
			return nil, errTruncated
		}
		switch string(kw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		p.pos = start
		return nil, p.errf("unexpected %q", kw)
	}
	return nil, p.errf("unexpected %q", c)
}

func (p *Parser) parseName() (Object, error) {
	p.pos++ // '/'
	start := p.pos
	raw := p.keyword()
	if p.truncated() {
		return nil, errTruncated
	}
	if bytes.IndexByte(raw, '#') < 0 {
		return Name(raw), nil
	}
	var out []byte
	for i := 0; i < len(raw); i++ {
		if raw[i] == '#' && i+2 < len(raw) {
			if v, err := strconv.ParseUint(string(raw[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, raw[i])
	}
	_ = start
	return Name(out), nil
}

func (p *Parser) parseLiteral() (Object, error) {
	p.pos++ // '('
	var out []byte
	depth := 1
	for {
		if p.pos >= len(p.B) {
			return nil, errTruncated
		}
		c := p.B[p.pos]
		p.pos++
		switch c {
		case '(':
			depth++
			out = append(out, c)
		case ')':
			depth--
			if depth == 0 {
				return String{B: out}, nil
			}
			out = append(out, c)
		case '\\':
			if p.pos >= len(p.B) {
				return nil, errTruncated
			}
			e := p.B[p.pos]
			p.pos++
			switch e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r':
				if p.pos < len(p.B) && p.B[p.pos] == '\n' {
					p.pos++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && p.pos < len(p.B) && p.B[p.pos] >= '0' && p.B[p.pos] <= '7'; k++ {
						v = v*8 + int(p.B[p.pos]-'0')
						p.pos++
					}
					out = append(out, byte(v))
				} else {
					out = append(out, e)
				}
			}
		default:
			out = append(out, c)
		}
	}
}

func Unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (p *Parser) parseHex() (Object, error) {
	p.pos++ // '<'
	out := make([]byte, 0, 32)
	var hi byte
	half := false
	for {
		if p.pos >= len(p.B) {
			return nil, errTruncated
		}
		c := p.B[p.pos]
		p.pos++
		if c == '>' {
			if half {
				out = append(out, hi<<4)
			}
			return String{B: out, Hex: true}, nil
		}
		if IsWhite(c) {
			continue
		}
		v, ok := Unhex(c)
		if !ok {
			return nil, p.errf("bad hex digit %q", c)
		}
		if half {
			out = append(out, hi<<4|v)
			half = false
		} else {
			hi, half = v, true
		}
	}
}

func (p *Parser) parseDict(depth int) (Object, error) {
	p.pos += 2 // "<<"
	d := &Dict{}
	for {
		p.skipSpace()
		if p.pos+1 >= len(p.B) {
			return nil, errTruncated
		}
		if p.B[p.pos] == '>' && p.B[p.pos+1] == '>' {
			p.pos += 2
			return d, nil
		}
		if p.B[p.pos] != '/' {
			return nil, p.errf("dictionary key expected")
		}
		k, err := p.parseName()
		if err != nil {
			return nil, err
		}
		v, err := p.ParseObject(depth + 1)
		if err != nil {
			return nil, err
		}
		// A null value means the key is absent (PDF 32000 7.3.7); keeping it
		// would make rewrites noisy but harmless, so keep the text faithful.
		d.kv = append(d.kv, kv{string(k.(Name)), v})
	}
}

// parseNumberOrRef reads a number, and "N G R" as a reference.
func (p *Parser) parseNumberOrRef() (Object, error) {
	n1, isInt, err := p.number()
	if err != nil {
		return nil, err
	}
	if !isInt {
		return n1, nil
	}
	// Look ahead for "G R".
	save := p.pos
	p.skipSpace()
	if p.pos < len(p.B) && p.B[p.pos] >= '0' && p.B[p.pos] <= '9' {
		n2, isInt2, err := p.number()
		if err == nil && isInt2 {
			p.skipSpace()
			if p.pos < len(p.B) && p.B[p.pos] == 'R' && (p.pos+1 >= len(p.B) || !isRegular(p.B[p.pos+1])) {
				if p.pos+1 >= len(p.B) && !p.Eof {
					return nil, errTruncated
				}
				p.pos++
				a, b := n1.(Int), n2.(Int)
				if a < 0 || b < 0 || a > 1<<31 || b > 65535 {
					return nil, p.errf("bad reference")
				}
				return Ref{int(a), int(b)}, nil
			}
		} else if errors.Is(err, errTruncated) {
			return nil, err
		}
	}
	if p.truncated() {
		return nil, errTruncated
	}
	p.pos = save
	return n1, nil
}

func (p *Parser) number() (Object, bool, error) {
	start := p.pos
	for p.pos < len(p.B) {
		c := p.B[p.pos]
		if (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' {
			p.pos++
			continue
		}
		break
	}
	if p.truncated() {
		return nil, false, errTruncated
	}
	s := string(p.B[start:p.pos])
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Int(v), true, nil
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return Real(s), false, nil
	}
	// Malformed numbers such as "--5" or "0.0.1" occur in the wild; readers
	// treat them as 0.
	if s == "" {
		return nil, false, p.errf("number expected")
	}
	return Int(0), true, nil
}

// parseIndirectHeader reads "N G obj" and returns N and G.
func (p *Parser) parseIndirectHeader() (int, int, error) {
	p.skipSpace()
	n1, ok1, err := p.number()
	if err != nil {
		return 0, 0, err
	}
	p.skipSpace()
	n2, ok2, err := p.number()
	if err != nil {
		return 0, 0, err
	}
	p.skipSpace()
	kw := p.keyword()
	if p.truncated() {
		return 0, 0, errTruncated
	}
	if !ok1 || !ok2 || string(kw) != "obj" {
		return 0, 0, p.errf("object header expected")
	}
	return int(n1.(Int)), int(n2.(Int)), nil
}
