// Package trust says which certificates are trusted: the trust store (the
// system's roots and the person's own certificates, trust.go), the EU
// trusted lists (trustlist.go) and the chain check (CheckChain) verify uses
// for each signer. Whether a document is trusted is the caller's decision
// (actions/trust.go).
package trust
