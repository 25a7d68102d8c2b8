package sign

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// corpusFiles lists pdfcpu's own test PDFs (module cache).
func corpusFiles(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "github.com", "pdfcpu", "pdfcpu@v0.15.0", "pkg", "testdata")
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(strings.ToLower(p), ".pdf") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pdfcpu test corpus not found in %s", dir)
		}
		t.Skipf("pdfcpu test corpus not found in %s", dir)
	}
	sort.Strings(files)
	return files
}

func TestCorpusSignOrRefuse(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	for _, in := range corpusFiles(t) {
		name := strings.ReplaceAll(strings.TrimPrefix(in, filepath.Dir(filepath.Dir(in))+"/"), "/", "_")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(dir, strings.TrimSuffix(name, ".pdf")+"-signed.pdf")
			_, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), Options{Reason: "corpus"})
			if err != nil {
				var pe *pdfsign.Error
				if !errors.As(err, &pe) {
					t.Fatalf("untyped error: %v", err)
				}
				t.Logf("refused: %v", err)
				if _, serr := os.Stat(out); serr == nil {
					t.Fatal("output left behind")
				}
				return
			}
			rep, err := verify.Verify(context.Background(), out, verify.Options{})
			if err != nil || !rep.OK {
				t.Fatalf("verify: %v %+v", err, rep)
			}
			out2 := pdfsigOut(t, out)
			if !strings.Contains(out2, "Total document signed") || strings.Count(out2, "Signature is Valid") < 1 {
				t.Fatalf("pdfsig:\n%s", out2)
			}
			checkUnchanged(t, in, out)
		})
	}
}

// checkUnchanged asserts that signing changed nothing but what a signature
// must: qpdf (independently) sees the same pages, outlines and form fields
// plus one signature field, and qpdf --check is as happy as with the input;
// our reader sees the same catalog but /AcroForm, and the new revision only
// rewrites the AcroForm, its field list, the page and its /Annots.
func checkUnchanged(t *testing.T, in, out string) {
	t.Helper()
	testtool.Need(t, "qpdf")
	if exec.Command("qpdf", "--check", in).Run() == nil {
		if b, err := exec.Command("qpdf", "--check", out).CombinedOutput(); err != nil {
			t.Fatalf("qpdf --check passes on the input, not on the output: %v\n%s", err, b)
		}
	}
	type qj struct {
		Pages    []map[string]any `json:"pages"`
		Outlines []any            `json:"outlines"`
		AcroForm struct {
			Fields          []map[string]any `json:"fields"`
			NeedAppearances bool             `json:"needappearances"`
		} `json:"acroform"`
	}
	load := func(p string) (*qj, bool) {
		b, err := exec.Command("qpdf", "--json", "--json-key=pages", "--json-key=outlines", "--json-key=acroform", p).Output()
		if err != nil && len(b) == 0 {
			return nil, false
		}
		var q qj
		if err := json.Unmarshal(b, &q); err != nil {
			t.Fatalf("qpdf json of %s: %v", p, err)
		}
		return &q, true
	}
	before, ok1 := load(in)
	after, ok2 := load(out)
	if ok1 {
		if !ok2 {
			t.Fatal("qpdf reads the input but not the output")
		}
		if !reflect.DeepEqual(before.Pages, after.Pages) {
			t.Fatalf("pages differ (qpdf)")
		}
		if !reflect.DeepEqual(before.Outlines, after.Outlines) {
			t.Fatalf("outlines differ (qpdf)")
		}
		if len(after.AcroForm.Fields) != len(before.AcroForm.Fields)+1 || before.AcroForm.NeedAppearances != after.AcroForm.NeedAppearances {
			t.Fatalf("fields: %d → %d", len(before.AcroForm.Fields), len(after.AcroForm.Fields))
		}
		// qpdf lists fields in page order: match them regardless of position.
		left := append([]map[string]any(nil), after.AcroForm.Fields...)
		for _, f := range before.AcroForm.Fields {
			found := false
			for i, g := range left {
				if reflect.DeepEqual(f, g) {
					left = append(left[:i], left[i+1:]...)
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("field changed or lost: %v", f)
			}
		}
		if len(left) != 1 || left[0]["fieldtype"] != "/Sig" {
			t.Fatalf("new fields %v", left)
		}
	}
	// Our reader: catalog and the rewritten objects.
	open := func(p string) *pdf.Reader {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		st, _ := f.Stat()
		r, err := pdfsign.OpenForSigning(f, st.Size()) // the input as signing reads it (repaired if need be)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r0, r1 := open(in), open(out)
	c0, _ := r0.ResolveDict(r0.Trailer.Get("Root"))
	c1, _ := r1.ResolveDict(r1.Trailer.Get("Root"))
	for _, k := range append(c0.Keys(), c1.Keys()...) {
		if k == "AcroForm" {
			continue
		}
		if !bytes.Equal(pdf.AppendObject(nil, c0.Get(k)), pdf.AppendObject(nil, c1.Get(k))) {
			t.Fatalf("catalog /%s changed", k)
		}
	}
	for _, k := range []string{"Info", "ID", "Root"} {
		if !bytes.Equal(pdf.AppendObject(nil, r0.Trailer.Get(k)), pdf.AppendObject(nil, r1.Trailer.Get(k))) {
			t.Fatalf("trailer /%s changed", k)
		}
	}
	if r0.Repaired() {
		return // the update's table is complete on purpose (internal/pdf/repair.go)
	}
	if r0.Sections[0].Stream != r1.Sections[0].Stream {
		t.Fatalf("xref kind changed: stream %v → %v", r0.Sections[0].Stream, r1.Sections[0].Stream)
	}
	rewritten := 0
	for n := range r1.Sections[0].Entries {
		if _, existed := r0.Xref[n]; !existed || r0.Xref[n].Typ == 0 {
			continue
		}
		rewritten++
		o0, err0 := r0.Fetch(n)
		o1, err1 := r1.Fetch(n)
		if err0 != nil || err1 != nil || !verify.AllowedChange(o0, o1) {
			t.Fatalf("object %d rewritten beyond what a signature needs:\n%s\n→\n%s", n, pdf.AppendObject(nil, o0), pdf.AppendObject(nil, o1))
		}
	}
	if rewritten > 4 {
		t.Fatalf("%d objects rewritten", rewritten)
	}
}
