package browsers

import (
	"errors"

	"github.com/certigna-desktop/app/assets"
)

// Kind is what went wrong, for errors.As callers and exit codes.
type Kind string

const (
	KindRunning        Kind = "running"         // the program holds its profile: close it first
	KindSandboxed      Kind = "sandboxed"       // snap/flatpak: cannot load a module by path
	KindLegacyDB       Kind = "legacy_db"       // old cert8/secmod.db profile: open it once with a recent version
	KindNoDatabase     Kind = "no_database"     // ~/.pki/nssdb missing: open Chrome/Chromium once
	KindNoModule       Kind = "no_module"       // no module path to register
	KindWrite          Kind = "write"           // pkcs11.txt or its backup could not be written
	KindLinked         Kind = "linked"          // pkcs11.txt is a symbolic link: not changed
	KindNotRegular     Kind = "not_regular"     // pkcs11.txt is a FIFO, a folder, a device…
	KindTooLarge       Kind = "too_large"       // pkcs11.txt beyond the bound used when listing
	KindProfileUnknown Kind = "profile_unknown" // --profile matched nothing
	KindBadURL         Kind = "bad_url"         // not an https:// URL
	KindConnect        Kind = "connect"         // could not reach the server
	KindServerUntrust  Kind = "server_untrusted"
	KindNotRequested   Kind = "not_requested"   // the server does not ask for a client certificate
	KindCANotAccepted  Kind = "ca_not_accepted" // the server lists the CAs it accepts, ours is not among them
	KindNoClientAuth   Kind = "no_client_auth"  // the certificate may not be used to log in
	KindServerRefused  Kind = "server_refused"  // the server rejected the certificate during the handshake
	KindHandshake      Kind = "handshake"       // any other TLS failure
)

// Error is a failure a person can cause or fix, with Message(lang).
type Error struct {
	Kind   Kind
	Path   string // profile or file
	App    string // program name, for the running/sandboxed texts
	Detail string // server's alert, accepted CAs, … (shown as is)
	Err    error
}

func (e *Error) Error() string {
	s := "browsers: " + string(e.Kind)
	if e.Path != "" {
		s += " " + e.Path
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Message is the text for a person, in "fr" or "en".
func (e *Error) Message(lang string) string {
	data := map[string]any{"Path": e.Path, "App": e.App, "Detail": e.Detail}
	if e.Err != nil {
		data["Err"] = assets.Message(e.Err, lang)
	}
	return assets.T(lang, "browsers.err."+string(e.Kind), data)
}

// IsKind reports whether err is a browsers *Error of kind k.
func IsKind(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}
