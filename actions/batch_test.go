package actions

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/pdfsign"
)

func batchKey(t *testing.T) (*ecdsa.PrivateKey, []*x509.Certificate) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Batch"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, []*x509.Certificate{cert}
}

func writePDFs(t *testing.T, dir string, n int) []string {
	t.Helper()
	var b bytes.Buffer
	if err := pdfsign.SamplePDF(&b, "fr"); err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, fmt.Sprintf("facture-%d.pdf", i))
		os.WriteFile(p, b.Bytes(), 0o644)
		out = append(out, p)
	}
	return out
}

func names(t *testing.T, dir string) string {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	return strings.Join(n, ",")
}

// Cancelling (Ctrl-C, the window's button) stops before the next file: the
// file in progress is finished, the files signed are whole, nothing else is
// written.
func TestSignBatchCancelBetweenFiles(t *testing.T) {
	key, chain := batchKey(t)
	dir := t.TempDir()
	items := PlanBatch(writePDFs(t, dir, 5), Beside("", "-signed"), SignOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	sum := SignBatch(ctx, items, key, chain, func(i, n int, it *BatchItem) {
		if i == 2 {
			cancel() // pressed while file 2 is being signed
		}
	})
	if sum.Signed != 2 || sum.NotDone != 3 || !sum.Canceled || sum.Failed != 0 {
		t.Fatalf("%+v", sum)
	}
	if got := names(t, dir); got != "facture-0-signed.pdf,facture-0.pdf,facture-1-signed.pdf,facture-1.pdf,facture-2.pdf,facture-3.pdf,facture-4.pdf" {
		t.Fatalf("files: %s", got)
	}
	for _, it := range items[:2] {
		if !it.Signed.Valid() {
			t.Fatalf("%s not verified", it.Out)
		}
	}
}

// Outputs never overwrite: an existing name, an input, two inputs with the
// same name; a refused file is skipped, the others signed.
func TestPlanAndSignBatch(t *testing.T) {
	key, chain := batchKey(t)
	a, b, out := t.TempDir(), t.TempDir(), t.TempDir()
	ia := writePDFs(t, a, 1)[0]
	ib := writePDFs(t, b, 1)[0]
	os.WriteFile(filepath.Join(out, "facture-0-signed.pdf"), []byte("keep"), 0o644)
	bad := filepath.Join(a, "notes.pdf")
	os.WriteFile(bad, []byte("not a pdf"), 0o644)
	items := PlanBatch([]string{ia, bad, ib}, Beside(out, "-signed"), SignOptions{Force: true})
	if items[1].Refused == nil || items[0].Refused != nil || items[2].Refused != nil {
		t.Fatalf("refusals: %v %v %v", items[0].Refused, items[1].Refused, items[2].Refused)
	}
	if filepath.Base(items[0].Out) != "facture-0-signed-2.pdf" || filepath.Base(items[2].Out) != "facture-0-signed-3.pdf" {
		t.Fatalf("outputs %s %s", items[0].Out, items[2].Out)
	}
	sum := SignBatch(context.Background(), items, key, chain, nil)
	if sum.Signed != 2 || sum.Skipped != 1 || sum.Failed != 0 || sum.NotDone != 0 {
		t.Fatalf("%+v", sum)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "facture-0-signed.pdf")); string(b) != "keep" {
		t.Fatal("an existing file was overwritten")
	}
}
