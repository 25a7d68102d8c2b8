//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/hostile"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
	"github.com/certigna-desktop/app/token"
)

// The hostile-input tests (issue #11) run the CLI as a child process — this
// test binary re-executed with CERTIGNA_CLI_CHILD set — so that a crash, a
// hang or the memory of one run is seen as a user would see it: exit code,
// message, peak RSS, no Go stack trace.

const (
	childEnv   = "CERTIGNA_CLI_CHILD"
	childRSSTo = "CERTIGNA_CLI_CHILD_RSS" // file where the child writes its own peak RSS
)

func init() {
	if a := os.Getenv(childEnv); a != "" {
		var args []string
		if err := json.Unmarshal([]byte(a), &args); err != nil {
			os.Exit(99)
		}
		// Not inherited: module discovery runs this binary again as a
		// probe child (main_test.go's TestMain).
		os.Unsetenv(childEnv)
		rssTo := os.Getenv(childRSSTo)
		os.Unsetenv(childRSSTo)
		code := run(args, os.Stdin, os.Stdout, os.Stderr)
		if rssTo != "" {
			_ = os.WriteFile(rssTo, []byte(strconv.FormatInt(ownPeakRSSKB(), 10)), 0o600)
		}
		os.Exit(code)
	}
}

// ownPeakRSSKB is this process's peak RSS and its children's, in KiB. Not
// the parent's wait4 rusage: os/exec starts a child with CLONE_VM, and Linux
// records the old address space's high-water mark at exec — the test
// binary's own, hundreds of MB once the tests have run a while — as the
// child's maxrss. VmHWM counts only the child's own pages; its children
// (the driver's worker) start from its small address space.
func ownPeakRSSKB() int64 {
	var peak int64
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
				peak, _ = strconv.ParseInt(f[1], 10, 64)
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil && ru.Maxrss > peak {
		peak = ru.Maxrss
	}
	return peak
}

// Bounds every hostile run must keep (the rule: ≤ 10 s, ≤ 300 MB);
// the deadline only stops a hang, it is not a speed target.
const (
	childDeadline = 30 * time.Second
	maxRSSKB      = 300 << 10
)

type childResult struct {
	code           int
	stdout, stderr string
	rssKB          int64
}

// runChild runs the CLI with args; stdin and extra (descriptors 3…) are
// given to the child as they are.
func runChild(t *testing.T, env []string, stdin io.Reader, extra []*os.File, args ...string) childResult {
	t.Helper()
	a, _ := json.Marshal(args)
	ctx, cancel := context.WithTimeout(context.Background(), childDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	rssFile := filepath.Join(t.TempDir(), "rss")
	cmd.Env = append(append(os.Environ(), env...), childEnv+"="+string(a), childRSSTo+"="+rssFile, "LANGUAGE=en")
	cmd.Stdin = stdin
	cmd.ExtraFiles = extra
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v: still running after %v (hang)", args, childDeadline)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%v: %v", args, err)
	}
	r := childResult{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
	if b, err := os.ReadFile(rssFile); err == nil {
		r.rssKB, _ = strconv.ParseInt(string(b), 10, 64)
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rssKB = ru.Maxrss // the child ended before writing it: the upper bound
	}
	for _, s := range []string{r.stdout, r.stderr} {
		if strings.Contains(s, "goroutine ") || strings.Contains(s, "panic") {
			t.Errorf("%v: a Go stack trace or panic is shown:\n%.2000s", args, s)
		}
	}
	// A message, not a dump: a hostile form once listed its 20,000 field
	// names in one error.
	if len(r.stderr) > 4096 {
		t.Errorf("%v: %d bytes on standard error:\n%.500s", args, len(r.stderr), r.stderr)
	}
	if r.rssKB > maxRSSKB {
		t.Errorf("%v: peak RSS %d MB > %d MB", args, r.rssKB>>10, maxRSSKB>>10)
	}
	return r
}

