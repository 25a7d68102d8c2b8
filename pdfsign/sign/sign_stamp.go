package sign

import "github.com/certigna-desktop/app/internal/pdf"

// The visible-stamp step of Sign: the widget gets an appearance (holder,
// reason, place, date) drawn by stamp.go on the chosen page.

// stampStep returns the widget's appearance maker; nil when invisible.
func stampStep(cfg *signConfig) func(pg *pageInfo, u *pdf.Increment) ([4]float64, *pdf.Dict, error) {
	o := cfg.opts
	if o.Visible == nil {
		return nil
	}
	v := *o.Visible
	return func(pg *pageInfo, u *pdf.Increment) ([4]float64, *pdf.Dict, error) {
		holder := v.Holder
		if holder == "" {
			holder = o.Name
		}
		if holder == "" {
			holder = cfg.cms.Cert.Subject.CommonName
		}
		lang := o.Lang
		if lang != "en" {
			lang = "fr"
		}
		return buildAppearance(pg, u, &v, stampText(lang, holder, o.Reason, o.Location, cfg.when))
	}
}
