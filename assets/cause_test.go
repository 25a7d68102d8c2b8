package assets

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The failures people meet reach them in their language, not in the
// system's English: each error below is made by a real call where this
// machine can make it (a write to /dev/full, an open of a missing file, a
// closed port, a server that answers late, a TLS server nobody trusts);
// the others are the errors the system gives, built (a read-only disk, a
// refused access — the tests run as root here —, a missing host name, and
// Windows' own numbers, checked on Windows only).
func TestMessageSaysTheCause(t *testing.T) {
	real := map[string]error{}
	if f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0); err == nil {
		_, werr := f.Write([]byte("x"))
		f.Close()
		real["disk_full"] = werr
	}
	_, real["not_found"] = os.Open(filepath.Join(t.TempDir(), "missing.pdf"))
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		addr := l.Addr().String()
		l.Close()
		_, real["refused"] = net.Dial("tcp", addr)
	}
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	_, real["timeout"] = (&http.Client{Timeout: 50 * time.Millisecond}).Get(slow.URL)
	untrusted := httptest.NewTLSServer(http.NotFoundHandler())
	defer untrusted.Close()
	_, real["server_cert"] = http.Get(untrusted.URL)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	real["timeout (context)"] = ctx.Err()
	built := map[string]error{
		"read_only":    &fs.PathError{Op: "open", Path: "/media/cle/x.pdf", Err: syscall.EROFS},
		"permission":   &fs.PathError{Op: "open", Path: "/srv/x.pdf", Err: syscall.EACCES},
		"disk_error":   &fs.PathError{Op: "read", Path: "/srv/x.pdf", Err: syscall.EIO},
		"unknown_host": &net.DNSError{Err: "no such host", Name: "tsa.exemple.invalid", IsNotFound: true},
		"unreachable":  &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)},
		"cut":          &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)},
	}
	if len(windowsInUse) > 0 {
		built["in_use"] = &fs.PathError{Op: "open", Path: `C:\x.pdf`, Err: syscall.Errno(windowsInUse[0])}
		built["disk_full"] = &fs.PathError{Op: "write", Path: `C:\x.pdf`, Err: syscall.Errno(windowsDiskFull[1])}
	}
	check := func(name string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: the call did not fail", name)
			return
		}
		key, _, _ := strings.Cut(name, " ")
		for _, lang := range Languages {
			got, want := Message(err, lang), T(lang, "cause."+key, nil)
			if got != want {
				t.Errorf("%s in %s: %q, want %q (from %q)", name, lang, got, want, err)
			}
		}
	}
	for name, err := range real {
		check(name, err)
	}
	for name, err := range built {
		check(name, err)
	}
	// Any other error keeps its own text (nothing is hidden from support).
	other := errors.New("x509: malformed certificate")
	if Message(other, "fr") != other.Error() {
		t.Errorf("an unknown error's text changed: %q", Message(other, "fr"))
	}
}

// Every cause has its text in each language.
func TestCauseTexts(t *testing.T) {
	for _, k := range []string{"disk_full", "read_only", "in_use", "permission", "not_found", "disk_error", "unknown_host",
		"refused", "cut", "unreachable", "timeout", "server_cert", "input_changed", "readback_short", "readback_differs"} {
		for _, lang := range Languages {
			if s := T(lang, "cause."+k, nil); s == "" || s == "cause."+k {
				t.Errorf("cause.%s has no %s text", k, lang)
			}
		}
	}
}
