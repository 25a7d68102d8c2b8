package token

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// Our processes take turns on one library (issue 21): the window polling
// hot-plug, a CLI run and a support script may use one token at once, and
// SoftHSM2 (the demo token) rewrites its token file at every C_Login in a
// way another process can read half-written (docs/token.md). Each PKCS#11
// call takes an exclusive advisory lock on a file of its own for the
// library — flock(2), LockFileEx on Windows — held only while the call is
// inside the library (guard.go), never while a person types: a code is
// typed before its call is sent, and a login on a PIN pad reader is not
// locked at all. The kernel drops the lock of a process that dies, so a
// killed worker frees it. A lock that cannot be had within the call's own
// deadline fails the call with KindTurn, before anything is sent to the
// token; a lock file that cannot be made (read-only home, a link in its
// place) means no lock — the behaviour before the lock — never a failure.

// turnPath is the lock file for the library at key (its resolved absolute
// path) with the SoftHSM2 configuration conf ("" if unset: two runs on
// separate SoftHSM2 stores do not wait for each other), in
// <user cache>/certigna-desktop/locks — where the demo token lives too, so
// processes that share the demo token share its lock. "" when the
// directory cannot be made or is not a plain directory of its own.
func turnPath(key, conf string) string {
	if key == "" {
		return ""
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	if conf != "" {
		if abs, err := filepath.Abs(conf); err == nil {
			conf = abs
		}
	}
	dir := filepath.Join(cache, "certigna-desktop")
	locks := filepath.Join(dir, "locks")
	if err := os.MkdirAll(locks, 0o700); err != nil {
		return ""
	}
	for _, d := range []string{dir, locks} {
		// MkdirAll follows links: ours must be real directories, or the
		// lock file would be written wherever they point.
		if fi, err := os.Lstat(d); err != nil || !fi.IsDir() {
			return ""
		}
	}
	sum := sha256.Sum256([]byte(key + "\x00" + conf))
	return filepath.Join(locks, hex.EncodeToString(sum[:16])+".lock")
}

// errLinkedLock: the lock path is a link (or not a plain file); it is not
// opened, and the call goes on without the lock.
var errLinkedLock = errors.New("lock path is not a plain file")

// turn is one held lock; its file is closed on release, which frees it.
type turn struct{ f *os.File }

// release frees the lock (nil: none was taken).
func (t *turn) release() {
	if t != nil {
		_ = t.f.Close()
	}
}

// turnPoll is the longest pause between two tries of a held lock.
const turnPoll = 20 * time.Millisecond

// turnWaitMax, when not zero, bounds every wait for a turn below the call's
// own deadline: a probe child (ProbeMain) must say the token was busy
// before its parent kills it at ProbeDeadline and calls the driver
// unanswering.
var turnWaitMax time.Duration

// turnWait is how long a call with deadline d waits for its turn.
func turnWait(d time.Duration) time.Duration {
	if turnWaitMax > 0 {
		return min(d, turnWaitMax)
	}
	return d
}

// takeTurn waits up to wait for the lock at path. It returns the held lock,
// or nil and busy=false when there is no lock to take (no path, a file that
// cannot be made or is a link: the call goes on as before), or nil and
// busy=true when another process held it for the whole wait.
func takeTurn(path string, wait time.Duration) (t *turn, busy bool) {
	if path == "" {
		return nil, false
	}
	f, err := openTurn(path)
	if err != nil {
		return nil, false
	}
	end := time.Now().Add(wait)
	pause := time.Millisecond
	for {
		held, err := tryLock(f)
		if err != nil { // a file system without locks: as before
			_ = f.Close()
			return nil, false
		}
		if held {
			return &turn{f}, false
		}
		if !time.Now().Before(end) {
			_ = f.Close()
			return nil, true
		}
		time.Sleep(min(pause, time.Until(end)))
		pause = min(2*pause, turnPoll)
	}
}
