package actions

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/token"
)

// failingKey signs n times, then fails as a token that went away does. A
// double: SoftHSM2 cannot lose its token in the middle of a session, and
// the rule under test is what the batch does with the *token.Error.
type failingKey struct {
	crypto.Signer
	left int
}

func (k *failingKey) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	if k.left == 0 {
		return nil, &token.Error{Kind: token.KindTokenRemoved}
	}
	k.left--
	return k.Signer.Sign(r, d, o)
}

// A token error stops the batch: the files after it are not tried (they
// would fail the same way, or need the PIN again); the file signed before
// stays, the failing one leaves nothing.
func TestSignBatchStopsAtTokenError(t *testing.T) {
	key, chain := batchKey(t)
	dir := t.TempDir()
	items := PlanBatch(writePDFs(t, dir, 4), Beside("", "-signed"), SignOptions{})
	sum := SignBatch(context.Background(), items, &failingKey{key, 1}, chain, nil)
	if sum.Signed != 1 || sum.Failed != 1 || sum.NotDone != 2 || !sum.TokenFailed || !token.IsKind(sum.FirstErr, token.KindTokenRemoved) {
		t.Fatalf("%+v", sum)
	}
	if got := names(t, dir); got != "facture-0-signed.pdf,facture-0.pdf,facture-1.pdf,facture-2.pdf,facture-3.pdf" {
		t.Fatalf("files: %s", got)
	}
	if items[2].Signed != nil || items[2].Err != nil || items[3].Signed != nil {
		t.Fatal("a file after the token error was tried")
	}
}

// A file that fails for its own reason (not the token) does not stop the
// others.
func TestSignBatchGoesOnAfterAFileError(t *testing.T) {
	key, chain := batchKey(t)
	dir := t.TempDir()
	ins := writePDFs(t, dir, 3)
	items := PlanBatch(ins, Beside("", "-signed"), SignOptions{})
	os.WriteFile(ins[1], []byte("%PDF-1.7\nbroken since the check"), 0o644) // changed after the check
	sum := SignBatch(context.Background(), items, key, chain, nil)
	if sum.Signed != 2 || sum.Failed != 1 || sum.NotDone != 0 || sum.TokenFailed {
		t.Fatalf("%+v", sum)
	}
}

// "Valid" after signing is one rule: the new signature verifies and the
// document as a whole is fine. A document whose earlier signature is broken
// gets a new signature that verifies by itself, but is not Valid — in a
// batch that file counts as failed, with the verifier's reason.
func TestValidAfterSigningIsTheWholeDocument(t *testing.T) {
	key, chain := batchKey(t)
	dir := t.TempDir()
	in := writePDFs(t, dir, 1)[0]
	once := filepath.Join(dir, "once.pdf")
	if _, err := sign.Sign(context.Background(), in, once, key, chain, sign.Options{}); err != nil {
		t.Fatal(err)
	}
	// break the first signature: one hex digit of its value
	b, _ := os.ReadFile(once)
	i := bytes.Index(b, []byte("/Contents"))
	if i < 0 {
		t.Fatal("no /Contents")
	}
	j := i + bytes.IndexByte(b[i:], '<') + 200
	if b[j] == '0' {
		b[j] = '1'
	} else {
		b[j] = '0'
	}
	os.WriteFile(once, b, 0o644)

	s, err := SignAndVerify(context.Background(), once, filepath.Join(dir, "twice.pdf"), key, chain, sign.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Last.Valid || s.Report.OK || s.Valid() {
		t.Fatalf("last valid %v, report OK %v, Valid %v", s.Last.Valid, s.Report.OK, s.Valid())
	}
	if s.Detail("en") == "" {
		t.Fatal("no reason given")
	}
	items := PlanBatch([]string{once}, Beside("", "-signed"), SignOptions{})
	if items[0].Refused != nil {
		t.Skipf("the check refuses it before the PIN already: %v", items[0].Refused)
	}
	sum := SignBatch(context.Background(), items, key, chain, nil)
	var nv *NotValidError
	if sum.Signed != 0 || sum.Failed != 1 || !errors.As(items[0].Err, &nv) {
		t.Fatalf("%+v %v", sum, items[0].Err)
	}
}

// The checks before the PIN that need the certificate: a B-LT signature
// with a certificate that names no revocation server is refused (B-LT
// would be impossible), unless the person chose to save at a lower level;
// the chain is completed from the certificates at hand.
func TestPrepareLTVWithoutRevocationPointers(t *testing.T) {
	ca, caKey := testCA(t)
	issued := issue(t, ca, caKey)
	_, err := Prepare(context.Background(), issued, []*x509.Certificate{ca}, SignOptions{LTV: true})
	var le *pdfsign.LTVError
	if !errors.As(err, &le) || le.Kind != pdfsign.LTVNoRevInfo {
		t.Fatalf("B-LT without revocation pointers: %v", err)
	}
	p, err := Prepare(context.Background(), issued, []*x509.Certificate{ca}, SignOptions{LTV: true, AllowLower: true})
	if err != nil || len(p.Chain) != 2 || !p.Chain[1].Equal(ca) {
		t.Fatalf("with AllowLower: %v, chain %d", err, len(p.Chain))
	}
	if _, err := Prepare(context.Background(), nil, nil, SignOptions{}); !token.IsKind(err, token.KindCertNotFound) {
		t.Fatalf("no certificate: %v", err)
	}
}

func testCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func issue(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(8), Subject: pkix.Name{CommonName: "Signer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}
