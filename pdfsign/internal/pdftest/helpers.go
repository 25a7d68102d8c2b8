package pdftest

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
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
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// FlipAt returns a copy of the file at path with one byte changed at off.
func FlipAt(t *testing.T, path string, off int64, out string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Flip a letter case / digit so that the file stays parseable PDF.
	c := b[off]
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		b[off] ^= 0x20
	case c >= '0' && c <= '8':
		b[off]++
	default:
		b[off] ^= 1
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func CheckMutool(t testing.TB, path string) {
	t.Helper()
	testtool.Need(t, "mutool")
	out, _ := exec.Command("mutool", "sign", "-v", path).CombinedOutput()
	if !strings.Contains(string(out), "The document is unchanged since signing.") ||
		strings.Contains(string(out), "Digest error") || strings.Contains(string(out), "error") && !strings.Contains(string(out), "Certificate error") {
		t.Fatalf("mutool sign -v %s:\n%s", path, out)
	}
}

func CheckQpdf(t testing.TB, path string) {
	t.Helper()
	testtool.Need(t, "qpdf")
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors found") {
		t.Fatalf("qpdf --check %s: %v\n%s", path, err, out)
	}
}

func ErrKind(err error) pdfsign.Kind {
	var e *pdfsign.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// AssertDir checks that dir holds exactly the given names (no output, no
// temporary file left behind).
func AssertDir(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
}

// WriteSample writes the sample PDF to dir/name.
func WriteSample(t testing.TB, dir, name string) string {
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

// PdfsigOut runs pdfsig (trusting the test CA) and returns its output.
func PdfsigOut(t testing.TB, path string) string {
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

// AssertPdfsigValid checks pdfsig's verdict on every signature of path.
func AssertPdfsigValid(t testing.TB, path string, nsigs int) string {
	t.Helper()
	out := PdfsigOut(t, path)
	if got := strings.Count(out, "Signature is Valid"); got != nsigs {
		t.Fatalf("pdfsig: %d valid signatures, want %d:\n%s", got, nsigs, out)
	}
	if !strings.Contains(out, "Total document signed") {
		t.Fatalf("pdfsig: last signature does not cover the whole document:\n%s", out)
	}
	return out
}

func WritePEMKey(t testing.TB, path string, key any) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

func WritePEMCert(t testing.TB, path string, der []byte) {
	t.Helper()
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
}

// CorpusFiles lists pdfcpu's own test PDFs (module cache).
func CorpusFiles(t *testing.T) []string {
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

// CheckUnchanged asserts that signing changed nothing but what a signature
// must: qpdf (independently) sees the same pages, outlines and form fields
// plus one signature field, and qpdf --check is as happy as with the input;
// our reader sees the same catalog but /AcroForm, and the new revision only
// rewrites the AcroForm, its field list, the page and its /Annots.
func CheckUnchanged(t *testing.T, in, out string) {
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
		r, err := doc.OpenForSigning(f, st.Size()) // the input as signing reads it (repaired if need be)
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
