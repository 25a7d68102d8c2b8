package pdfsign

import (
	"crypto"
	"crypto/x509"
	"net/http"
	"os"
	"time"
)

// Where and how to ask for RFC 3161 time-stamps; the client itself is
// pdfsign/internal/pki's tsa.go.

// Environment variables holding the TSA's HTTP basic credentials. They are
// read from the environment and never from the command line, where other
// users could see them in the process list.
const (
	EnvTSAUser     = "CERTIGNA_TSA_USER"
	EnvTSAPassword = "CERTIGNA_TSA_PASSWORD"
)

// TSAConfig says where and how to ask for timestamps.
type TSAConfig struct {
	URL      string
	Username string        // HTTP basic user; empty: none (see TSAConfigFromEnv)
	Password string        // HTTP basic password; never logged
	Timeout  time.Duration // whole exchange; default 20 s
	Hash     crypto.Hash   // imprint hash; default SHA-256
	// Roots, when set, must validate the TSA certificate's chain. When nil
	// only the EKU and the token's signature are checked (the chain is then
	// judged by Verify against the trust store).
	Roots  *x509.CertPool
	Client *http.Client // nil: a client with Timeout
	// HTTPCredentials allows sending Username/Password over plain http://,
	// where anyone on the path reads them; without it such a URL with
	// credentials is refused (CheckTSACredentials), before the PIN.
	HTTPCredentials bool
}

// TSAConfigFromEnv returns a config for url with the credentials taken from
// CERTIGNA_TSA_USER / CERTIGNA_TSA_PASSWORD when they are set.
func TSAConfigFromEnv(rawURL string) *TSAConfig {
	return &TSAConfig{URL: rawURL, Username: os.Getenv(EnvTSAUser), Password: os.Getenv(EnvTSAPassword)}
}
