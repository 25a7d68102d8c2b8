package doc

import (
	"errors"
	"fmt"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
)

// Making the *pdfsign.Error and *pdfsign.LTVError that signing and
// verifying return.

// NewErr is a *pdfsign.Error of kind about path.
func NewErr(kind pdfsign.Kind, path string, err error) *pdfsign.Error {
	return &pdfsign.Error{Kind: kind, Path: path, Err: err}
}

// Damagedf is a damaged-PDF error whose detail is formatted.
func Damagedf(format string, a ...any) error {
	return &pdfsign.Error{Kind: pdfsign.KindDamaged, Err: fmt.Errorf(format, a...)}
}

// WithPath turns a failure of the PDF layer (readError) into an *Error of
// the same kind, and fills in Path on a *Error that lacks it.
func WithPath(err error, path string) error {
	var e *pdfsign.Error
	var re *pdf.ReadError
	if !errors.As(err, &e) && errors.As(err, &re) {
		return &pdfsign.Error{Kind: pdfsign.Kind(re.Kind), Path: path, Err: re.Err}
	}
	if e != nil {
		if e.Path == "" {
			e.Path = path
		}
		return err
	}
	return err
}

// NewLTVDetail is NewLTVError with a detail people read in their language:
// ltv.detail.KEY with args (Detail is its English text).
func NewLTVDetail(kind pdfsign.LTVKind, url, key string, args map[string]any, err error) *pdfsign.LTVError {
	key = "ltv.detail." + key
	return &pdfsign.LTVError{Kind: kind, URL: url, Detail: assets.T("en", key, args), DetailKey: key, DetailArgs: args, Err: err}
}

// NewLTVError is a *pdfsign.LTVError of kind about url.
func NewLTVError(kind pdfsign.LTVKind, url, detail string, err error) *pdfsign.LTVError {
	return &pdfsign.LTVError{Kind: kind, URL: url, Detail: detail, Err: err}
}
