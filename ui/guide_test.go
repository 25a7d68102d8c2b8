package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/actions"
)

// Progress is kept per token serial across runs, in a JSON file that holds
// step names and dates only.
func TestGuideProgressPersistsPerSerial(t *testing.T) {
	p := filepath.Join(t.TempDir(), "certigna-desktop", "state.json")
	s := OpenStore(p)
	tokA := &actions.TokenInfo{Serial: "A1", PIN: actions.PINOK}
	tokB := &actions.TokenInfo{Serial: "B2", PIN: actions.PINOK}
	if err := s.SetDone("", stepAccepted, true); err != nil { // ticked before the token was plugged in
		t.Fatal(err)
	}
	if err := s.SetDone("A1", stepPINSet, true); err != nil {
		t.Fatal(err)
	}
	s2 := OpenStore(p) // a new run
	st := stepStates(s2, guideFacts{DriverLoaded: true, Token: tokA})
	want := map[stepID]stepState{stepAccepted: stateDone, stepDriver: stateDone, stepInserted: stateDone,
		stepUnlockCode: stateDone /* implied by the PIN set */, stepPINSet: stateDone, stepTestSignature: stateCurrent, stepOriginals: stateTodo}
	for k, v := range want {
		if st[k] != v {
			t.Errorf("token A step %s: %d, want %d", k, st[k], v)
		}
	}
	stB := stepStates(s2, guideFacts{DriverLoaded: true, Token: tokB})
	if stB[stepPINSet] != stateTodo || stB[stepUnlockCode] != stateCurrent {
		t.Errorf("token B inherits token A's progress: %v", stB)
	}
	locked := &actions.TokenInfo{Serial: "B2", PIN: actions.PINLocked}
	if stepStates(s2, guideFacts{DriverLoaded: true, Token: locked})[stepPINSet] != stateBlocked {
		t.Error("a locked token does not show the PIN step blocked")
	}
	none := stepStates(s2, guideFacts{})
	if none[stepDriver] != stateCurrent || none[stepInserted] != stateTodo {
		t.Errorf("no driver: %v", none)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"A1"`) || strings.Contains(strings.ToLower(string(b)), "pin\":") {
		t.Fatalf("state file:\n%s", b)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v", fi.Mode())
	}
}
