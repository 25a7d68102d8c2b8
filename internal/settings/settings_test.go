package settings

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The settings and the done steps survive a new run; the file is private
// (0600) and a missing or unreadable file starts empty instead of failing.
func TestStoreRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "certigna-desktop", "state.json")
	s := Open(p)
	if !reflect.DeepEqual(s.Settings(), Settings{}) || s.IsDone("A1", "pin_set") {
		t.Fatalf("a new store is not empty: %+v", s.Settings())
	}
	want := Settings{ModulePath: "/usr/lib/x.so", Lang: "en", TSAURL: "https://tsa.example/", LTV: true, AllowLower: true}
	if err := s.SetSettings(want); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDone("A1", "pin_set", true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDone("A1", "", true); err == nil {
		t.Error("an empty step was accepted")
	}
	s2 := Open(p) // a new run
	if !reflect.DeepEqual(s2.Settings(), want) || !s2.IsDone("A1", "pin_set") || s2.IsDone("B2", "pin_set") {
		t.Fatalf("after a new run: %+v done=%v", s2.Settings(), s2.IsDone("A1", "pin_set"))
	}
	if err := s2.SetDone("A1", "pin_set", false); err != nil || Open(p).IsDone("A1", "pin_set") {
		t.Fatalf("undone step still done: %v", err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", fi, err)
	}
	if err := os.WriteFile(p, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := Open(p).Settings(); !reflect.DeepEqual(got, Settings{}) {
		t.Fatalf("a damaged file gave %+v", got)
	}
	if s := Open(""); s.SetSettings(want) != nil || !reflect.DeepEqual(s.Settings(), want) {
		t.Fatal("a store without a file keeps settings in memory")
	}
}
