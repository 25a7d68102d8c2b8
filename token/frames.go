package token

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"

	"github.com/miekg/pkcs11"
)

// The worker's pipe: requests and responses, one gob stream per direction
// in length-prefixed frames (PINs travel as raw frames, never gob-encoded).

// maxFrame bounds what either side reads in one frame: objects, certificates
// and signatures are far smaller.
const maxFrame = 16 << 20

type request struct {
	Op     string
	U1, U2 uint
	B      bool
	N      int
	S      string
	Data   []byte
	Attrs  []*pkcs11.Attribute
	Attrs2 []*pkcs11.Attribute
	Mechs  []*pkcs11.Mechanism
	Env    []string // KEY=VALUE set before C_Initialize (SoftHSM2 reads its configuration there)
	PINs   int      // raw frames that follow: the PIN(s) of Login, SetPIN, InitPIN, InitToken
}

type response struct {
	Code      uint   // CKR_ code of a pkcs11.Error
	Err       string // any other error
	Info      pkcs11.Info
	SlotInfo  pkcs11.SlotInfo
	TokenInfo pkcs11.TokenInfo
	Uints     []uint
	H1, H2    uint
	More      bool
	Attrs     []*pkcs11.Attribute
	Data      []byte
}

func (r *response) err() error {
	switch {
	case r.Code != 0:
		return pkcs11.Error(r.Code)
	case r.Err != "":
		return errors.New(r.Err)
	}
	return nil
}

func writeFrame(w io.Writer, b []byte) error {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// readFrame reads one frame into a new buffer of its exact size.
func readFrame(r io.Reader) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > maxFrame {
		return nil, fmt.Errorf("frame of %d bytes", size)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		clear(b)
		return nil, err
	}
	return b, nil
}

// Each direction of the pipe is one gob stream: a type's description goes
// once, in the first frame that needs it, and each side compiles it once —
// rather than in every frame (issue 21: a CLI signature makes ~45 calls).
// One value per frame; a decoder reads only the frames its values take, so
// the raw PIN frames that follow a request are read as they were.

// frameEncoder writes each value as one frame of its gob stream.
type frameEncoder struct {
	w   io.Writer
	buf bytes.Buffer
	enc *gob.Encoder
}

func newFrameEncoder(w io.Writer) *frameEncoder {
	e := &frameEncoder{w: w}
	e.enc = gob.NewEncoder(&e.buf)
	return e
}

func (e *frameEncoder) encode(v any) error {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return err
	}
	return writeFrame(e.w, e.buf.Bytes())
}

// frameDecoder reads the values of a stream of frames.
type frameDecoder struct {
	r   io.Reader
	cur []byte // what is left of the frame being read
	dec *gob.Decoder
}

func newFrameDecoder(r io.Reader) *frameDecoder {
	d := &frameDecoder{r: r}
	d.dec = gob.NewDecoder(d) // an io.ByteReader: gob adds no buffer reading ahead
	return d
}

func (d *frameDecoder) fill() error {
	for len(d.cur) == 0 {
		b, err := readFrame(d.r)
		if err != nil {
			return err
		}
		d.cur = b
	}
	return nil
}

func (d *frameDecoder) Read(p []byte) (int, error) {
	if err := d.fill(); err != nil {
		return 0, err
	}
	n := copy(p, d.cur)
	d.cur = d.cur[n:]
	return n, nil
}

func (d *frameDecoder) ReadByte() (byte, error) {
	if err := d.fill(); err != nil {
		return 0, err
	}
	b := d.cur[0]
	d.cur = d.cur[1:]
	return b, nil
}

// decode reads the next value, which must end its frame.
func (d *frameDecoder) decode(v any) error {
	if err := d.dec.Decode(v); err != nil {
		return err
	}
	if len(d.cur) != 0 {
		return fmt.Errorf("%d bytes left in a frame", len(d.cur))
	}
	return nil
}
