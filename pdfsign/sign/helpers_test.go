package sign

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/refcheck"
	"github.com/certigna-desktop/app/internal/testhook"
	"github.com/certigna-desktop/app/internal/testtool"

	"github.com/certigna-desktop/app/pdfsign"
)

func TestMain(m *testing.M) {
	// Every file a test signs keeps what its references mean (issue 21).
	testhook.Signed = refcheck.Hook
	code := m.Run()
	if n := refcheck.Checked(); n > 0 {
		fmt.Printf("reference stability checked on %d signed files\n", n)
	}
	pkitest.RemoveKeys()
	os.Exit(code)
}

// writeSample writes the sample PDF to dir/name.
func writeSample(t testing.TB, dir, name string) string {
	t.Helper()
	var b bytes.Buffer
	if err := pdfsign.SamplePDF(&b, "fr"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfsigOut runs pdfsig (trusting the test CA) and returns its output.
func pdfsigOut(t testing.TB, path string) string {
	t.Helper()
	testtool.Need(t, "pdfsig")
	p := pkitest.SharedKeys(t)
	args := []string{path}
	if p.NSSDir != "" {
		args = []string{"-nssdir", "sql:" + p.NSSDir, path}
	}
	out, err := exec.Command("pdfsig", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfsig %s: %v\n%s", path, err, out)
	}
	return string(out)
}

// assertPdfsigValid checks pdfsig's verdict on every signature of path.
func assertPdfsigValid(t testing.TB, path string, nsigs int) string {
	t.Helper()
	out := pdfsigOut(t, path)
	if got := strings.Count(out, "Signature is Valid"); got != nsigs {
		t.Fatalf("pdfsig: %d valid signatures, want %d:\n%s", got, nsigs, out)
	}
	if !strings.Contains(out, "Total document signed") {
		t.Fatalf("pdfsig: last signature does not cover the whole document:\n%s", out)
	}
	return out
}

func writePEMKey(t testing.TB, path string, key any) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

func writePEMCert(t testing.TB, path string, der []byte) {
	t.Helper()
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
}
