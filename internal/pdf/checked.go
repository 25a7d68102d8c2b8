package pdf

import (
	"os"
	"sync"
)

// One process reads a file to sign several times: the check before the PIN
// (sign.Check), the signature, each opening its own descriptor. CheckXref
// reads the header of every object (5,000 reads for bench/sign.sh's 5,000
// pages), so a success is remembered for the file as fstat shows it —
// device, inode, size, modification and change times (fileID,
// checked_linux.go) — and a file that shows otherwise is checked again.
// Where no such identity exists (other systems) every check is done.

var xrefChecked struct {
	sync.Mutex
	ids map[xrefCheckedKey]bool
}

// xrefCheckedKey: the file's identity and what its table read gave.
type xrefCheckedKey struct {
	id        fileID
	startxref int64
	objects   int
}

// checkedKey is r's key when its file has an identity.
func (r *Reader) checkedKey() (xrefCheckedKey, bool) {
	f, ok := r.f.(*os.File)
	if !ok {
		return xrefCheckedKey{}, false
	}
	id, ok := fileIdentity(f)
	if !ok || id.size != r.size {
		return xrefCheckedKey{}, false
	}
	return xrefCheckedKey{id: id, startxref: r.startxref, objects: len(r.Xref)}, true
}

func (r *Reader) xrefCheckedBefore() (xrefCheckedKey, bool) {
	k, ok := r.checkedKey()
	if !ok {
		return k, false
	}
	xrefChecked.Lock()
	defer xrefChecked.Unlock()
	return k, xrefChecked.ids[k]
}

// rememberXrefChecked records a success, if the file still shows the
// identity it had before the check.
func (r *Reader) rememberXrefChecked(before xrefCheckedKey) {
	if k, ok := r.checkedKey(); !ok || k != before {
		return
	}
	xrefChecked.Lock()
	defer xrefChecked.Unlock()
	if xrefChecked.ids == nil || len(xrefChecked.ids) >= 64 {
		xrefChecked.ids = map[xrefCheckedKey]bool{} // a batch: the last files are enough
	}
	xrefChecked.ids[before] = true
}
