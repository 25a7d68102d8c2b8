package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/pdfsign/verify"
)

// Issue #22, item 4: "status" names each certificate as the window does
// (by purpose, never a DN), and --cert takes that name (case and
// apostrophe as typed on a keyboard) as well as the ID; a name that
// matches nothing is refused with the names to choose from.
func TestCLICertByName(t *testing.T) {
	tok := softToken(t) // an RSA and an EC signing certificate, one holder
	code, out, errs := cli(t, "", "--lang", "fr", "--module", tok.ModulePath, "status", "--json")
	if code != exitOK {
		t.Fatalf("status: %d %s", code, errs)
	}
	var st struct {
		Tokens []struct {
			Certificates []struct {
				Name, ID, SubjectCN string
				HasPrivateKey       bool `json:"has_private_key"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.Tokens) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	names := map[string]string{} // ID → name
	seen := map[string]bool{}
	for _, c := range st.Tokens[0].Certificates {
		if c.Name == "" || seen[c.Name] || strings.Contains(c.Name, "=") {
			t.Errorf("certificate %s named %q (names %v)", c.ID, c.Name, seen)
		}
		seen[c.Name] = true
		names[c.ID] = c.Name
		if c.HasPrivateKey && !strings.HasPrefix(c.Name, "Certificat de signature") {
			t.Errorf("signing certificate named %q", c.Name)
		}
	}
	ecName := names["02"]
	code, out, _ = cli(t, "", "--lang", "fr", "--module", tok.ModulePath, "status")
	if code != exitOK || !strings.Contains(out, ecName+" : "+tok.Holder) || strings.Contains(out, "CN=") {
		t.Fatalf("status text %d (want %q, no DN):\n%s", code, ecName, out)
	}

	dir := t.TempDir()
	in := samplePDF(t, dir)
	typed := strings.ToLower(strings.ReplaceAll(ecName, "’", "'"))
	code, out, errs = cli(t, tok.PIN+"\n", "--lang", "fr", "--module", tok.ModulePath, "sign", in, "--cert", typed)
	if code != exitOK {
		t.Fatalf("sign --cert %q: %d\n%s\n%s", typed, code, out, errs)
	}
	code, out, errs = cli(t, "", "verify", filepath.Join(dir, "contrat-signed.pdf"), "--json")
	var rep verify.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK || len(rep.Signatures) != 1 || !strings.HasPrefix(rep.Signatures[0].Algorithm, "ECDSA") {
		t.Fatalf("signed with %+v (%v, exit %d)\n%s\n%s", rep.Signatures, err, code, out, errs)
	}

	code, _, errs = cli(t, tok.PIN+"\n", "--lang", "fr", "--module", tok.ModulePath, "sign", in, "--cert", "Certificat inconnu", "-o", filepath.Join(dir, "x.pdf"))
	if code != exitUsage || !strings.Contains(errs, "Aucun certificat nommé") || !strings.Contains(errs, ecName) {
		t.Fatalf("unknown name: exit %d\n%s", code, errs)
	}
}
