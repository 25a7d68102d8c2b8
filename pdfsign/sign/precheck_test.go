//go:build linux

package sign

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// TestNonRegularInputRefusedBeforeOpen: a FIFO without a writer would block
// os.Open forever; Verify, Check and PageCount refuse it at once.
func TestNonRegularInputRefusedBeforeOpen(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan [3]error, 1)
	go func() {
		_, e1 := verify.Verify(context.Background(), fifo, verify.Options{})
		e2 := Check(fifo, filepath.Join(dir, "o.pdf"), Options{})
		_, e3 := PageCount(fifo)
		done <- [3]error{e1, e2, e3}
	}()
	select {
	case errs := <-done:
		for i, err := range errs {
			if pdftest.ErrKind(err) != pdfsign.KindNotRegular {
				t.Errorf("call %d: %v", i, err)
			}
		}
	case <-time.After(20 * time.Second):
		t.Fatal("blocked on the FIFO")
	}
	if err := Check("/dev/zero", filepath.Join(dir, "o.pdf"), Options{}); pdftest.ErrKind(err) != pdfsign.KindNotRegular {
		t.Errorf("/dev/zero: %v", err)
	}
}

// mountTmpfs mounts a tmpfs of size on a new folder (root only: the tests
// run as root here and in CI; elsewhere they skip).
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		testtoken.Missing(t, "cannot mount a tmpfs (needs root): "+strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// TestCheckOutputPlace: what would fail only after the PIN is found by
// Check: an output folder that is read-only, full or missing, and an
// output name that is a dangling symbolic link.
func TestCheckOutputPlace(t *testing.T) {
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")

	link := filepath.Join(dir, "link.pdf")
	if err := os.Symlink(filepath.Join(dir, "nowhere", "x.pdf"), link); err != nil {
		t.Fatal(err)
	}
	if err := Check(in, link, Options{}); pdftest.ErrKind(err) != KindOutputLink {
		t.Errorf("dangling link: %v", err)
	}
	if err := Check(in, link, Options{Force: true}); err != nil {
		t.Errorf("dangling link with Force (the link itself is replaced): %v", err)
	}
	if err := Check(in, filepath.Join(dir, "missing", "out.pdf"), Options{}); pdftest.ErrKind(err) != KindOutputDir {
		t.Errorf("missing folder: %v", err)
	}

	ro := mountTmpfs(t, "size=8m")
	if out, err := exec.Command("mount", "-o", "remount,ro", ro).CombinedOutput(); err != nil {
		t.Fatalf("remount ro: %v %s", err, out)
	}
	err := Check(in, filepath.Join(ro, "out.pdf"), Options{})
	if pdftest.ErrKind(err) != KindOutputDir || !errors.Is(err, syscall.EROFS) {
		t.Errorf("read-only folder: %v", err)
	}

	full := mountTmpfs(t, "size=1m") // less than the input plus a signature's room
	err = Check(in, filepath.Join(full, "out.pdf"), Options{})
	if pdftest.ErrKind(err) != KindOutputDir || !strings.Contains(err.Error(), "MB free") {
		t.Errorf("full folder: %v", err)
	}
	ents, _ := os.ReadDir(full)
	if len(ents) != 0 {
		t.Errorf("the probe file was left: %v", ents)
	}
	// And Sign itself is fine where Check is.
	if err := Check(in, filepath.Join(dir, "out.pdf"), Options{}); err != nil {
		t.Errorf("writable folder: %v", err)
	}
}

// TestCheckTSAReachable: a TSA nobody listens for is found before the PIN
// (a TCP connection, no time-stamp asked); a listening one passes; with
// AllowLower the check is not made (signing goes on at B-B).
func TestCheckTSAReachable(t *testing.T) {
	dir := t.TempDir()
	in := pdftest.WriteSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan bool, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			c.Close()
		}
		accepted <- err == nil
	}()
	open := "http://" + l.Addr().String() + "/tsa"
	if err := Check(in, out, Options{TSA: &pdfsign.TSAConfig{URL: open}}); err != nil {
		t.Errorf("listening TSA: %v", err)
	}
	if !<-accepted {
		t.Error("no connection was made")
	}
	l.Close() // now nobody listens on that port
	var le *pdfsign.LTVError
	err = Check(in, out, Options{TSA: &pdfsign.TSAConfig{URL: open}})
	if !errors.As(err, &le) || le.Kind != pdfsign.LTVTSAUnreachable {
		t.Errorf("closed TSA: %v", err)
	}
	// Said in the person's words, not the system's English.
	if msg := assets.Message(err, "fr"); !strings.Contains(msg, assets.T("fr", "cause.refused", nil)) || strings.Contains(msg, "refused") {
		t.Errorf("closed TSA, in French: %q", msg)
	}
	if err := Check(in, out, Options{TSA: &pdfsign.TSAConfig{URL: open}, AllowLower: true}); err != nil {
		t.Errorf("closed TSA with AllowLower: %v", err)
	}
}

// TestCheckChainLTV: a B-LT chain whose leaf or intermediate names no OCSP
// responder and no CRL is refused before the PIN; one that names them (up
// to a self-signed root) passes.
func TestCheckChainLTV(t *testing.T) {
	p := pkitest.SharedKeys(t)
	var le *pdfsign.LTVError
	if err := CheckChainLTV(p.RSACert, []*x509.Certificate{p.CA}); !errors.As(err, &le) || le.Kind != pdfsign.LTVNoRevInfo {
		t.Errorf("leaf without pointers: %v", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "with OCSP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		OCSPServer: []string{"http://127.0.0.1:1/ocsp"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, &p.ECKey.PublicKey, p.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	if err := CheckChainLTV(leaf, []*x509.Certificate{p.CA}); err != nil {
		t.Errorf("leaf with OCSP under a root: %v", err)
	}
	if err := CheckChainLTV(nil, nil); pdftest.ErrKind(err) != pdfsign.KindCertificate {
		t.Errorf("no leaf: %v", err)
	}
}
