package actions

import (
	"strings"

	"github.com/certigna-desktop/app/pdfsign/sign"
)

// Stamp pages of the visible-stamp choice.
const (
	StampNone  = ""      // invisible signature (unless Visible, Rect or Corner say otherwise)
	StampFirst = "first" // the first page (or Page)
	StampLast  = "last"  // the document's last page
	// StampPlaced: where it was placed on the window's preview (StampRect
	// on page StampPageNum).
	StampPlaced = "placed"
)

// StampCorners are the corners a stamp can go in, as --corner names them.
var StampCorners = []string{"bottom-right", "bottom-left", "top-right", "top-left"}

// SignOptions are what a person chose for a signature, in the window or with
// the CLI's flags; Options turns them into sign.Options for one document,
// with every check that needs no PIN.
type SignOptions struct {
	Reason, Location, ContactInfo, Name string
	// Field is the empty signature field to sign into ("": the only one,
	// or a new one).
	Field string
	Lang  string
	Force bool // the CLI's --force: overwrite an existing output (never in a batch)
	// TSAURL asks for an RFC 3161 timestamp (B-T).
	TSAURL string
	// TSAUser / TSAPassword: the TSA's login typed in the window (the
	// password kept in the OS keychain); empty: CERTIGNA_TSA_USER /
	// CERTIGNA_TSA_PASSWORD, if set.
	TSAUser, TSAPassword string
	LTV                  bool // add long-term validation data (B-LT)
	// AllowLower saves at the level reached when the timestamp or
	// revocation servers fail, chosen before signing so that no second PIN
	// verification is ever needed.
	AllowLower bool
	// HTTPCredentials sends the TSA login over plain http:// (the CLI's
	// --tsa-http-credentials); otherwise that is refused before the PIN.
	HTTPCredentials bool
	// The visible stamp: StampPage (StampNone, StampFirst, StampLast), or
	// Visible; Page (1-based, 0 = first) with StampFirst/Visible; Rect
	// ("x,y,w,h" in points) or StampCorner (one of StampCorners, "" =
	// bottom-right). A Rect or a Corner implies a stamp.
	StampPage   string
	Visible     bool
	Page        int
	Rect        string
	StampCorner string
	// With StampPlaced: the page (1-based) and the place on it, in page
	// coordinates (x, y, w, h in points on the page as displayed, from its
	// bottom-left corner), chosen on the preview.
	StampPageNum int
	StampRect    [4]float64
}

// Options checks o and gives pdfsign's options for the document in (read
// only to count its pages for StampLast). A typo costs no PIN entry: this
// runs before the PIN is asked for.
func (o SignOptions) Options(in string) (sign.Options, error) {
	opts := sign.Options{Reason: o.Reason, Location: o.Location, ContactInfo: o.ContactInfo, Name: o.Name,
		Lang: o.Lang, Field: o.Field, Page: o.Page, Force: o.Force}
	f := LTVFlags{TSA: strings.TrimSpace(o.TSAURL), LTV: o.LTV, AllowLower: o.AllowLower, HTTPCredentials: o.HTTPCredentials,
		Visible: o.Visible || (o.StampPage != StampNone && o.StampPage != StampPlaced), Rect: o.Rect, Corner: o.StampCorner}
	if err := f.Apply(&opts); err != nil {
		return opts, err
	}
	if opts.TSA != nil && o.TSAUser != "" {
		opts.TSA.Username, opts.TSA.Password = o.TSAUser, o.TSAPassword
		if err := sign.CheckTSACredentials(opts.TSA); err != nil {
			return opts, err // the login typed in the window, for an http:// server
		}
	}
	if o.StampPage == StampPlaced { // chosen on the preview, in page coordinates
		opts.Visible = &sign.Visible{OnPage: o.StampRect}
		opts.Page = max(o.StampPageNum, 1)
	}
	if o.StampPage == StampLast {
		n, err := sign.PageCount(in)
		if err != nil {
			return opts, err
		}
		opts.Page = n
	}
	return opts, nil
}

// Check is every refusal of Sign that needs no token, for in signed into
// out: the options, the document (unreadable, damaged, encrypted, certified
// without changes, a field to choose), the output, an unreachable TSA. The
// window and the CLI call it before the PIN is asked for.
func Check(in, out string, o SignOptions) error {
	opts, err := o.Options(in)
	if err != nil {
		return err
	}
	return sign.Check(in, out, opts)
}
