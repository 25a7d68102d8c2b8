package testtoken

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TPM2Module is tpm2-pkcs11's library (Debian libtpm2-pkcs11-1), or ""
// when not installed.
func TPM2Module() string {
	for _, p := range []string{"/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so", "/usr/lib/aarch64-linux-gnu/pkcs11/libtpm2_pkcs11.so",
		"/usr/lib64/pkcs11/libtpm2_pkcs11.so", "/usr/lib/pkcs11/libtpm2_pkcs11.so"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// NewTPM2 makes a tpm2-pkcs11 token over a software TPM started for this
// test: swtpm on two free 127.0.0.1 ports, a private D-Bus session bus and
// tpm2-abrmd as the TPM's resource manager (without it tpm2_ptool runs the
// TPM out of object slots), a tpm2-pkcs11 store in a temporary directory,
// a token "TPM Certigna" (PIN 123456, SO PIN 87654321) holding an RSA-2048
// key generated in the TPM with a certificate, and the CA certificate. All
// of it is stopped and removed with the test. ~5 s.
//
// A third PKCS#11 implementation with its own flags, PIN range (0..128)
// and the TPM's dictionary-attack lockout. Call Setenv before opening the
// module in this process, or pass Env() to a child process.
func NewTPM2(t testing.TB) *Token {
	t.Helper()
	needPrivateCache(t)
	Need(t, "swtpm", "tpm2-abrmd", "dbus-daemon", "tpm2_ptool", "pkcs11-tool", "openssl")
	mod := TPM2Module()
	if mod == "" {
		Missing(t, "tpm2-pkcs11 is not installed (apt-get install libtpm2-pkcs11-1)")
	}
	dir := t.TempDir()
	tok := &Token{ModulePath: mod, Dir: dir, Label: "TPM Certigna", PIN: "123456", SOPIN: "87654321",
		Holder: Holder, RSAID: []byte{0x01}, CAID: []byte{0xca}}
	state, store := filepath.Join(dir, "tpm"), filepath.Join(dir, "store")
	must(t, os.MkdirAll(state, 0o700))
	must(t, os.MkdirAll(store, 0o700))

	port := freePortPair(t) // the swtpm TCTI expects the control port right after the server port
	swtpm := exec.Command("swtpm", "socket", "--tpm2", "--tpmstate", "dir="+state,
		"--server", fmt.Sprintf("type=tcp,port=%d,bindaddr=127.0.0.1", port[0]),
		"--ctrl", fmt.Sprintf("type=tcp,port=%d,bindaddr=127.0.0.1", port[1]),
		"--flags", "not-need-init,startup-clear")
	startDaemon(t, swtpm, filepath.Join(dir, "swtpm.log"))
	waitPort(t, port[0])

	// A private session bus: tpm2-abrmd is reached over D-Bus.
	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1")
	out, err := bus.StdoutPipe()
	must(t, err)
	startDaemon(t, bus, "")
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	addr = strings.TrimSpace(addr)
	name := fmt.Sprintf("com.intel.tss2.Tabrmd%d", port[0])
	tcti := "tabrmd:bus_type=session,bus_name=" + name
	tok.env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+addr, "TPM2TOOLS_TCTI="+tcti, "TPM2_PKCS11_TCTI="+tcti,
		"TPM2_PKCS11_STORE="+store, "TPM2_PKCS11_LOG_LEVEL=0")
	tok.extra = tok.env[len(tok.env)-5:]
	abrmd := exec.Command("tpm2-abrmd", "--session", "--dbus-name="+name, "--allow-root",
		fmt.Sprintf("--tcti=swtpm:host=127.0.0.1,port=%d", port[0]))
	abrmd.Env = tok.env
	startDaemon(t, abrmd, filepath.Join(dir, "abrmd.log"))
	// tpm2-abrmd takes its bus name a moment after starting.
	var initErr error
	for i := 0; i < 10; i++ {
		cmd := exec.Command("tpm2_ptool", "init", "--path="+store)
		cmd.Env = tok.env
		var o []byte
		if o, initErr = cmd.CombinedOutput(); initErr == nil {
			break
		} else {
			initErr = fmt.Errorf("%v: %s", initErr, o)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if initErr != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "abrmd.log"))
		slog, _ := os.ReadFile(filepath.Join(dir, "swtpm.log"))
		t.Fatalf("tpm2_ptool init: %v\ntpm2-abrmd: %s\nswtpm: %s", initErr, log, slog)
	}
	tok.run(t, nil, "tpm2_ptool", "addtoken", "--pid=1", "--sopin="+tok.SOPIN, "--userpin="+tok.PIN, "--label="+tok.Label, "--path="+store)
	tok.newCA(t)
	tok.addKey(t, tok.RSAID, "rsa:2048", "RSA signature", false)
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", tok.CAPath, "--type", "cert", "--id", "ca", "--label", "Test CA")
	return tok
}

// SetenvAll sets, for the rest of the test, every environment variable
// the token's module needs in this process (tpm2-pkcs11: its store, TCTI
// and the session bus; SoftHSM2: SOFTHSM2_CONF).
func (tok *Token) SetenvAll(t *testing.T) {
	t.Helper()
	tok.Setenv(t)
	for _, kv := range tok.extra {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

func startDaemon(t testing.TB, cmd *exec.Cmd, logFile string) {
	t.Helper()
	if logFile != "" {
		f, err := os.Create(logFile)
		must(t, err)
		cmd.Stdout, cmd.Stderr = f, f
		t.Cleanup(func() { f.Close() })
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
}

// freePortPair returns two consecutive TCP ports free on 127.0.0.1.
func freePortPair(t testing.TB) []int {
	t.Helper()
	for i := 0; i < 50; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
		l.Close()
		if err == nil {
			l2.Close()
			return []int{p, p + 1}
		}
	}
	t.Fatal("no two consecutive free ports on 127.0.0.1")
	return nil
}

func waitPort(t testing.TB, port int) {
	t.Helper()
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on 127.0.0.1:%d", port)
}
