package actions

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/browsers"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/token"
)

// The advice each error gets, wrapped or not.
func TestHintOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want Hint
	}{
		{&token.Error{Kind: token.KindModuleNotFound}, HintModule},
		{fmt.Errorf("open: %w", &token.Error{Kind: token.KindFinalTry}), HintFinalTry},
		{&token.Error{Kind: token.KindPINLocked}, HintNone},
		{&browsers.Error{Kind: browsers.KindNoModule}, HintModule},
		{&pdfsign.LTVError{Kind: pdfsign.LTVTSAUnreachable}, HintAllowLower},
		{&LevelError{Step: pdfsign.StepRevocation, Err: &pdfsign.LTVError{Kind: pdfsign.LTVRevOffline}}, HintAllowLower},
		{&pdfsign.LTVError{Kind: pdfsign.LTVTSAAuth}, HintTSALogin},
		{&pdfsign.LTVError{Kind: pdfsign.LTVTSAGarbage}, HintNone},
		{&pdfsign.LTVError{Kind: pdfsign.LTVTSAInsecure}, HintTSAHTTP},
		{errors.New("other"), HintNone},
	} {
		if got := HintOf(c.err); got != c.want {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
}

// The texts both front ends show name no command-line option and no
// environment variable: those are the CLI's hints (cli.hint.*), printed
// after the message. Only the CLI's own texts (cli.*, *.cli.*) and the
// support report (for Certigna's support) may name them.
func TestSharedTextsHaveNoCLIWords(t *testing.T) {
	cat, err := assets.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	cliWords := regexp.MustCompile(`(^|[\s(«“])--[a-z]|CERTIGNA_[A-Z]`)
	n := 0
	for lang, texts := range cat {
		for k, v := range texts {
			if strings.HasPrefix(k, "cli.") || strings.Contains(k, ".cli.") || strings.HasPrefix(k, "support.") ||
				strings.HasPrefix(k, "verify.tl.") || // printed by the CLI's verify only
				k == "ui.driver.source.env" { // a fact: the driver was named by that variable
				continue
			}
			n++
			if cliWords.MatchString(v) {
				t.Errorf("%s %s names a CLI option or variable: %q", lang, k, v)
			}
		}
	}
	for _, h := range []Hint{HintModule, HintFinalTry, HintAllowLower, HintTSALogin, HintTSAHTTP} {
		for _, lang := range []string{"fr", "en"} {
			if k := "cli.hint." + string(h); cat[lang][k] == "" {
				t.Errorf("%s: no %s", lang, k)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d texts checked", n)
	}
}
