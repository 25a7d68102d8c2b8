package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/pdfsign/verify"
)

func verifyBytes(t *testing.T, b []byte) *verify.Report {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Verify(context.Background(), path, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Real-world residue of issue 20: a catalog /Version next to a DSS and
// iText's /ITXT on the page tree are harmless; text and JSON agree.
func TestHarmlessLaterChanges(t *testing.T) {
	d := basePDF("")
	d.fieldSig(t, "Approval", 0, "", ourCMS, nil)
	v := d.clone()
	addDSS(t, v)
	v.update(map[int]string{1: strings.TrimSuffix(v.objs[1], ">>") + "/Version/2.0>>"})
	rep := verifyBytes(t, v.b)
	if s := rep.Signatures[0]; !rep.OK || s.Changes.Class != verify.ClassLTV || s.LaterChanges != verify.ChangesSignatures {
		t.Errorf("/Version after a DSS: OK %v, %+v, later %q", rep.OK, s.Changes, s.LaterChanges)
	}
	it := d.clone()
	it.update(map[int]string{2: strings.TrimSuffix(it.objs[2], ">>") + "/ITXT(5.5.13.3)>>"})
	rep = verifyBytes(t, it.b)
	s := rep.Signatures[0]
	if !rep.OK || s.Changes.Class != verify.ClassNone || s.LaterChanges != verify.ChangesNone || !s.ModifiedAfter {
		t.Errorf("/ITXT: OK %v, %+v, later %q", rep.OK, s.Changes, s.LaterChanges)
	}
	if w := s.ChangesWhat("en"); !strings.Contains(w, "no change") {
		t.Errorf("/ITXT text: %q", w)
	}
}

// A signature that claims (/M) a time outside its certificate's validity
// is not valid.
func TestCertNotValidAtSigningTime(t *testing.T) {
	d := basePDF("")
	d.addSigField(t, "Early", "/Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M(D:20190101120000Z)", false, "", ourCMS, nil)
	rep := verifyBytes(t, d.b)
	s := rep.Signatures[0]
	if s.Valid || rep.OK || !s.HasProblem("cert_not_valid_at_signing") || s.Verdict().Signature != verify.AnswerNo {
		t.Errorf("valid %v OK %v problems %+v verdict %+v", s.Valid, rep.OK, s.Problems, s.Verdict())
	}
}
