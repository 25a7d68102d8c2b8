package token

import (
	"context"
	"crypto"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// The UI, a watcher and a signer share one module from several goroutines;
// `go test -race` checks the locking, the assertions check the results.
func TestConcurrentUse(t *testing.T) {
	tok, m, ti := openSoftHSM(t, testtoken.WithoutEC())
	// Open again: the same module, one context.
	m2, err := Open(tok.ModulePath)
	if err != nil {
		t.Fatal(err)
	}
	if m2 != m {
		t.Fatal("a second Open of the same library must share the context")
	}
	defer m2.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := m.Watch(ctx, 20*time.Millisecond)
	go func() {
		for range events {
		}
	}()
	s, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := m.Certificates(ti.Slot); err != nil {
					errs <- err
				}
				if _, err := m.Tokens(); err != nil {
					errs <- err
				}
				d := sha256.Sum256([]byte{byte(i)})
				sig, err := s.Sign(nil, d[:], crypto.SHA256)
				if err != nil {
					errs <- err
					continue
				}
				verify(t, s.Public(), d[:], sig, crypto.SHA256)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A token deleted under a logged-in signer (SoftHSM2 cannot say "removed"; it
// answers CKR_GENERAL_ERROR or an invalid handle): a typed error, no crash, no hang.
func TestSoftHSMTokenDeletedMidOperation(t *testing.T) {
	tok, m, ti := openSoftHSM(t, testtoken.WithoutEC())
	s, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tok.Unplug(t)
	done := make(chan error, 1)
	go func() {
		d := sha256.Sum256([]byte("x"))
		_, err := s.Sign(nil, d[:], crypto.SHA256)
		if err == nil {
			_, err = m.Certificates(ti.Slot)
		}
		done <- err
	}()
	select {
	case err := <-done:
		var te *Error
		if err != nil && !asError(err, &te) {
			t.Fatalf("untyped error %T %v", err, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hung on a deleted token")
	}
}

func asError(err error, te **Error) bool {
	e, ok := err.(*Error)
	*te = e
	return ok
}

// Login is per token for the whole application: a second signer shares the
// first one's login only with the same PIN (the token would not check another
// one), and closing one signer does not log the other out.
func TestTwoSignersShareTheLogin(t *testing.T) {
	tok, m, ti := openSoftHSM(t)
	s1, err := m.Signer(ti.Slot, tok.RSAID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Signer(ti.Slot, tok.ECID, "999999", false); !IsKind(err, KindBusy) {
		t.Fatalf("another PIN while logged in: %v", err)
	}
	s2, err := m.Signer(ti.Slot, tok.ECID, tok.PIN, false)
	if err != nil {
		t.Fatal(err)
	}
	s1.Close()
	d := sha256.Sum256([]byte("y"))
	sig, err := s2.Sign(nil, d[:], crypto.SHA256)
	if err != nil {
		t.Fatalf("second signer logged out by the first: %v", err)
	}
	verify(t, s2.Public(), d[:], sig, crypto.SHA256)
	s2.Close()
	// Everything closed: the next signer logs in for real, and a wrong PIN is checked by the token.
	if _, err := m.Signer(ti.Slot, tok.RSAID, "999999", false); !IsKind(err, KindPINIncorrect) {
		t.Fatalf("after close: %v", err)
	}
}
