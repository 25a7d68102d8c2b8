// Package testhook holds the checks tests install around the product's
// steps. Nil outside tests: the product never sets them.
package testhook

// Signed, when set, is called with the input and the output of every
// successful signature (pdfsign.Sign); an error fails that Sign call.
// Tests set it to refcheck.CheckFiles so that every file any test signs —
// through the package, the CLI, the batch or the window — is checked for
// reference stability (issue 21).
var Signed func(in, out string) error
