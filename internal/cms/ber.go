package cms

import (
	"bytes"
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// BER read as DER: tools that emit indefinite lengths or constructed
// strings (and some TSAs) are read through this one normaliser.

// berToDER rewrites BER indefinite lengths and non-minimal lengths as DER
// (constructed strings are concatenated), so that cryptobyte can read CMS
// from tools that emit BER.
func BERToDER(b []byte) ([]byte, error) {
	out, rest, err := berElem(b, 0)
	if err != nil {
		return nil, err
	}
	_ = rest
	return out, nil
}

func berElem(b []byte, depth int) ([]byte, []byte, error) {
	if depth > 64 {
		return nil, nil, errors.New("BER too deep")
	}
	if len(b) < 2 {
		return nil, nil, errors.New("BER truncated")
	}
	// Tag (multi-byte tags supported).
	i := 1
	if b[0]&0x1f == 0x1f {
		for i < len(b) && b[i]&0x80 != 0 {
			i++
		}
		i++
	}
	if i >= len(b) {
		return nil, nil, errors.New("BER truncated")
	}
	tag := b[:i]
	constructed := b[0]&0x20 != 0
	l := int(b[i])
	i++
	var content []byte
	var rest []byte
	if l == 0x80 { // indefinite
		if !constructed {
			return nil, nil, errors.New("BER indefinite primitive")
		}
		var parts [][]byte
		c := b[i:]
		for {
			if len(c) < 2 {
				return nil, nil, errors.New("BER truncated")
			}
			if c[0] == 0 && c[1] == 0 {
				rest = c[2:]
				break
			}
			e, r, err := berElem(c, depth+1)
			if err != nil {
				return nil, nil, err
			}
			parts = append(parts, e)
			c = r
		}
		content = bytes.Join(parts, nil)
	} else {
		if l&0x80 != 0 {
			n := l & 0x7f
			if n > 4 || i+n > len(b) {
				return nil, nil, errors.New("BER length")
			}
			l = 0
			for k := 0; k < n; k++ {
				l = l<<8 | int(b[i+k])
			}
			i += n
		}
		if l < 0 || i+l > len(b) {
			return nil, nil, errors.New("BER truncated")
		}
		raw := b[i : i+l]
		rest = b[i+l:]
		if constructed {
			var parts [][]byte
			for len(raw) > 0 {
				e, r, err := berElem(raw, depth+1)
				if err != nil {
					return nil, nil, err
				}
				parts = append(parts, e)
				raw = r
			}
			content = bytes.Join(parts, nil)
		} else {
			content = raw
		}
	}
	// A constructed OCTET STRING (BER chunks) becomes a primitive one.
	t := append([]byte{}, tag...)
	if constructed && len(tag) == 1 && (tag[0]&0x1f == 4 || tag[0]&0x1f == 3) && tag[0]&0xc0 == 0 {
		var joined []byte
		c := content
		for len(c) > 0 {
			var inner cryptobyte.String
			s := cryptobyte.String(c)
			var tg cbasn1.Tag
			if !s.ReadAnyASN1(&inner, &tg) {
				return nil, nil, errors.New("BER string chunk")
			}
			joined = append(joined, inner...)
			c = s
		}
		content = joined
		t[0] &^= 0x20
	}
	out := append(t, derLen(len(content))...)
	return append(out, content...), rest, nil
}

func derLen(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	var l []byte
	for v := n; v > 0; v >>= 8 {
		l = append([]byte{byte(v)}, l...)
	}
	return append([]byte{0x80 | byte(len(l))}, l...)
}
