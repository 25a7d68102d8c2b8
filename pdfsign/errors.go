package pdfsign

import (
	"errors"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/pdf"
)

// Kind classifies the errors a person can cause or meet.
type Kind string

// Error kinds. The CLI maps NotPDF, Damaged, Encrypted and Unsupported to exit
// code 7 and NoSignature to 8.
const (
	KindNotPDF        Kind = "not_pdf"         // the file is not a PDF at all
	KindDamaged       Kind = "damaged"         // cross-reference table or objects unreadable
	KindEncrypted     Kind = "encrypted"       // password-protected / encrypted PDF
	KindUnsupported   Kind = "unsupported"     // a PDF feature we cannot sign safely
	KindOutputExists  Kind = "output_exists"   // the output exists and Force is off
	KindSameFile      Kind = "same_file"       // the output would overwrite the input
	KindPageRange     Kind = "page_range"      // Options.Page outside the document
	KindNoSignature   Kind = "no_signature"    // Verify: the file has no signature
	KindSigner        Kind = "signer"          // the signer (token) refused or failed
	KindCertificate   Kind = "certificate"     // signer certificate missing or unusable
	KindHash          Kind = "hash"            // hash algorithm not supported
	KindIO            Kind = "io"              // reading or writing a file failed
	KindInternal      Kind = "internal"        // a bug: should never happen
	KindInputNotFound Kind = "input_not_found" // the input file does not exist
	KindCanceled      Kind = "canceled"        // the caller's context ended (e.g. the window's cancel button)
	KindRevisionRange Kind = "revision_range"  // SignedVersion: no such revision in the document
)

// Error is the error type of this package: errors.As(err, &*pdfsign.Error)
// gives the Kind; Message gives the text for a person.
type Error struct {
	Kind Kind
	Path string // the file concerned, if any
	Err  error  // the underlying cause, if any (technical detail)
}

func (e *Error) Error() string {
	s := "pdfsign: " + string(e.Kind)
	if e.Path != "" {
		s += ": " + e.Path
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Message is the error for a person, in lang ("fr" or "en").
func (e *Error) Message(lang string) string {
	data := map[string]any{"Path": e.Path, "Err": ""}
	if e.Err != nil {
		data["Err"] = assets.Message(e.Err, lang)
	}
	if le := (*pdf.LimitError)(nil); errors.As(e.Err, &le) { // the bound reached, in words (limits.go)
		data["Err"] = assets.T(lang, "pdf.limit."+le.What, map[string]any{"Limit": le.Limit})
	}
	return assets.T(lang, "pdf.err."+string(e.Kind), data)
}

// KindForbidden: the document itself forbids this signature (permissions
// of an encrypted file, a locked or seeded signature field, a FieldMDP
// lock on everything). Exit code 7, like the other refused inputs.
const KindForbidden Kind = "forbidden"
