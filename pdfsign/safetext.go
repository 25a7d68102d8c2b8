package pdfsign

import (
	"fmt"

	"strings"
	"unicode"
	"unicode/utf8"
)

// Text taken from a PDF or its certificates (names, field names, reason,
// location, contact, TSA names, details) is attacker text: a newline forges
// a line of the verdict, an escape sequence retitles the terminal or
// recolours it, a bidirectional override reverses what is read. SafeText is
// the one sanitiser; Verify applies it to every string of the Report, so the
// CLI, the JSON, the window and the support report all get the same safe
// text.

// MaxTextRunes bounds one string of the report.
const MaxTextRunes = 512

// SafeText escapes control characters (C0, DEL, C1: "\n", "\x1b"…), line
// and paragraph separators, bidirectional and other invisible format
// characters ("\u202e"), replaces invalid UTF-8 with U+FFFD and bounds the
// length to max runes (… when cut). Ordinary text, accents and scripts
// included, is kept as it is.
func SafeText(s string, max int) string {
	clean, runes := true, 0
	for _, r := range s {
		runes++
		if r == utf8.RuneError || mustEscape(r) || runes > max {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if n >= max {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case mustEscape(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case mustEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func mustEscape(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case unicode.Is(unicode.Cf, r): // bidi controls and overrides, zero-width, BOM…
		return true
	}
	return false
}
