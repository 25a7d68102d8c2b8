package pdf

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// TestXrefEntryForms: a table's entries read the same whatever their
// form — the exact 20 bytes (read without tokens), a 19-byte entry, a
// short line, a comment after an entry, numbers shorter than 10 digits.
func TestXrefEntryForms(t *testing.T) {
	base := oddpdf.Write(oddpdf.Rev{Objs: oddpdf.BasicObjs(""), Trailer: "/Root 1 0 R"})
	want, err := NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	x := bytes.Index(base, []byte("\nxref"))
	tr := bytes.Index(base, []byte("trailer"))
	if x < 0 || tr < x {
		t.Fatal("no xref table")
	}
	table := string(base[x:tr])
	lines := strings.Split(strings.TrimRight(table, "\r\n "), "\n")
	if len(lines) < 5 {
		t.Fatalf("table too short: %q", table)
	}
	entries := lines[2:] // "", "xref", then subsection headers and entries
	for _, form := range []func(i int, e string) string{
		func(_ int, e string) string { return e + "\n" }, // as written
		func(_ int, e string) string { return strings.TrimRight(e, "\r ") + "\r\n" },
		func(_ int, e string) string { return strings.TrimRight(e, "\r ") + "\n" }, // 19 bytes
		func(_ int, e string) string { return strings.TrimRight(e, "\r ") + " %c\n" },
		func(_ int, e string) string { // short numbers
			f := strings.Fields(e)
			o, _ := strconv.Atoi(f[0])
			g, _ := strconv.Atoi(f[1])
			return fmt.Sprintf("%d %d %s\n", o, g, f[2])
		},
		func(i int, e string) string { // mixed
			if i%2 == 0 {
				return strings.TrimRight(e, "\r ") + "\r\n"
			}
			return "  " + strings.TrimRight(e, "\r ") + "\n"
		},
	} {
		var b strings.Builder
		b.WriteString("\nxref\n")
		for i, e := range entries {
			if len(strings.Fields(e)) != 3 {
				b.WriteString(e + "\n") // a subsection's header
				continue
			}
			b.WriteString(form(i, e))
		}
		nt := b.String()
		// offsets after the table do not move: the new table replaces
		// the old one and startxref points at it
		data := append(append(append([]byte{}, base[:x]...), nt...), base[tr:]...)
		sx := bytes.LastIndex(data, []byte("startxref"))
		data = append(data[:sx:sx], fmt.Sprintf("startxref\n%d\n%%%%EOF\n", x+1)...)
		r, err := NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("%q: %v", nt, err)
		}
		if !maps.Equal(r.Xref, want.Xref) {
			t.Errorf("%q: entries %v, want %v", nt, r.Xref, want.Xref)
		}
	}
}
