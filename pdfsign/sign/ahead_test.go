package sign

import (
	"bytes"
	"context"
	"crypto"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
)

// aheadFile is a's temporary file once its copy has ended (nil if there
// is none), held by a hard link in a folder of the test's: its inode
// cannot be reused by a file made later, so os.SameFile with an output
// says whether the output is this copy.
func aheadFile(t *testing.T, a *Ahead) os.FileInfo {
	t.Helper()
	<-a.done
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tmp == nil {
		return nil
	}
	hold := filepath.Join(t.TempDir(), "copy")
	if err := os.Link(a.tmp.Name(), hold); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(hold)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Sign takes a copy made ahead of the very file it signs: the signed
// output is that temporary file, published (same inode), valid for pdfsig
// and our verifier, and nothing else is left in the folder; Discard after
// Sign changes nothing.
func TestSignTakesTheCopyAhead(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	opts := Options{}
	a := CopyAhead(context.Background(), in, out, opts)
	copyFile := aheadFile(t, a)
	if copyFile == nil {
		t.Fatal("no copy made ahead")
	}
	opts.Ahead = a
	if _, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), opts); err != nil {
		t.Fatal(err)
	}
	a.Discard()
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(st, copyFile) {
		t.Fatal("Sign made its own copy instead of taking the one made ahead")
	}
	pdftest.AssertPdfsigValid(t, out, 1)
	pdftest.AssertDir(t, dir, "in.pdf", "out.pdf")
}

// A copy Sign cannot use is removed at once and Sign copies as usual: the
// input changed after the copy (same size: only the times and bytes say
// it), another output, another hash. Each output is valid and signs the
// bytes of the input as Sign read them; nothing else is left.
func TestSignLeavesACopyThatDoesNotFit(t *testing.T) {
	p := pkitest.SharedKeys(t)
	cases := []struct {
		name   string
		change func(t *testing.T, in string, opts *Options, out *string)
	}{
		{"input rewritten, same size", func(t *testing.T, in string, _ *Options, _ *string) {
			b, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			i := bytes.Index(b, []byte("%%EOF"))
			b[i-1] = ' ' // whitespace before the end marker: the same PDF, other bytes
			time.Sleep(10 * time.Millisecond)
			if err := os.WriteFile(in, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"another output", func(t *testing.T, in string, _ *Options, out *string) {
			*out = filepath.Join(filepath.Dir(in), "other.pdf")
		}},
		{"another hash", func(t *testing.T, _ string, opts *Options, _ *string) {
			opts.Hash = crypto.SHA384
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := pdftest.WriteSample(t, dir, "in.pdf")
			out := filepath.Join(dir, "out.pdf")
			a := CopyAhead(context.Background(), in, out, Options{})
			copyFile := aheadFile(t, a)
			if copyFile == nil {
				t.Fatal("no copy made ahead")
			}
			opts := Options{Ahead: a}
			c.change(t, in, &opts, &out)
			if _, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), opts); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(out)
			if err != nil {
				t.Fatal(err)
			}
			if os.SameFile(st, copyFile) {
				t.Fatal("Sign took a copy that does not fit")
			}
			pdftest.AssertPdfsigValid(t, out, 1)
			signed, _ := os.ReadFile(out)
			input, _ := os.ReadFile(in)
			if !bytes.HasPrefix(signed, input) {
				t.Fatal("the output does not start with the input as Sign read it")
			}
			pdftest.AssertDir(t, dir, "in.pdf", filepath.Base(out))
			a.Discard()
		})
	}
}

// CopyAhead writes nothing where Check refuses to write: not through an
// output name that is a dangling link, not into a missing folder, not over
// an existing output without Force, not beside the input as its own
// output. Discard on a copy never made is fine.
func TestCopyAheadWritesOnlyWhereCheckWould(t *testing.T) {
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	elsewhere := t.TempDir()
	if err := os.Symlink(filepath.Join(elsewhere, "target.pdf"), filepath.Join(dir, "link.pdf")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "exists.pdf"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{
		filepath.Join(dir, "link.pdf"),
		filepath.Join(dir, "missing", "out.pdf"),
		filepath.Join(dir, "exists.pdf"),
		in,
	} {
		a := CopyAhead(context.Background(), in, out, Options{})
		if f := aheadFile(t, a); f != nil {
			t.Errorf("%s: a copy was made (%s)", out, f.Name())
		}
		a.Discard()
		if Check(in, out, Options{}) == nil {
			t.Errorf("%s: Check accepts it: the case tests nothing", out)
		}
	}
	pdftest.AssertDir(t, dir, "exists.pdf", "in.pdf", "link.pdf")
	pdftest.AssertDir(t, elsewhere)
	var none *Ahead
	none.Discard()
}

// Discard during the copy stops it and leaves no file.
func TestDiscardStopsTheCopy(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "big.pdf")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	// Not a PDF: the copy does not care (Check would refuse it).
	if err := f.Truncate(64 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	a := CopyAhead(context.Background(), in, filepath.Join(dir, "out.pdf"), Options{})
	a.Discard()
	pdftest.AssertDir(t, dir, "big.pdf")
}

// Bytes before %PDF are not part of what Sign copies (internal/pdf's
// oddfiles.go): a copy of the whole file is not taken, and Sign's own
// copy signs the file from %PDF on.
func TestSignLeavesACopyOfBytesBeforeTheHeader(t *testing.T) {
	p := pkitest.SharedKeys(t)
	dir := t.TempDir()
	sample, err := os.ReadFile(pdftest.WriteSample(t, t.TempDir(), "s.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, append([]byte("mail header\r\n"), sample...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.pdf")
	a := CopyAhead(context.Background(), in, out, Options{})
	copyFile := aheadFile(t, a)
	if copyFile == nil {
		t.Fatal("no copy made ahead")
	}
	if _, err := Sign(context.Background(), in, out, p.ECKey, p.ECChain(), Options{Ahead: a}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(out); err != nil || os.SameFile(st, copyFile) {
		t.Fatalf("the copy of the bytes before %%PDF was taken (%v)", err)
	}
	pdftest.AssertPdfsigValid(t, out, 1)
	pdftest.AssertDir(t, dir, "in.pdf", "out.pdf")
	a.Discard()
}
