package token

import (
	"io"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/miekg/pkcs11"
)

// A vendor driver runs inside the process that loads it: a driver that
// crashes in C_Login or C_Sign would take the window (or the CLI, leaving a
// Go crash dump) with it. With a worker command set (SetWorkerCommand, done
// by the app's binary), every C_ call of a module runs in a child process of
// the same binary (`certigna-desktop pkcs11-worker PATH`) that loads the
// library and answers on a pipe; the token package drives it through the
// same backend interface as an in-process *pkcs11.Ctx, under the same
// per-call deadlines (guard.go). A worker that dies makes every call of the
// module fail with KindDriverCrashed ("the driver … stopped unexpectedly"),
// and nothing is retried: a crash inside C_Login may have cost a try. The
// next Open of that library starts a new worker.
//
// Protocol (stdin/stdout of the worker): frames of a 4-byte big-endian
// length and a gob-encoded request or response; a PIN is not in the gob
// body but in raw frames that follow the request (the count is in the
// request), written from the caller's buffer and read by the worker into a
// buffer it wipes after the call. A PIN never goes through argv or the
// environment.

// EnvWorkerChild is set in a worker's environment.
const EnvWorkerChild = "CERTIGNA_WORKER_CHILD"

var workerCmd struct {
	sync.Mutex
	argv []string
}

// SetWorkerCommand makes Open run each library in a worker child: argv
// followed by the library path; argv[0] is normally os.Executable() and
// argv[1] "pkcs11-worker". Without it (a library user of this package,
// most tests) libraries are loaded in-process.
func SetWorkerCommand(argv ...string) {
	workerCmd.Lock()
	workerCmd.argv = append([]string(nil), argv...)
	workerCmd.Unlock()
}

func workerCommand() []string {
	if os.Getenv(EnvWorkerChild) == "1" || os.Getenv(EnvProbeChild) == "1" {
		return nil
	}
	workerCmd.Lock()
	defer workerCmd.Unlock()
	return workerCmd.argv
}

// remote is a backend whose library runs in a worker process.
type remote struct {
	path string

	mu   sync.Mutex // one request at a time on the pipe
	cmd  *exec.Cmd
	in   io.WriteCloser // the worker's stdin
	out  io.ReadCloser  // the worker's stdout
	enc  *frameEncoder  // requests, on in
	dec  *frameDecoder  // answers, from out
	dead string         // the C_ call during which the worker died ("" while alive)
	gone chan struct{}  // closed when the worker has exited
}

// startWorker starts the worker for path and waits for its greeting: the
// library loaded, or why not (within wait: the Slow deadline, as
// loadLibrary, or what is left of a trial's).
func startWorker(argv []string, path string, wait time.Duration) (*remote, *Error) {
	cmd := exec.Command(argv[0], append(append([]string(nil), argv[1:]...), path)...)
	cmd.Env = append(os.Environ(), EnvWorkerChild+"=1")
	// A crashing driver's output (a Go crash dump of the worker, the
	// library's own messages) is not for the person at the terminal.
	cmd.Stderr = io.Discard
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, &Error{Kind: KindModuleLoad, Path: path, Reason: "cannot be loaded", Err: err}
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, &Error{Kind: KindModuleLoad, Path: path, Reason: "cannot be loaded", Err: err}
	}
	if err := cmd.Start(); err != nil {
		return nil, &Error{Kind: KindModuleLoad, Path: path, Reason: "cannot be loaded", Err: err}
	}
	r := &remote{path: path, cmd: cmd, in: in, out: out, enc: newFrameEncoder(in), dec: newFrameDecoder(out), gone: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(r.gone) }()
	type hello struct {
		resp response
		err  error
	}
	done := make(chan hello, 1)
	go func() {
		var h response
		err := r.dec.decode(&h)
		done <- hello{h, err}
	}()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case h := <-done:
		if h.err != nil {
			r.kill()
			return nil, &Error{Kind: KindModuleLoad, Path: path, Reason: "crashed"}
		}
		if h.resp.Err != "" {
			r.kill()
			return nil, &Error{Kind: KindModuleLoad, Path: path, Reason: h.resp.Err}
		}
		return r, nil
	case <-t.C:
		r.kill()
		return nil, &Error{Kind: KindTimeout, Path: path, Reason: "dlopen", Seconds: int((wait + time.Second - 1) / time.Second)}
	}
}

func (r *remote) kill() {
	_ = r.cmd.Process.Kill()
	r.in.Close()
}

