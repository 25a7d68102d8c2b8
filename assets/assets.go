// Package assets embeds the app's resources: the icon and the translations.
//
// Translations live in translations/AREA.LANG.json (flat key → text maps), one
// file per area of the app (cli, ui, …) so that each area's strings sit beside
// each other. French is the primary language, English the second.
package assets

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"text/template"
)

//go:embed translations
var translationsFS embed.FS

// Languages the app speaks, primary first.
var Languages = []string{"fr", "en"}

var (
	loadOnce sync.Once
	catalog  map[string]map[string]string // lang → key → text
	loadErr  error
)

func load() {
	catalog = map[string]map[string]string{}
	loadErr = fs.WalkDir(translationsFS, "translations", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		parts := strings.Split(strings.TrimSuffix(path.Base(p), ".json"), ".")
		lang := parts[len(parts)-1]
		b, err := translationsFS.ReadFile(p)
		if err != nil {
			return err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if catalog[lang] == nil {
			catalog[lang] = map[string]string{}
		}
		for k, v := range m {
			if _, dup := catalog[lang][k]; dup {
				return fmt.Errorf("%s: key %q defined twice", p, k)
			}
			catalog[lang][k] = v
		}
		return nil
	})
}

// Catalog returns every key → text map, by language (for tests that check
// that every key is translated).
func Catalog() (map[string]map[string]string, error) {
	loadOnce.Do(load)
	return catalog, loadErr
}

// T translates key into lang, filling {{.Name}} placeholders from data.
// A missing French text falls back to English, then to the key itself, so a
// forgotten string shows up as its key rather than as nothing.
func T(lang, key string, data ...map[string]any) string {
	loadOnce.Do(load)
	text, ok := catalog[lang][key]
	if !ok {
		if text, ok = catalog["en"][key]; !ok {
			text = key
		}
	}
	if len(data) == 0 || !strings.Contains(text, "{{") {
		return text
	}
	tmpl, err := template.New("").Option("missingkey=zero").Parse(text)
	if err != nil {
		return text
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data[0]); err != nil {
		return text
	}
	return b.String()
}

// N is the one plural helper: key+".one" or key+".other" for count, with
// .N set to count. French uses the singular for 0 and 1 ("0 étape",
// "1 étape"), English only for 1. Never "document(s)".
func N(lang, key string, count int, data ...map[string]any) string {
	d := map[string]any{"N": count}
	for _, m := range data {
		for k, v := range m {
			d[k] = v
		}
	}
	form := ".other"
	if count == 1 || (lang != "en" && count == 0) {
		form = ".one"
	}
	return T(lang, key+form, d)
}

// Message is err's text for a person in lang: the Message(lang) of the
// first error of its chain that has one (the typed errors of token, pdfsign
// and ui do), else its cause when it is one people meet (Cause), else its
// technical Error(). It is the one translate helper.
func Message(err error, lang string) string {
	if err == nil {
		return ""
	}
	var l interface{ Message(lang string) string }
	if errors.As(err, &l) {
		return l.Message(lang)
	}
	if c, ok := Cause(err, lang); ok {
		return c
	}
	return err.Error()
}

// NormalizeLang maps a locale such as "fr_FR.UTF-8" or "en-GB" to one of
// Languages. French is the default: the app is made for French users, and a
// bare "C"/"POSIX" locale says nothing about the person.
func NormalizeLang(locale string) string {
	l := strings.ToLower(strings.TrimSpace(locale))
	switch {
	case strings.HasPrefix(l, "en"):
		return "en"
	case strings.HasPrefix(l, "fr"), l == "", l == "c", strings.HasPrefix(l, "c."), l == "posix":
		return "fr"
	}
	return "en" // someone who reads neither French nor English reads English more often
}

// EnvLang picks the language from the POSIX locale variables, in their order
// of precedence; "" when none is set (the caller may then ask the OS).
func EnvLang() string {
	for _, v := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			if v == "LANGUAGE" {
				s, _, _ = strings.Cut(s, ":")
			}
			return NormalizeLang(s)
		}
	}
	return ""
}
