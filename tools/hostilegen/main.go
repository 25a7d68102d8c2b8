// Command gen writes the hostile PDF set of internal/hostile to a folder
// (default testdata/hostile), with a signed base for the files that need a
// real signature: go run ./tools/hostilegen [-o DIR]
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/certigna-desktop/app/internal/hostile"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
)

func main() {
	dir := flag.String("o", filepath.Join("testdata", "hostile"), "output folder")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	signed, err := SignedSample(*dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, f := range hostile.Files(signed) {
		if err := os.WriteFile(filepath.Join(*dir, f.Name), f.Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%-28s %8d bytes  verify→%d sign→%d  %s\n", f.Name, len(f.Data), f.VerifyExit, f.SignExit, f.Class)
	}
}

// SignedSample is the test document signed with a throwaway key.
func SignedSample(dir string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(11), Subject: pkix.Name{CommonName: "hostile"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(10, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, _ := x509.ParseCertificate(der)
	tmp, err := os.MkdirTemp("", "hostile")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var b bytes.Buffer
	if err := pdfsign.SamplePDF(&b, "en"); err != nil {
		return nil, err
	}
	in := filepath.Join(tmp, "in.pdf")
	if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
		return nil, err
	}
	out := filepath.Join(tmp, "out.pdf")
	if _, err := sign.Sign(context.Background(), in, out, key, []*x509.Certificate{cert}, sign.Options{}); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}
