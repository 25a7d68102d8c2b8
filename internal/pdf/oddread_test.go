package pdf

import (
	"bytes"
	"testing"

	"github.com/certigna-desktop/app/internal/oddpdf"
)

// TestReaderOddShapes: the general rules behind issue 21's refusals of
// files readers open, each on its vector (internal/oddpdf).
func TestReaderOddShapes(t *testing.T) {
	// A minimal base for oddpdf.Files: a one-revision classic table.
	base := oddpdf.Write(oddpdf.Rev{Objs: oddpdf.BasicObjs(""), Trailer: "/Root 1 0 R"})
	fs, err := oddpdf.Files(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Run(f.Name, func(t *testing.T) {
			r, err := NewReaderDecrypting(bytes.NewReader(f.Data), int64(len(f.Data)))
			switch f.Name {
			case "prev-cycle":
				if err == nil || Repairable(err) {
					t.Fatalf("a /Prev loop: %v, want a refusal that is not repaired", err)
				}
				return
			case "broken-table":
				if !Repairable(err) {
					t.Fatalf("a broken entry: %v, want repairable damage", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if f.Name == "update-root-is-info" {
				checkRootIsInfo(t, r, f.Data)
				return
			}
			// The xref check passes: no repair, an ordinary update.
			if err := r.CheckXref(); err != nil {
				t.Fatalf("CheckXref: %v", err)
			}
			for n := 1; n <= 3; n++ {
				if o, err := r.Fetch(n); err != nil || o == nil {
					t.Errorf("object %d: %v %v", n, o, err)
				}
			}
		})
	}
}

// checkRootIsInfo: pdf.js's issue9418 shape is damage readers repair, and
// the repair's /Root is the older trailer's catalog, not the /Info
// dictionary the update names.
func checkRootIsInfo(t *testing.T, r *Reader, data []byte) {
	t.Helper()
	if err := r.CheckXref(); !Repairable(err) {
		t.Fatalf("CheckXref: %v, want repairable damage", err)
	}
	rr, err := NewRepairedReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if root, _ := rr.Trailer.Get("Root").(Ref); root.Num != 2 {
		t.Fatalf("repaired /Root %v, want the catalog 2 0 R", rr.Trailer.Get("Root"))
	}
	if info, _ := rr.Trailer.Get("Info").(Ref); info.Num != 1 {
		t.Errorf("repaired /Info %v, want 1 0 R", rr.Trailer.Get("Info"))
	}
	if c, err := rr.ResolveDict(rr.Trailer.Get("Root")); err != nil || c.NameOf("Type") != "Catalog" {
		t.Fatalf("catalog: %v %v", c, err)
	}
}

// TestAESV2WithoutLength: V4 with an AESV2 crypt filter and no /Length has
// a 128-bit key (Table 25), not the 40-bit default of Table 20.
func TestAESV2WithoutLength(t *testing.T) {
	enc, _, _, err := ParseIndirect([]byte("<</Filter/Standard/V 4/R 4/CF<</StdCF<</CFM/AESV2/AuthEvent/DocOpen>>>>/StmF/StdCF/StrF/StdCF>>"), 0, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := cryptFilterBits(enc.(*Dict)); got != 128 {
		t.Errorf("AESV2 key: %d bits, want 128", got)
	}
	enc, _, _, _ = ParseIndirect([]byte("<</Filter/Standard/V 4/R 4/CF<</StdCF<</CFM/V2/Length 16>>>>/StmF/StdCF/StrF/StdCF>>"), 0, false, true)
	if got := cryptFilterBits(enc.(*Dict)); got != 128 {
		t.Errorf("V2 filter of /Length 16 (bytes): %d bits, want 128", got)
	}
}
