package browsers

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// policyFiles are where Firefox and Thunderbird read an enterprise policy
// (policies.json) that may load PKCS#11 modules (SecurityDevices). Windows'
// registry and macOS profiles (other policy sources) are not read.
func policyFiles(goos string, app App) []string {
	switch goos {
	case "windows":
		pf := os.Getenv("ProgramFiles")
		if pf == "" {
			pf = `C:\Program Files`
		}
		if app == Thunderbird {
			return []string{filepath.Join(pf, "Mozilla Thunderbird", "distribution", "policies.json")}
		}
		return []string{filepath.Join(pf, "Mozilla Firefox", "distribution", "policies.json")}
	case "darwin":
		if app == Thunderbird {
			return []string{"/Applications/Thunderbird.app/Contents/Resources/distribution/policies.json"}
		}
		return []string{"/Applications/Firefox.app/Contents/Resources/distribution/policies.json"}
	}
	if app == Thunderbird {
		return []string{"/etc/thunderbird/policies/policies.json", "/usr/lib/thunderbird/distribution/policies.json"}
	}
	return []string{"/etc/firefox/policies/policies.json", "/etc/firefox-esr/policies/policies.json",
		"/usr/lib/firefox-esr/distribution/policies.json", "/usr/lib/firefox/distribution/policies.json",
		"/opt/firefox/distribution/policies.json"}
}

// policyModules reads the modules a policies.json adds: SecurityDevices as
// {"Add": {NAME: PATH}} or, the older form, {NAME: PATH}.
func policyModules(path string) []Module {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var doc struct {
		Policies struct {
			SecurityDevices map[string]json.RawMessage `json:"SecurityDevices"`
		} `json:"policies"`
	}
	if json.Unmarshal(b, &doc) != nil {
		return nil
	}
	var out []Module
	for k, raw := range doc.Policies.SecurityDevices {
		switch k {
		case "Add":
			var add map[string]string
			if json.Unmarshal(raw, &add) == nil {
				for n, p := range add {
					out = append(out, Module{Name: n, Library: p})
				}
			}
		case "Delete":
		default:
			var p string
			if json.Unmarshal(raw, &p) == nil {
				out = append(out, Module{Name: k, Library: p})
			}
		}
	}
	return out
}
