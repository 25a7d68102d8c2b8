package verify_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// TestVerifyCorpus checks every file of testdata/verify against the verdict
// written beside it in testdata/verify/VECTORS.txt.
func TestVerifyCorpus(t *testing.T) {
	for _, v := range readVectors(t) {
		t.Run(v.file, func(t *testing.T) { v.check(t, filepath.Join("..", "testdata", "verify", v.file)) })
	}
}

type vector struct {
	file, valid, changes, allowed string
	exit                          int
	level                         string // checked when given
}

func readVectors(t testing.TB) []vector {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "verify", "VECTORS.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) < 5 {
			t.Fatalf("bad vector line %q", line)
		}
		v := vector{file: fs[0], valid: fs[1], changes: fs[2], allowed: fs[3]}
		if fs[4] == "1" {
			v.exit = 1
		}
		if len(fs) > 5 {
			v.level = fs[5]
		}
		out = append(out, v)
	}
	return out
}

func (v vector) check(t *testing.T, path string) {
	t.Helper()
	rep, err := verify.Verify(context.Background(), path, verify.Options{})
	if err != nil {
		var pe *pdfsign.Error
		if errors.As(err, &pe) && pe.Kind == pdfsign.KindNoSignature && v.valid == "none" {
			return
		}
		t.Fatalf("verify: %v", err)
	}
	s := rep.Signatures[0]
	valid := "no"
	switch {
	case s.Valid:
		valid = "yes"
	case s.Unsupported:
		valid = "unsupported"
	}
	if valid != v.valid {
		t.Errorf("valid = %s, want %s (problems %+v)", valid, v.valid, s.Problems)
	}
	class, allowed := "unknown", "unknown"
	if s.Changes != nil {
		class, allowed = s.Changes.Class, "yes"
		if !s.Changes.Allowed {
			allowed = "no/" + verify.NotAllowedReason(s.Changes)
		}
	}
	if class != v.changes || allowed != v.allowed {
		t.Errorf("changes = %s %s, want %s %s (%+v)", class, allowed, v.changes, v.allowed, s.Changes)
	}
	if v.level != "" && s.Level != v.level {
		t.Errorf("level = %q, want %q", s.Level, v.level)
	}
	exit := 0
	if !rep.OK {
		exit = 1
	}
	if exit != v.exit {
		t.Errorf("exit = %d, want %d", exit, v.exit)
	}
	// Never "valid and fine" for a tampered or disallowed-change file.
	if v.exit == 1 && rep.OK {
		t.Errorf("a file expected to fail verifies as fine")
	}
}

// A signature whose byte range lies outside the file is invalid; the valid
// signature made after it must still read as valid.
func TestByteRangeOutsideKeepsOtherValid(t *testing.T) {
	rep, err := verify.Verify(context.Background(), filepath.Join("..", "testdata", "verify", "byte-range-outside-then-valid.pdf"), verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signatures) != 2 || rep.OK {
		t.Fatalf("report %+v", rep)
	}
	first, second := rep.Signatures[0], rep.Signatures[1]
	if first.Field != "Approval" || first.Valid || first.ByteRangeOK || first.Answer.Intact != verify.AnswerNo {
		t.Fatalf("first %+v", first)
	}
	if second.Field != "Second" || !second.Valid || second.Answer.Changes != verify.AnswerNone || second.Answer.Signature != verify.AnswerYes {
		t.Fatalf("second %+v", second)
	}
	if h := second.Headline("en"); !strings.Contains(h, "valid signature by") || strings.Contains(h, "INVALID") {
		t.Fatalf("headline %q", h)
	}
}

// TestVectorsAgreeWithPdfsig: poppler's pdfsig, an independent validator,
// gives the same signature verdict on the vectors it can check.
func TestVectorsAgreeWithPdfsig(t *testing.T) {
	testtool.Need(t, "pdfsig")
	for file, valid := range map[string]bool{
		"approval.pdf": true, "openssl-rsa.pdf": true, "openssl-rsa-pss.pdf": true,
		"openssl-rsa-pss-saltmax-sha512.pdf": true, "negative-serial.pdf": true, "openssl-rsa-sha1.pdf": true,
		"encrypted-aes256-signed.pdf": true, "encrypted-rc4-40-signed.pdf": true,
		"byte-flip.pdf": false, "alg-ecdsa-oid-with-rsa-key.pdf": false, "alg-sha512-oid-over-sha256.pdf": false,
	} {
		out, _ := exec.Command("pdfsig", filepath.Join("..", "testdata", "verify", file)).CombinedOutput()
		if got := strings.Contains(string(out), "Signature is Valid"); got != valid {
			t.Errorf("%s: pdfsig valid=%v, the vector says %v:\n%s", file, got, valid, out)
		}
	}
}

