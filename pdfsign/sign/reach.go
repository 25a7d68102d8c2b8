package sign

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/doc"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// What can be known of the servers before the PIN without a request that
// may be billed or logged as a signature's: that they accept a TCP
// connection, and that an earlier request of this same action (the chain's
// AIA download) did not already fail on the same address.

// serverAddr is the host:port a URL's request goes to (the proxy's, when
// the environment names one), or "" for a URL that is not http(s).
func serverAddr(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	target := u
	if p, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err == nil && p != nil {
		target = p
	}
	if target.Port() != "" {
		return target.Host
	}
	port := "80"
	if target.Scheme == "https" {
		port = "443"
	}
	return net.JoinHostPort(target.Hostname(), port)
}

// FailedAddresses are the server addresses named by the *LTVError in errs
// (e.g. the *ChainWarning of CompleteChain), for CheckRevocationReachable.
func FailedAddresses(errs ...error) []string {
	var out []string
	for _, err := range errs {
		if cw, ok := err.(*ChainWarning); ok {
			err = cw.Err
		}
		var le *pdfsign.LTVError
		if errors.As(err, &le) && le.URL != "" {
			if a := serverAddr(le.URL); a != "" {
				out = append(out, a)
			}
		}
	}
	return out
}

// CheckRevocationReachable tells before the PIN whether a B-LT signature
// with chain (leaf first, as CompleteChain returns it) can get its
// revocation data: every certificate but a self-signed root must name an
// OCSP responder or a CRL whose server accepts a TCP connection and is not
// at one of the addresses in failed (where a request of this action already
// failed). Nothing is requested. timeout bounds each connection (0: 5 s).
func CheckRevocationReachable(ctx context.Context, chain []*x509.Certificate, failed []string, timeout time.Duration) error {
	if timeout <= 0 || timeout > dialTimeout {
		timeout = dialTimeout
	}
	bad := map[string]bool{}
	for _, a := range failed {
		bad[a] = true
	}
	tried := map[string]error{}
	dial := func(addr string) error {
		if err, ok := tried[addr]; ok {
			return err
		}
		d := net.Dialer{Timeout: timeout}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
		}
		tried[addr] = err
		return err
	}
	for _, c := range chain {
		if c == nil || pki.RevSelfSigned(c) || pki.RevNoCheck(c) {
			continue
		}
		urls := append(append([]string(nil), c.OCSPServer...), c.CRLDistributionPoints...)
		if len(urls) == 0 {
			return doc.NewLTVError(pdfsign.LTVNoRevInfo, "", pki.RevName(c), nil)
		}
		var firstURL, why string // why: a server of this certificate failed before
		var lastErr error
		reachable := false
		for _, u := range urls {
			addr := serverAddr(u)
			if addr == "" {
				continue
			}
			if firstURL == "" {
				firstURL = u
			}
			if bad[addr] {
				why = "already failed"
				continue
			}
			if err := dial(addr); err != nil {
				lastErr = err
				continue
			}
			reachable = true
			break
		}
		if !reachable {
			switch {
			case lastErr != nil: // said by its cause when it is a common one (pdfsign.LTVError.Message)
				return doc.NewLTVError(pdfsign.LTVRevOffline, redacted(firstURL), pki.NetDetail(lastErr), lastErr)
			case why != "":
				return doc.NewLTVDetail(pdfsign.LTVRevOffline, redacted(firstURL), "already_failed", nil, nil)
			}
			return doc.NewLTVDetail(pdfsign.LTVRevOffline, redacted(firstURL), "no_http_server", nil, nil)
		}
	}
	return nil
}

func redacted(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	return strings.TrimSpace(raw)
}

// dialTimeout bounds the reachability probe.
const dialTimeout = 5 * time.Second
