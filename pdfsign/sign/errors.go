package sign

// The errors only signing gives, on top of pdfsign's Error and LTVError.

import (
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/pdfsign"
)

// rectErr is a bad_rect error whose detail is translated (key under
// ltv.rect.*); english is the same detail for Error().
func rectErr(key string, args map[string]any, english string) *pdfsign.LTVError {
	return &pdfsign.LTVError{Kind: pdfsign.LTVBadRect, Detail: english, DetailKey: "ltv.rect." + key, DetailArgs: args}
}

// msgErr is a translated reason ("pdf.forbid.*" in sign.*.json) carried
// in Error.Err so that Message shows it in the person's language.
type msgErr struct {
	key  string
	data map[string]any
}

func (e msgErr) Error() string { return assets.T("en", e.key, e.data) }

func (e msgErr) Message(lang string) string { return assets.T(lang, e.key, e.data) }