// A document that needs a real opening password is refused as encrypted
// (typed error), by Verify as by Sign; the empty-password vectors above are
// read.
func TestVerifyRefusesPasswordProtected(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "verify", "approval.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(t.TempDir(), "locked.pdf")
	os.WriteFile(locked, runTool(t, b, "qpdf", "--encrypt", "secret", "owner", "256", "--", "{in}", "{out}"), 0o644)
	_, err = verify.Verify(context.Background(), locked, verify.Options{})
	var pe *pdfsign.Error
	if !errors.As(err, &pe) || pe.Kind != pdfsign.KindEncrypted {
		t.Fatalf("verify: %v", err)
	}
	rep, err := verify.Verify(context.Background(), filepath.Join("..", "testdata", "verify", "encrypted-aes256-signed.pdf"), verify.Options{})
	if err != nil || !rep.Encrypted || !rep.OK {
		t.Fatalf("empty password: %v %+v", err, rep)
	}
	if _, err := sign.Sign(context.Background(), locked, filepath.Join(t.TempDir(), "o.pdf"), pkitest.SharedKeys(t).ECKey, pkitest.SharedKeys(t).ECChain(), sign.Options{}); !errors.As(err, &pe) || pe.Kind != pdfsign.KindEncrypted {
		t.Fatalf("sign with a password: %v", err)
	}
	// Issue #14: an empty opening password is signed (encrypt_test.go); the
	// earlier signature stays valid beside the new one.
	o := filepath.Join(t.TempDir(), "o.pdf")
	if _, err := sign.Sign(context.Background(), filepath.Join("..", "testdata", "verify", "encrypted-aes256-signed.pdf"), o, pkitest.SharedKeys(t).ECKey, pkitest.SharedKeys(t).ECChain(), sign.Options{}); err != nil {
		t.Fatalf("sign: %v", err)
	}
	if rep, err := verify.Verify(context.Background(), o, verify.Options{}); err != nil || !rep.Encrypted || !rep.OK || len(rep.Signatures) != 2 {
		t.Fatalf("signed twice: %v %+v", err, rep)
	}
}

// TestRealWorldSignedSamples: the signed PDFs pdfcpu ships (made by DSS —
// PAdES B-B to B-LTA — and by Adobe products) get the verdicts their makers
// intended: every signature valid, later revisions only validation data.
func TestRealWorldSignedSamples(t *testing.T) {
	files := pdftest.CorpusFiles(t)
	dir := filepath.Join(filepath.Dir(filepath.Dir(files[0])), "samples", "signatures")
	for _, c := range []struct {
		file, level, changes string
		sigs                 int
	}{
		{"ETSI.CAdES.detached/testPAdES_BB.pdf", "B-B", verify.ClassNone, 1},
		{"ETSI.CAdES.detached/testPAdES_BT.pdf", "", verify.ClassNone, 1}, // the TSA certificate is nowhere in the file
		{"ETSI.CAdES.detached/testPAdES_BLT.pdf", "B-LT", verify.ClassLTV, 1},
		{"ETSI.CAdES.detached/testPAdES_BLTA.pdf", "B-LTA", verify.ClassLTV, 2},
		{"adbe.pkcs7.detached/sample1.pdf", "", verify.ClassNone, 1},
		{"adbe.pkcs7.detached/sample2.pdf", "", verify.ClassNone, 1},
		{"adbe.x509.rsa_sha1/sample01.pdf", "", verify.ClassNone, 1},
	} {
		t.Run(c.file, func(t *testing.T) {
			rep, err := verify.Verify(context.Background(), filepath.Join(dir, c.file), verify.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK || len(rep.Signatures) != c.sigs {
				t.Fatalf("report %+v", rep)
			}
			s := rep.Signatures[0]
			if !s.Valid || s.Changes == nil || s.Changes.Class != c.changes || !s.Changes.Allowed {
				t.Fatalf("first signature %+v changes %+v", s, s.Changes)
			}
			if c.level != "" && (s.Level != c.level || rep.Level != c.level) {
				t.Fatalf("level %q (document %q), want %q", s.Level, rep.Level, c.level)
			}
			for _, o := range rep.Signatures[1:] {
				if !o.Valid || o.Type != "timestamp" || o.TimestampTime.IsZero() || o.SignerCN == "" {
					t.Fatalf("document timestamp %+v", o)
				}
			}
		})
	}
}
