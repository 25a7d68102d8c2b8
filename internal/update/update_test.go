package update

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server serves body on 127.0.0.1 (":0") and counts requests.
func server(t *testing.T, body func() []byte) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Header.Get("Cookie") != "" || r.URL.RawQuery != "" {
			t.Errorf("the check sent more than a plain GET: cookie %q query %q", r.Header.Get("Cookie"), r.URL.RawQuery)
		}
		w.Write(body())
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func keys(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func manifest(seq uint64, version string) Manifest {
	return Manifest{Sequence: seq, Version: version, Date: "2026-12-01",
		Notes: map[string]string{"fr": "Corrige la signature des formulaires.", "en": "Fixes form signing."},
		URLs:  map[string]string{"linux": "https://example.invalid/linux", "": "https://example.invalid/"}}
}

func seal(t *testing.T, priv ed25519.PrivateKey, m Manifest) []byte {
	b, err := Seal(priv, m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidManifestAnnounces(t *testing.T) {
	pub, priv := keys(t)
	body := seal(t, priv, manifest(7, "0.2.0"))
	srv, n := server(t, func() []byte { return body })
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	c := &Checker{URL: srv.URL, Key: pub, Current: "0.1.0", OS: "linux", Now: func() time.Time { return now }}
	res, err := c.Check(context.Background(), State{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Checked || !res.Available || res.Manifest.Version != "0.2.0" || res.URL != "https://example.invalid/linux" {
		t.Fatalf("valid newer manifest not announced: %+v", res)
	}
	if res.Manifest.NotesFor("fr") != "Corrige la signature des formulaires." || res.Manifest.NotesFor("de") != "Corrige la signature des formulaires." {
		t.Fatalf("notes: %q", res.Manifest.NotesFor("fr"))
	}
	if res.State.Sequence != 7 || !res.State.LastCheck.Equal(now) || n.Load() != 1 {
		t.Fatalf("state %+v, %d requests", res.State, n.Load())
	}
	// Same version as ours: checked, nothing to announce.
	c.Current = "0.2.0"
	if res, err := c.Check(context.Background(), State{}, true); err != nil || res.Available {
		t.Fatalf("same version announced: %+v %v", res, err)
	}
	// Other OS without its own URL: the generic page.
	c.Current, c.OS = "0.1.0", "windows"
	if res, _ := c.Check(context.Background(), State{}, true); res.URL != "https://example.invalid/" {
		t.Fatalf("fallback URL %q", res.URL)
	}
}

func TestTamperedManifestIgnored(t *testing.T) {
	pub, priv := keys(t)
	good := seal(t, priv, manifest(3, "9.0.0"))
	otherPub, _ := keys(t)
	cases := map[string]func() []byte{
		"byte flipped in the manifest": func() []byte {
			b := append([]byte(nil), good...)
			// the manifest is base64 in the envelope: change one of its characters
			i := len(`{\n  "manifest": "`) + 10
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return b
		},
		"garbage":   func() []byte { return []byte("<html>not found</html>") },
		"empty sig": func() []byte { return []byte(`{"manifest":"eyJzZXF1ZW5jZSI6OTl9"}`) },
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			srv, _ := server(t, body)
			c := &Checker{URL: srv.URL, Key: pub, Current: "0.1.0", OS: "linux"}
			res, err := c.Check(context.Background(), State{Sequence: 2}, true)
			if err == nil || res.Available || res.State.Sequence != 2 {
				t.Fatalf("tampered manifest accepted: %+v %v", res, err)
			}
			if res.State.LastCheck.IsZero() {
				t.Fatal("a failed check must still count (at most daily)")
			}
		})
	}
	t.Run("signed by another key", func(t *testing.T) {
		srv, _ := server(t, func() []byte { return good })
		c := &Checker{URL: srv.URL, Key: otherPub, Current: "0.1.0", OS: "linux"}
		if res, err := c.Check(context.Background(), State{}, true); err != ErrBadSignature || res.Available {
			t.Fatalf("%+v %v", res, err)
		}
	})
}

func TestOlderManifestIgnored(t *testing.T) {
	pub, priv := keys(t)
	// A genuine but older manifest (sequence 4) replayed after 5 was seen.
	old := seal(t, priv, manifest(4, "0.3.0"))
	srv, _ := server(t, func() []byte { return old })
	c := &Checker{URL: srv.URL, Key: pub, Current: "0.1.0", OS: "linux"}
	res, err := c.Check(context.Background(), State{Sequence: 5}, true)
	if err != ErrReplayed || res.Available || res.State.Sequence != 5 {
		t.Fatalf("replayed manifest accepted: %+v %v", res, err)
	}
	// An older version number under a new sequence is accepted but announces nothing.
	body := seal(t, priv, manifest(6, "0.0.9"))
	srv2, _ := server(t, func() []byte { return body })
	c.URL = srv2.URL
	if res, err := c.Check(context.Background(), State{Sequence: 5}, true); err != nil || res.Available || res.State.Sequence != 6 {
		t.Fatalf("older version: %+v %v", res, err)
	}
}

func TestNoNetworkWhenOffOrNotDue(t *testing.T) {
	pub, priv := keys(t)
	body := seal(t, priv, manifest(1, "0.2.0"))
	srv, n := server(t, func() []byte { return body })
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	c := &Checker{URL: srv.URL, Key: pub, Current: "0.1.0", OS: "linux", Now: func() time.Time { return now }}

	if res, err := c.Check(context.Background(), State{}, false); err != nil || res.Checked {
		t.Fatalf("checked while turned off: %+v %v", res, err)
	}
	recent := State{LastCheck: now.Add(-23 * time.Hour), Sequence: 1}
	if res, _ := c.Check(context.Background(), recent, true); res.Checked || res.State != recent {
		t.Fatalf("checked twice within a day: %+v", res)
	}
	if n.Load() != 0 {
		t.Fatalf("%d requests reached the server", n.Load())
	}
	dayAgo := State{LastCheck: now.Add(-25 * time.Hour)}
	if res, _ := c.Check(context.Background(), dayAgo, true); !res.Checked || n.Load() != 1 {
		t.Fatalf("not checked after a day: %+v", res)
	}
	// No built-in key or URL: never checks.
	for _, cc := range []*Checker{{URL: srv.URL, Current: "0.1.0"}, {Key: pub, Current: "0.1.0"}} {
		if cc.Due(State{}, true) {
			t.Fatalf("due without key or URL: %+v", cc)
		}
	}
	if n.Load() != 1 {
		t.Fatalf("%d requests", n.Load())
	}
}

func TestOnlyHTTPSOrLoopback(t *testing.T) {
	pub, _ := keys(t)
	c := &Checker{URL: "http://192.0.2.1/release.json", Key: pub, Current: "0.1.0"}
	if res, err := c.Check(context.Background(), State{}, true); err == nil || res.Checked {
		t.Fatalf("plain http to a remote host allowed: %+v", res)
	}
}

func TestNewer(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{{"0.2.0", "0.1.0", true}, {"0.10.0", "0.9.9", true}, {"1.0.0", "1.0.0", false}, {"0.1.0", "0.2.0", false},
		{"x", "0.1.0", false}, {"1.0", "0.1.0", false}, {"0.1.1", "", true}} {
		if got := Newer(c.a, c.b); got != c.want {
			t.Errorf("Newer(%q,%q)=%v", c.a, c.b, got)
		}
	}
}

func TestNotesAndURLAreSafeToShow(t *testing.T) {
	m := Manifest{Notes: map[string]string{"fr": "a\u202eb\x1b[31m\nc" + strings.Repeat("x", 700)}}
	n := m.NotesFor("fr")
	if strings.ContainsAny(n, "\u202e\x1b") || !strings.HasPrefix(n, "ab[31m\nc") || len([]rune(n)) != maxNotes {
		t.Fatalf("notes %q", n)
	}
	pub, priv := keys(t)
	mf := manifest(1, "9.0.0")
	mf.URLs = map[string]string{"linux": "javascript:alert(1)"}
	body := seal(t, priv, mf)
	srv, _ := server(t, func() []byte { return body })
	c := &Checker{URL: srv.URL, Key: pub, Current: "0.1.0", OS: "linux"}
	if res, err := c.Check(context.Background(), State{}, true); err != nil || res.Available || res.URL != "" {
		t.Fatalf("non-https download page announced: %+v %v", res, err)
	}
}
