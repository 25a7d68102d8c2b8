//go:build !windows && !darwin

package browsers

import "crypto/x509"

// SystemStore: Linux has no system store for client certificates; its
// browsers read NSS databases (see Discover).
func SystemStore(*x509.Certificate) SystemCheck { return SystemCheck{} }
