package trust

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/pkitest"
)

// User certificates from a folder (PEM and DER) join the OS roots; the
// verdict says why a chain is not trusted.
func TestTrustStore(t *testing.T) {
	p := pkitest.New(t)
	dir := t.TempDir()
	pemBytes, err := os.ReadFile(p.CAPEM)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "root.pem"), pemBytes, 0o600)
	other := pkitest.New(t)
	os.WriteFile(filepath.Join(dir, "other.cer"), other.CA.Raw, 0o600) // DER
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o600)
	ts, err := NewStore(true, dir, filepath.Join(dir, "missing.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts.UserCerts()) != 2 {
		t.Fatalf("%d user certificates, want 2", len(ts.UserCerts()))
	}
	if v := CheckChain(p.Signer, nil, ts.Pool(), time.Now()); !v.Trusted || v.Reason != ReasonOK || len(v.Chain) != 2 {
		t.Errorf("signer with the root added: %+v", v)
	}
	empty, _ := NewStore(false)
	if v := CheckChain(p.Signer, nil, empty.Pool(), time.Now()); v.Trusted || v.Reason != ReasonUnknownIssuer {
		t.Errorf("no root: %+v", v)
	}
	if v := CheckChain(p.Signer, nil, ts.Pool(), time.Now().AddDate(5, 0, 0)); v.Trusted || v.Reason != ReasonExpired {
		t.Errorf("in five years: %+v", v)
	}
	for _, lang := range []string{"fr", "en"} {
		if m := (Verdict{Reason: ReasonExpired}).Message(lang); m == "" || m == "ltv.trust.expired" {
			t.Errorf("%s: %q", lang, m)
		}
	}
	bad := filepath.Join(dir, "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := NewStore(false, bad); err == nil {
		t.Error("a file without a certificate was accepted")
	}
}
