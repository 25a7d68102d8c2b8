//go:build unix

package browsers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileProfilesINI: a huge profiles.ini (millions of sections, a
// line longer than the scanner's buffer) and a FIFO as profiles.ini end
// quickly with a bounded list of profiles (issue #11).
func TestHostileProfilesINI(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.ini")
	var b strings.Builder
	for i := 0; b.Len() < 30<<20; i++ {
		fmt.Fprintf(&b, "[Profile%d]\nName=p%d\nPath=p%d\n", i, i, i)
	}
	if err := os.WriteFile(big, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := len(readProfilesINI(big)); got == 0 || got > maxProfiles+1 {
		t.Errorf("huge profiles.ini: %d profiles", got)
	}
	long := filepath.Join(dir, "long.ini")
	os.WriteFile(long, []byte("[Profile0]\nName="+strings.Repeat("x", 1<<20)+"\nPath=a\n"), 0o600)
	readProfilesINI(long) // no crash; what it keeps does not matter
	fifo := filepath.Join(dir, "fifo.ini")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	done := make(chan []iniProfile, 1)
	go func() { done <- readProfilesINI(fifo) }()
	select {
	case p := <-done:
		if len(p) != 0 {
			t.Errorf("FIFO: %v", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a FIFO as profiles.ini blocks")
	}
}
