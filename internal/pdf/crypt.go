package pdf

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"hash"
)

// Reading PDFs encrypted with the standard security handler and an empty
// user (opening) password, as poppler does: RC4 40–128 (R2–R4), AES-128
// (R4 AESV2) and AES-256 (R5, R6 AESV3). A signature's /Contents is never
// encrypted (ISO 32000-2, 7.6.2), so verification only needs the structure.

var errNeedsPassword = errors.New("the document needs an opening password")

// pdfPad is the password padding of ISO 32000-1, 7.6.3.3.
var pdfPad = []byte{0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
	0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A}

// objectKey names the object whose key decrypts a stream.
type objectKey struct{ num, gen int }

// openEncryption reads /Encrypt and /ID and opens the document with the
// empty user password.
func (r *Reader) openEncryption() error {
	eo := r.Trailer.Get("Encrypt")
	if ref, ok := eo.(Ref); ok {
		r.encryptNum = ref.Num
	}
	enc, err := r.ResolveDict(eo)
	if err != nil || enc == nil {
		return errors.New("/Encrypt unreadable")
	}
	var id0 []byte
	if ids, ok := r.Trailer.Get("ID").(Array); ok && len(ids) > 0 {
		if s, ok := ids[0].(String); ok {
			id0 = s.B
		}
	}
	d, err := newDecryptor(enc, id0)
	if err != nil {
		return err
	}
	r.crypt = d
	clear(r.cache) // objects read so far (the /Encrypt dictionary) stay valid; others would not
	// The same for what was parsed or decoded before the key was known.
	r.lim.objs.reset()
	r.lim.cache.reset()
	clear(r.objstms)
	r.objstmLen = 0
	return nil
}

type decryptor struct {
	key     []byte
	r       int
	strAES  bool // strings use AES (else RC4); Identity when strNone
	stmAES  bool
	strNone bool
	stmNone bool
	aes256  bool
	encMeta bool
	perms   uint32 // /P, for AllowsSigning (encrypt.go)
}

// newDecryptor opens the standard security handler with the empty user
// password. enc is the /Encrypt dictionary, id0 the first /ID string.
func newDecryptor(enc *Dict, id0 []byte) (*decryptor, error) {
	if enc.NameOf("Filter") != "Standard" {
		return nil, errors.New("security handler " + enc.NameOf("Filter") + " not supported")
	}
	v, _ := ToInt(enc.Get("V"))
	r, _ := ToInt(enc.Get("R"))
	length, ok := ToInt(enc.Get("Length"))
	if !ok || length == 0 {
		length = 40
		if v == 4 {
			length = cryptFilterBits(enc)
		}
	}
	str := func(k string) []byte { s, _ := enc.Get(k).(String); return s.B }
	o, u := str("O"), str("U")
	p, _ := ToInt(enc.Get("P"))
	d := &decryptor{r: int(r), encMeta: true, perms: uint32(int32(p))}
	if b, ok := enc.Get("EncryptMetadata").(bool); ok {
		d.encMeta = b
	}
	if v >= 4 {
		cfm := func(name string) (aesMode, none bool) {
			if name == "Identity" {
				return false, true
			}
			cf, _ := enc.Get("CF").(*Dict)
			f, _ := cf.Get(name).(*Dict)
			switch f.NameOf("CFM") {
			case "AESV2", "AESV3":
				return true, false
			case "None":
				return false, true
			}
			return false, false
		}
		stmF, strF := enc.NameOf("StmF"), enc.NameOf("StrF")
		if stmF == "" {
			stmF = "Identity"
		}
		if strF == "" {
			strF = "Identity"
		}
		d.stmAES, d.stmNone = cfm(stmF)
		d.strAES, d.strNone = cfm(strF)
	}
	switch {
	case r == 5 || r == 6:
		if len(u) < 48 {
			return nil, errors.New("bad /U")
		}
		ue := str("UE")
		check := hash2B(nil, u[32:40], nil, r == 6)
		if !bytes.Equal(check, u[:32]) {
			return nil, errNeedsPassword
		}
		ik := hash2B(nil, u[40:48], nil, r == 6)
		if len(ue) != 32 {
			return nil, errors.New("bad /UE")
		}
		blk, err := aes.NewCipher(ik)
		if err != nil {
			return nil, err
		}
		d.key = make([]byte, 32)
		cipher.NewCBCDecrypter(blk, make([]byte, 16)).CryptBlocks(d.key, ue)
		d.aes256 = true
	case r >= 2 && r <= 4:
		n := int(length / 8)
		if r == 2 {
			n = 5
		}
		if n < 5 || n > 16 || len(o) < 32 || len(u) < 16 {
			return nil, errors.New("bad encryption parameters")
		}
		h := md5.New()
		h.Write(pdfPad)
		h.Write(o[:32])
		var pb [4]byte
		binary.LittleEndian.PutUint32(pb[:], uint32(int32(p)))
		h.Write(pb[:])
		h.Write(id0)
		if r >= 4 && !d.encMeta {
			h.Write([]byte{0xff, 0xff, 0xff, 0xff})
		}
		key := h.Sum(nil)
		if r >= 3 {
			for i := 0; i < 50; i++ {
				s := md5.Sum(key[:n])
				key = s[:]
			}
		}
		d.key = key[:n]
		// Check the empty password against /U.
		var want []byte
		if r == 2 {
			want = rc4Crypt(d.key, pdfPad)
			if !bytes.Equal(want, u[:32]) {
				return nil, errNeedsPassword
			}
		} else {
			h := md5.New()
			h.Write(pdfPad)
			h.Write(id0)
			x := rc4Crypt(d.key, h.Sum(nil))
			for i := 1; i <= 19; i++ {
				k := make([]byte, len(d.key))
				for j := range k {
					k[j] = d.key[j] ^ byte(i)
				}
				x = rc4Crypt(k, x)
			}
			if !bytes.Equal(x[:16], u[:16]) {
				return nil, errNeedsPassword
			}
		}
	default:
		return nil, errors.New("encryption revision not supported")
	}
	return d, nil
}

