package verify_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/certigna-desktop/app/internal/pkitest"
	"github.com/certigna-desktop/app/pdfsign/trust"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

// A LOTL and two lists served on 127.0.0.1 (the EU's are never contacted in
// tests): the French list's qualified CA becomes a trust anchor, a withdrawn
// service does not; offline, the cache answers; without a cache, "not checked".
func TestTrustedLists(t *testing.T) {
	k := getCorpusKeys(t)
	other := pkitest.SharedKeys(t)
	service := func(der []byte, status string) string {
		return fmt.Sprintf(`<TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier>
<ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/%s</ServiceStatus>
<ServiceDigitalIdentity><DigitalId><X509Certificate>%s</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceInformation></TSPService>`,
			status, base64.StdEncoding.EncodeToString(der))
	}
	tl := func(services string) string {
		return `<?xml version="1.0"?><TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><TrustServiceProviderList><TrustServiceProvider><TSPServices>` +
			services + `</TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>`
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	pointer := func(loc, terr string) string {
		return fmt.Sprintf(`<OtherTSLPointer><TSLLocation>%s</TSLLocation><AdditionalInformation><OtherInformation><SchemeTerritory>%s</SchemeTerritory></OtherInformation><OtherInformation><MimeType>application/vnd.etsi.tsl+xml</MimeType></OtherInformation></AdditionalInformation></OtherTSLPointer>`, loc, terr)
	}
	mux.HandleFunc("/lotl.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<?xml version="1.0"?><TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><SchemeInformation><PointersToOtherTSL>%s%s</PointersToOtherTSL></SchemeInformation></TrustServiceStatusList>`,
			pointer(srv.URL+"/fr.xml", "FR"), pointer(srv.URL+"/de.xml", "DE"))
	})
	mux.HandleFunc("/fr.xml", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, tl(service(k.ca.Raw, "granted")+service(other.CA.Raw, "withdrawn")))
	})
	mux.HandleFunc("/de.xml", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tl(service(other.CA.Raw, "granted"))) })

	signed := filepath.Join(t.TempDir(), "signed.pdf")
	d := basePDF("")
	d.fieldSig(t, "Approval", 0, "", ourCMS, nil)
	os.WriteFile(signed, d.b, 0o644)
	trustWith := func(lists *trust.TrustedLists) string {
		ts, err := trust.NewStore(false)
		if err != nil {
			t.Fatal(err)
		}
		lists.AddTo(ts)
		rep, err := verify.Verify(context.Background(), signed, verify.Options{Roots: ts.Pool()})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Signatures[0].Trust
	}

	cache := t.TempDir()
	opts := trust.TrustedListOptions{LOTL: srv.URL + "/lotl.xml", CacheDir: cache, Client: srv.Client()}
	lists, err := trust.RefreshTrustedLists(context.Background(), opts)
	if err != nil || lists.Status != trust.TLFresh || len(lists.Certs) != 1 || len(lists.Lists) != 1 || lists.Lists[0] != "FR" {
		t.Fatalf("refresh: %v %+v", err, lists)
	}
	if got := trustWith(lists); got != verify.TrustTrusted {
		t.Fatalf("trust with the French list: %s", got)
	}
	srv.Close()
	lists, err = trust.RefreshTrustedLists(context.Background(), opts)
	if err == nil || lists.Status != trust.TLCached || trustWith(lists) != verify.TrustTrusted {
		t.Fatalf("offline with a cache: %v %+v", err, lists)
	}
	opts.CacheDir = t.TempDir()
	lists, _ = trust.RefreshTrustedLists(context.Background(), opts)
	if lists.Status != trust.TLNotChecked || len(lists.Certs) != 0 || trustWith(lists) != verify.TrustUntrusted {
		t.Fatalf("offline without a cache: %+v", lists)
	}
}
