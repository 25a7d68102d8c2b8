package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func oid(s string) asn1.ObjectIdentifier {
	var o asn1.ObjectIdentifier
	for _, p := range strings.Split(s, ".") {
		n, _ := strconv.Atoi(p)
		o = append(o, n)
	}
	return o
}

func TestCheckAlgorithms(t *testing.T) {
	rsaK, ecK, edK := &rsa.PublicKey{}, &ecdsa.PublicKey{}, ed25519.PublicKey{}
	const sha256, sha1, sha512, md5 = "2.16.840.1.101.3.4.2.1", "1.3.14.3.2.26", "2.16.840.1.101.3.4.2.3", "1.2.840.113549.2.5"
	for _, c := range []struct {
		digest, sigAlg string
		pub            any
		want           string // "ok SHA-256", "mismatch", "unsupported"
	}{
		{sha256, "1.2.840.113549.1.1.1", rsaK, "ok SHA-256"},
		{sha256, "1.2.840.113549.1.1.11", rsaK, "ok SHA-256"},
		{sha1, "1.2.840.113549.1.1.5", rsaK, "ok SHA-1"},
		{md5, "1.2.840.113549.1.1.4", rsaK, "ok MD5"},
		{sha256, "1.2.840.113549.1.1.10", rsaK, "ok SHA-256"},
		{sha256, "1.2.840.10045.4.3.2", ecK, "ok SHA-256"},
		{sha256, "1.2.840.10045.2.1", ecK, "ok SHA-256"},
		{sha256, "0.4.0.127.0.7.1.1.4.1.3", ecK, "ok SHA-256"}, // ecdsa-plain-SHA256 (BSI)
		{sha256, "0.4.0.127.0.7.1.1.4.1.4", ecK, "mismatch"},
		{sha512, "1.3.101.112", edK, "ok SHA-512"},
		{sha256, "1.2.840.10045.4.3.2", rsaK, "mismatch"},   // an EC OID with an RSA key
		{sha256, "1.2.840.113549.1.1.13", rsaK, "mismatch"}, // sha512WithRSA over a SHA-256 digest
		{sha256, "1.2.840.113549.1.1.11", ecK, "mismatch"},
		{sha256, "1.2.840.10045.4.3.3", ecK, "mismatch"},
		{sha512, "1.3.101.113", nil, "unsupported"}, // Ed448
		{sha256, "1.2.840.10040.4.3", nil, "unsupported"},
		{"1.2.643.7.1.1.2.2", "1.2.643.7.1.1.3.2", nil, "unsupported"}, // GOST
		{sha256, "1.2.840.113549.1.1.11", nil, "unsupported"},
	} {
		h, err := CheckAlgorithms(oid(c.digest), oid(c.sigAlg), c.pub)
		var me *AlgorithmMismatchError
		got := "ok " + crypto.Hash(h).String()
		switch {
		case errors.As(err, &me):
			got = "mismatch"
		case errors.Is(err, ErrUnsupportedAlgorithm):
			got = "unsupported"
		case err != nil:
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s / %s with %T: %s, want %s", c.digest, c.sigAlg, c.pub, got, c.want)
		}
	}
}
