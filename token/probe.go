package token

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Probing a candidate library loads it, and loading runs the vendor's own
// initialisation code, which may crash the process or never return. So
// discovery tries each candidate in a child process of the same binary
// (`certigna-desktop probe-module PATH`, JSON on stdout) with a deadline,
// and loads into the app only the one it chooses. A crash or a hang is then
// a line in the candidates list, not the end of the app.

// ProbeResult is what a probe found: the JSON printed by probe-module.
type ProbeResult struct {
	Path            string `json:"path"`
	Status          string `json:"status"`           // "found", "not_found" or "failed"
	Reason          string `json:"reason,omitempty"` // English words, translated by Error.Message ("wrong architecture", "crashed", …)
	Code            uint   `json:"ckr,omitempty"`    // the CKR_ code of a failed C_Initialize
	Manufacturer    string `json:"manufacturer,omitempty"`
	Description     string `json:"description,omitempty"`
	LibraryVersion  string `json:"library_version,omitempty"`
	CryptokiVersion string `json:"cryptoki_version,omitempty"`
	Tokens          int    `json:"tokens"`
	Millis          int64  `json:"ms"` // how long the probe took
}

// ProbeDeadline is how long a child probe may take before it is killed and
// the candidate reported as not answering.
var ProbeDeadline = 6 * time.Second

// EnvProbeChild is set in a probe child's environment: a child never
// probes in a child of its own.
const EnvProbeChild = "CERTIGNA_PROBE_CHILD"

var probeCmd struct {
	sync.Mutex
	argv []string
}

// SetProbeCommand makes discovery probe candidates out of process, running
// argv followed by the library path; argv[0] is normally os.Executable()
// and argv[1] "probe-module". Without it (or in a probe child) candidates
// are loaded in-process, as a library user of this package expects.
func SetProbeCommand(argv ...string) {
	probeCmd.Lock()
	probeCmd.argv = append([]string(nil), argv...)
	probeCmd.Unlock()
}

func probeCommand() []string {
	if os.Getenv(EnvProbeChild) == "1" {
		return nil
	}
	probeCmd.Lock()
	defer probeCmd.Unlock()
	return probeCmd.argv
}

// ProbeInProcess loads and initialises path in this process and counts its
// tokens: the child side of a probe (and what discovery does without a
// probe command).
func ProbeInProcess(path string) ProbeResult {
	start := time.Now()
	r := ProbeResult{Path: path}
	m, err := Open(path)
	if err != nil {
		r.Status = string(statusOf(err))
		var te *Error
		if errors.As(err, &te) {
			r.Reason, r.Code = te.Reason, te.Code
			switch te.Kind {
			case KindTimeout:
				r.Reason = "did not answer"
			case KindTurn:
				r.Reason = reasonBusy
			}
		}
		r.Millis = time.Since(start).Milliseconds()
		return r
	}
	defer m.Close()
	info := m.Info()
	r.Status = string(CandidateFound)
	r.Manufacturer, r.Description, r.LibraryVersion, r.CryptokiVersion = info.Manufacturer, info.Description, info.LibraryVersion, info.CryptokiVersion
	if ts, err := m.Tokens(); err == nil {
		r.Tokens = len(ts)
	}
	r.Millis = time.Since(start).Milliseconds()
	return r
}

// refusedByHeader is why a file whose header already says no (another
// processor or system, no PKCS#11 entry point) cannot be loaded — it needs
// no child: nothing of it would run anyway — or "" when only loading it
// can tell.
func refusedByHeader(path string) string {
	if v := diagnoseLoad(path); v != "cannot be loaded" && v != "missing file" {
		return v
	}
	return ""
}

// ProbeMain is the probe-module verb: probe path, print the JSON result on
// stdout. Exit 0 whenever a result was printed.
func ProbeMain(path string, stdout io.Writer) int {
	// Another process of ours on the library: say so while the parent
	// still listens, rather than be killed as a driver that hangs.
	turnWaitMax = ProbeDeadline / 2
	r := ProbeInProcess(path)
	if err := json.NewEncoder(stdout).Encode(r); err != nil {
		return 1
	}
	return 0
}

// Probe tries path in a child process (SetProbeCommand) within
// ProbeDeadline; without a probe command it probes in-process.
func Probe(ctx context.Context, path string) ProbeResult {
	argv := probeCommand()
	if len(argv) == 0 {
		return ProbeInProcess(path)
	}
	start := time.Now()
	r := ProbeResult{Path: path}
	if _, err := os.Stat(path); err != nil {
		r.Status, r.Reason = string(CandidateNotFound), "missing file"
		return r
	}
	if v := refusedByHeader(path); v != "" {
		r.Status, r.Reason = string(CandidateFailed), v
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, ProbeDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], append(append([]string(nil), argv[1:]...), path)...)
	cmd.Env = append(os.Environ(), EnvProbeChild+"=1")
	var out bytes.Buffer
	cmd.Stdout = &limited{w: &out, n: 64 << 10}
	cmd.Stderr = io.Discard
	cmd.WaitDelay = time.Second // a library's own child process holding our pipes does not hold us
	err := cmd.Run()
	r.Millis = time.Since(start).Milliseconds()
	if ctx.Err() == context.DeadlineExceeded {
		r.Status, r.Reason = string(CandidateFailed), "did not answer"
		return r
	}
	// The result is the last JSON line: a library may print its own
	// chatter on stdout before it.
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		var got ProbeResult
		if jerr := json.Unmarshal(bytes.TrimSpace(lines[i]), &got); jerr == nil && got.Status != "" {
			got.Path, got.Millis = path, r.Millis
			return got
		}
	}
	r.Status = string(CandidateFailed)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		// Killed by a signal (abort, segfault), or Go's exit 2 after a fault
		// in C code: no result printed either way.
		r.Reason = "crashed"
		return r
	}
	r.Reason = "probe failed"
	return r
}

// reasonBusy is a probe's reason when another process of ours held the
// library for the whole wait (token_turn): the driver was never asked.
const reasonBusy = "busy"

// probeError is the *Error a failed probe stands for.
func (r ProbeResult) probeError() error {
	switch CandidateStatus(r.Status) {
	case CandidateFound:
		return nil
	case CandidateNotFound:
		return &Error{Kind: KindModuleNotFound, Path: r.Path, Reason: r.Reason}
	}
	if r.Reason == reasonBusy {
		return &Error{Kind: KindTurn, Path: r.Path, Reason: "C_Initialize"}
	}
	reason := r.Reason
	if reason == "" {
		reason = "probe failed"
	}
	return &Error{Kind: KindModuleLoad, Path: r.Path, Reason: reason, Code: r.Code}
}

// limited writes at most n bytes: a chatty library cannot fill our memory.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	k := len(p)
	if k > l.n {
		p = p[:l.n]
	}
	l.n -= len(p)
	if len(p) > 0 {
		if _, err := l.w.Write(p); err != nil {
			return 0, err
		}
	}
	return k, nil
}
