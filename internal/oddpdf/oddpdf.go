// Package oddpdf makes the odd-but-readable PDF vectors of issue 21: files
// every reader opens (qpdf without a warning, or after the repair every
// reader does) whose cross-reference data or encryption dictionary has a
// shape our reader used to refuse, or read one way for signing and another
// for verifying. Each is made from a plain PDF (the sample in
// pdfsign/testdata/vectors/unsigned.pdf) by same-length edits, so that
// offsets stay right unless the shape is about them, or written whole.
//
// `go run ./internal/oddpdf/gen` writes them, with their .want files, to
// pdfsign/testdata/vectors (TestVectors reads them).
package oddpdf

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
)

// File is one vector and what Sign and Verify must give (the .want text).
type File struct {
	Name string
	Want string // the .want file: "# why\nsign: …\nverify: …\n"
	Data []byte
}

// Files makes the vectors from base, a plain one-revision PDF with a
// classic table whose trailer starts "<</Size".
func Files(base []byte) ([]File, error) {
	var fs []File
	add := func(name, want string, data []byte, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		fs = append(fs, File{Name: name, Want: want, Data: data})
		return nil
	}
	d, err := replaceOnce(base, "<</Size", "<</Prev 0/Size")
	if err := add("prev-zero", "# A trailer with /Prev 0 (no earlier section there): readers repair it by a\n"+
		"# scan; signing and verifying read it the same way (rebuilt), so the file that\n"+
		"# is signed is not called unreadable.\nsign: ok\nverify: no_signature\n", d, err); err != nil {
		return nil, err
	}
	d, err = brokenEntry(base)
	if err := add("broken-table", "# One xref entry is neither \"n\" nor \"f\": readers rebuild the table by a scan;\n"+
		"# signing and verifying read the same rebuilt file.\nsign: ok\nverify: no_signature\n", d, err); err != nil {
		return nil, err
	}
	d, err = prevCycle(base)
	if err := add("prev-cycle", "# The trailer's /Prev is the section itself: a loop, refused by both alike.\n"+
		"sign: damaged\nverify: damaged\n", d, err); err != nil {
		return nil, err
	}
	return fs, nil
}

// replaceOnce replaces the last occurrence of old (the newest trailer).
func replaceOnce(b []byte, old, new string) ([]byte, error) {
	i := bytes.LastIndex(b, []byte(old))
	if i < 0 {
		return nil, fmt.Errorf("%q not found", old)
	}
	out := append([]byte(nil), b[:i]...)
	out = append(out, new...)
	return append(out, b[i+len(old):]...), nil
}

var entryRE = regexp.MustCompile(`(?m)^\d{10} 00000 n`)

// brokenEntry turns the second in-use entry's "n" into "x" (same length).
func brokenEntry(b []byte) ([]byte, error) {
	locs := entryRE.FindAllIndex(b, -1)
	if len(locs) < 2 {
		return nil, fmt.Errorf("no xref entries")
	}
	out := append([]byte(nil), b...)
	out[locs[1][1]-1] = 'x'
	return out, nil
}

// prevCycle gives the trailer a /Prev equal to its own section's offset.
func prevCycle(b []byte) ([]byte, error) {
	i := bytes.LastIndex(b, []byte("startxref"))
	if i < 0 {
		return nil, fmt.Errorf("no startxref")
	}
	var off int
	if _, err := fmt.Sscan(string(b[i+len("startxref"):]), &off); err != nil {
		return nil, err
	}
	return replaceOnce(b, "<</Size", "<</Prev "+strconv.Itoa(off)+"/Size")
}
