// Package certigna holds what the whole app shares about itself: its name and
// version, read from FyneApp.toml so that the binary, the about panel and the
// installers all show the same version.
package certigna

import (
	_ "embed"
	"strconv"
	"strings"
)

//go:embed FyneApp.toml
var fyneAppTOML string

// Info is the app metadata from FyneApp.toml's [Details] table.
type Info struct {
	Name    string
	ID      string
	Version string
	Build   int
}

// App returns the metadata embedded at build time.
func App() Info { return parseInfo(fyneAppTOML) }

// Version is "VERSION (build N)".
func Version() string {
	i := App()
	return i.Version + " (build " + strconv.Itoa(i.Build) + ")"
}

// parseInfo reads the few keys we need; FyneApp.toml is flat enough that a
// TOML library would be more code to trust than this.
func parseInfo(s string) Info {
	var i Info
	inDetails := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			inDetails = line == "[Details]"
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !inDetails || !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
		switch k {
		case "Name":
			i.Name = v
		case "ID":
			i.ID = v
		case "Version":
			i.Version = v
		case "Build":
			i.Build, _ = strconv.Atoi(v)
		}
	}
	return i
}