// signedSample is the test document signed with a throwaway key (no token
// needed: the hostile files only need a real signature to build on).
func signedSample(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(5), Subject: pkix.Name{CommonName: "hostile"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	dir := t.TempDir()
	in := samplePDF(t, dir)
	out := filepath.Join(dir, "signed.pdf")
	if _, err := sign.Sign(context.Background(), in, out, key, []*x509.Certificate{cert}, sign.Options{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHostileFilesBoundedAndClean: every file of the hostile set, given to
// verify and to sign (which must refuse it before any module is opened, so
// before any PIN), ends with its documented exit code and message, within
// the memory bound, without a stack trace.
func TestHostileFilesBoundedAndClean(t *testing.T) {
	dir := t.TempDir()
	files := hostile.Files(signedSample(t))
	if len(files) < 25 {
		t.Fatalf("only %d hostile files", len(files))
	}
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			// each file in its own child process: they run side by side
			// (the suite is no slower; each child's peak RSS is its own)
			t.Parallel()
			if len(f.Data) == 0 {
				t.Fatal("empty file: the generator failed")
			}
			path := filepath.Join(dir, f.Name)
			if err := os.WriteFile(path, f.Data, 0o600); err != nil {
				t.Fatal(err)
			}
			r := runChild(t, nil, nil, nil, "verify", path)
			if r.code != f.VerifyExit || (f.VerifyExit == exitBadPDF && f.Want != "" && !strings.Contains(r.stderr, f.Want)) {
				t.Errorf("verify: exit %d (want %d, %q)\n%s%s", r.code, f.VerifyExit, f.Want, r.stdout, r.stderr)
			}
			// sign with a module that does not exist: a refused file stops
			// before the module (exit 7); a signable one reaches it (exit 6).
			want := f.SignExit
			if want == 0 {
				want = exitNoModule
			}
			r = runChild(t, nil, nil, nil, "--module", filepath.Join(dir, "no-module.so"), "sign", path, "-o", filepath.Join(dir, "out-"+f.Name))
			if r.code != want {
				t.Errorf("sign: exit %d, want %d\n%s", r.code, want, r.stderr)
			}
			if f.SignExit == exitBadPDF && f.Want != "" && !strings.Contains(r.stderr, f.Want) {
				t.Errorf("sign: message %q lacks %q", r.stderr, f.Want)
			}
			if _, err := os.Stat(filepath.Join(dir, "out-"+f.Name)); err == nil {
				t.Error("sign left an output")
			}
			t.Logf("%s: %d bytes, verify → %d, peak RSS %d MB", f.Class, len(f.Data), f.VerifyExit, r.rssKB>>10)
		})
	}
}

// TestNonRegularInputsRefused: a FIFO (which would block the open forever),
// a device and a folder are refused with exit 7 by verify and sign.
func TestNonRegularInputsRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{fifo, "/dev/zero", dir} {
		for _, verb := range []string{"verify", "sign"} {
			r := runChild(t, nil, nil, nil, "--module", filepath.Join(dir, "no-module.so"), verb, in, "-o", filepath.Join(dir, "o.pdf"))
			if verb == "verify" {
				r = runChild(t, nil, nil, nil, verb, in)
			}
			if r.code != exitBadPDF {
				t.Errorf("%s %s: exit %d\n%s", verb, in, r.code, r.stderr)
			}
			if in != dir && !strings.Contains(r.stderr, "not a regular file") {
				t.Errorf("%s %s: message %q", verb, in, r.stderr)
			}
		}
	}
}

