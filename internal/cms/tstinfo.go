package cms

import (
	"encoding/asn1"
	"errors"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// TSTInfo (RFC 3161 §2.4.2): the content of a time-stamp token.

// TSTInfo is TSTInfo (RFC 3161 §2.4.2), the fields we use.
type TSTInfo struct {
	Policy       asn1.ObjectIdentifier
	ImprintAlg   asn1.ObjectIdentifier
	Imprint      []byte
	SerialNumber *big.Int
	GenTime      time.Time
	Nonce        *big.Int
}

// parseTSTInfo reads TSTInfo by hand: its optional fields are told apart by
// tag, which encoding/asn1's RawValue would not do.
func ParseTSTInfo(der []byte) (*TSTInfo, error) {
	s := cryptobyte.String(der)
	var seq, mi, alg, hashed cryptobyte.String
	var version int64
	info := &TSTInfo{SerialNumber: new(big.Int)}
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1Integer(&version) ||
		!seq.ReadASN1ObjectIdentifier(&info.Policy) || !seq.ReadASN1(&mi, cbasn1.SEQUENCE) ||
		!mi.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&info.ImprintAlg) ||
		!mi.ReadASN1(&hashed, cbasn1.OCTET_STRING) || !seq.ReadASN1Integer(info.SerialNumber) ||
		!readGeneralizedTime(&seq, &info.GenTime) {
		return nil, errors.New("malformed TSTInfo")
	}
	info.Imprint = []byte(hashed)
	seq.SkipOptionalASN1(cbasn1.SEQUENCE) // accuracy
	seq.SkipOptionalASN1(cbasn1.BOOLEAN)  // ordering
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		info.Nonce = new(big.Int)
		if !seq.ReadASN1Integer(info.Nonce) {
			return nil, errors.New("malformed TSTInfo nonce")
		}
	}
	return info, nil
}

// readGeneralizedTime reads a GeneralizedTime, fractions of a second
// included (RFC 3161 allows them in genTime; cryptobyte refuses them).
func readGeneralizedTime(s *cryptobyte.String, out *time.Time) bool {
	var raw cryptobyte.String
	if !s.ReadASN1(&raw, cbasn1.GeneralizedTime) {
		return false
	}
	for _, layout := range []string{"20060102150405Z0700", "20060102150405.999999999Z0700"} {
		if t, err := time.Parse(layout, string(raw)); err == nil {
			*out = t.UTC()
			return true
		}
	}
	return false
}
