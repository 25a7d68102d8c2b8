package sign

// The errors only signing gives, on top of pdfsign's Error and LTVError.

import (
	"github.com/certigna-desktop/app/pdfsign"
)

// rectErr is a bad_rect error whose detail is translated (key under
// ltv.rect.*); english is the same detail for Error().
func rectErr(key string, args map[string]any, english string) *pdfsign.LTVError {
	return &pdfsign.LTVError{Kind: pdfsign.LTVBadRect, Detail: english, DetailKey: "ltv.rect." + key, DetailArgs: args}
}
