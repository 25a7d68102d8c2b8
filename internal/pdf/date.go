package pdf

import (
	"fmt"
	"time"
)

// Date formats t as a PDF date string (D:YYYYMMDDHHmmSS with the zone).
func Date(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	if off == 0 {
		return t.Format("D:20060102150405") + "Z"
	}
	return fmt.Sprintf("%s%c%02d'%02d'", t.Format("D:20060102150405"), sign, off/3600, off%3600/60)
}
