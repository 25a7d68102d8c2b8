package pdf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/internal/oddpdf"
)

// TestCheckXrefRememberedOnlyForTheSameFile: a success is remembered for
// the file as fstat shows it; the same path rewritten in place (same size,
// same inode, a wrong object number in a header) is checked again and
// refused.
func TestCheckXrefRememberedOnlyForTheSameFile(t *testing.T) {
	good := oddpdf.Write(oddpdf.Rev{Objs: oddpdf.BasicObjs(""), Trailer: "/Root 1 0 R"})
	bad := bytes.Replace(good, []byte("\n2 0 obj"), []byte("\n7 0 obj"), 1)
	if bytes.Equal(bad, good) || len(bad) != len(good) {
		t.Fatal("no object 2 header to damage")
	}
	path := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	check := func() error {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		st, _ := f.Stat()
		r, err := NewReader(f, st.Size())
		if err != nil {
			t.Fatal(err)
		}
		return r.CheckXref()
	}
	for i := 0; i < 2; i++ {
		if err := check(); err != nil {
			t.Fatalf("sound file, check %d: %v", i+1, err)
		}
	}
	before, _ := os.Stat(path)
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if !os.SameFile(before, after) || after.Size() != before.Size() {
		t.Fatal("the rewrite should keep the inode and the size")
	}
	if err := check(); !Repairable(err) {
		t.Fatalf("the same file rewritten with a wrong header: %v, want the damage found again", err)
	}
}
