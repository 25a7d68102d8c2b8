package pki

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign"
	"golang.org/x/crypto/ocsp"
)

// TestParseErrorsWithoutStructDumps: a garbage OCSP response, CRL, CMS or
// time-stamp token gives a sentence, never encoding/asn1's dump of Go
// struct fields.
func TestParseErrorsWithoutStructDumps(t *testing.T) {
	p := pkitest.SharedKeys(t)
	garbage := []byte{0x30, 0x03, 0x02, 0x01, 0x05}
	var errs []error
	_, err := checkOCSP(garbage, p.RSACert, p.CA, time.Now())
	errs = append(errs, err)
	errs = append(errs, checkCRL(garbage, p.RSACert, p.CA, "http://crl.example/ca.crl", time.Now()))
	_, err = VerifyTimestampToken(garbage, []byte("x"), nil, time.Time{})
	errs = append(errs, err)
	var x struct{ A int }
	_, raw := asn1.Unmarshal([]byte{0x30, 0x03, 0x04, 0x01, 0x05}, &x)
	_, oerr := ocsp.ParseResponse(garbage, nil)
	_, cerr := x509.ParseRevocationList(garbage)
	for _, e := range []error{raw, oerr, cerr} {
		errs = append(errs, errors.New(ParseErrText("data", e)))
	}
	for i, err := range errs {
		if err == nil {
			t.Fatalf("%d: no error for garbage", i)
		}
		msg := err.Error()
		if le := (*pdfsign.LTVError)(nil); errors.As(err, &le) {
			msg = le.Message("en") + " | " + le.Message("fr")
		}
		if strings.Contains(msg, "{class:") || strings.Contains(msg, "optional:false") || strings.Contains(msg, "{") {
			t.Errorf("%d: struct dump in %q", i, msg)
		}
	}
}
