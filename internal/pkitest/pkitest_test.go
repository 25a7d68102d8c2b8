package pkitest

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The PKI's certificates carry the local URLs, and openssl answers a real
// time-stamp query made by openssl itself.
func TestPKIServesTimestampsAndCRL(t *testing.T) {
	p := New(t)
	if p.Signer.Subject.CommonName != "Élodie Test" {
		t.Errorf("signer CN = %q", p.Signer.Subject.CommonName)
	}
	if len(p.Signer.OCSPServer) != 1 || p.Signer.OCSPServer[0] != p.URL+"/ocsp" {
		t.Errorf("signer AIA OCSP = %v", p.Signer.OCSPServer)
	}
	if len(p.Signer.CRLDistributionPoints) != 1 {
		t.Errorf("signer CDP = %v", p.Signer.CRLDistributionPoints)
	}
	if err := p.Signer.CheckSignatureFrom(p.CA); err != nil {
		t.Errorf("signer not issued by CA: %v", err)
	}
	data := filepath.Join(t.TempDir(), "data")
	os.WriteFile(data, []byte("hello"), 0o600)
	q, err := exec.Command("openssl", "ts", "-query", "-data", data, "-sha256", "-cert").Output()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(p.TSAURL(), "application/timestamp-query", bytes.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("TSA status %d", resp.StatusCode)
	}
	r, err := http.Get(p.URL + "/ca.crl")
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("CRL: %v %v", err, r)
	}
	r.Body.Close()
}
