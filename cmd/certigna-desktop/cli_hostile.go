package main

import (
	"bytes"
	"crypto/x509"
	"os"
	"runtime/debug"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/token"
)

// checkCodeRange refuses, before the token sees it, a PIN or admin code
// whose length is outside the token's range: it cannot be right, and
// sending it would cost a try. It prints why and returns exit 2.
func (e *Env) checkCodeRange(t token.TokenInfo, code string, so bool) (int, bool) {
	lo, hi := t.MinPIN, t.MaxPIN
	if hi == 0 || hi > 255 {
		hi = 255
	}
	if lo < 1 {
		lo = 1
	}
	if n := len(code); n < lo || n > hi { // PKCS#11 counts bytes
		key := "hostile.cli.code_length"
		if so {
			key += ".so"
		}
		return e.fail(exitUsage, e.T(key, map[string]any{"Min": lo, "Max": hi})), false
	}
	return 0, true
}

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
