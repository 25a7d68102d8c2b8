package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// verify on pdfsign's vectors: allowed later changes exit 0, changes that are
// not allowed exit 1, and --json carries the changes, the level and the four
// answers. Trust: the vectors' CA is in no store here, so "not recognised".
func TestCLIVerifyChanges(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user certificates, no cached trusted lists
	vec := func(name string) string { return filepath.Join("..", "..", "pdfsign", "testdata", "verify", name) }
	for _, c := range []struct {
		file, class, intact, signature, changes string
		allowed                                 bool
		exit                                    int
		text                                    string
	}{
		{"certified-p2-then-fill.pdf", "form_fill", "yes", "yes", "yes", true, exitOK, "Changes after signing: allowed, form fields were filled in"},
		{"certified-p2-then-annotation.pdf", "annotations", "yes", "yes", "no", false, exitFailure, "the certified document allowed only: filling in the form and signing"},
		{"sneaky-signature-and-appearance.pdf", "other", "yes", "yes", "no", false, exitFailure, "BUT the document was then changed in a way that is not allowed"},
		{"approval-then-dss-then-doctimestamp.pdf", "ltv", "yes", "yes", "yes", true, exitOK, "document timestamp by"},
		{"ed448.pdf", "none", "yes", "unsupported", "none", true, exitFailure, "cannot be checked here"},
	} {
		t.Run(c.file, func(t *testing.T) {
			code, out, errs := cli(t, "", "--lang", "en", "verify", vec(c.file))
			if code != c.exit || !strings.Contains(out, c.text) || !strings.Contains(out, "Signer: not recognised") {
				t.Fatalf("exit %d (want %d)\n%s%s", code, c.exit, out, errs)
			}
			code, out, _ = cli(t, "", "verify", "--json", vec(c.file))
			var rep struct {
				Level      string `json:"level"`
				Signatures []struct {
					Level   string `json:"level"`
					Verdict struct{ Intact, Signature, Changes, Trust string }
					Changes *struct {
						Class     string `json:"class"`
						Allowed   bool   `json:"allowed"`
						Revisions []struct {
							Revision int    `json:"revision"`
							Class    string `json:"class"`
						} `json:"revisions"`
					} `json:"changes"`
				} `json:"signatures"`
				TrustedLists string `json:"trusted_lists"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil || code != c.exit {
				t.Fatalf("json: exit %d %v\n%s", code, err, out)
			}
			s := rep.Signatures[0]
			if s.Changes == nil || s.Changes.Class != c.class || s.Changes.Allowed != c.allowed || (c.class != "none") != (len(s.Changes.Revisions) > 0) {
				t.Fatalf("changes %+v", s.Changes)
			}
			if s.Verdict.Intact != c.intact || s.Verdict.Signature != c.signature || s.Verdict.Changes != c.changes || s.Verdict.Trust != "no" {
				t.Fatalf("verdict %+v", s.Verdict)
			}
			if rep.TrustedLists != "not_checked" {
				t.Fatalf("trusted lists %q", rep.TrustedLists)
			}
		})
	}
}
