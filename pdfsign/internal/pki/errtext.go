package pki

import (
	"encoding/asn1"
	"errors"
	"strings"
)

// ParseErrText is a parse error of DER data (OCSP, CRL, CMS) for a person:
// encoding/asn1 errors dump Go struct fields ("{class:0 tag:2 …}
// {optional:false …}"), which say nothing to anyone; they become one
// sentence naming what was being read.
func ParseErrText(what string, err error) string {
	if err == nil {
		return ""
	}
	var se asn1.StructuralError
	var sy asn1.SyntaxError
	msg := err.Error()
	if errors.As(err, &se) || errors.As(err, &sy) || strings.HasPrefix(msg, "asn1:") || strings.Contains(msg, "{class:") {
		return what + ": malformed data (not valid DER)"
	}
	// Any other message: cut at the first Go struct dump, if one slipped in.
	if i := strings.IndexAny(msg, "{"); i > 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	return what + ": " + msg
}
