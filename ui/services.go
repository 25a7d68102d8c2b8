package ui

import (
	"context"
	"crypto"
	"crypto/x509"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
)

// The screens talk to the token and the PDF signer through these small
// interfaces. The real implementations (ui/backend) are thin adapters over
// token/ and pdfsign/; ui itself knows nothing of PKCS#11 or PDF bytes.

// PINState mirrors token.PINState.
type PINState string

const (
	PINOK             PINState = "ok"
	PINToBeChanged    PINState = "to_be_changed"
	PINCountLow       PINState = "count_low"
	PINFinalTry       PINState = "final_try"
	PINLocked         PINState = "locked"
	PINNotInitialized PINState = "not_initialized"
)

// TokenInfo is what the screens show about one token.
type TokenInfo struct {
	Slot                             uint
	Label, Manufacturer, Model       string
	Serial                           string
	HardwareVersion, FirmwareVersion string
	Reader                           string // the slot description: the reader, or the USB token itself
	MinPIN, MaxPIN                   int
	PINPad                           bool
	PIN, SOPIN                       PINState
	Demo                             bool
}

// HasUsableSOPIN says whether the token offers an admin code that can still
// unblock the user PIN.
func (t TokenInfo) HasUsableSOPIN() bool {
	return t.SOPIN != "" && t.SOPIN != PINLocked && t.SOPIN != PINNotInitialized
}

// CertInfo is one certificate on the token.
type CertInfo struct {
	ID                  []byte
	Label               string
	Holder, Issuer      string
	NotBefore, NotAfter time.Time
	KeyUsage            []string
	HasPrivateKey       bool
	Expired, NotYet     bool
	Cert                *x509.Certificate
}

// ExpiresSoon: within 30 days and not yet expired.
func (c CertInfo) ExpiresSoon(now time.Time) bool {
	return !c.Expired && c.NotAfter.Sub(now) < 30*24*time.Hour
}

// Candidate is one module path that discovery tried.
type Candidate struct {
	Path, Source string
	Status       string // found | not_found | failed
	Reason       error
	Tokens       int    // tokens present when found
	Chosen       bool   // the one in use
	Name         string // the middleware of a known location
}

// ModuleStatus is the driver in use, or why there is none.
type ModuleStatus struct {
	Loaded       bool
	Path         string
	Manufacturer string
	Description  string
	Version      string
	Cryptoki     string // PKCS#11 version the library implements
	Demo         bool
	Candidates   []Candidate
	Err          error // why no module is loaded
}

// EventKind of a token event.
type EventKind string

const (
	TokenInserted EventKind = "inserted"
	TokenRemoved  EventKind = "removed"
	TokenChanged  EventKind = "changed"
)

// TokenEvent is one hot-plug change.
type TokenEvent struct {
	Kind  EventKind
	Token TokenInfo
}

// Key is a logged-in signing key; Close logs out.
type Key interface {
	crypto.Signer
	Certificate() *x509.Certificate
	Chain() []*x509.Certificate
	Close() error
}

// DemoCodes are the codes of the demo token, shown on screen (they protect
// nothing: the demo token is a throwaway SoftHSM2 token).
type DemoCodes struct {
	UnlockCode, AdminCode string
}

// TokenService is the token side of the app.
type TokenService interface {
	// Init runs the first discovery (it may take seconds: loading vendor
	// libraries, creating the demo token) and returns its status. The app
	// calls it in the background once the window is up.
	Init() ModuleStatus
	// Module is the current driver status.
	Module() ModuleStatus
	// UseModule switches to the module at path ("" = discover again).
	UseModule(path string) ModuleStatus
	// UseDemo creates (or reuses) the demo token and switches to it.
	UseDemo() (ModuleStatus, error)
	// DemoCodes are the demo token's codes (zero when unknown).
	DemoCodes() DemoCodes
	Tokens() ([]TokenInfo, error)
	Certificates(slot uint) ([]CertInfo, error)
	// CheckNewPIN is pure: it never calls the token.
	CheckNewPIN(t TokenInfo, current, newPIN, confirm string) error
	ChangePIN(slot uint, current, newPIN, confirm string, confirmFinalTry bool) error
	Unblock(slot uint, adminCode, newPIN, confirm string, confirmFinalTry bool) error
	OpenKey(slot uint, certID []byte, pin string, confirmFinalTry bool) (Key, error)
	// Watch reports hot-plug events until ctx ends.
	Watch(ctx context.Context, every time.Duration) <-chan TokenEvent
}

