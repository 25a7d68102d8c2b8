// Package verify verifies the signatures of any PDF and tells what changed
// after each one. It never uses the network.
//
// Verify is a sequence of steps (see Verify and checkOne): the signature
// fields (pdfsign/internal/doc's sigfields.go), the revisions (verify_changes.go),
// byte range and CMS (verify_signature.go, verify_x509sha1.go), timestamp
// and embedded revocation data (verify_ltv.go), the level (padesLevel),
// then what changed after each signature and whether it was allowed
// (changes*.go), what it changed on the pages (verify_visual*.go) and the
// levels that need every signature (levels.go). The report (report.go) and
// its verdict in words (verdict*.go) are what callers show.
package verify