// TestStdinThatCannotBeAPINSendsNothing: standard input that is a PDF, a
// file name, empty, with control characters, and codes outside the token's
// length range are refused with exit 2 before the token: the spy logs no
// C_Login, C_SetPIN nor C_InitPIN. A right PIN through --pin-fd is then
// logged as exactly one C_Login (the count works), and reading a PIN from
// a pipe leaves the rest of the pipe to the script.
func TestStdinThatCannotBeAPINSendsNothing(t *testing.T) {
	tok := softToken(t, testtoken.WithoutEC())
	dir := t.TempDir()
	// OpenSC's pkcs11-spy logs every PKCS#11 call of the module it wraps;
	// its log holds the PINs in clear and is removed with the test.
	spy := testtoken.NewSpy(t, tok.ModulePath)
	spyModule, logPath := spy.Path, spy.Log
	env := append(spy.Env(), "SOFTHSM2_CONF="+tok.Conf)
	in := samplePDF(t, dir)
	pdf, _ := os.ReadFile(in)
	cert := hex.EncodeToString(tok.RSAID)
	signArgs := []string{"--module", spyModule, "sign", in, "--cert", cert, "-o", filepath.Join(dir, "out.pdf")}

	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"pdf on stdin", string(pdf), nil, "%PDF"},
		{"file name", "next-file.pdf\n", nil, "file name"},
		{"empty line", "\n", nil, "empty"},
		{"control characters", "12\x1b[A34\n", nil, "control"},
		{"NUL", "1234\x005678\n", nil, "control"},
		{"too long", strings.Repeat("7", 300) + "\n", nil, "256"},
		{"too short for the token", "12\n", nil, "not sent"},
		{"no input", "", nil, "ended"},
		{"change-pin, short current code", "1\n11112222\n11112222\n", []string{"--module", spyModule, "change-pin"}, "not sent"},
		{"unblock, long admin code", strings.Repeat("9", 256) + "\n11112222\n11112222\n", []string{"--module", spyModule, "unblock"}, "not sent"},
		{"change-pin, PDF as new PIN", tok.PIN + "\n%PDF-1.7\n%PDF-1.7\n", []string{"--module", spyModule, "change-pin"}, "%PDF"},
		// the right PIN with what a copy adds: never sent (a try lost)
		{"right PIN after a byte-order mark", "\ufeff" + tok.PIN + "\n", nil, "no try was used"},
		{"right PIN and a trailing space", tok.PIN + " \n", nil, "no try was used"},
		{"right PIN with a zero-width space", tok.PIN[:2] + "\u200b" + tok.PIN[2:] + "\n", nil, "no try was used"},
		{"change-pin, current PIN and a no-break space", tok.PIN + "\u00a0\n11112222\n11112222\n", []string{"--module", spyModule, "change-pin"}, "no try was used"},
	}
	for _, c := range cases {
		args := c.args
		if args == nil {
			args = signArgs
		}
		r := runChild(t, env, strings.NewReader(c.stdin), nil, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d, want 2 and %q:\n%s", c.name, r.code, c.want, r.stderr)
		}
		if strings.Contains(r.stderr+r.stdout, tok.PIN) {
			t.Errorf("%s: the PIN is printed", c.name)
		}
	}
	// `sign /dev/stdin < in.pdf`: the document itself on standard input.
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	r := runChild(t, env, f, nil, "--module", spyModule, "sign", "/dev/stdin", "--cert", cert, "-o", filepath.Join(dir, "out.pdf"))
	f.Close()
	if r.code != exitUsage || !strings.Contains(r.stderr, "%PDF") {
		t.Errorf("sign /dev/stdin < in.pdf: exit %d\n%s", r.code, r.stderr)
	}
	// the same through --pin-fd: a no-break space after the right PIN
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pw.WriteString(tok.PIN + "\u00a0\n")
	pw.Close()
	r = runChild(t, env, strings.NewReader("not-read\n"), []*os.File{pr}, append([]string{"--pin-fd", "3"}, signArgs...)...)
	pr.Close()
	if r.code != exitUsage || !strings.Contains(r.stderr, "no try was used") {
		t.Errorf("--pin-fd, PIN and a no-break space: exit %d\n%s", r.code, r.stderr)
	}
	log := spyLog(t, logPath)
	if !strings.Contains(log, "C_GetSlotList") {
		t.Fatalf("the spy logged nothing: the count below would prove nothing\n%.500s", log)
	}
	for _, call := range []string{"C_Login", "C_SetPIN", "C_InitPIN"} {
		if n := strings.Count(log, call); n != 0 {
			t.Errorf("%d × %s sent for input that cannot be a code", n, call)
		}
	}

	// The safe scripting form: the PIN on descriptor 3, standard input left
	// alone. One C_Login.
	pr, pw, err = os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pw.WriteString(tok.PIN + "\n")
	pw.Close()
	os.Remove(logPath)
	r = runChild(t, env, strings.NewReader("not-read\n"), []*os.File{pr}, append([]string{"--pin-fd", "3"}, signArgs...)...)
	pr.Close()
	if r.code != exitOK {
		t.Fatalf("--pin-fd 3: exit %d\n%s", r.code, r.stderr)
	}
	if n := strings.Count(spyLog(t, logPath), "C_Login"); n != 1 {
		t.Errorf("--pin-fd: %d C_Login, want 1", n)
	}

	// One line only: the rest of a script's list stays in the pipe.
	os.Remove(filepath.Join(dir, "out.pdf"))
	pr, pw, err = os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pw.WriteString(tok.PIN + "\nsecond.pdf\nthird.pdf\n")
	pw.Close()
	r = runChild(t, nil, pr, nil, "--module", tok.ModulePath, "sign", in, "--cert", cert, "-o", filepath.Join(dir, "out.pdf"))
	if r.code != exitOK {
		t.Fatalf("sign with the PIN on a pipe: exit %d\n%s", r.code, r.stderr)
	}
	rest, _ := io.ReadAll(pr)
	pr.Close()
	if string(rest) != "second.pdf\nthird.pdf\n" {
		t.Errorf("what the CLI left in the pipe: %q", rest)
	}
}

