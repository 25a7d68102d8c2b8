package cms

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
)

// Go's crypto/rsa refuses public exponents above 2^31-1; real CAs issued
// such keys (65537 is usual, not required), and poppler, pyHanko and DSS
// verify them. These check PKCS#1 v1.5 and PSS signatures with math/big
// (public-key operations only: nothing secret, no timing concern).

// maxGoExponent is the largest public exponent crypto/rsa accepts.
const maxGoExponent = 1<<31 - 1

// rsaPublicBig computes sig^E mod N, refusing a signature out of range.
func rsaPublicBig(pub *rsa.PublicKey, sig []byte) (*big.Int, error) {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return nil, fmt.Errorf("signature of %d bytes for a %d-byte key", len(sig), k)
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return nil, errors.New("RSA signature does not verify")
	}
	return new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N), nil
}

// verifyPSSBig is RFC 8017's RSASSA-PSS-VERIFY with MGF1 over h.
func verifyPSSBig(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte, opts *rsa.PSSOptions) error {
	bad := errors.New("RSA-PSS signature does not verify")
	m, err := rsaPublicBig(pub, sig)
	if err != nil {
		return err
	}
	emBits := pub.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	if m.BitLen() > emBits {
		return bad
	}
	em := m.FillBytes(make([]byte, emLen))
	hLen := h.Size()
	if len(digest) != hLen || emLen < hLen+2 || em[emLen-1] != 0xbc {
		return bad
	}
	dbLen := emLen - hLen - 1
	db, hh := append([]byte(nil), em[:dbLen]...), em[dbLen:emLen-1]
	topBits := 8*emLen - emBits
	if db[0]>>(8-topBits) != 0 {
		return bad
	}
	mask := mgf1(h, hh, dbLen)
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= 0xff >> topBits
	i := 0
	for i < len(db) && db[i] == 0 {
		i++
	}
	if i == len(db) || db[i] != 1 {
		return bad
	}
	salt := db[i+1:]
	if opts != nil && opts.SaltLength > 0 && len(salt) != opts.SaltLength {
		return bad
	}
	x := h.New()
	x.Write(make([]byte, 8))
	x.Write(digest)
	x.Write(salt)
	if !bytes.Equal(x.Sum(nil), hh) {
		return bad
	}
	return nil
}

func mgf1(h crypto.Hash, seed []byte, n int) []byte {
	var out []byte
	for c := uint32(0); len(out) < n; c++ {
		x := h.New()
		x.Write(seed)
		x.Write([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
		out = x.Sum(out)
	}
	return out[:n]
}
