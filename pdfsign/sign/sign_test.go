package sign

import (
	"context"
	"crypto"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
)

func TestSignSampleRSAandEC(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "sample.pdf")
	cases := []struct {
		name string
		sign func(out string) (*Result, error)
	}{
		{"rsa", func(out string) (*Result, error) {
			return Sign(context.Background(), in, out, p.RSAKey, p.RSAChain(), Options{Reason: "Essai", Location: "Paris"})
		}},
		{"ec", func(out string) (*Result, error) {
			return Sign(context.Background(), in, out, p.ECKey, p.ECChain(), Options{Reason: "Essai é", Hash: crypto.SHA384})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".pdf")
			res, err := c.sign(out)
			if err != nil {
				t.Fatal(err)
			}
			if res.Level != "B-B" || res.Output != out {
				t.Fatalf("result %+v", res)
			}
			pdftest.AssertPdfsigValid(t, out, 1)
		})
	}
}
