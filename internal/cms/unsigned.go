package cms

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// AddUnsignedAttrs returns der (a DER ContentInfo(SignedData) with one
// SignerInfo, as Build makes) with attrs appended to the SignerInfo's
// unsigned attributes. Everything the signature covers is copied byte for
// byte: this is how a timestamp is added later to a signature that was saved
// without one (the token is not needed again). Trailing bytes after the
// ContentInfo (the zero padding of a PDF's /Contents) are ignored.
func AddUnsignedAttrs(der []byte, attrs []Attribute) ([]byte, error) {
	s := cryptobyte.String(der)
	var ci, ex, sd cryptobyte.String
	var oidCT cryptobyte.String
	if !s.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1Element(&oidCT, cbasn1.OBJECT_IDENTIFIER) ||
		!ci.ReadASN1(&ex, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ex.ReadASN1(&sd, cbasn1.SEQUENCE) || !ex.Empty() {
		return nil, fmt.Errorf("%w: not a DER SignedData", errCMS)
	}
	// version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls: copied.
	var before []byte
	for !isSignerInfosNext(sd) {
		var e cryptobyte.String
		var tag cbasn1.Tag
		if !sd.ReadAnyASN1Element(&e, &tag) {
			return nil, fmt.Errorf("%w: SignedData", errCMS)
		}
		before = append(before, e...)
	}
	var sis, si cryptobyte.String
	if !sd.ReadASN1(&sis, cbasn1.SET) || !sd.Empty() || !sis.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("%w: SignerInfos", errCMS)
	}
	if !sis.Empty() {
		return nil, errors.New("cms: more than one SignerInfo")
	}
	// SignerInfo: everything up to and including the signature OCTET STRING
	// is copied; then the existing unsigned attributes, then attrs.
	var head []byte
	for {
		var e cryptobyte.String
		var tag cbasn1.Tag
		if !si.ReadAnyASN1Element(&e, &tag) {
			return nil, fmt.Errorf("%w: SignerInfo", errCMS)
		}
		head = append(head, e...)
		if tag == cbasn1.OCTET_STRING {
			break
		}
	}
	var all []Attribute
	if si.PeekASN1Tag(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		var ua cryptobyte.String
		if !si.ReadASN1(&ua, cbasn1.Tag(1).Constructed().ContextSpecific()) {
			return nil, fmt.Errorf("%w: unsigned attributes", errCMS)
		}
		for !ua.Empty() {
			var a cryptobyte.String
			if !ua.ReadASN1Element(&a, cbasn1.SEQUENCE) {
				return nil, fmt.Errorf("%w: unsigned attribute", errCMS)
			}
			all = append(all, Attribute(a))
		}
	}
	if !si.Empty() {
		return nil, fmt.Errorf("%w: SignerInfo trailer", errCMS)
	}
	all = append(all, attrs...)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(oidCT)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(before)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(head)
						if len(all) > 0 {
							b.AddBytes(derSet(cbasn1.Tag(1).Constructed().ContextSpecific(), all))
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}

// isSignerInfosNext: in SignedData, the SignerInfos SET is the last element
// (digestAlgorithms, the other SET, comes second). An unreadable rest also
// ends the loop: the caller's read of the SET then fails.
func isSignerInfosNext(sd cryptobyte.String) bool {
	var e cryptobyte.String
	var tag cbasn1.Tag
	return !sd.ReadAnyASN1Element(&e, &tag) || sd.Empty()
}
