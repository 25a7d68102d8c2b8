package certigna

import (
	"regexp"
	"testing"
)

func TestAppInfoFromFyneAppTOML(t *testing.T) {
	i := App()
	if i.Name != "Certigna Desktop" || i.ID == "" || i.Build < 1 {
		t.Fatalf("unexpected metadata %+v", i)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(i.Version) {
		t.Fatalf("version %q is not semver", i.Version)
	}
	if got := parseInfo("A = 1\n[Details]\nVersion = \"2.3.4\"\nBuild = 7\n[Other]\nVersion = \"9\"\n"); got.Version != "2.3.4" || got.Build != 7 {
		t.Fatalf("parseInfo: %+v", got)
	}
}
