package cms

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"math/big"
	"testing"
)

// bigExponentKey: a 2048-bit RSA key with public exponent 2^32+15 (above
// what crypto/rsa accepts), made by hand.
func bigExponentKey(t *testing.T) (*rsa.PublicKey, *big.Int) {
	e := new(big.Int).SetUint64(1<<32 + 15)
	for {
		p, _ := rand.Prime(rand.Reader, 1024)
		q, _ := rand.Prime(rand.Reader, 1024)
		one := big.NewInt(1)
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		return &rsa.PublicKey{N: new(big.Int).Mul(p, q), E: int(e.Int64())}, d
	}
}

func rawSign(pub *rsa.PublicKey, d *big.Int, em []byte) []byte {
	s := new(big.Int).Exp(new(big.Int).SetBytes(em), d, pub.N)
	return s.FillBytes(make([]byte, (pub.N.BitLen()+7)/8))
}

// PKCS#1 v1.5 and PSS signatures under a public exponent above 2^31-1
// verify (crypto/rsa refuses the key); a flipped bit does not.
func TestBigExponentRSA(t *testing.T) {
	pub, d := bigExponentKey(t)
	digest := sha256.Sum256([]byte("signed attributes"))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], make([]byte, 256)) == nil {
		t.Fatal("crypto/rsa accepted the key: the test no longer tests anything")
	}
	// PKCS#1 v1.5: 00 01 FF… 00 DigestInfo(SHA-256) H.
	k := (pub.N.BitLen() + 7) / 8
	prefix := []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
	em := make([]byte, k)
	em[1] = 1
	for i := 2; i < k-len(prefix)-32-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-len(prefix)-32:], append(prefix, digest[:]...))
	sig := rawSign(pub, d, em)
	if err := verifyRSA(pub, crypto.SHA256, digest[:], sig, nil); err != nil {
		t.Fatalf("PKCS#1 v1.5: %v", err)
	}
	sig[10] ^= 1
	if verifyRSA(pub, crypto.SHA256, digest[:], sig, nil) == nil {
		t.Fatal("PKCS#1 v1.5: a flipped bit verifies")
	}
	// PSS, salt of 32 bytes (RFC 8017 EMSA-PSS-ENCODE).
	salt := make([]byte, 32)
	rand.Read(salt)
	x := sha256.New()
	x.Write(make([]byte, 8))
	x.Write(digest[:])
	x.Write(salt)
	hh := x.Sum(nil)
	emBits := pub.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	db := make([]byte, emLen-32-1)
	db[len(db)-len(salt)-1] = 1
	copy(db[len(db)-len(salt):], salt)
	mask := mgf1(crypto.SHA256, hh, len(db))
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	em = append(append(db, hh...), 0xbc)
	sig = rawSign(pub, d, em)
	if err := verifyRSA(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}); err != nil {
		t.Fatalf("PSS: %v", err)
	}
	other := sha256.Sum256([]byte("other"))
	if verifyRSA(pub, crypto.SHA256, other[:], sig, &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}) == nil {
		t.Fatal("PSS: another digest verifies")
	}
}