func spyLog(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("spy log: %v", err)
	}
	return string(b)
}

// TestRefusedBeforePINItem7: an output that is a dangling link and a B-LT
// signature whose certificate names no revocation server are refused
// before the PIN is read (standard input is empty: reading it would give
// "standard input ended", exit 2).
func TestRefusedBeforePINItem7(t *testing.T) {
	dir := t.TempDir()
	in := samplePDF(t, dir)
	link := filepath.Join(dir, "link.pdf")
	if err := os.Symlink(filepath.Join(dir, "gone", "x.pdf"), link); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, "", "--lang", "en", "--module", filepath.Join(dir, "none.so"), "sign", in, "-o", link)
	if code != exitUsage || !strings.Contains(errs, "symbolic link") {
		t.Errorf("dangling link: exit %d %s", code, errs)
	}
	code, _, errs = cli(t, "", "--lang", "en", "--module", filepath.Join(dir, "none.so"), "sign", in, "-o", filepath.Join(dir, "gone", "out.pdf"))
	if code != exitUsage || !strings.Contains(errs, "cannot be written") {
		t.Errorf("missing folder: exit %d %s", code, errs)
	}
	tok := softToken(t, testtoken.WithoutEC())
	code, _, errs = cli(t, "", "--lang", "en", "--module", tok.ModulePath, "sign", in, "--cert", hex.EncodeToString(tok.RSAID), "--ltv")
	if code != exitRevocation || strings.Contains(errs, "ended") {
		t.Errorf("B-LT without revocation pointers: exit %d %s", code, errs)
	}
	assertOnlyFiles(t, dir, "contrat.pdf", "link.pdf")
}

// TestSignatureLineWithoutDateOrLevel: a signature without /M and outside
// PAdES is described in words, not "0001-01-01" or "(, SHA-256)".
func TestSignatureLineWithoutDateOrLevel(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		env := &Env{Lang: lang}
		line := signatureLine(env, verify.SignatureReport{Field: "Sig1", SignerCN: "X", Hash: "SHA-256", Valid: true, CoversWholeDocument: true})
		if strings.Contains(line, "0001") || strings.Contains(line, "(,") || !strings.Contains(line, "PAdES") {
			t.Errorf("%s: %q", lang, line)
		}
	}
}

// TestLockedByThisTryIsNotNothingSent: when the token answers a wrong final
// try by locking, the message says so; "nothing was sent" stays for the
// refusal made before sending (opencryptoki's lockout test runs the real
// sequence; this checks the wording of each case).
func TestLockedByThisTryIsNotNothingSent(t *testing.T) {
	before := (&token.Error{Kind: token.KindPINLocked, State: token.PINLocked}).Message("en")
	afterTry := (&token.Error{Kind: token.KindPINLocked, State: token.PINLocked, Code: 0xa0}).Message("en")  // CKR_PIN_INCORRECT
	tokenSays := (&token.Error{Kind: token.KindPINLocked, State: token.PINLocked, Code: 0xa4}).Message("en") // CKR_PIN_LOCKED
	if !strings.Contains(before, "nothing was sent") {
		t.Errorf("before sending: %q", before)
	}
	for _, m := range []string{afterTry, tokenSays} {
		if strings.Contains(m, "nothing was sent") || !strings.Contains(m, "blocked") {
			t.Errorf("after sending: %q", m)
		}
	}
	if !strings.Contains(afterTry, "last try") {
		t.Errorf("after a wrong final try: %q", afterTry)
	}
	so := (&token.Error{Kind: token.KindPINLocked, SO: true, Code: 0xa0}).Message("fr")
	if !strings.Contains(so, "administrateur") || strings.Contains(so, "rien n’a été envoyé") {
		t.Errorf("admin code, fr: %q", so)
	}
}
