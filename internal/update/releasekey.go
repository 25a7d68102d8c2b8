package update

import (
	"crypto/ed25519"
	"encoding/base64"
)

// Where the release manifest is published, and the public half of the
// ed25519 key that signs it. Both are set by whoever owns the release key
// (`go run ./tools/releasemanifest -genkey` prints a new pair; the private
// half never enters this repository). Until they are set, the app never
// checks: no URL is guessed.
const (
	ManifestURL      = ""
	releaseKeyBase64 = ""
)

// ReleaseKey is the built-in public key (nil until set).
func ReleaseKey() ed25519.PublicKey {
	b, err := base64.StdEncoding.DecodeString(releaseKeyBase64)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil
	}
	return ed25519.PublicKey(b)
}
