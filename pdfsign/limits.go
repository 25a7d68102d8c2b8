package pdfsign

// Hostile input (issue #11). The reader's work bounds live in
// internal/pdf/limits.go; a bound reached comes out of doc.WithPath as a
// *Error of KindLimit whose Err is a *pdf.LimitError (Message names the
// bound). Inputs that are not regular files and panics are refused by
// pdfsign/internal/doc (open.go), the per-signature accounting of Verify is
// verify's limits.go.

// Kinds added by the hostile-input work (errors.go has the others).
const (
	KindLimit      Kind = "limit"       // the file asks for more work than its size can justify
	KindNotRegular Kind = "not_regular" // a pipe, a device, a folder… given as a PDF
)