// The signing choices and what is settled before the PIN are the
// application layer's (actions): one type for the window and the CLI.
type (
	SignOptions = actions.SignOptions
	Prepared    = actions.Prepared
)

// Stamp pages of the visible-stamp choice, and its corners.
const (
	StampNone  = actions.StampNone
	StampFirst = actions.StampFirst
	StampLast  = actions.StampLast
	// StampPlaced: where it was placed on the preview
	// (SignOptions.StampRect on page SignOptions.StampPageNum).
	StampPlaced = actions.StampPlaced
)

// StampCorners are the corners a stamp can go in.
var StampCorners = actions.StampCorners

// SignResult is what a signature reached.
type SignResult struct {
	Level string // "B-B", "B-T", "B-LT"
	// Warning, with AllowLower, says why Level is below what was asked.
	Warning error
	// Pending, when set, is why Level is below what was asked although
	// AllowLower was not chosen: a server failed after the token signed,
	// the signed file is kept, and Signer.Finish adds what is missing later
	// without the PIN (the "Réessayer" button). A *LevelError.
	Pending error
	// ChainWarning says an issuer of the certificate could not be had (no
	// CA object on the token, offline): signed anyway, but a validator with
	// only the root may not link the signer to it.
	ChainWarning error
}

// LevelError is a failure of the timestamp ("tsa") or revocation
// ("revocation") step: nothing was written.
type LevelError struct {
	Step string
	Err  error
}

func (e *LevelError) Error() string { return e.Step + ": " + e.Err.Error() }
func (e *LevelError) Unwrap() error { return e.Err }

// Message is the step's failure in plain words, then the signer's detail.
func (e *LevelError) Message(lang string) string {
	key := "ui.sign.tsa_failed"
	if e.Step == "revocation" {
		key = "ui.sign.rev_failed"
	}
	return assets.T(lang, key) + "\n" + Message(e.Err, lang)
}

// Verification is the check of a file just signed.
type Verification struct {
	Valid      bool
	Holder     string
	Time       time.Time
	Detail     string    // the verifier's own words when not valid
	Level      string    // "B-B", "B-T", "B-LT" as proven by the verifier
	Timestamp  time.Time // the verified timestamp's time (zero without one)
	CertSHA256 string    // hex SHA-256 of the signer's certificate
	// Trust: TrustTrusted when the signer's chain ends at a certificate
	// this computer trusts, TrustUntrusted when not, "" when not checked.
	Trust string
}

// Trust values of Verification.Trust.
const (
	TrustTrusted   = "trusted"
	TrustUntrusted = "untrusted"
)

// Signer is the PDF side of the app.
type Signer interface {
	// Check refuses, without signing, what would make Sign fail before the
	// token is used: bad options (TSA URL, stamp), a document that cannot
	// be signed (unreadable, damaged, encrypted, certified without changes)
	// and an output that cannot be written. It runs before the PIN is asked.
	Check(in, out string, opts SignOptions) error
	// Prepare completes the chain of leaf (tokenCerts: the token's other
	// certificates) and refuses what the certificate makes impossible
	// (B-LT without revocation servers): before the PIN, like Check.
	Prepare(ctx context.Context, leaf *x509.Certificate, tokenCerts []*x509.Certificate, opts SignOptions) (Prepared, error)
	Sign(ctx context.Context, in, out string, key Key, chain []*x509.Certificate, opts SignOptions) (SignResult, error)
	// Finish adds to the signed file path what a server failed to give when
	// it was signed (SignResult.Pending: the timestamp, the long-term
	// data), without the token.
	Finish(ctx context.Context, path string, opts SignOptions) (SignResult, error)
	Verify(path, lang string) (Verification, error)
	SamplePDF(w io.Writer, lang string) error
	// EmptySignatureFields lists the document's empty signature fields (a
	// form's "sign here"), by full name.
	EmptySignatureFields(path string) ([]string, error)
}

