package verify_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/testtool"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Crypto vectors: signatures made by openssl cms with keys and certificates
// Go would not make (negative serial, Ed448), RSA-PSS variants, old
// adbe.pkcs7.sha1, and CMS whose signatureAlgorithm was rewritten so that it
// no longer matches the key or the digest.

// sigWith adds a signature field whose dictionary has the given SubFilter.
func (d *tdoc) sigWith(t testing.TB, field, subFilter string, sign cmsFunc) {
	t.Helper()
	// /M is the generation time: the certificates openssl makes here start
	// now, and a signature claiming a time before its certificate is not
	// valid.
	d.addSigField(t, field, "/Type/Sig/Filter/Adobe.PPKLite/SubFilter/"+subFilter+"/M(D:"+time.Now().UTC().Format("20060102150405")+"Z)", false, "", sign, nil)
}

// opensslKey makes a key of the given openssl algorithm ("ED25519", "ED448",
// "RSA") and a self-signed certificate with serial; it returns their paths.
func opensslKey(t testing.TB, dir, alg, serial string) (cert, key string) {
	t.Helper()
	key, cert = filepath.Join(dir, alg+".key"), filepath.Join(dir, alg+".pem")
	args := []string{"genpkey", "-algorithm", alg, "-out", key}
	if alg == "RSA" {
		args = append(args, "-pkeyopt", "rsa_keygen_bits:2048")
	}
	run(t, "openssl", args...)
	run(t, "openssl", "req", "-x509", "-new", "-key", key, "-out", cert, "-subj", "/CN=Corpus "+alg+"/C=FR",
		"-set_serial", serial, "-days", "36500")
	return cert, key
}

func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	testtool.Need(t, name)
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return out
}

// derNode is a parsed DER element, for rewriting a CMS in place.
type derNode struct {
	raw      asn1.RawValue
	children []*derNode
}

func parseDER(b []byte) (*derNode, error) {
	var rv asn1.RawValue
	rest, err := asn1.Unmarshal(b, &rv)
	if err != nil || len(rest) != 0 {
		return nil, errors.New("bad DER")
	}
	n := &derNode{raw: rv}
	if rv.IsCompound {
		for c := rv.Bytes; len(c) > 0; {
			var e asn1.RawValue
			r, err := asn1.Unmarshal(c, &e)
			if err != nil {
				return nil, err
			}
			child, err := parseDER(c[:len(c)-len(r)])
			if err != nil {
				return nil, err
			}
			n.children = append(n.children, child)
			c = r
		}
	}
	return n, nil
}

func (n *derNode) encode() []byte {
	rv := n.raw
	if rv.IsCompound {
		var b []byte
		for _, c := range n.children {
			b = append(b, c.encode()...)
		}
		rv.Bytes = b
	}
	rv.FullBytes = nil
	out, _ := asn1.Marshal(rv)
	return out
}

// replaceLast replaces the last element (in document order) whose encoding
// equals old by new: the SignerInfo comes after the certificates, whose
// public key algorithm may be spelled the same.
func (n *derNode) replaceLast(old, new []byte) bool {
	var parent *derNode
	idx := -1
	var walk func(p *derNode)
	walk = func(p *derNode) {
		for i, c := range p.children {
			if bytes.Equal(c.encode(), old) {
				parent, idx = p, i
				continue
			}
			walk(c)
		}
	}
	walk(n)
	if parent == nil {
		return false
	}
	nn, _ := parseDER(new)
	parent.children[idx] = nn
	return true
}

