package ui

import (
	"context"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// A token that holds only the leaf (no CA object): the window completes the
// chain as the CLI does (issue #14) — offline, the signature is made with a
// warning on screen; online, the intermediate comes from the leaf's AIA
// caIssuers URL (a local server) and a validator that trusts only the root
// recognises the signer.
func TestWindowChainFromAIA(t *testing.T) {
	testtoken.Need(t, "openssl")
	tok := softhsm(t)
	pk := pkitest.New(t, pkitest.WithIntermediate())
	tok.Tool(t, "--login", "--pin", tok.PIN, "--delete-object", "--type", "cert", "--id", "ca")
	keyDER := filepath.Join(t.TempDir(), "k.der")
	if out, err := exec.Command("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", pk.SignerKeyPEM, "-outform", "DER", "-out", keyDER).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	// the public key too: before login a token shows only public objects,
	// which is how the window knows the certificate has a key
	pubDER := filepath.Join(t.TempDir(), "p.der")
	if out, err := exec.Command("openssl", "pkey", "-in", pk.SignerKeyPEM, "-pubout", "-outform", "DER", "-out", pubDER).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v %s", err, out)
	}
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", pubDER, "--type", "pubkey", "--id", "05", "--label", "leaf")
	certDER := filepath.Join(t.TempDir(), "c.der")
	os.WriteFile(certDER, pk.Signer.Raw, 0o600)
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", keyDER, "--type", "privkey", "--id", "05", "--label", "leaf")
	tok.Tool(t, "--login", "--pin", tok.PIN, "--write-object", certDER, "--type", "cert", "--id", "05", "--label", "leaf")
	root := x509.NewCertPool()
	rootPEM, _ := os.ReadFile(pk.CAPEM)
	root.AppendCertsFromPEM(rootPEM)

	h := start(t, tok, "fr")
	// Offline first (an incomplete chain is not remembered), then online.
	for _, online := range []bool{false, true} {
		if online {
			pk.SetCRL(pkitest.Normal)
		} else {
			pk.SetCRL(pkitest.Down) // also takes the caIssuers downloads down
		}
		v, _ := sampleInput(t, h)
		picked := false
		leafName := ""
		for _, c := range h.app.certList() {
			if c.Cert != nil && c.Cert.Equal(pk.Signer) {
				leafName = h.app.certNameFor(c)
			}
		}
		for i, o := range v.cert.Options {
			if leafName != "" && o == leafName {
				v.cert.SetSelectedIndex(i)
				picked = true
			}
		}
		if !picked {
			ts, _ := h.svc.Tokens()
			cs, err := h.svc.Certificates(ts[0].Slot)
			for _, c := range cs {
				t.Logf("%s %x key=%v %v", c.Label, c.ID, c.HasPrivateKey, c.KeyUsage)
			}
			t.Fatalf("the leaf is not offered: %q %v", v.cert.Options, err)
		}
		h.settle()
		v.pin.SetText("")
		test.Type(v.pin, tok.PIN)
		test.Tap(v.submit)
		h.settle()
		if v.output == "" {
			t.Fatalf("online=%v: not signed: %q", online, v.status.Text)
		}
		warned := false
		for _, s := range texts(h.win) {
			if strings.Contains(s, "chaîne de certificats de la signature est incomplète") {
				warned = true
			}
		}
		rep, err := verify.Verify(context.Background(), v.output, verify.Options{Roots: root})
		if err != nil || len(rep.Signatures) == 0 {
			t.Fatalf("verify: %v", err)
		}
		trusted := rep.Signatures[len(rep.Signatures)-1].Trust == verify.TrustTrusted
		if online && (!trusted || warned) {
			t.Fatalf("online: trusted %v, warning shown %v", trusted, warned)
		}
		if !online && (trusted || !warned) {
			t.Fatalf("offline: trusted %v, warning shown %v:\n%s", trusted, warned, strings.Join(texts(h.win), "\n"))
		}
	}
}
