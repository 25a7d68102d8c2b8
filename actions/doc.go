// Package actions is what a person can do with the app, written once for
// both front ends (the window, ui/, and the command line, cmd/): open the
// module and the token (module.go), the gate before a PIN (gate.go), every
// check before the PIN (options.go, prepare.go), sign one document and
// check what was written (sign.go), sign a batch (batch.go), and the trust
// store a verification uses (trust.go). Each decision is made here once;
// the front ends only ask and show.
package actions
