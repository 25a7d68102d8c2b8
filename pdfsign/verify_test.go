package pdfsign

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyOwnSignature(t *testing.T) {
	p := getPKI(t)
	dir := t.TempDir()
	in := writeSample(t, dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	if _, err := Sign(in, out, p.ecKey, p.ecChain(), Options{Reason: "Accord", Location: "Lyon"}); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(out, VerifyOptions{Roots: p.roots()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	t.Logf("%s", b)
	if !rep.OK || len(rep.Signatures) != 1 {
		t.Fatalf("report: %s", b)
	}
	s := rep.Signatures[0]
	if !s.Valid || s.Level != "B-B" || !s.CoversWholeDocument || s.Trust != TrustTrusted || s.SignerCN != "Jean Test EC" || s.Reason != "Accord" || s.Hash != "SHA-256" || s.Revision != 2 {
		t.Fatalf("signature: %s", b)
	}
	// Unverifiable trust with another pool does not make it invalid.
	rep, err = Verify(out, VerifyOptions{})
	if err != nil || !rep.OK || rep.Signatures[0].Trust != TrustNotChecked {
		t.Fatalf("without roots: %v %+v", err, rep)
	}
	// The unsigned input has no signature.
	_, err = Verify(in, VerifyOptions{})
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != KindNoSignature {
		t.Fatalf("unsigned: %v", err)
	}
	_ = os.Remove
	_ = strings.Contains
}
