package testtoken

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
)

// SpyLibrary is OpenSC's pkcs11-spy (Debian opensc-pkcs11), or "" when not
// installed: a PKCS#11 module that forwards every call to the module named
// by $PKCS11SPY and logs it to $PKCS11SPY_OUTPUT. An independent witness of
// what reaches the token.
func SpyLibrary() string {
	for _, p := range []string{"/usr/lib/x86_64-linux-gnu/pkcs11-spy.so", "/usr/lib/aarch64-linux-gnu/pkcs11-spy.so",
		"/usr/lib64/pkcs11-spy.so", "/usr/lib/pkcs11-spy.so"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Spy is pkcs11-spy placed in front of a real module: load Spy.Path as the
// module (with Setenv in this process, or Env for a child process) and
// count the calls the token saw with Count. The log holds PINs in clear, so
// it lives in a temporary directory removed with the test.
type Spy struct {
	Path string // the spy library to load as the module (a private copy)
	Real string // the module it forwards to
	Log  string // its log file
}

var spyN atomic.Int32

// NewSpy puts pkcs11-spy in front of realModule. Each Spy is a private copy
// of the library: the dynamic loader keeps a library loaded for the life of
// the process, and pkcs11-spy reads its environment only once, when loaded.
func NewSpy(t testing.TB, realModule string) *Spy {
	t.Helper()
	needPrivateCache(t)
	b, err := os.ReadFile(SpyLibrary())
	if err != nil {
		Missing(t, "pkcs11-spy is not installed (apt-get install opensc-pkcs11): "+err.Error())
	}
	dir := t.TempDir()
	s := &Spy{
		Path: filepath.Join(dir, "pkcs11-spy-"+itoa(int(spyN.Add(1)))+".so"),
		Real: realModule,
		Log:  filepath.Join(dir, "spy.log"),
	}
	must(t, os.WriteFile(s.Path, b, 0o755))
	t.Cleanup(func() { _ = os.Remove(s.Log) }) // it holds PINs
	return s
}

// OwnLog is s's library with a log of its own, for another process: one
// module path for all, as when several processes of the app use one token,
// each log counting one process's calls.
func (s *Spy) OwnLog(t testing.TB) *Spy {
	t.Helper()
	dir := t.TempDir()
	o := &Spy{Path: s.Path, Real: s.Real, Log: filepath.Join(dir, "spy.log")}
	t.Cleanup(func() { _ = os.Remove(o.Log) }) // it holds PINs
	return o
}

// Setenv points this process's pkcs11-spy at the real module and the log;
// call it before the spy library is opened.
func (s *Spy) Setenv(t *testing.T) {
	t.Helper()
	t.Setenv("PKCS11SPY", s.Real)
	t.Setenv("PKCS11SPY_OUTPUT", s.Log)
}

// Env is the environment entries for a child process using the spy.
func (s *Spy) Env() []string {
	return []string{"PKCS11SPY=" + s.Real, "PKCS11SPY_OUTPUT=" + s.Log}
}

var spyCall = regexp.MustCompile(`^[0-9]+: (C_[A-Za-z]+)`)

// Calls is every PKCS#11 call logged so far, in order.
func (s *Spy) Calls() []string {
	b, err := os.ReadFile(s.Log)
	if err != nil {
		return nil
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if m := spyCall.FindSubmatch(sc.Bytes()); m != nil {
			out = append(out, string(m[1]))
		}
	}
	return out
}

// Count is how many times the named call (e.g. "C_Login") was logged.
func (s *Spy) Count(name string) int {
	n := 0
	for _, c := range s.Calls() {
		if c == name {
			n++
		}
	}
	return n
}

// Mark is the number of calls logged so far: CountSince(mark, name) counts
// only the calls made after it.
func (s *Spy) Mark() int { return len(s.Calls()) }

// CountSince counts name among the calls logged after mark.
func (s *Spy) CountSince(mark int, name string) int {
	calls := s.Calls()
	n := 0
	for i := mark; i < len(calls); i++ {
		if calls[i] == name {
			n++
		}
	}
	return n
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}
