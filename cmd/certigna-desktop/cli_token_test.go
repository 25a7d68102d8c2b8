package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/settings"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/token"
)

// cli runs the command in-process, PINs on standard input one per line.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	for _, s := range []string{out.String(), errb.String()} {
		s = longHex.ReplaceAllString(s, "") // fingerprints and serials may contain any digits
		for _, pin := range pinsInTest {
			if pin != "" && strings.Contains(s, pin) {
				t.Errorf("a PIN appears in the output: %q", s)
			}
		}
	}
	return code, out.String(), errb.String()
}

var longHex = regexp.MustCompile(`[0-9a-f]{12,}`)

// pinsInTest are the codes a test types; none may ever be printed.
var pinsInTest []string

func softToken(t *testing.T, opts ...testtoken.Option) *testtoken.Token {
	t.Helper()
	tok := testtoken.NewSoftHSM(t, opts...)
	tok.Setenv(t)
	pinsInTest = []string{tok.PIN, tok.SOPIN}
	return tok
}

func TestCLIStatusJSON(t *testing.T) {
	tok := softToken(t)
	code, out, errs := cli(t, "", "--module", tok.ModulePath, "status", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	mod := st["module"].(map[string]any)
	if mod["path"] != tok.ModulePath {
		t.Errorf("module %v", mod)
	}
	tokens := st["tokens"].([]any)
	if len(tokens) != 1 {
		t.Fatalf("tokens %v", tokens)
	}
	tk := tokens[0].(map[string]any)
	for _, f := range []string{"slot", "label", "manufacturer", "model", "serial", "pin", "certificates"} {
		if _, ok := tk[f]; !ok {
			t.Errorf("token field %q missing", f)
		}
	}
	if tk["label"] != tok.Label || tk["manufacturer"] != "SoftHSM project" {
		t.Errorf("token %v", tk)
	}
	pin := tk["pin"].(map[string]any)
	if pin["state"] != "ok" || pin["so_state"] != "ok" || pin["min_len"] != 4.0 || pin["max_len"] != 255.0 || pin["pin_pad"] != false {
		t.Errorf("pin %v", pin)
	}
	certs := tk["certificates"].([]any)
	if len(certs) != 3 {
		t.Fatalf("certificates %v", certs)
	}
	hexRe := regexp.MustCompile(`^[0-9a-f]+$`)
	holders := 0
	for _, c := range certs {
		c := c.(map[string]any)
		for _, f := range []string{"id", "label", "subject", "subject_cn", "issuer", "serial", "not_before", "not_after", "key_usage", "sha256", "has_private_key"} {
			if _, ok := c[f]; !ok {
				t.Errorf("certificate field %q missing", f)
			}
		}
		for _, f := range []string{"id", "serial", "sha256"} {
			if !hexRe.MatchString(c[f].(string)) {
				t.Errorf("%s %q is not lowercase hex", f, c[f])
			}
		}
		for _, f := range []string{"not_before", "not_after"} {
			if _, err := time.Parse(time.RFC3339, c[f].(string)); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
		if c["subject_cn"] == testtoken.Holder {
			holders++
			if c["has_private_key"] != true || !strings.Contains(c["subject"].(string), "CN=Frédérique Testé") {
				t.Errorf("holder certificate %v", c)
			}
			if c["id"] != "01" && c["id"] != "02" {
				t.Errorf("id %v", c["id"])
			}
		}
	}
	if holders != 2 {
		t.Errorf("%d holder certificates, want RSA and EC", holders)
	}
	// The text form, in French and English.
	code, out, _ = cli(t, "", "--lang", "fr", "--module", tok.ModulePath, "status")
	if code != exitOK || !strings.Contains(out, "Code PIN : valide") || !strings.Contains(out, "Frédérique Testé") {
		t.Errorf("fr status %d:\n%s", code, out)
	}
	code, out, _ = cli(t, "", "--lang", "en", "--module", tok.ModulePath, "status")
	if code != exitOK || !strings.Contains(out, "PIN: ok (4 to 255 characters)") {
		t.Errorf("en status %d:\n%s", code, out)
	}
}

func TestCLIChangePINAndUnblockSoftHSM(t *testing.T) {
	tok := softToken(t, testtoken.WithoutEC())
	m := tok.ModulePath
	state := func() string {
		t.Helper()
		_, out, _ := cli(t, "", "--module", m, "status", "--json")
		var st struct {
			Tokens []struct {
				PIN struct{ State string } `json:"pin"`
			}
		}
		json.Unmarshal([]byte(out), &st)
		if len(st.Tokens) != 1 {
			t.Fatalf("status: %s", out)
		}
		return st.Tokens[0].PIN.State
	}
	// Refused before the token: mismatch, too short, same. No try consumed
	// (SoftHSM2 flags count_low on the first wrong PIN).
	for _, c := range []struct{ stdin, want string }{
		{"999999\n24681357\n24681358\n", "differ"},
		{"999999\n12\n12\n", "4 to 255"},
		{tok.PIN + "\n" + tok.PIN + "\n" + tok.PIN + "\n", "must differ from the current"},
	} {
		code, _, errs := cli(t, c.stdin, "--lang", "en", "--module", m, "change-pin")
		if code != exitUsage || !strings.Contains(errs, c.want) || !strings.Contains(errs, "No try was used") && c.want != "" {
			t.Errorf("exit %d, %q", code, errs)
		}
	}
	if s := state(); s != "ok" {
		t.Fatalf("a refused PIN used a try: %s", s)
	}
	// Standard input ending early is a usage error.
	if code, _, _ := cli(t, "only-one\n", "--module", m, "change-pin"); code != exitUsage {
		t.Errorf("short stdin: exit %d", code)
	}
	// A wrong current PIN: exit 3, and what the token says now.
	code, _, errs := cli(t, "999999\n24681357\n24681357\n", "--lang", "fr", "--module", m, "change-pin")
	if code != exitPINIncorrect || !strings.Contains(errs, "Code PIN incorrect. Le token indique qu’il reste peu d’essais.") {
		t.Errorf("wrong current PIN: exit %d %q", code, errs)
	}
	const newPIN = "24681357"
	pinsInTest = append(pinsInTest, newPIN)
	code, out, errs := cli(t, tok.PIN+"\n"+newPIN+"\n"+newPIN+"\n", "--lang", "en", "--module", m, "change-pin")
	if code != exitOK || !strings.Contains(out, "has been changed") {
		t.Fatalf("change-pin: exit %d %s %s", code, out, errs)
	}
	if out, err := tok.TryTool("--login", "--pin", newPIN, "--list-objects"); err != nil {
		t.Fatalf("pkcs11-tool refuses the new PIN: %v\n%s", err, out)
	}
	if _, err := tok.TryTool("--login", "--pin", tok.PIN, "--list-objects"); err == nil {
		t.Fatal("pkcs11-tool still accepts the old PIN")
	}
	// Unblock with the SO PIN.
	const unblocked = "97531086"
	pinsInTest = append(pinsInTest, unblocked)
	code, out, errs = cli(t, tok.SOPIN+"\n"+unblocked+"\n"+unblocked+"\n", "--lang", "en", "--module", m, "unblock")
	if code != exitOK || !strings.Contains(out, "unblocked") {
		t.Fatalf("unblock: exit %d %s %s", code, out, errs)
	}
	if out, err := tok.TryTool("--login", "--pin", unblocked, "--list-objects"); err != nil {
		t.Fatalf("pkcs11-tool refuses the unblocked PIN: %v\n%s", err, out)
	}
	code, _, errs = cli(t, "00000000\n11112222\n11112222\n", "--lang", "en", "--module", m, "unblock")
	if code != exitPINIncorrect || !strings.Contains(errs, "Incorrect admin code") {
		t.Errorf("wrong admin code: exit %d %q", code, errs)
	}
}

func TestCLISeveralTokensNeedSlot(t *testing.T) {
	tok := softToken(t, testtoken.WithoutEC())
	cmd := exec.Command("softhsm2-util", "--init-token", "--free", "--label", "Second", "--so-pin", "12345678", "--pin", "1234")
	cmd.Env = tok.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	code, _, errs := cli(t, "", "--lang", "en", "--module", tok.ModulePath, "change-pin")
	if code != exitUsage || !strings.Contains(errs, "--slot") {
		t.Fatalf("exit %d %q", code, errs)
	}
	code, out, _ := cli(t, "", "--module", tok.ModulePath, "status", "--json")
	var st statusJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != exitOK || len(st.Tokens) != 2 {
		t.Fatalf("status with two tokens: %d %v %s", code, err, out)
	}
	// --slot picks one.
	slot := st.Tokens[0].Slot
	code, _, errs = cli(t, "1\n2\n3\n", "--lang", "en", "--module", tok.ModulePath, "change-pin", "--slot", itoa(slot))
	if code != exitUsage || !strings.Contains(errs, "differ") {
		t.Fatalf("--slot: exit %d %q", code, errs)
	}
}

func itoa(u uint) string { return strconv.FormatUint(uint64(u), 10) }

func TestCLINoTokenAndBadModules(t *testing.T) {
	testtoken.Need(t, "softhsm2-util")
	// A SoftHSM2 with an empty token directory: only the uninitialised spare slot.
	dir := t.TempDir()
	conf := filepath.Join(dir, "softhsm2.conf")
	os.MkdirAll(filepath.Join(dir, "tokens"), 0o700)
	os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "tokens")+"\nobjectstore.backend = file\n"), 0o600)
	t.Setenv("SOFTHSM2_CONF", conf)
	mod := testtoken.SoftHSMModule()
	if code, _, errs := cli(t, "", "--lang", "en", "--module", mod, "status"); code != exitNoToken || !strings.Contains(errs, "No token is present") {
		t.Errorf("no token: exit %d %q", code, errs)
	}
	if code, _, _ := cli(t, "", "--module", mod, "change-pin"); code != exitNoToken {
		t.Errorf("change-pin with no token: exit %d", code)
	}
	code, _, errs := cli(t, "", "--lang", "en", "--module", filepath.Join(dir, "missing.so"), "status")
	if code != exitNoModule || !strings.Contains(errs, "file not found") {
		t.Errorf("missing module: exit %d %q", code, errs)
	}
	notLib := filepath.Join(dir, "notes.so")
	os.WriteFile(notLib, []byte("hello"), 0o644)
	code, _, errs = cli(t, "", "--lang", "fr", "--module", notLib, "status")
	if code != exitNoModule || !strings.Contains(errs, "ce n’est pas une bibliothèque PKCS#11") {
		t.Errorf("not a library: exit %d %q", code, errs)
	}
	code, out, _ := cli(t, "", "--lang", "en", "--module", notLib, "modules", "--json")
	if code != exitNoModule || !strings.Contains(out, `"status": "failed"`) {
		t.Errorf("modules: exit %d %s", code, out)
	}
}

