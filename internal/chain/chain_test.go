package chain

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"
)

type node struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64

// issue makes a certificate named cn, issued by parent (nil: self-signed),
// with aia as its caIssuers URL.
func issue(t *testing.T, cn string, parent *node, ca bool, aia ...string) *node {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial++
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: ca, BasicConstraintsValid: true, IssuingCertificateURL: aia}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	}
	signer, issuerCert := key, tmpl
	if parent != nil {
		signer, issuerCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuerCert, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &node{c, key}
}

func names(cs []*x509.Certificate) string {
	s := ""
	for _, c := range cs {
		s += c.Subject.CommonName + ">"
	}
	return s
}

// Each way a chain is built, and where it stops.
func TestBuild(t *testing.T) {
	root := issue(t, "Root", nil, true)
	inter := issue(t, "Inter", root, true, "http://127.0.0.1/inter.crt")
	leaf := issue(t, "Leaf", inter, false, "http://127.0.0.1/inter.crt")
	decoy := issue(t, "Inter", nil, true) // the issuer's name, another key
	ctx := context.Background()

	fetched := 0
	fetch := func(_ context.Context, u string) (*x509.Certificate, error) {
		fetched++
		return inter.cert, nil
	}
	down := errors.New("offline")
	for _, c := range []struct {
		name     string
		pool     []*x509.Certificate
		o        Options
		want     string
		complete bool
		err      error
	}{
		{"from the pool, decoy first", []*x509.Certificate{decoy.cert, root.cert, inter.cert}, Options{}, "Leaf>Inter>Root>", true, nil},
		{"nothing at hand", nil, Options{}, "Leaf>", false, nil},
		{"intermediate downloaded", []*x509.Certificate{root.cert}, Options{Fetch: fetch}, "Leaf>Inter>Root>", true, nil},
		{"download fails", nil, Options{Fetch: func(context.Context, string) (*x509.Certificate, error) { return nil, down }}, "Leaf>", false, down},
		{"root from the fallback", []*x509.Certificate{inter.cert}, Options{Fallback: []*x509.Certificate{root.cert}}, "Leaf>Inter>Root>", true, nil},
		{"filter keeps the CA out", []*x509.Certificate{inter.cert, root.cert}, Options{Filter: func(c *x509.Certificate) bool { return c != inter.cert }}, "Leaf>", false, nil},
	} {
		r := Build(ctx, leaf.cert, c.pool, c.o)
		if names(r.Chain) != c.want || r.Complete != c.complete || !errors.Is(r.FetchErr, c.err) {
			t.Errorf("%s: %s complete=%v err=%v", c.name, names(r.Chain), r.Complete, r.FetchErr)
		}
	}
	if fetched != 1 {
		t.Errorf("%d downloads", fetched)
	}
	if r := Build(ctx, root.cert, nil, Options{}); !r.Complete || len(r.Chain) != 1 || !SelfSigned(root.cert) {
		t.Errorf("a root alone: %+v", r)
	}
}

// Thousands of certificates named like the issuer: the checks stop at
// MaxChecks.
func TestBuildBounded(t *testing.T) {
	root := issue(t, "Root", nil, true)
	leaf := issue(t, "Leaf", root, false)
	decoy := issue(t, "Root", nil, true)
	pool := make([]*x509.Certificate, 0, 2*MaxChecks)
	for range 2 * MaxChecks {
		pool = append(pool, decoy.cert)
	}
	pool = append(pool, root.cert)
	r := Build(context.Background(), leaf.cert, pool, Options{})
	if !r.Bounded || len(r.Chain) != 1 {
		t.Fatalf("%+v", r)
	}
}
