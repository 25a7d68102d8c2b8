// Package workflow is what the CLI (cmd/certigna-desktop) and the window's
// backend (ui/backend) both do around token and pdfsign, written once:
// which module to use and what to fall back to (module.go), the gate that
// refuses a locked PIN or an unconfirmed final try before any PIN is typed
// (gate.go), and signing then verifying what was written (sign.go).
package workflow
