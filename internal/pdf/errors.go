package pdf

import "fmt"

// ReadError is a failure of the PDF layer (reader, incremental writer). Its
// kinds are a subset of pdfsign's, which turns it into its own *Error at its
// boundary (withPath), so that this layer knows nothing of translations.
type ReadError struct {
	Kind string // "io", "not_pdf", "encrypted", "damaged"
	Err  error
	// noRepair: damage that is not what readers repair by a scan but a
	// crafted structure (a /Prev loop): refused, never rebuilt (repair.go).
	noRepair bool
}

func (e *ReadError) Error() string {
	if e.Err == nil {
		return "pdf: " + e.Kind
	}
	return "pdf: " + e.Kind + ": " + e.Err.Error()
}

func (e *ReadError) Unwrap() error { return e.Err }

const (
	readIO        = "io"
	readNotPDF    = "not_pdf"
	readEncrypted = "encrypted"
	readDamaged   = "damaged"
)

func errIO(err error) error { return &ReadError{Kind: readIO, Err: err} }

func errDamaged(format string, a ...any) error {
	return &ReadError{Kind: readDamaged, Err: fmt.Errorf(format, a...)}
}
