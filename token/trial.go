package token

import (
	"errors"
	"time"
)

// A library the person named (--module, $CERTIGNA_PKCS11_MODULE, the saved
// choice) is opened at once in its pkcs11-worker when the app runs its
// libraries in workers: the worker is a child process of its own, so it
// already is the probe's side trial — a crash or a hang in the library's
// loading, C_Initialize or slot list ends the worker, not the app — and a
// separate probe child before it would load and initialise the same library
// twice (issue 21: one process start, one SoftHSM2 initialisation and its
// token file read less on every CLI run). What the probe said, the trial
// says: the same deadline for the whole trial (ProbeDeadline), the same
// reasons ("crashed", "did not answer", a wrong architecture found from the
// file's header without any child), the same KindModuleLoad error.

// trialOpen opens path in its worker and lists its tokens, all within
// ProbeDeadline. On failure the worker is gone and the error is the one a
// probe would have given.
func trialOpen(path string) (*Module, []TokenInfo, error) {
	if v := refusedByHeader(path); v != "" { // as Probe: no child for it
		return nil, nil, &Error{Kind: KindModuleLoad, Path: path, Reason: v}
	}
	// A missing file: openBy's KindModuleNotFound "missing file".
	m, err := openBy(path, time.Now().Add(ProbeDeadline))
	if err != nil {
		return nil, nil, trialError(path, err, nil)
	}
	ts, err := m.Tokens()
	m.ctx.setUntil(time.Time{})
	if failed := trialError(path, err, m); failed != err {
		_ = m.Close()
		return nil, nil, failed
	}
	return m, ts, err
}

// workerAlive: m's library does not run in a worker, or its worker lives.
func (m *Module) workerAlive() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.ctx.b.(*remote)
	return !ok || r.alive()
}

// trialError is err as the probe would have reported it: a call past the
// deadline did not answer, a worker that died (m's, when given) crashed.
// Any other error is err itself.
func trialError(path string, err error, m *Module) error {
	switch {
	case errors.Is(err, &Error{Kind: KindTimeout}), errors.Is(err, &Error{Kind: KindHung}):
		return &Error{Kind: KindModuleLoad, Path: path, Reason: "did not answer"}
	case errors.Is(err, &Error{Kind: KindDriverCrashed}), m != nil && !m.workerAlive():
		return &Error{Kind: KindModuleLoad, Path: path, Reason: "crashed"}
	}
	return err
}
