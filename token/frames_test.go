package token

import (
	"bytes"
	"testing"

	"github.com/miekg/pkcs11"
)

// The pipe to a worker is one gob stream per direction: a type's
// description travels in the first frame only, and the raw PIN frames that
// follow a request are read where they are, between two values.
func TestFrameStreamSendsTypesOnce(t *testing.T) {
	var pipe bytes.Buffer
	enc, dec := newFrameEncoder(&pipe), newFrameDecoder(&pipe)
	q := request{Op: "C_Login", U1: 7, U2: pkcs11.CKU_USER, Attrs: []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_ID, []byte{1})}}
	var sizes []int
	for i := 0; i < 3; i++ {
		before := pipe.Len()
		if err := enc.encode(q); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, pipe.Len()-before)
		if err := writeFrame(&pipe, []byte("1234")); err != nil { // a PIN, raw
			t.Fatal(err)
		}
	}
	if sizes[1] >= sizes[0]/2 || sizes[2] != sizes[1] {
		t.Errorf("frame sizes %v: the type description is sent again", sizes)
	}
	for i := 0; i < 3; i++ {
		var got request
		if err := dec.decode(&got); err != nil || got.Op != "C_Login" || got.U1 != 7 || len(got.Attrs) != 1 {
			t.Fatalf("value %d: %+v %v", i, got, err)
		}
		pin, err := readFrame(&pipe)
		if err != nil || string(pin) != "1234" {
			t.Fatalf("raw frame %d: %q %v", i, pin, err)
		}
	}
	if pipe.Len() != 0 {
		t.Errorf("%d bytes left", pipe.Len())
	}
}
