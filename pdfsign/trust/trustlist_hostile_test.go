package trust

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Hostile trusted lists (issue #11, second pass): a list kept in the cache
// is a local file anyone able to write there controls. Entity bombs, deep
// nesting, a huge file and thousands of services must end in an error or a
// bounded result, never a crash or gigabytes.
func hostileTLs() map[string]string {
	svc := `<TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier><ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</ServiceStatus><ServiceDigitalIdentity><DigitalId><X509Certificate>MIIB</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceInformation></TSPService>`
	laughs := `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">` +
		`<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">` +
		`<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>` +
		`<TrustServiceStatusList><TrustServiceProviderList><TrustServiceProvider><TSPServices><TSPService><ServiceInformation><ServiceTypeIdentifier>&e;&e;&e;&e;</ServiceTypeIdentifier></ServiceInformation></TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>`
	return map[string]string{
		"FR": laughs,
		"DE": strings.Repeat("<a>", 2_000_000) + strings.Repeat("</a>", 2_000_000),
		"IT": `<TrustServiceStatusList><TrustServiceProviderList><TrustServiceProvider><TSPServices>` + strings.Repeat(svc, 100_000) + `</TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>`,
		"ES": "<TrustServiceStatusList " + strings.Repeat(`x="y" `, 1_000_000) + "/>",
		"PT": "<TrustServiceStatusList>" + strings.Repeat("A", 40<<20) + "</TrustServiceStatusList>",
	}
}

func TestHostileTrustedListsBounded(t *testing.T) {
	dir := t.TempDir()
	var countries []string
	for c, x := range hostileTLs() {
		if err := os.WriteFile(filepath.Join(dir, c+".xml"), []byte(x), 0o600); err != nil {
			t.Fatal(err)
		}
		countries = append(countries, c)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tl := CachedTrustedLists(TrustedListOptions{CacheDir: dir, Countries: countries})
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	// Each is refused: entity unknown, too deep, too many attributes,
	// too large.
	if len(tl.Certs) != 0 || len(tl.Lists) != 0 {
		t.Errorf("%d certificates read from hostile lists %v", len(tl.Certs), tl.Lists)
	}
	// Not a speed target: total allocations show whether a list was
	// expanded or held many times over.
	t.Logf("lists read: %v; allocated %d MB", tl.Lists, (after.TotalAlloc-before.TotalAlloc)>>20)
	if got := (after.TotalAlloc - before.TotalAlloc) >> 20; got > 512 {
		t.Errorf("reading hostile lists allocated %d MB", got)
	}
}
