// Command releasemanifest signs the release manifest the app's update check
// reads (internal/update), or makes a new release key pair.
//
//	go run ./tools/releasemanifest -genkey -key release-ed25519.key   # prints the public key (base64)
//	go run ./tools/releasemanifest -key release-ed25519.key -in manifest.json -out release.json
//
// manifest.json: {"sequence": N (higher than every published one), "version": "X.Y.Z",
// "date": "YYYY-MM-DD", "notes": {"fr": "…", "en": "…"}, "urls": {"windows": "…", "darwin": "…", "linux": "…", "": "…"}}.
// The private key file holds the 32-byte seed in base64; keep it offline.
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/certigna-desktop/app/internal/update"
)

func main() {
	keyFile := flag.String("key", "", "private key file (base64 seed)")
	genkey := flag.Bool("genkey", false, "write a new key to -key and print its public half")
	in := flag.String("in", "", "manifest JSON to sign")
	out := flag.String("out", "", "signed envelope to write")
	flag.Parse()
	if err := run(*keyFile, *genkey, *in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "releasemanifest:", err)
		os.Exit(1)
	}
}

func run(keyFile string, genkey bool, in, out string) error {
	if keyFile == "" {
		return fmt.Errorf("-key is required")
	}
	if genkey {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(priv.Seed())); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Println(base64.StdEncoding.EncodeToString(pub))
		return nil
	}
	b, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return fmt.Errorf("%s: not a base64 ed25519 seed", keyFile)
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var m update.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s: %v", in, err)
	}
	env, err := update.Seal(ed25519.NewKeyFromSeed(seed), m)
	if err != nil {
		return err
	}
	// What the app will accept: checked with the key just used.
	if _, err := update.Open(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey), env); err != nil {
		return fmt.Errorf("%s: %v (sequence > 0 and version X.Y.Z are required)", in, err)
	}
	return os.WriteFile(out, append(env, '\n'), 0o644)
}
