package sign

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
)

// The signed copy has the input's permissions, not CreateTemp's 0600.
func TestSignedCopyKeepsInputMode(t *testing.T) {
	p := pkitest.SharedKeys(t)
	for _, mode := range []os.FileMode{0o640, 0o644} {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.pdf")
		var buf bytes.Buffer
		if err := pdfsign.SamplePDF(&buf, "fr"); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(in, buf.Bytes(), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(in, mode) // whatever the umask
		res, err := Sign(context.Background(), in, "", p.RSAKey, p.RSAChain(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(res.Output)
		if err != nil || st.Mode().Perm() != mode {
			t.Fatalf("output mode %v (%v), want %v", st.Mode().Perm(), err, mode)
		}
	}
}
