package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	_ "crypto/md5" // old signatures are verified truthfully (and reported weak)
	"crypto/rsa"
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Algorithm consistency, as OpenSSL, poppler and DSS require: the
// SignerInfo's signatureAlgorithm must fit the signer's key, and a hash it
// names must be the digestAlgorithm. An algorithm nobody here implements
// (Ed448, DSA, GOST…) is "unsupported", never "invalid".

// ErrUnsupportedAlgorithm: the signature cannot be checked here.
var ErrUnsupportedAlgorithm = errors.New("algorithm not supported")

// AlgorithmMismatchError: the stated algorithm does not fit the key or the digest.
type AlgorithmMismatchError struct{ Detail string }

func (e *AlgorithmMismatchError) Error() string { return "algorithm mismatch: " + e.Detail }

type sigAlgInfo struct {
	key   string      // rsa, rsapss, ec, ed25519, ed448, dsa
	hash  crypto.Hash // the hash the OID names, 0 if none
	plain bool        // ECDSA value as r||s (BSI TR-03111), not DER
}

// oidPSSMGF1 is MGF1, the only mask generation of RSASSA-PSS.
var oidPSSMGF1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}

var sigAlgTable = map[string]sigAlgInfo{
	"1.2.840.113549.1.1.1":    {"rsa", 0, false},
	"1.2.840.113549.1.1.4":    {"rsa", crypto.MD5, false},
	oidSHA1WithRSA.String():   {"rsa", crypto.SHA1, false},
	"1.2.840.113549.1.1.14":   {"rsa", crypto.SHA224, false},
	oidSHA256WithRSA.String(): {"rsa", crypto.SHA256, false},
	oidSHA384WithRSA.String(): {"rsa", crypto.SHA384, false},
	oidSHA512WithRSA.String(): {"rsa", crypto.SHA512, false},
	"1.2.840.113549.1.1.10":   {"rsapss", 0, false},
	"1.2.840.10045.2.1":       {"ec", 0, false}, // id-ecPublicKey, written by some signers
	"1.2.840.10045.4.1":       {"ec", crypto.SHA1, false},
	"1.2.840.10045.4.3.1":     {"ec", crypto.SHA224, false},
	"1.2.840.10045.4.3.2":     {"ec", crypto.SHA256, false},
	"1.2.840.10045.4.3.3":     {"ec", crypto.SHA384, false},
	"1.2.840.10045.4.3.4":     {"ec", crypto.SHA512, false},
	"0.4.0.127.0.7.1.1.4.1.1": {"ec", crypto.SHA1, true}, // ecdsa-plain-SHA* (BSI TR-03111)
	"0.4.0.127.0.7.1.1.4.1.2": {"ec", crypto.SHA224, true},
	"0.4.0.127.0.7.1.1.4.1.3": {"ec", crypto.SHA256, true},
	"0.4.0.127.0.7.1.1.4.1.4": {"ec", crypto.SHA384, true},
	"0.4.0.127.0.7.1.1.4.1.5": {"ec", crypto.SHA512, true},
	"1.3.101.112":             {"ed25519", 0, false},
	"1.3.101.113":             {"ed448", 0, false},
	"1.2.840.10040.4.1":       {"dsa", 0, false},
	"1.2.840.10040.4.3":       {"dsa", crypto.SHA1, false},
	"2.16.840.1.101.3.4.3.2":  {"dsa", crypto.SHA256, false},
}

var digestAlgTable = map[string]crypto.Hash{
	"1.2.840.113549.2.5":     crypto.MD5,
	"1.3.14.3.2.26":          crypto.SHA1,
	"2.16.840.1.101.3.4.2.4": crypto.SHA224,
	"2.16.840.1.101.3.4.2.1": crypto.SHA256,
	"2.16.840.1.101.3.4.2.2": crypto.SHA384,
	"2.16.840.1.101.3.4.2.3": crypto.SHA512,
}

// DigestHash is the hash a digestAlgorithm OID names (MD5 included, for
// verifying old files).
func DigestHash(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	h, ok := digestAlgTable[oid.String()]
	return h, ok
}

// CheckAlgorithms returns the hash of digestAlg after checking that sigAlg
// fits the key pub and names no other hash.
func CheckAlgorithms(digestAlg, sigAlg asn1.ObjectIdentifier, pub any) (crypto.Hash, error) {
	h, ok := DigestHash(digestAlg)
	if !ok {
		return 0, fmt.Errorf("%w: digest %v", ErrUnsupportedAlgorithm, digestAlg)
	}
	info, ok := sigAlgTable[sigAlg.String()]
	if !ok {
		return 0, fmt.Errorf("%w: signature %v", ErrUnsupportedAlgorithm, sigAlg)
	}
	var key string
	switch pub.(type) {
	case *rsa.PublicKey:
		key = "rsa"
	case *ecdsa.PublicKey:
		key = "ec"
	case ed25519.PublicKey:
		key = "ed25519"
	}
	switch {
	case info.key == "ed448" || info.key == "dsa":
		return 0, fmt.Errorf("%w: %s", ErrUnsupportedAlgorithm, info.key)
	case key == "":
		return 0, fmt.Errorf("%w: key type %T", ErrUnsupportedAlgorithm, pub)
	case key == "rsa" && info.key == "rsapss":
	case key != info.key:
		return 0, &AlgorithmMismatchError{Detail: fmt.Sprintf("signature algorithm %v with a %s key", sigAlg, key)}
	}
	if info.hash != 0 && info.hash != h {
		return 0, &AlgorithmMismatchError{Detail: fmt.Sprintf("signature algorithm names %v, digest algorithm is %v", info.hash, h)}
	}
	return h, nil
}

// plainECDSA reports whether sigAlg gives the ECDSA value as r||s.
func plainECDSA(sigAlg asn1.ObjectIdentifier) bool { return sigAlgTable[sigAlg.String()].plain }

// plainToASN1 turns an r||s ECDSA value into the DER SEQUENCE Go verifies.
func plainToASN1(sig []byte) []byte {
	if len(sig) == 0 || len(sig)%2 != 0 {
		return sig
	}
	n := len(sig) / 2
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(new(big.Int).SetBytes(sig[:n]))
		b.AddASN1BigInt(new(big.Int).SetBytes(sig[n:]))
	})
	out, err := b.Bytes()
	if err != nil {
		return sig
	}
	return out
}
