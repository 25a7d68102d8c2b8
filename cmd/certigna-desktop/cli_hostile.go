package main

import (
	"bytes"
	"crypto/x509"
	"os"
	"runtime/debug"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/token"
)

// checkLTVChain: with --ltv, a certificate that names no revocation server
// makes B-LT impossible; known from the token's public objects, before the
// PIN.
func checkLTVChain(m *token.Module, t token.TokenInfo, id []byte) error {
	certs, err := m.Certificates(t.Slot)
	if err != nil {
		return err
	}
	var leaf *x509.Certificate
	var pool []*x509.Certificate
	for _, c := range certs {
		pool = append(pool, c.Cert)
		if bytes.Equal(c.ID, id) && c.HasPrivateKey {
			leaf = c.Cert
		}
	}
	if leaf == nil {
		return nil // the token reports the missing certificate itself
	}
	return pdfsign.CheckChainLTV(leaf, pool)
}

// cliMemoryLimit is the Go heap size past which a CLI run collects garbage
// harder: a real document needs a few tens of MB; a hostile one is stopped
// by the reader's bounds (internal/pdf/limits.go), and this keeps the
// garbage of what it decoded meanwhile from piling up to the process's
// resident size. A soft limit: nothing fails at it.
const cliMemoryLimit = 160 << 20

func softMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cliMemoryLimit)
	}
}