// Message is err's text for a person in lang (assets.Message), in the
// window's words.
func Message(err error, lang string) string { return WindowWords(lang, assets.Message(err, lang)) }

// The token's and the signer's messages are shared with the command line and
// name its options; the window says what to do in the window instead.
var windowWords = map[string][]struct {
	re   *regexp.Regexp
	with string
}{
	"fr": {
		{regexp.MustCompile(`ou indiquez son chemin avec --module`), "ou indiquez son fichier avec « Choisir un fichier… » sur l’écran Pilote"},
		{regexp.MustCompile(` ?Confirmez explicitement \(option --final-try\) pour continuer\.`), ""},
		{regexp.MustCompile(`sans --allow-bb rien n’a été enregistré, avec cette option`), "sans la case « enregistrer quand même » des options rien n’a été enregistré, avec elle"},
		{regexp.MustCompile(` ?\(--allow-bb\)`), " (options : « Si un serveur ne répond pas, enregistrer quand même »)"},
		{regexp.MustCompile(`Renseignez CERTIGNA_TSA_USER et CERTIGNA_TSA_PASSWORD\.`), "Vérifiez l’identifiant et le mot de passe du serveur dans les options."},
		{regexp.MustCompile(`, ou, en connaissance de cause, --tsa-http-credentials \(toute personne sur le réseau pourra lire le mot de passe\)\.`), ", ou laissez l’identifiant vide si le serveur n’en demande pas."},
	},
	"en": {
		{regexp.MustCompile(`or give its path with --module`), "or pick its file with “Choose a file…” on the Driver screen"},
		{regexp.MustCompile(` ?Confirm explicitly \(option --final-try\) to go on\.`), ""},
		{regexp.MustCompile(`without --allow-bb nothing was saved, with it`), "without the options’ “save anyway” box nothing was saved, with it"},
		{regexp.MustCompile(` ?\(--allow-bb\)`), " (options: “If a server does not answer, save anyway”)"},
		{regexp.MustCompile(`Set CERTIGNA_TSA_USER and CERTIGNA_TSA_PASSWORD\.`), "Check the server’s login and password in the options."},
		{regexp.MustCompile(` or, knowingly, --tsa-http-credentials \(anyone on the network can then read the password\)\.`), ", or leave the login empty if the server needs none."},
	},
}

// WindowWords replaces the command line's option names in s by the
// window's words.
func WindowWords(lang, s string) string {
	if !strings.Contains(s, "--") && !strings.Contains(s, "CERTIGNA_") {
		return s
	}
	for _, w := range windowWords[assets.NormalizeLang(lang)] {
		s = w.re.ReplaceAllString(s, w.with)
	}
	return s
}

// WrongCodeError is a code the token refused (a wrong unlock code, PIN or
// admin code); State is what the token reports now. The backend turns the
// token's "incorrect" error into it so the screens can say, in one
// sentence, what that means for the next try.
type WrongCodeError struct {
	State PINState
	Admin bool // the admin code (PUK/SO) was refused
	Err   error
}

func (e *WrongCodeError) Error() string { return e.Err.Error() }
func (e *WrongCodeError) Unwrap() error { return e.Err }

// Message is one sentence: refused, the tries the token reports, and what
// happens at zero.
func (e *WrongCodeError) Message(lang string) string {
	who := "pin"
	if e.Admin {
		who = "admin"
	}
	st := e.State
	switch st {
	case PINCountLow, PINFinalTry, PINLocked:
	default:
		st = "other"
	}
	return assets.T(lang, "ui.wrong."+who+"."+string(st))
}

// textError is a refusal of the window itself, in the UI's words.
type textError struct {
	key  string
	data map[string]any
}

func (e *textError) Error() string              { return assets.T("en", e.key, e.data) }
func (e *textError) Message(lang string) string { return assets.T(lang, e.key, e.data) }
