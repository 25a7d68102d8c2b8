package verify_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// signWritten signs the sample into dir/name.pdf and returns the output and
// what Sign says it wrote.
func signWritten(t *testing.T, dir, name string) (string, *verify.Written) {
	t.Helper()
	p := pkitest.SharedKeys(t)
	in := pdftest.WriteSample(t, dir, name+"-in.pdf")
	out := filepath.Join(dir, name+".pdf")
	res, err := sign.Sign(context.Background(), in, out, p.ECKey, p.ECChain(), sign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written == nil || res.Written.Size <= 0 || len(res.Written.Digest) != 32 {
		t.Fatalf("Sign kept no usable Written: %+v", res.Written)
	}
	return out, res.Written
}

// The file as written verifies through the read-back check exactly as
// through Verify, and pdfsig agrees.
func TestVerifyWrittenValid(t *testing.T) {
	out, w := signWritten(t, t.TempDir(), "ok")
	st, _ := os.Stat(out)
	if w.Size != st.Size() {
		t.Fatalf("Written.size %d, file %d", w.Size, st.Size())
	}
	rep, err := verify.ReadBack(context.Background(), out, verify.Options{}, w)
	if err != nil {
		t.Fatal(err)
	}
	full, err := verify.Verify(context.Background(), out, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || len(rep.Signatures) != 1 || !rep.Signatures[0].Valid || !rep.Signatures[0].DigestOK ||
		!rep.Signatures[0].CoversWholeDocument {
		t.Fatalf("read-back report %+v", rep)
	}
	if full.OK != rep.OK || full.Signatures[0].Valid != rep.Signatures[0].Valid {
		t.Fatalf("Verify %+v differs from VerifyWritten %+v", full, rep)
	}
	pdftest.AssertPdfsigValid(t, out, 1)
}

// The kept digest is really what the CMS is checked against: a wrong one
// (the file untouched) makes the signature invalid, so the read-back check
// does not take the signature on trust.
func TestVerifyWrittenChecksKeptDigest(t *testing.T) {
	out, w := signWritten(t, t.TempDir(), "digest")
	bad := *w
	bad.Digest = bytes.Clone(w.Digest)
	bad.Digest[0] ^= 1
	rep, err := verify.ReadBack(context.Background(), out, verify.Options{}, &bad)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.Signatures[0].Valid || rep.Signatures[0].DigestOK {
		t.Fatalf("a wrong kept digest verified: %+v", rep.Signatures[0])
	}
}

// A write the disk did not keep is caught by the read-back check. A real
// disk error cannot be produced here: the double is the output rewritten
// as a failing write would leave it (bytes dropped at the end or in the
// middle, a block of zeros where the data was), after Sign and before the
// check.
func TestVerifyWrittenCatchesBadWrite(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		lose func(b []byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-100] }},
		{"block dropped in the middle", func(b []byte) []byte {
			m := len(b) / 2
			return append(b[:m:m], b[m+512:]...)
		}},
		{"zeros in the signed range", func(b []byte) []byte {
			copy(b[len(b)/3:], make([]byte, 64))
			return b
		}},
		{"zeros in the padding of /Contents", func(b []byte) []byte {
			// The end of the reserved hex string: zeros after the CMS, a
			// byte no signature covers and no CMS parser reads.
			i := bytes.LastIndex(b, []byte("0000>"))
			b[i] = '1'
			return b
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, w := signWritten(t, dir, "bad")
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(out, c.lose(b), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = verify.ReadBack(context.Background(), out, verify.Options{}, w)
			var e *pdfsign.Error
			if !errors.As(err, &e) || e.Kind != pdfsign.KindIO || e.Path != out {
				t.Fatalf("read-back check of a bad write: %v", err)
			}
			os.Remove(out)
		})
	}
}
