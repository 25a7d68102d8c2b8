package tempfiles

import (
	"os"
	"slices"
	"testing"
)

// The registry is what the signal handlers clean: a created file is listed
// until forgotten or removed, and RemoveAll deletes what is still listed.
func TestRegistry(t *testing.T) {
	dir := t.TempDir()
	kept, err := Create(dir, ".out.*.tmp")
	if err != nil {
		t.Fatal(err)
	}
	kept.Close()
	left, err := Create(dir, ".out.*.tmp")
	if err != nil {
		t.Fatal(err)
	}
	left.Close()
	gone, err := Create(dir, ".out.*.tmp")
	if err != nil {
		t.Fatal(err)
	}
	gone.Close()
	if p := Pending(); !slices.Contains(p, kept.Name()) || !slices.Contains(p, left.Name()) || !slices.Contains(p, gone.Name()) {
		t.Fatalf("created files not registered: %v", p)
	}
	Forget(kept.Name()) // renamed to its final name: no longer ours to remove
	Remove(gone.Name())
	if _, err := os.Stat(gone.Name()); !os.IsNotExist(err) {
		t.Fatalf("Remove left the file: %v", err)
	}
	if p := Pending(); len(p) != 1 || p[0] != left.Name() {
		t.Fatalf("pending after Forget/Remove: %v", p)
	}
	RemoveAll(false)
	if _, err := os.Stat(left.Name()); !os.IsNotExist(err) {
		t.Fatalf("RemoveAll left the file: %v", err)
	}
	if _, err := os.Stat(kept.Name()); err != nil {
		t.Fatalf("a forgotten file was removed: %v", err)
	}
	if p := Pending(); len(p) != 0 {
		t.Fatalf("pending after RemoveAll: %v", p)
	}
}
