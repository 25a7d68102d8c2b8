package sign

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// resignWithOpenSSL replaces the CMS of a file we signed by one that
// `openssl cms -sign` makes over the same byte ranges with args (and the
// SubFilter by subFilter, same length), to check that Verify and pdfsig
// accept signatures made by another tool.
func resignWithOpenSSL(t *testing.T, signed, out, subFilter, cert, key string, ber bool, args ...string) {
	t.Helper()
	data, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	if subFilter != "ETSI.CAdES.detached" {
		if len(subFilter) != len("ETSI.CAdES.detached") {
			t.Fatal("subfilter length")
		}
		data = bytes.Replace(data, []byte("/ETSI.CAdES.detached"), []byte("/"+subFilter), 1)
	}
	m := byteRangeOf(t, data)
	content := append(append([]byte{}, data[:m[1]]...), data[m[2]:]...)
	dir := t.TempDir()
	cf := filepath.Join(dir, "content")
	os.WriteFile(cf, content, 0o600)
	der, err := exec.Command("openssl", append([]string{"cms", "-sign", "-binary", "-outform", "DER", "-in", cf, "-signer", cert, "-inkey", key}, args...)...).Output()
	if err != nil {
		t.Fatalf("openssl cms -sign: %v", err)
	}
	if ber {
		der = indefinite(t, der)
	}
	hx := hex.EncodeToString(der)
	gap := int(m[2]-m[1]) - 2
	if len(hx) > gap {
		t.Fatalf("CMS of %d bytes does not fit", len(der))
	}
	copy(data[m[1]+1:], hx+strings.Repeat("0", gap-len(hx)))
	os.WriteFile(out, data, 0o644)
}

func byteRangeOf(t *testing.T, data []byte) [4]int64 {
	t.Helper()
	i := bytes.LastIndex(data, []byte("/ByteRange"))
	p := &pdf.Parser{B: data[i+10:], Eof: true}
	o, err := p.ParseObject(0)
	a, _ := o.(pdf.Array)
	if err != nil || len(a) != 4 {
		t.Fatalf("ByteRange: %v", err)
	}
	var br [4]int64
	for k := range br {
		br[k], _ = pdf.ToInt(a[k])
	}
	return br
}

func TestVerifySignaturesMadeByOpenSSL(t *testing.T) {
	testtool.Need(t, "openssl")
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	// Key and certificate files for openssl: the test CA's RSA signer, and
	// a self-signed EC certificate made by openssl itself.
	rsaKey := filepath.Join(dir, "rsa.key")
	rsaCert := filepath.Join(dir, "rsa.pem")
	pdftest.WritePEMKey(t, rsaKey, p.RSAKey)
	pdftest.WritePEMCert(t, rsaCert, p.RSACert.Raw)
	ecKey, ecCert := filepath.Join(dir, "ec.key"), filepath.Join(dir, "ec.pem")
	if b, err := exec.Command("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes",
		"-keyout", ecKey, "-out", ecCert, "-subj", "/CN=Self Signed EC", "-days", "2").CombinedOutput(); err != nil {
		t.Fatalf("openssl req: %v %s", err, b)
	}
	in := pdftest.WriteSample(t, dir, "in.pdf")
	base := filepath.Join(dir, "base.pdf")
	cfg, err := newSignConfig(p.RSAKey, p.RSAChain(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.unsignedReserve = 8192 // room for openssl's larger CMS
	if _, err := signFile(in, base, cfg); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, subFilter, cert, key string
		args                       []string
		hash, algo, level          string
		trust                      string
		ber, attached              bool
	}{
		{"pkcs7-sha1-noattr", "adbe.pkcs7.detached", rsaCert, rsaKey, []string{"-md", "sha1", "-noattr", "-certfile", p.CAPEM}, "SHA-1", "RSA PKCS#1", "", verify.TrustTrusted, false, false},
		{"pkcs7-sha256-attrs", "adbe.pkcs7.detached", rsaCert, rsaKey, []string{"-md", "sha256"}, "SHA-256", "RSA PKCS#1", "", verify.TrustTrusted, false, false},
		{"cades-pss", "ETSI.CAdES.detached", rsaCert, rsaKey, []string{"-md", "sha256", "-keyopt", "rsa_padding_mode:pss"}, "SHA-256", "RSA-PSS", "", verify.TrustTrusted, false, false},
		{"ber-indefinite", "adbe.pkcs7.detached", rsaCert, rsaKey, []string{"-md", "sha256"}, "SHA-256", "RSA PKCS#1", "", verify.TrustTrusted, true, false},
		// openssl -stream embeds the content: cryptographically sound, but
		// not "detached"; pdfsig then reports a digest mismatch, we report
		// valid with an "attached_content" note.
		{"attached", "adbe.pkcs7.detached", rsaCert, rsaKey, []string{"-md", "sha256", "-stream"}, "SHA-256", "RSA PKCS#1", "", verify.TrustTrusted, false, true},
		{"selfsigned-ec-sha512", "adbe.pkcs7.detached", ecCert, ecKey, []string{"-md", "sha512"}, "SHA-512", "ECDSA P-384", "", verify.TrustUntrusted, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".pdf")
			resignWithOpenSSL(t, base, out, c.subFilter, c.cert, c.key, c.ber, c.args...)
			rep, err := verify.Verify(context.Background(), out, verify.Options{Roots: p.Roots()})
			if err != nil {
				t.Fatal(err)
			}
			s := rep.Signatures[0]
			if !rep.OK || !s.Valid || s.Hash != c.hash || !strings.HasPrefix(s.Algorithm, c.algo) || s.Level != c.level || s.Trust != c.trust || s.SubFilter != c.subFilter {
				t.Fatalf("report %+v", s)
			}
			// pdfsig agrees that the signature is valid.
			if o := pdftest.PdfsigOut(t, out); !strings.Contains(o, "Signature is Valid") && !c.attached {
				t.Fatalf("pdfsig:\n%s", o)
			}
			if c.attached != s.HasProblem("attached_content") {
				t.Fatalf("attached_content note: %+v", s.Problems)
			}
			// And a flipped byte is caught for these formats too.
			bad := filepath.Join(dir, c.name+"-bad.pdf")
			pdftest.FlipAt(t, out, int64(bytes.Index(mustRead(t, out), []byte("Document"))), bad)
			if rep, err := verify.Verify(context.Background(), bad, verify.Options{}); err != nil || rep.OK || rep.Signatures[0].Valid {
				t.Fatalf("tampered %s accepted: %v", c.name, err)
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// indefinite rewrites the outer ContentInfo SEQUENCE and its [0] of a DER
// CMS with BER indefinite lengths, as some signing tools emit.
func indefinite(t *testing.T, der []byte) []byte {
	t.Helper()
	hdr := func(b []byte) (int, int) { // header length, content length
		if b[1] < 0x80 {
			return 2, int(b[1])
		}
		n := int(b[1] & 0x7f)
		l := 0
		for _, c := range b[2 : 2+n] {
			l = l<<8 | int(c)
		}
		return 2 + n, l
	}
	h1, _ := hdr(der)
	body := der[h1:]
	oidLen := int(body[1]) + 2
	rest := body[oidLen:] // [0] EXPLICIT SignedData
	h2, l2 := hdr(rest)
	out := []byte{0x30, 0x80}
	out = append(out, body[:oidLen]...)
	out = append(out, 0xa0, 0x80)
	out = append(out, rest[h2:h2+l2]...)
	return append(out, 0, 0, 0, 0)
}
