package sign

import (
	"crypto"
	"strings"

	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/pdfsign"
)

// A field's locks and seed values: what an existing signature field allows
// (FieldMDP /Lock of earlier signatures, /SV of the field), checked before
// the PIN.

// checkFieldMDP applies the FieldMDP locks of the signatures already made
// (their /Reference transforms, and their fields' /Lock): /Action /All
// forbids any further form change, so any new signature; /Include and
// /Exclude forbid filling a listed (resp. unlisted) field.
func checkFieldMDP(r *pdf.Reader, fs []*formSigField, target *formSigField) error {
	var params []*pdf.Dict
	for _, f := range fs {
		if !f.Signed {
			continue
		}
		if f.lock != nil {
			params = append(params, f.lock)
		}
		ro, _ := r.Resolve(f.value.Get("Reference"))
		refs, _ := ro.(pdf.Array)
		for _, x := range refs {
			d, _ := r.ResolveDict(x)
			if d == nil || d.NameOf("TransformMethod") != "FieldMDP" {
				continue
			}
			if tp, _ := r.ResolveDict(d.Get("TransformParams")); tp != nil {
				params = append(params, tp)
			}
		}
	}
	for _, p := range params {
		fo, _ := r.Resolve(p.Get("Fields"))
		fa, _ := fo.(pdf.Array)
		listed := false
		for _, x := range fa {
			if s, ok := x.(pdf.String); ok && target != nil && pdf.DecodeTextString(s.B) == target.Name {
				listed = true
			}
		}
		switch p.NameOf("Action") {
		case "All":
			return &pdfsign.Error{Kind: pdfsign.KindForbidden, Err: assets.Reason{Key: "pdf.forbid.locked_all"}}
		case "Include":
			if listed {
				return &pdfsign.Error{Kind: pdfsign.KindForbidden, Err: assets.Reason{Key: "pdf.forbid.locked_field", Data: map[string]any{"Field": pdfsign.SafeText(target.Name, pdfsign.MaxTextRunes)}}}
			}
		case "Exclude":
			if target != nil && !listed {
				return &pdfsign.Error{Kind: pdfsign.KindForbidden, Err: assets.Reason{Key: "pdf.forbid.locked_field", Data: map[string]any{"Field": pdfsign.SafeText(target.Name, pdfsign.MaxTextRunes)}}}
			}
		}
	}
	return nil
}

// Seed value flags (/SV /Ff, ISO 32000-1 table 234).
const (
	svFilter      = 1 << 0
	svSubFilter   = 1 << 1
	svReasons     = 1 << 3
	svAddRevInfo  = 1 << 5
	svDigest      = 1 << 6
	svTimeStampFf = 1 // in /TimeStamp's own /Ff
)

// checkSeedValues refuses a signature that the field's required seed
// values rule out, and picks the digest they ask for.
func checkSeedValues(r *pdf.Reader, f *formSigField, opts Options) (Options, error) {
	sv := f.sv
	ff, _ := pdf.ToInt(sv.Get("Ff"))
	refuse := func(what string, allowed any) (Options, error) {
		return opts, &pdfsign.Error{Kind: pdfsign.KindForbidden, Err: assets.Reason{Key: "pdf.forbid.seed",
			Data: map[string]any{"Field": pdfsign.SafeText(f.Name, pdfsign.MaxTextRunes), "What": what, "Allowed": allowed}}}
	}
	names := func(key string) []string {
		o, _ := r.Resolve(sv.Get(key))
		var out []string
		switch v := o.(type) {
		case pdf.Array:
			for _, x := range v {
				switch n := x.(type) {
				case pdf.Name:
					out = append(out, string(n))
				case pdf.String:
					out = append(out, pdf.DecodeTextString(n.B))
				}
			}
		case pdf.Name:
			out = append(out, string(v))
		}
		return out
	}
	if fl := sv.NameOf("Filter"); fl != "" && ff&svFilter != 0 && fl != "Adobe.PPKLite" {
		return refuse("Filter", fl)
	}
	if subs := names("SubFilter"); len(subs) > 0 && ff&svSubFilter != 0 && !contains(subs, "ETSI.CAdES.detached") {
		return refuse("SubFilter", strings.Join(subs, ", "))
	}
	if ds := names("DigestMethod"); len(ds) > 0 && ff&svDigest != 0 {
		byName := map[string]crypto.Hash{"SHA256": crypto.SHA256, "SHA384": crypto.SHA384, "SHA512": crypto.SHA512}
		if opts.Hash == 0 {
			for _, d := range ds {
				if h, ok := byName[strings.ToUpper(d)]; ok {
					opts.Hash = h
					break
				}
			}
		}
		h := opts.Hash
		if h == 0 {
			h = crypto.SHA256
		}
		ok := false
		for _, d := range ds {
			if byName[strings.ToUpper(d)] == h {
				ok = true
			}
		}
		if !ok {
			return refuse("DigestMethod", strings.Join(ds, ", "))
		}
	}
	if rs := names("Reasons"); len(rs) > 0 && ff&svReasons != 0 && !(len(rs) == 1 && rs[0] == ".") && !contains(rs, opts.Reason) {
		return refuse("Reasons", strings.Join(rs, " | "))
	}
	if b, ok := sv.Get("AddRevInfo").(bool); ok && b && ff&svAddRevInfo != 0 {
		return refuse("AddRevInfo", "adbe.pkcs7.detached")
	}
	if ts, _ := r.ResolveDict(sv.Get("TimeStamp")); ts != nil {
		if tf, _ := pdf.ToInt(ts.Get("Ff")); tf&svTimeStampFf != 0 && opts.TSA == nil {
			return refuse("TimeStamp", "--tsa")
		}
	}
	return opts, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