// alive: the worker has not died (a dead one is replaced at the next Open).
func (r *remote) alive() bool {
	select {
	case <-r.gone:
		return false
	default:
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dead == ""
}

// do sends one request, the PINs as raw frames after it, and reads the
// answer. A broken pipe or an early end means the worker died: this call
// and every later one fail with KindDriverCrashed.
func (r *remote) do(name string, q request, pins ...string) (*response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dead != "" {
		return nil, r.crashed(r.dead)
	}
	q.Op, q.PINs = name, len(pins)
	err := r.enc.encode(q)
	for _, p := range pins {
		if err == nil {
			// Written from the caller's buffer: no copy of ours.
			err = writeFrame(r.in, pinBytes(p))
		}
	}
	var resp response
	if err == nil {
		err = r.dec.decode(&resp)
	}
	if err != nil {
		r.dead = name
		r.kill()
		return nil, r.crashed(name)
	}
	return &resp, nil
}

func (r *remote) crashed(call string) error {
	return &Error{Kind: KindDriverCrashed, Path: r.path, Reason: call, PINSent: pinCall(call)}
}

func (r *remote) Initialize(opts ...pkcs11.InitializeOption) error {
	var env []string
	for _, k := range []string{"SOFTHSM2_CONF"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	resp, err := r.do("C_Initialize", request{Env: env})
	if err != nil {
		return err
	}
	return resp.err()
}

func (r *remote) simple(name string, q request, pins ...string) error {
	resp, err := r.do(name, q, pins...)
	if err != nil {
		return err
	}
	return resp.err()
}

func (r *remote) Finalize() error { return r.simple("C_Finalize", request{}) }

func (r *remote) GetInfo() (pkcs11.Info, error) {
	resp, err := r.do("C_GetInfo", request{})
	if err != nil {
		return pkcs11.Info{}, err
	}
	return resp.Info, resp.err()
}

func (r *remote) GetSlotList(present bool) ([]uint, error) {
	resp, err := r.do("C_GetSlotList", request{B: present})
	if err != nil {
		return nil, err
	}
	return resp.Uints, resp.err()
}

func (r *remote) GetSlotInfo(slot uint) (pkcs11.SlotInfo, error) {
	resp, err := r.do("C_GetSlotInfo", request{U1: slot})
	if err != nil {
		return pkcs11.SlotInfo{}, err
	}
	return resp.SlotInfo, resp.err()
}

func (r *remote) GetTokenInfo(slot uint) (pkcs11.TokenInfo, error) {
	resp, err := r.do("C_GetTokenInfo", request{U1: slot})
	if err != nil {
		return pkcs11.TokenInfo{}, err
	}
	return resp.TokenInfo, resp.err()
}

func (r *remote) OpenSession(slot uint, flags uint) (pkcs11.SessionHandle, error) {
	resp, err := r.do("C_OpenSession", request{U1: slot, U2: flags})
	if err != nil {
		return 0, err
	}
	return pkcs11.SessionHandle(resp.H1), resp.err()
}

func (r *remote) CloseSession(sh pkcs11.SessionHandle) error {
	return r.simple("C_CloseSession", request{U1: uint(sh)})
}

func (r *remote) Login(sh pkcs11.SessionHandle, userType uint, pin string) error {
	return r.simple("C_Login", request{U1: uint(sh), U2: userType}, pin)
}

func (r *remote) Logout(sh pkcs11.SessionHandle) error {
	return r.simple("C_Logout", request{U1: uint(sh)})
}

func (r *remote) SetPIN(sh pkcs11.SessionHandle, oldpin string, newpin string) error {
	return r.simple("C_SetPIN", request{U1: uint(sh)}, oldpin, newpin)
}

func (r *remote) InitPIN(sh pkcs11.SessionHandle, pin string) error {
	return r.simple("C_InitPIN", request{U1: uint(sh)}, pin)
}

func (r *remote) FindObjectsInit(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) error {
	return r.simple("C_FindObjectsInit", request{U1: uint(sh), Attrs: temp})
}

func (r *remote) FindObjects(sh pkcs11.SessionHandle, max int) ([]pkcs11.ObjectHandle, bool, error) {
	resp, err := r.do("C_FindObjects", request{U1: uint(sh), N: max})
	if err != nil {
		return nil, false, err
	}
	objs := make([]pkcs11.ObjectHandle, len(resp.Uints))
	for i, o := range resp.Uints {
		objs[i] = pkcs11.ObjectHandle(o)
	}
	return objs, resp.More, resp.err()
}

func (r *remote) FindObjectsFinal(sh pkcs11.SessionHandle) error {
	return r.simple("C_FindObjectsFinal", request{U1: uint(sh)})
}

func (r *remote) GetAttributeValue(sh pkcs11.SessionHandle, o pkcs11.ObjectHandle, a []*pkcs11.Attribute) ([]*pkcs11.Attribute, error) {
	resp, err := r.do("C_GetAttributeValue", request{U1: uint(sh), U2: uint(o), Attrs: a})
	if err != nil {
		return nil, err
	}
	return resp.Attrs, resp.err()
}

func (r *remote) SignInit(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, o pkcs11.ObjectHandle) error {
	return r.simple("C_SignInit", request{U1: uint(sh), U2: uint(o), Mechs: m})
}

func (r *remote) Sign(sh pkcs11.SessionHandle, message []byte) ([]byte, error) {
	resp, err := r.do("C_Sign", request{U1: uint(sh), Data: message})
	if err != nil {
		return nil, err
	}
	return resp.Data, resp.err()
}

func (r *remote) InitToken(slotID uint, pin string, label string) error {
	return r.simple("C_InitToken", request{U1: slotID, S: label}, pin)
}

func (r *remote) GenerateKeyPair(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, public, private []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error) {
	resp, err := r.do("C_GenerateKeyPair", request{U1: uint(sh), Mechs: m, Attrs: public, Attrs2: private})
	if err != nil {
		return 0, 0, err
	}
	return pkcs11.ObjectHandle(resp.H1), pkcs11.ObjectHandle(resp.H2), resp.err()
}

func (r *remote) CreateObject(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) (pkcs11.ObjectHandle, error) {
	resp, err := r.do("C_CreateObject", request{U1: uint(sh), Attrs: temp})
	if err != nil {
		return 0, err
	}
	return pkcs11.ObjectHandle(resp.H1), resp.err()
}
