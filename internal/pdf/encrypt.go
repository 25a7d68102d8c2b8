package pdf

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
)

// Writing into a PDF encrypted with an empty user password (the "protected"
// PDFs of Word and Acrobat, where only printing or copying is restricted),
// as Acrobat and pyHanko do: the document is read through its decryption
// (crypt.go, NewReaderDecrypting), and every string and stream of the
// update is encrypted with the document's key — per object (number and
// generation) for RC4 and AESV2, the file key for AESV3 — except a
// signature dictionary's /Contents, which ISO 32000-2 §7.6.2 leaves in
// clear. The trailer keeps /Encrypt and /ID (increment.go). Whether the
// document's permissions allow signing is AllowsSigning's answer.

// encrypt is decrypt's inverse (AES: a fresh random IV, PKCS#5 padding).
func (d *decryptor) encrypt(num, gen int, data []byte, aesMode, none bool) []byte {
	if none {
		return data
	}
	key := d.objectKey(num, gen, aesMode)
	if !aesMode && !d.aes256 {
		return rc4Crypt(key, data)
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return data
	}
	p := 16 - len(data)%16
	in := append(append([]byte(nil), data...), bytes.Repeat([]byte{byte(p)}, p)...)
	out := make([]byte, 16+len(in))
	if _, err := rand.Read(out[:16]); err != nil {
		panic(err) // crypto/rand does not fail on the systems Go supports
	}
	cipher.NewCBCEncrypter(blk, out[:16]).CryptBlocks(out[16:], in)
	return out
}

func (d *decryptor) encryptString(num, gen int, b []byte) []byte {
	return d.encrypt(num, gen, b, d.strAES || d.aes256, d.strNone)
}

func (d *decryptor) encryptStream(num, gen int, b []byte) []byte {
	return d.encrypt(num, gen, b, d.stmAES || d.aes256, d.stmNone)
}

// encryptObject encrypts the strings of o, written as object num gen (a
// copy; a signature dictionary's /Contents stays as it is).
func (d *decryptor) encryptObject(num, gen int, o Object, depth int) Object {
	if depth > maxDepth {
		return o
	}
	switch v := o.(type) {
	case String:
		return String{B: d.encryptString(num, gen, v.B), Hex: true}
	case Array:
		out := make(Array, len(v))
		for i, e := range v {
			out[i] = d.encryptObject(num, gen, e, depth+1)
		}
		return out
	case *Dict:
		sig := v.Has("ByteRange") && v.Has("Contents")
		n := &Dict{kv: make([]kv, len(v.kv))}
		for i, e := range v.kv {
			if !(sig && e.k == "Contents") {
				e.v = d.encryptObject(num, gen, e.v, depth+1)
			}
			n.kv[i] = e
		}
		return n
	}
	return o
}

// EncObject is what Increment.Put writes for o as object ref: o itself, or
// with its strings encrypted in an encrypted document.
func (u *Increment) EncObject(ref Ref, o Object) Object {
	if u.r.crypt == nil {
		return o
	}
	return u.r.crypt.encryptObject(ref.Num, ref.Gen, o, 0)
}

// encStreamData encrypts the data of a new stream object ref.
func (u *Increment) encStreamData(ref Ref, data []byte) []byte {
	if u.r.crypt == nil {
		return data
	}
	return u.r.crypt.encryptStream(ref.Num, ref.Gen, data)
}

// EncString encrypts one string of object ref (for bodies written by hand,
// like the signature dictionary).
func (u *Increment) EncString(ref Ref, s String) String {
	if u.r.crypt == nil {
		return s
	}
	return String{B: u.r.crypt.encryptString(ref.Num, ref.Gen, s.B), Hex: true}
}

// Permission bits of /P (ISO 32000 table 22).
const (
	permAnnotate = 1 << 5 // bit 6: add or modify annotations, fill in forms
	permFillForm = 1 << 8 // bit 9 (R ≥ 3): fill in forms, sign
)

// AllowsSigning reports whether the document's permissions allow filling
// in forms, and so signing: /P bit 6 (annotations and forms) or, from
// revision 3, bit 9 (fill in forms, sign). Always true for a document that
// is not encrypted.
func (r *Reader) AllowsSigning() bool {
	d := r.crypt
	return d == nil || d.perms&permAnnotate != 0 || (d.r >= 3 && d.perms&permFillForm != 0)
}
