package sign

import (
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// CheckTSACredentials refuses credentials bound for a TSA over plain
// http:// (HTTP basic authentication is clear text) unless
// cfg.HTTPCredentials says the person wants it; a server on the loopback
// interface is not reached through any network and is accepted. Callers
// ask it before the PIN; the TSA client (pdfsign/internal/pki) asks it
// again before sending anything.
func CheckTSACredentials(cfg *pdfsign.TSAConfig) error { return pki.CheckTSACredentials(cfg) }
