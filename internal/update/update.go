// Package update decides whether to tell the person that a newer release
// exists. Notify only: it never downloads or installs anything. It fetches a
// small release manifest signed with an ed25519 key whose public half is built
// into the app, at most once a day, only when the setting allows it, and sends
// nothing about the person or the token (no PIN, no serial, no certificate):
// a plain GET with the app's name and version as User-Agent.
//
// A manifest is accepted only when its signature verifies and its sequence is
// not lower than the highest one already accepted: an attacker who replays an
// older signed manifest (to hide a security release) is ignored.
package update

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Interval is the shortest time between two checks.
const Interval = 24 * time.Hour

// maxBody bounds what is read from the server: a manifest is a few hundred bytes.
const maxBody = 64 << 10

// Manifest describes the newest release.
type Manifest struct {
	// Sequence grows with every manifest published (never reused); it is
	// what makes a replayed older manifest recognisable.
	Sequence uint64 `json:"sequence"`
	Version  string `json:"version"` // X.Y.Z
	Date     string `json:"date"`    // YYYY-MM-DD, shown as is
	// Notes: what changed, per language ("fr", "en").
	Notes map[string]string `json:"notes"`
	// URLs: where to get it, per GOOS ("windows", "darwin", "linux"); "" is
	// the page for any other system.
	URLs map[string]string `json:"urls"`
}

// Envelope is what the server publishes: the manifest's exact bytes and
// their signature (both base64 in JSON).
type Envelope struct {
	Manifest  []byte `json:"manifest"`
	Signature []byte `json:"signature"`
}

// State is what is kept between runs (in the settings file).
type State struct {
	LastCheck time.Time `json:"last_check,omitempty"`
	Sequence  uint64    `json:"sequence,omitempty"` // highest accepted
}

// Errors of a check; none of them is shown to the person (a failed check is
// silent: the app works the same without it).
var (
	ErrBadSignature = errors.New("update: manifest signature does not verify")
	ErrReplayed     = errors.New("update: manifest older than one already seen")
	ErrMalformed    = errors.New("update: malformed manifest")
)

// Checker holds what a check needs. Zero Client: a client with a 20 s timeout.
type Checker struct {
	URL     string
	Key     ed25519.PublicKey
	Current string // this app's version, X.Y.Z
	OS      string // GOOS
	Agent   string // User-Agent, e.g. "Certigna-Desktop/0.1.0"
	Client  *http.Client
	Now     func() time.Time
}

// Result of Check.
type Result struct {
	Checked   bool     // the network was used
	Available bool     // Manifest is newer than Current
	Manifest  Manifest // the accepted manifest (when Checked without error)
	URL       string   // where to get it for this OS
	State     State    // to save, whatever the outcome
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Due says whether a check should run now: enabled, configured, and the last
// one more than Interval ago (a clock set back also allows one).
func (c *Checker) Due(st State, enabled bool) bool {
	if !enabled || c.URL == "" || len(c.Key) != ed25519.PublicKeySize {
		return false
	}
	now := c.now()
	return st.LastCheck.IsZero() || now.Sub(st.LastCheck) >= Interval || now.Before(st.LastCheck)
}

// Check fetches and checks the manifest when Due; otherwise it touches no
// network and returns st unchanged. The returned State is to be saved even
// on error (a failing server is not asked again before Interval).
func (c *Checker) Check(ctx context.Context, st State, enabled bool) (Result, error) {
	res := Result{State: st}
	if !c.Due(st, enabled) {
		return res, nil
	}
	if err := allowedURL(c.URL); err != nil {
		return res, err
	}
	res.Checked = true
	res.State.LastCheck = c.now().UTC()
	body, err := c.fetch(ctx)
	if err != nil {
		return res, err
	}
	m, err := Open(c.Key, body)
	if err != nil {
		return res, err
	}
	if m.Sequence < st.Sequence {
		return res, ErrReplayed
	}
	res.State.Sequence = m.Sequence
	res.Manifest = m
	res.URL = m.URLs[c.OS]
	if res.URL == "" {
		res.URL = m.URLs[""]
	}
	// where to get it must be a web page over https (it is shown as a button)
	if u, err := url.Parse(res.URL); err != nil || u.Scheme != "https" || u.Host == "" {
		res.URL = ""
	}
	res.Available = Newer(m.Version, c.Current) && res.URL != ""
	return res, nil
}

func (c *Checker) fetch(ctx context.Context) ([]byte, error) {
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL, nil)
	if err != nil {
		return nil, err
	}
	if c.Agent != "" {
		req.Header.Set("User-Agent", c.Agent)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("update: server answered %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBody {
		return nil, ErrMalformed
	}
	return b, nil
}

// allowedURL: https, or http to the loopback interface (tests, a local mirror).
func allowedURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("update: %q is not an https address", s)
}

// Open checks an envelope's signature with key and returns its manifest.
func Open(key ed25519.PublicKey, envelope []byte) (Manifest, error) {
	var env Envelope
	if err := json.Unmarshal(envelope, &env); err != nil || len(env.Manifest) == 0 {
		return Manifest{}, ErrMalformed
	}
	if len(key) != ed25519.PublicKeySize || !ed25519.Verify(key, env.Manifest, env.Signature) {
		return Manifest{}, ErrBadSignature
	}
	var m Manifest
	if err := json.Unmarshal(env.Manifest, &m); err != nil || m.Sequence == 0 || parseVersion(m.Version) == nil {
		return Manifest{}, ErrMalformed
	}
	return m, nil
}

// Seal signs a manifest into an envelope (the release tool and tests).
func Seal(priv ed25519.PrivateKey, m Manifest) ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(Envelope{Manifest: b, Signature: ed25519.Sign(priv, b)}, "", "  ")
}

// Newer says whether version a (X.Y.Z) is higher than b; a malformed a is never newer.
func Newer(a, b string) bool {
	va, vb := parseVersion(a), parseVersion(b)
	if va == nil {
		return false
	}
	if vb == nil {
		return true
	}
	for i := range 3 {
		if va[i] != vb[i] {
			return va[i] > vb[i]
		}
	}
	return false
}

func parseVersion(s string) []int {
	parts := strings.Split(strings.TrimPrefix(s, "v"), ".")
	if len(parts) != 3 {
		return nil
	}
	v := make([]int, 3)
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil
		}
		v[i] = n
	}
	return v
}

// maxNotes bounds the notes shown (runes): a few lines under the header.
const maxNotes = 600

// NotesFor is the manifest's text for lang, falling back to French then
// English: control characters dropped (line breaks kept), at most maxNotes runes.
func (m Manifest) NotesFor(lang string) string {
	for _, l := range []string{lang, "fr", "en"} {
		s := strings.Map(func(r rune) rune {
			if r == '\n' || !unicode.IsControl(r) && !unicode.Is(unicode.Cf, r) {
				return r
			}
			return -1
		}, m.Notes[l])
		if s = strings.TrimSpace(s); s != "" {
			if r := []rune(s); len(r) > maxNotes {
				s = string(r[:maxNotes-1]) + "…"
			}
			return s
		}
	}
	return ""
}
