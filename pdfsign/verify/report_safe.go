package verify

import (
	"reflect"

	"github.com/certigna-desktop/app/pdfsign"
)

// sanitizeStrings applies SafeText to every string reachable in v (a
// pointer to a struct, slices, maps' values, pointers), in place.
func sanitizeStrings(v reflect.Value, depth int) {
	if depth > 12 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			sanitizeStrings(v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				sanitizeStrings(f, depth+1)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			sanitizeStrings(v.Index(i), depth+1)
		}
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); s != "" {
				if t := pdfsign.SafeText(s, pdfsign.MaxTextRunes); t != s {
					v.SetString(t)
				}
			}
		}
	}
}

// sanitize makes every string of the report safe to show (SafeText).
func (rep *Report) sanitize() {
	sanitizeStrings(reflect.ValueOf(rep), 0)
}
