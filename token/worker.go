package token

import (
	"errors"
	"io"
	"os"
	"strings"
	"unsafe"

	"github.com/miekg/pkcs11"
)

// WorkerMain is the pkcs11-worker verb: load the library at path, greet
// (an empty response, or Err saying why the library cannot be loaded), then
// answer requests from in on out until in ends (see remote.go). A crash of
// the library ends this process; the app sees a KindDriverCrashed error.
func WorkerMain(path string, in io.Reader, out io.Writer) int {
	enc, dec := newFrameEncoder(out), newFrameDecoder(in)
	if _, err := os.Stat(path); err != nil {
		_ = enc.encode(response{Err: "missing file"})
		return 1
	}
	c := pkcs11.New(path)
	if c == nil {
		_ = enc.encode(response{Err: diagnoseLoad(path)})
		return 1
	}
	if err := enc.encode(response{}); err != nil {
		return 1
	}
	for {
		var q request
		if err := dec.decode(&q); err != nil {
			return 0 // the app closed the pipe (or died)
		}
		pins := make([][]byte, 0, q.PINs)
		ok := true
		for i := 0; i < q.PINs && ok; i++ {
			p, err := readFrame(in)
			ok = err == nil
			pins = append(pins, p)
		}
		if !ok {
			wipeAll(pins)
			return 1
		}
		resp := serve(c, &q, pins)
		wipeAll(pins) // the PIN lived in this buffer only for the call
		if err := enc.encode(resp); err != nil {
			return 1
		}
	}
}

func wipeAll(bufs [][]byte) {
	for _, b := range bufs {
		clear(b)
	}
}

// view is b as a string without a copy (the call's PIN buffer).
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func serve(c *pkcs11.Ctx, q *request, pins [][]byte) (r response) {
	pin := func(i int) string {
		if i < len(pins) {
			return view(pins[i])
		}
		return ""
	}
	var err error
	sh := pkcs11.SessionHandle(q.U1)
	switch q.Op {
	case "C_Initialize":
		for _, kv := range q.Env {
			if k, v, ok := strings.Cut(kv, "="); ok {
				os.Setenv(k, v)
			}
		}
		err = c.Initialize()
	case "C_Finalize":
		err = c.Finalize()
	case "C_GetInfo":
		r.Info, err = c.GetInfo()
	case "C_GetSlotList":
		r.Uints, err = c.GetSlotList(q.B)
	case "C_GetSlotInfo":
		r.SlotInfo, err = c.GetSlotInfo(q.U1)
	case "C_GetTokenInfo":
		r.TokenInfo, err = c.GetTokenInfo(q.U1)
	case "C_OpenSession":
		var h pkcs11.SessionHandle
		h, err = c.OpenSession(q.U1, q.U2)
		r.H1 = uint(h)
	case "C_CloseSession":
		err = c.CloseSession(sh)
	case "C_Login":
		err = c.Login(sh, q.U2, pin(0))
	case "C_Logout":
		err = c.Logout(sh)
	case "C_SetPIN":
		err = c.SetPIN(sh, pin(0), pin(1))
	case "C_InitPIN":
		err = c.InitPIN(sh, pin(0))
	case "C_FindObjectsInit":
		err = c.FindObjectsInit(sh, q.Attrs)
	case "C_FindObjects":
		var objs []pkcs11.ObjectHandle
		objs, r.More, err = c.FindObjects(sh, q.N)
		for _, o := range objs {
			r.Uints = append(r.Uints, uint(o))
		}
	case "C_FindObjectsFinal":
		err = c.FindObjectsFinal(sh)
	case "C_GetAttributeValue":
		r.Attrs, err = c.GetAttributeValue(sh, pkcs11.ObjectHandle(q.U2), q.Attrs)
	case "C_SignInit":
		err = c.SignInit(sh, q.Mechs, pkcs11.ObjectHandle(q.U2))
	case "C_Sign":
		r.Data, err = c.Sign(sh, q.Data)
	case "C_InitToken":
		err = c.InitToken(q.U1, pin(0), q.S)
	case "C_GenerateKeyPair":
		var a, b pkcs11.ObjectHandle
		a, b, err = c.GenerateKeyPair(sh, q.Mechs, q.Attrs, q.Attrs2)
		r.H1, r.H2 = uint(a), uint(b)
	case "C_CreateObject":
		var h pkcs11.ObjectHandle
		h, err = c.CreateObject(sh, q.Attrs)
		r.H1 = uint(h)
	default:
		err = pkcs11.Error(pkcs11.CKR_FUNCTION_NOT_SUPPORTED)
	}
	var ckr pkcs11.Error
	switch {
	case errors.As(err, &ckr):
		r.Code = uint(ckr)
	case err != nil:
		r.Err = err.Error()
	}
	return r
}

// WorkerServe is WorkerMain on this process's standard input and output
// (the pkcs11-worker verb).
func WorkerServe(path string) int {
	return WorkerMain(path, os.Stdin, workerOutput())
}
