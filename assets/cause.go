package assets

import (
	"context"
	"crypto/x509"
	"errors"
	"io/fs"
	"net"
	"os"
	"syscall"
)

// Reason is an error whose text is a translation: Message says it in the
// person's language, Error in English (for logs and tests).
type Reason struct {
	Key  string
	Data map[string]any
}

func (r Reason) Error() string              { return T("en", r.Key, r.Data) }
func (r Reason) Message(lang string) string { return T(lang, r.Key, r.Data) }

// Cause is err's cause in lang when it is one of the system's failures
// people meet (causeKey); ok false otherwise.
func Cause(err error, lang string) (string, bool) {
	if k := causeKey(err); k != "" {
		return T(lang, "cause."+k, nil), true
	}
	return "", false
}

// causeKey names, under cause.*, what the system said when it is one of the
// failures people meet — a full disk, a refused access, a file another
// program holds, a server that does not answer — so that a message says it
// in the person's language instead of the system's English text; "" for
// anything else.
func causeKey(err error) string {
	var dns *net.DNSError
	var ne net.Error
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var badCert x509.CertificateInvalidError
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT), isErrno(err, windowsDiskFull...):
		return "disk_full"
	case errors.Is(err, syscall.EROFS), isErrno(err, windowsReadOnly...):
		return "read_only"
	case isErrno(err, windowsInUse...):
		return "in_use"
	case errors.Is(err, fs.ErrPermission):
		return "permission"
	case errors.Is(err, fs.ErrNotExist):
		return "not_found"
	case errors.Is(err, syscall.EIO):
		return "disk_error"
	case errors.As(err, &dns) && dns.IsNotFound:
		return "unknown_host"
	case errors.Is(err, syscall.ECONNREFUSED), isErrno(err, windowsRefused...):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET), isErrno(err, windowsReset...):
		return "cut"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), isErrno(err, windowsUnreachable...):
		return "unreachable"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, syscall.ETIMEDOUT),
		errors.As(err, &ne) && ne.Timeout(), isErrno(err, windowsTimeout...):
		return "timeout"
	case errors.As(err, &unknownCA), errors.As(err, &badHost), errors.As(err, &badCert):
		return "server_cert"
	}
	return ""
}

// isErrno: err is one of these system error numbers (the Windows ones
// have no syscall.E* equivalent that errors.Is would match).
func isErrno(err error, nums ...uintptr) bool {
	var e syscall.Errno
	if !errors.As(err, &e) {
		return false
	}
	for _, n := range nums {
		if uintptr(e) == n {
			return true
		}
	}
	return false
}
