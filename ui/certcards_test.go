package ui

import (
	"bytes"
	"strings"
	"testing"
)

// A token with two certificates that differ only by their key (the test
// token's RSA and EC ones: same holder, issuer, dates and usages) shows two
// cards and two choices that read differently, in words (no key type, no
// DN), and a new token signs by default with the RSA signing certificate.
func TestTwoLookalikeCertificatesAreToldApart(t *testing.T) {
	tok := softhsm(t)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := start(t, tok, lang)
			h.app.show(screenToken)
			want := map[string]string{"fr": "Certificat de signature", "en": "Signing certificate"}[lang]
			var cards []string
			for _, s := range texts(h.win) {
				if strings.HasPrefix(s, want) && (len(cards) == 0 || cards[len(cards)-1] != s) { // a card's title is laid out twice
					cards = append(cards, s)
				}
			}
			if len(cards) != 2 || cards[0] == cards[1] {
				t.Fatalf("token screen: want two different signing-certificate cards, got %q", cards)
			}
			noJargon(t, "card", cards)

			h.app.show(screenSign)
			v := h.app.signView()
			if v == nil || v.cert == nil {
				t.Fatal("no sign screen")
			}
			opts := v.cert.Options
			if len(opts) != 2 || opts[0] == opts[1] {
				t.Fatalf("sign screen: want two different choices, got %q", opts)
			}
			noJargon(t, "choice", opts)
			for _, o := range opts {
				if o != cards[0] && o != cards[1] {
					t.Errorf("choice %q is not named as on the token screen (%q)", o, cards)
				}
			}
			i := v.cert.SelectedIndex()
			if i < 0 {
				t.Fatal("no certificate chosen by default")
			}
			// which one is the RSA one: the token screen and the choices
			// use the same words, so find it through the token's objects
			var rsaName string
			for _, c := range h.app.certList() {
				if bytes.Equal(c.ID, tok.RSAID) {
					rsaName = h.app.certNameFor(c)
				}
			}
			if opts[i] != rsaName {
				t.Fatalf("default certificate %q, want the RSA signing one %q", opts[i], rsaName)
			}
			for _, s := range texts(h.win) {
				noJargon(t, "sign screen", []string{s})
			}
		})
	}
}

func noJargon(t *testing.T, what string, ss []string) {
	t.Helper()
	for _, s := range ss {
		for _, bad := range []string{"ECDSA", "RSA", "CN=", "ec-cert", "EC signature"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s %q says %q", what, s, bad)
			}
		}
	}
}
