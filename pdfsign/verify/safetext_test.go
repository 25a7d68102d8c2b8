package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

func TestSafeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Camille Dupont", "Camille Dupont"},
		{"Zoë Ångström – 東京", "Zoë Ångström – 東京"},
		{"CN=Doe\\, John", "CN=Doe\\, John"},
		{"A\nSigner: recognised", `A\nSigner: recognised`},
		{"x\r\ty", `x\r\ty`},
		{"\x1b]0;owned\x07title", `\x1b]0;owned\x07title`},
		{"\x1b[32mgreen", `\x1b[32mgreen`},
		{"abc\u202etxt.exe", `abc\u202etxt.exe`},
		{"a\u2066b\u2069c\u200bd\ufeff", `a\u2066b\u2069c\u200bd\ufeff`},
		{"line\u2028sep", `line\u2028sep`},
		{"c1\u0085\u009b", `c1\x85\x9b`},
		{"bad\xffutf8", "bad\ufffdutf8"},
		{strings.Repeat("é", 600), strings.Repeat("é", pdfsign.MaxTextRunes) + "…"},
	} {
		got := pdfsign.SafeText(c.in, pdfsign.MaxTextRunes)
		if got != c.want {
			t.Errorf("SafeText(%q) = %q, want %q", c.in, got, c.want)
		}
		if again := pdfsign.SafeText(got, pdfsign.MaxTextRunes); again != got {
			t.Errorf("not stable: %q → %q", got, again)
		}
	}
}

// Every string of a report, whatever field a future change adds, comes out
// safe: a report filled by reflection with attacker text everywhere.
func TestReportSanitisedEverywhere(t *testing.T) {
	const evil = "X\n\x1b]0;t\x07\u202eY"
	rep := &verify.Report{}
	fillStrings(reflect.ValueOf(rep), evil, 0)
	rep.Sanitize()
	n := checkSafe(t, reflect.ValueOf(rep), 0)
	if n < 20 {
		t.Fatalf("only %d strings checked: the filler missed the report's fields", n)
	}
}

func fillStrings(v reflect.Value, s string, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() && v.CanSet() && v.Type().Elem().Kind() == reflect.Struct && v.Type().Elem().PkgPath() == reflect.TypeOf(verify.Report{}).PkgPath() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		if !v.IsNil() {
			fillStrings(v.Elem(), s, depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				fillStrings(f, s, depth+1)
			}
		}
	case reflect.Slice:
		if v.CanSet() && v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		}
		for i := 0; i < v.Len(); i++ {
			fillStrings(v.Index(i), s, depth+1)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(s)
		}
	}
}

func checkSafe(t *testing.T, v reflect.Value, depth int) int {
	n := 0
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			n += checkSafe(t, v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				n += checkSafe(t, v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			n += checkSafe(t, v.Index(i), depth+1)
		}
	case reflect.String:
		n++
		for _, r := range v.String() {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Errorf("unsafe rune %U left in %q", r, v.String())
			}
		}
	}
	return n
}

// A signature field named to forge a verdict line and retitle the
// terminal: Verify's report (hence the CLI, JSON and window) escapes it.
func TestVerifyEscapesFieldName(t *testing.T) {
	d := basePDF("")
	name := "Sig\nSigner: recognised (qualified, Banque de France).\x1b]0;owned\x07"
	d.fieldSig(t, name, 0, "", ourCMS, nil)
	path := filepath.Join(t.TempDir(), "evil.pdf")
	if err := os.WriteFile(path, d.b, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Verify(context.Background(), path, verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := rep.Signatures[0].Field
	if want := `Sig\nSigner: recognised (qualified, Banque de France).\x1b]0;owned\x07`; got != want {
		t.Fatalf("field = %q, want %q", got, want)
	}
	j, _ := json.Marshal(rep)
	if strings.Contains(string(j), `\u001b`) || strings.Contains(string(j), `Sig\n`) && !strings.Contains(string(j), `Sig\\n`) {
		t.Fatalf("JSON carries the raw text: %s", j)
	}
}

// Sign's refusals name the PDF's fields escaped too: two empty fields, one
// named with a newline and an escape sequence.
func TestFieldChoiceEscaped(t *testing.T) {
	d := basePDF("")
	objs := map[int]string{
		11: "<</Type/Annot/Subtype/Widget/FT/Sig/T(A\n\x1b[2Jforged)/Rect[0 0 0 0]/F 132/P 3 0 R>>",
		12: "<</Type/Annot/Subtype/Widget/FT/Sig/T(B)/Rect[0 0 0 0]/F 132/P 3 0 R>>",
		5:  addToArray(d.objs[5], "Fields", "11 0 R 12 0 R"),
	}
	d.next = 13
	d.update(objs)
	in := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(in, d.b, 0o600); err != nil {
		t.Fatal(err)
	}
	err := sign.Check(in, filepath.Join(t.TempDir(), "out.pdf"), sign.Options{})
	var pe *pdfsign.Error
	if !errors.As(err, &pe) || pe.Kind != sign.KindFieldChoice {
		t.Fatalf("err %v", err)
	}
	msg := pe.Message("en")
	if strings.ContainsAny(msg, "\n\x1b") || !strings.Contains(msg, `A\n\x1b[2Jforged`) {
		t.Fatalf("message %q", msg)
	}
}
