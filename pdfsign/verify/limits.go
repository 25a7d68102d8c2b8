package verify

// What checking one signature may cost, for the work bounds against
// hostile files (pdfsign's limits.go).

import (
	"crypto/sha256"

	"github.com/certigna-desktop/app/internal/pdf"
)

// sigKeys identifies signature dictionaries by their whole content: a
// field naming the same dictionary, or an identical copy, gets the same
// report. Serialising a dictionary counts as work, and one met again
// (the reader's cache gives the same *Dict) is not serialised twice.
type sigKeys map[*pdf.Dict]string

func (m sigKeys) key(r *pdf.Reader, v *pdf.Dict) (string, error) {
	if k, ok := m[v]; ok {
		return k, nil
	}
	b := pdf.AppendObject(nil, v)
	if err := r.Step(len(b) / 16); err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	m[v] = string(sum[:])
	return m[v], nil
}

// sigWork is what checking one signature may cost, in hashed bytes: the
// file (its ranges and the /Contents gap) plus its CMS, whose certificates
// parse about 16 times slower than SHA-256 hashes.
func sigWork(r *pdf.Reader, v *pdf.Dict, size int64) int64 {
	co, _ := r.Resolve(v.Get("Contents"))
	c, _ := co.(pdf.String)
	return size + 16*int64(len(c.B))
}
