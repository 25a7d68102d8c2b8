package pdf

import (
	"fmt"
	"strconv"
)

// The PDF object model of this package: just enough to read the few objects a
// signature touches and to write them back. Numbers keep their text (Real) so
// that a rewritten object says exactly what the original said.

// Object is one of: nil (null), bool, Int, Real, Name, String, Ref, Array, *Dict, *Stream.
type Object any

// Int is a PDF integer.
type Int int64

// Real is a PDF real number, kept as written.
type Real string

// Name is a PDF name, without its slash, decoded (#xx resolved).
type Name string

// String is a PDF string; Hex records how it was written.
type String struct {
	B   []byte
	Hex bool
}

// Ref is an indirect reference "Num Gen R".
type Ref struct{ Num, Gen int }

func (r Ref) String() string { return fmt.Sprintf("%d %d R", r.Num, r.Gen) }

// Array is a PDF array.
type Array []Object

// Dict is a PDF dictionary that keeps its key order.
type Dict struct{ kv []kv }

type kv struct {
	k string
	v Object
}

// Stream is a stream object: its dictionary and where its data starts in the
// file. The data itself is read only when needed.
type Stream struct {
	Dict   *Dict
	Offset int64 // file offset of the first data byte
	// crypt is set when the stream's data is encrypted (crypt.go): the
	// object number and generation its key comes from.
	crypt *objectKey
}

// Get returns the value of key, or nil.
func (d *Dict) Get(key string) Object {
	if d == nil {
		return nil
	}
	for _, e := range d.kv {
		if e.k == key {
			return e.v
		}
	}
	return nil
}

// Lookup returns Get for d, through a map when d is large (Get is a linear
// search: comparing two large dictionaries key by key would be quadratic).
// The first of duplicate keys wins, as with Get.
func (d *Dict) Lookup() func(key string) Object {
	if d == nil || len(d.kv) <= 16 {
		return d.Get
	}
	m := make(map[string]Object, len(d.kv))
	for _, e := range d.kv {
		if _, dup := m[e.k]; !dup {
			m[e.k] = e.v
		}
	}
	return func(key string) Object { return m[key] }
}

// Has reports whether key is present.
func (d *Dict) Has(key string) bool {
	if d == nil {
		return false
	}
	for _, e := range d.kv {
		if e.k == key {
			return true
		}
	}
	return false
}

// Set replaces key's value, or appends key.
func (d *Dict) Set(key string, v Object) {
	for i := range d.kv {
		if d.kv[i].k == key {
			d.kv[i].v = v
			return
		}
	}
	d.kv = append(d.kv, kv{key, v})
}

// Del removes key.
func (d *Dict) Del(key string) {
	for i := range d.kv {
		if d.kv[i].k == key {
			d.kv = append(d.kv[:i], d.kv[i+1:]...)
			return
		}
	}
}

// Keys returns the keys in order.
func (d *Dict) Keys() []string {
	if d == nil {
		return nil
	}
	ks := make([]string, len(d.kv))
	for i, e := range d.kv {
		ks[i] = e.k
	}
	return ks
}

// Len is the number of entries.
func (d *Dict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.kv)
}

// Clone is a shallow copy (values shared; arrays copied one level).
func (d *Dict) Clone() *Dict {
	n := &Dict{kv: make([]kv, len(d.kv))}
	for i, e := range d.kv {
		if a, ok := e.v.(Array); ok {
			e.v = append(Array(nil), a...)
		}
		n.kv[i] = e
	}
	return n
}

// NameOf returns d[key] as a name ("" if not a name).
func (d *Dict) NameOf(key string) string {
	n, _ := d.Get(key).(Name)
	return string(n)
}

// ---------------------------------------------------------------- parsing

// ---------------------------------------------------------------- helpers

// toInt returns o as an int64 when it is a number.
func ToInt(o Object) (int64, bool) {
	switch v := o.(type) {
	case Int:
		return int64(v), true
	case Real:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return 0, false
		}
		return int64(f), true
	}
	return 0, false
}

func ToFloat(o Object) (float64, bool) {
	switch v := o.(type) {
	case Int:
		return float64(v), true
	case Real:
		f, err := strconv.ParseFloat(string(v), 64)
		return f, err == nil
	}
	return 0, false
}
