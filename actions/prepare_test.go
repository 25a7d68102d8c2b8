package actions

import (
	"context"
	"errors"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
)

// Before the PIN, for B-LT: the revocation servers must accept a connection
// (nothing is requested from them), and an address where this action's
// chain download just failed is not tried again after the PIN. With the
// "save anyway" choice nothing is refused. The holder's certificate alone
// is known (the issuer comes from its AIA, on the same test server).
func TestPrepareRevocationServersBeforePIN(t *testing.T) {
	p := pkitest.New(t)
	o := SignOptions{TSAURL: p.TSAURL(), LTV: true}
	ctx := context.Background()
	if _, err := Prepare(ctx, p.Signer, nil, o); err != nil {
		t.Fatalf("servers up: %v", err)
	}
	ocsp, crl := p.Requests("ocsp"), p.Requests("crl")

	p.SetCRL(pkitest.Down) // the issuer's download (same address) fails first
	pr, err := Prepare(ctx, p.Signer, nil, o)
	var le *pdfsign.LTVError
	if pr.ChainWarning == nil || !errors.As(err, &le) || le.Kind != pdfsign.LTVRevOffline {
		t.Fatalf("address already failed: warning %v, error %v", pr.ChainWarning, err)
	}
	if p.Requests("ocsp") != ocsp || p.Requests("crl") != crl {
		t.Fatal("a revocation server was asked before the PIN")
	}
	o.AllowLower = true
	if _, err := Prepare(ctx, p.Signer, nil, o); err != nil {
		t.Fatalf("with save-anyway: %v", err)
	}
	o.AllowLower = false
	p.SetCRL(pkitest.Normal)

	p.Server.Close() // nothing listens any more: the connection is refused
	if _, err := Prepare(ctx, p.Signer, p.Chain()[1:], o); !errors.As(err, &le) || le.Kind != pdfsign.LTVRevOffline {
		t.Fatalf("servers down: %v", err)
	}
}
