package sign

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// TestVectors reads testdata/vectors: each NAME.pdf has NAME.want beside it
// saying what Sign and Verify must do with it:
//
//	# why the file is what it is
//	sign: ok | KIND          (signing a copy with the test key)
//	verify: ok | KIND
//	report: ok | not_ok      (Report.OK, when verify is ok)
//	signature: valid|invalid LEVEL|- LATER_CHANGES PROBLEM,CODES|-   (one line per signature, oldest first)
//
// A refused input leaves nothing in the output's directory.
func TestVectors(t *testing.T) {
	keys := pkitest.SharedKeys(t)
	files, err := filepath.Glob("../testdata/vectors/*.pdf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".pdf")
		t.Run(name, func(t *testing.T) {
			want := readWant(t, strings.TrimSuffix(in, ".pdf")+".want")
			dir := t.TempDir()
			_, err := Sign(context.Background(), in, filepath.Join(dir, "out.pdf"), keys.ECKey, keys.ECChain(), Options{})
			if got := outcome(err); got != want["sign"][0] {
				t.Errorf("sign: %s (%v), want %s", got, err, want["sign"][0])
			}
			if err != nil {
				pdftest.AssertDir(t, dir)
			} else {
				// One reading (issue 21): what the app signs it reads back,
				// and never calls the input unreadable.
				if rep, err := verify.Verify(context.Background(), filepath.Join(dir, "out.pdf"), verify.Options{}); err != nil || !rep.Signatures[len(rep.Signatures)-1].Valid {
					t.Errorf("verify of the signed copy: our signature not valid (%v)", err)
				}
				if _, err := verify.Verify(context.Background(), in, verify.Options{}); pdftest.ErrKind(err) == pdfsign.KindDamaged || pdftest.ErrKind(err) == pdfsign.KindNotPDF {
					t.Errorf("signed, yet verify calls the input unreadable: %v", err)
				}
			}
			rep, err := verify.Verify(context.Background(), in, verify.Options{})
			if got := outcome(err); got != want["verify"][0] {
				t.Errorf("verify: %s (%v), want %s", got, err, want["verify"][0])
			}
			if err != nil {
				return
			}
			report := "ok"
			if !rep.OK {
				report = "not_ok"
			}
			if w := want["report"]; len(w) != 1 || w[0] != report {
				t.Errorf("report: %s, want %v", report, w)
			}
			var sigs []string
			for _, s := range rep.Signatures {
				sigs = append(sigs, signatureLine(s))
			}
			if fmt.Sprint(sigs) != fmt.Sprint(want["signature"]) {
				t.Errorf("signatures:\n%s\nwant:\n%s", strings.Join(sigs, "\n"), strings.Join(want["signature"], "\n"))
			}
		})
	}
}

// outcome is "ok" or the error's kind.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	if k := pdftest.ErrKind(err); k != "" {
		return string(k)
	}
	return err.Error()
}

// signatureLine is one signature as the .want files write it.
func signatureLine(s verify.SignatureReport) string {
	valid, level, codes := "invalid", s.Level, []string{}
	if s.Valid {
		valid = "valid"
	}
	if level == "" {
		level = "-"
	}
	for _, p := range s.Problems {
		codes = append(codes, p.Code)
	}
	if len(codes) == 0 {
		codes = []string{"-"}
	}
	return strings.Join([]string{valid, level, s.LaterChanges, strings.Join(codes, ",")}, " ")
}

// readWant reads "key: value" lines, '#' comments apart; a key may repeat.
func readWant(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%s: %v (every vector has its expected outcome beside it)", path, err)
	}
	defer f.Close()
	m := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("%s: %q is not key: value", path, line)
		}
		m[k] = append(m[k], strings.TrimSpace(v))
	}
	for _, k := range []string{"sign", "verify"} {
		if len(m[k]) != 1 {
			t.Fatalf("%s: want exactly one %q line", path, k)
		}
	}
	return m
}