// cryptFilterBits is the key length of a V4 document whose /Encrypt has no
// /Length: the crypt filter's own (ISO 32000-2 Table 25: AESV2 keys are
// 128 bits; a filter's /Length counts bytes when it is 16 or less, as the
// standard handler writes it, else bits), 40 by default (Table 20).
func cryptFilterBits(enc *Dict) int64 {
	cf, _ := enc.Get("CF").(*Dict)
	f, _ := cf.Get(enc.NameOf("StmF")).(*Dict)
	if f == nil {
		f, _ = cf.Get(enc.NameOf("StrF")).(*Dict)
	}
	if f.NameOf("CFM") == "AESV2" {
		return 128
	}
	if l, ok := ToInt(f.Get("Length")); ok && l > 0 {
		if l <= 16 {
			return l * 8
		}
		return l
	}
	return 40
}

func rc4Crypt(key, data []byte) []byte {
	c, err := rc4.NewCipher(key)
	if err != nil {
		return nil
	}
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

// hash2B is ISO 32000-2 Algorithm 2.B (R6), or plain SHA-256 for R5.
func hash2B(pw, salt, udata []byte, r6 bool) []byte {
	h := sha256.New()
	h.Write(pw)
	h.Write(salt)
	h.Write(udata)
	k := h.Sum(nil)
	if !r6 {
		return k
	}
	for i := 0; ; i++ {
		k1 := bytes.Repeat(append(append(append([]byte(nil), pw...), k...), udata...), 64)
		blk, _ := aes.NewCipher(k[:16])
		e := make([]byte, len(k1))
		cipher.NewCBCEncrypter(blk, k[16:32]).CryptBlocks(e, k1)
		sum := 0
		for _, b := range e[:16] {
			sum += int(b)
		}
		var hh hash.Hash
		switch sum % 3 {
		case 0:
			hh = sha256.New()
		case 1:
			hh = sha512.New384()
		default:
			hh = sha512.New()
		}
		hh.Write(e)
		k = hh.Sum(nil)
		if i >= 63 && int(e[len(e)-1]) <= i-31 {
			break
		}
	}
	return k[:32]
}

// objectKey is the per-object key (Algorithm 1); AES-256 uses the file key.
func (d *decryptor) objectKey(num, gen int, aesMode bool) []byte {
	if d.aes256 {
		return d.key
	}
	h := md5.New()
	h.Write(d.key)
	h.Write([]byte{byte(num), byte(num >> 8), byte(num >> 16), byte(gen), byte(gen >> 8)})
	if aesMode {
		h.Write([]byte("sAlT"))
	}
	k := h.Sum(nil)
	n := len(d.key) + 5
	if n > 16 {
		n = 16
	}
	return k[:n]
}

func (d *decryptor) decrypt(num, gen int, data []byte, aesMode, none bool) []byte {
	if none {
		return data
	}
	key := d.objectKey(num, gen, aesMode)
	if !aesMode && !d.aes256 {
		return rc4Crypt(key, data)
	}
	if len(data) < 32 || len(data)%16 != 0 {
		if len(data) == 16 {
			return nil // just the IV: an empty string
		}
		return data
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return data
	}
	out := make([]byte, len(data)-16)
	cipher.NewCBCDecrypter(blk, data[:16]).CryptBlocks(out, data[16:])
	if p := int(out[len(out)-1]); p >= 1 && p <= 16 && p <= len(out) {
		out = out[:len(out)-p]
	}
	return out
}

func (d *decryptor) decryptString(num, gen int, b []byte) []byte {
	return d.decrypt(num, gen, b, d.strAES || d.aes256, d.strNone)
}

func (d *decryptor) decryptStream(num, gen int, b []byte) []byte {
	return d.decrypt(num, gen, b, d.stmAES || d.aes256, d.stmNone)
}

// decryptObject decrypts the strings of object num in place of o. A
// signature dictionary's /Contents stays as written.
func (d *decryptor) decryptObject(num, gen int, o Object) Object {
	switch v := o.(type) {
	case String:
		return String{B: d.decryptString(num, gen, v.B), Hex: v.Hex}
	case Array:
		out := make(Array, len(v))
		for i, e := range v {
			out[i] = d.decryptObject(num, gen, e)
		}
		return out
	case *Dict:
		sig := v.Has("ByteRange") && v.Has("Contents")
		n := &Dict{kv: make([]kv, len(v.kv))}
		for i, e := range v.kv {
			if sig && e.k == "Contents" {
				n.kv[i] = e
				continue
			}
			n.kv[i] = kv{e.k, d.decryptObject(num, gen, e.v)}
		}
		return n
	case *Stream:
		t := v.Dict.NameOf("Type")
		if t == "XRef" {
			return v // cross-reference streams are never encrypted
		}
		ns := &Stream{Dict: d.decryptObject(num, gen, v.Dict).(*Dict), Offset: v.Offset, crypt: &objectKey{num, gen}}
		if t == "Metadata" && !d.encMeta {
			ns.crypt = nil
		}
		return ns
	}
	return o
}