func TestCLIDemo(t *testing.T) {
	if testtoken.SoftHSMModule() == "" {
		testtoken.Missing(t, "SoftHSM2 is not installed")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("SOFTHSM2_CONF", "")
	pinsInTest = nil // the demo codes are public: status shows them on purpose
	code, out, errs := cli(t, "", "--demo", "status", "--json")
	if code != exitOK {
		t.Fatalf("exit %d %s", code, errs)
	}
	var st statusJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if !st.Module.Demo || len(st.Tokens) != 1 || st.Tokens[0].Label != token.DemoLabel || !st.Tokens[0].Demo {
		t.Fatalf("%+v", st)
	}
	found := false
	for _, c := range st.Tokens[0].Certificates {
		found = found || c.SubjectCN == token.DemoHolder && c.HasPrivateKey
	}
	if !found {
		t.Fatal("no demo certificate with its key")
	}
	code, out, _ = cli(t, "", "--lang", "fr", "--demo", "status")
	if code != exitOK || !strings.Contains(out, "[DÉMO]") || !strings.Contains(out, "code PIN "+token.DemoPIN) {
		t.Errorf("demo text:\n%s", out)
	}
	// The demo PIN changed, then reset-demo brings the original codes back.
	pinsInTest = nil
	code, _, errs = cli(t, token.DemoPIN+"\n5678\n5678\n", "--demo", "change-pin")
	if code != exitOK {
		t.Fatalf("change-pin on the demo: %d %s", code, errs)
	}
	code, out, errs = cli(t, "", "--lang", "en", "reset-demo")
	if code != exitOK || !strings.Contains(out, "Demo token recreated") {
		t.Fatalf("reset-demo: %d %s %s", code, out, errs)
	}
	code, _, errs = cli(t, token.DemoPIN+"\n5678\n5678\n", "--demo", "change-pin")
	if code != exitOK {
		t.Fatalf("the original demo PIN after reset: %d %s", code, errs)
	}
}

// The CLI uses the module chosen in the window (saved in the UI's state
// file), and searches as usual when that module no longer loads.
func TestCLIUsesSavedModuleChoice(t *testing.T) {
	tok := softToken(t)
	t.Setenv(token.EnvModule, "")
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	t.Setenv("HOME", t.TempDir()) // no demo token or saved state from the real user
	storePath, err := settings.DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	store := settings.Open(storePath)
	if err := store.SetSettings(settings.Settings{ModulePath: tok.ModulePath}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, "", "status", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `"path": "`+tok.ModulePath+`"`) || !strings.Contains(out, tok.Label) {
		t.Fatalf("saved module not used:\n%s", out)
	}

	if err := store.SetSettings(settings.Settings{ModulePath: filepath.Join(cfg, "gone.so")}); err != nil {
		t.Fatal(err)
	}
	code, out, errs = cli(t, "", "modules", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var mods struct {
		Candidates []struct {
			Path, Source, Status string
			Chosen               bool
		}
	}
	if err := json.Unmarshal([]byte(out), &mods); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(mods.Candidates) < 2 {
		t.Fatalf("the search should go on after the saved module:\n%s", out)
	}
	first := mods.Candidates[0]
	if first.Source != "saved" || first.Status != "not_found" || first.Chosen || !strings.HasSuffix(first.Path, "gone.so") {
		t.Fatalf("the saved module should be reported missing first: %+v", first)
	}
}