func algID(t testing.TB, oid asn1.ObjectIdentifier, null bool) []byte {
	var b []byte
	var err error
	if null {
		b, err = asn1.Marshal(struct {
			O asn1.ObjectIdentifier
			N asn1.RawValue
		}{oid, asn1.NullRawValue})
	} else {
		b, err = asn1.Marshal(struct{ O asn1.ObjectIdentifier }{oid})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rewriteSigAlg signs with sign, then replaces the SignerInfo's
// signatureAlgorithm old by new (the signature value is left as it was).
func rewriteSigAlg(sign cmsFunc, old, new func(testing.TB) []byte) cmsFunc {
	return func(t testing.TB, signed []byte) []byte {
		der := sign(t, signed)
		n, err := parseDER(der)
		if err != nil {
			t.Fatal(err)
		}
		if !n.replaceLast(old(t), new(t)) {
			t.Fatal("signatureAlgorithm not found")
		}
		return n.encode()
	}
}

var (
	tOIDData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	tOIDSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	tOIDSHA512     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidRSAEnc      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidSHA512RSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

func buildCryptoCorpus(t *testing.T, out map[string][]byte) {
	k := getCorpusKeys(t)
	dir := t.TempDir()
	_, rsaPEM, rsaKey := k.pemFiles(t)
	base := basePDF("")
	add := func(name, subFilter string, sign cmsFunc) {
		d := base.clone()
		d.sigWith(t, "Signature", subFilter, sign)
		out[name] = append([]byte(nil), d.b...)
	}
	add("openssl-rsa.pdf", "adbe.pkcs7.detached", opensslCMS(rsaPEM, rsaKey, "-md", "sha256"))
	add("openssl-rsa-pss.pdf", "adbe.pkcs7.detached", opensslCMS(rsaPEM, rsaKey, "-md", "sha256", "-keyopt", "rsa_padding_mode:pss"))
	add("openssl-rsa-pss-saltmax-sha512.pdf", "adbe.pkcs7.detached", opensslCMS(rsaPEM, rsaKey, "-md", "sha512", "-keyopt", "rsa_padding_mode:pss", "-keyopt", "rsa_pss_saltlen:max"))
	add("openssl-rsa-sha1.pdf", "adbe.pkcs7.detached", opensslCMS(rsaPEM, rsaKey, "-md", "sha1"))
	add("openssl-rsa-md5.pdf", "adbe.pkcs7.detached", opensslCMS(rsaPEM, rsaKey, "-md", "md5"))
	// adbe.pkcs7.sha1: the SHA-1 of the ranges is the (attached) content.
	add("adbe-pkcs7-sha1.pdf", "adbe.pkcs7.sha1", func(t testing.TB, signed []byte) []byte {
		sum := sha1.Sum(signed)
		return opensslCMS(rsaPEM, rsaKey, "-md", "sha1", "-nodetach")(t, sum[:])
	})
	negCert, negKey := opensslKey(t, dir, "RSA", "-4660")
	add("negative-serial.pdf", "adbe.pkcs7.detached", opensslCMS(negCert, negKey, "-md", "sha256"))
	// A 768-bit RSA key (old documents): Go's crypto/rsa refuses it, the
	// signature is still checked, and the key reported weak.
	smallKey, smallCert := filepath.Join(dir, "r768.key"), filepath.Join(dir, "r768.pem")
	run(t, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:768", "-out", smallKey)
	run(t, "openssl", "req", "-x509", "-new", "-key", smallKey, "-out", smallCert, "-subj", "/CN=Corpus RSA 768/C=FR", "-set_serial", "80", "-days", "36500")
	add("rsa-768.pdf", "adbe.pkcs7.detached", opensslCMS(smallCert, smallKey, "-md", "sha256"))
	// ECDSA over brainpoolP256r1 (German and other EU cards): Go has no such
	// curve, so it cannot be checked here.
	bpKey, bpCert := filepath.Join(dir, "bp.key"), filepath.Join(dir, "bp.pem")
	run(t, "openssl", "ecparam", "-name", "brainpoolP256r1", "-genkey", "-noout", "-out", bpKey)
	run(t, "openssl", "req", "-x509", "-new", "-key", bpKey, "-out", bpCert, "-subj", "/CN=Corpus Brainpool/C=DE", "-set_serial", "79", "-days", "36500")
	add("brainpool.pdf", "adbe.pkcs7.detached", opensslCMS(bpCert, bpKey, "-md", "sha256"))
	// ECDSA with the value as r||s (BSI TR-03111 ecdsa-plain-SHA512), as
	// some EU signing services write it.
	add("ecdsa-plain.pdf", "adbe.pkcs7.detached", handCMS(k.ecCert.Raw, asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5}, func(attrs []byte) []byte {
		sum := sha512.Sum512(attrs)
		r, sv, err := ecdsa.Sign(rand.Reader, k.ec, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return append(r.FillBytes(make([]byte, 32)), sv.FillBytes(make([]byte, 32))...)
	}))
	// OpenSSL 3.0's cms cannot sign with EdDSA: these two are built by hand
	// (RFC 8419: SHA-512 message digest, pure EdDSA over the attributes).
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edTmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "Corpus Ed25519", Country: []string{"FR"}},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2120, 1, 1, 0, 0, 0, 0, time.UTC), KeyUsage: x509.KeyUsageDigitalSignature}
	edDER, err := x509.CreateCertificate(rand.Reader, edTmpl, k.ca, edPub, k.caKey)
	if err != nil {
		t.Fatal(err)
	}
	add("ed25519.pdf", "adbe.pkcs7.detached", handCMS(edDER, asn1.ObjectIdentifier{1, 3, 101, 112}, func(attrs []byte) []byte { return ed25519.Sign(edPriv, attrs) }))
	ed4Cert, _ := opensslKey(t, dir, "ED448", "78")
	ed4DER, _ := pem.Decode(readFile(t, ed4Cert))
	// No Go implementation signs with Ed448: the value is a placeholder of
	// the right size, which no verifier here can check either way.
	add("ed448.pdf", "adbe.pkcs7.detached", handCMS(ed4DER.Bytes, asn1.ObjectIdentifier{1, 3, 101, 113}, func([]byte) []byte { return bytes.Repeat([]byte{0x5a}, 114) }))
	// adbe.x509.rsa_sha1: a raw PKCS#1 signature of the SHA-1 of the ranges,
	// the certificate in /Cert.
	x509d := base.clone()
	x509d.addSigField(t, "Signature", fmt.Sprintf("/Type/Sig/Filter/Adobe.PPKLite/SubFilter/adbe.x509.rsa_sha1/M(D:20260101120000Z)/Cert<%x>", k.rsaCert.Raw), false, "",
		func(t testing.TB, signed []byte) []byte {
			sum := sha1.Sum(signed)
			sig, err := rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA1, sum[:])
			if err != nil {
				t.Fatal(err)
			}
			return mustMarshal(t, sig)
		}, nil)
	out["adbe-x509-rsa-sha1.pdf"] = append([]byte(nil), x509d.b...)
	// Algorithm confusion: the RSA signature is left as made, the
	// signatureAlgorithm is rewritten.
	rsaOpenSSL := opensslCMS(rsaPEM, rsaKey, "-md", "sha256")
	add("alg-ecdsa-oid-with-rsa-key.pdf", "adbe.pkcs7.detached", rewriteSigAlg(rsaOpenSSL,
		func(t testing.TB) []byte { return algID(t, oidRSAEnc, true) },
		func(t testing.TB) []byte { return algID(t, oidECDSASHA256, false) }))
	add("alg-sha512-oid-over-sha256.pdf", "adbe.pkcs7.detached", rewriteSigAlg(rsaOpenSSL,
		func(t testing.TB) []byte { return algID(t, oidRSAEnc, true) },
		func(t testing.TB) []byte { return algID(t, oidSHA512RSA, true) }))
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// handCMS builds a detached CMS SignedData by hand for certDER: signed
// attributes content-type and a SHA-512 message digest, signatureAlgorithm
// sigAlg, signature sign(DER of the attributes).
func handCMS(certDER []byte, sigAlg asn1.ObjectIdentifier, sign func(attrs []byte) []byte) cmsFunc {
	return func(t testing.TB, signed []byte) []byte {
		cert, err := x509.ParseCertificate(certDER)
		var issuer, serial []byte
		if err == nil {
			issuer = cert.RawIssuer
			serial, _ = asn1.Marshal(cert.SerialNumber)
		} else { // Go may not read it (Ed448): take the fields from the DER
			n, err := parseDER(certDER)
			if err != nil {
				t.Fatal(err)
			}
			tbs := n.children[0]
			i := 0
			if tbs.children[0].raw.Class == asn1.ClassContextSpecific {
				i = 1
			}
			serial, issuer = tbs.children[i].encode(), tbs.children[i+2].encode()
		}
		sum := sha512.Sum512(signed)
		var ab cryptobyte.Builder
		ab.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			b.AddBytes(cms.MakeAttribute(cms.OIDAttrContentType, mustMarshal(t, tOIDData)))
			b.AddBytes(cms.MakeAttribute(cms.OIDAttrMessageDigest, mustMarshal(t, sum[:])))
		})
		attrs := ab.BytesOrPanic()
		var inner cryptobyte.String
		cs := cryptobyte.String(attrs)
		cs.ReadASN1(&inner, cbasn1.SET)
		sig := sign(attrs)
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(tOIDSignedData)
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1Int64(1)
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(tOIDSHA512) })
					})
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(tOIDData) })
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(certDER) })
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1Int64(1)
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(issuer); b.AddBytes(serial) })
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(tOIDSHA512) })
							b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(inner) })
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(sigAlg) })
							b.AddASN1OctetString(sig)
						})
					})
				})
			})
		})
		return b.BytesOrPanic()
	}
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
