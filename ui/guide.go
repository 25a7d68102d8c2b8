package ui

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// StepID names one step of the CA's welcome e-mail.
type StepID string

const (
	StepAccepted      StepID = "accepted"       // certificate accepted on the private space (user ticks)
	StepDriver        StepID = "driver"         // a PKCS#11 module is loaded (discovered)
	StepInserted      StepID = "inserted"       // a token is present (discovered)
	StepUnlockCode    StepID = "unlock_code"    // unlock code retrieved by SMS on the website (user ticks)
	StepPINSet        StepID = "pin_set"        // personal PIN set (done in-app, or ticked)
	StepTestSignature StepID = "test_signature" // a PDF signed and verified in-app
	StepOriginals     StepID = "originals"      // paper originals posted to the CA (user ticks)
)

// Steps in the order of the e-mail.
var Steps = []StepID{StepAccepted, StepDriver, StepInserted, StepUnlockCode, StepPINSet, StepTestSignature, StepOriginals}

// StepState of one step.
type StepState int

const (
	StateTodo StepState = iota
	StateCurrent
	StateDone
	StateBlocked
)

// Progress is what is remembered for one token (by serial). Never a PIN or a
// code: only which steps are done and when.
type Progress struct {
	Done map[StepID]time.Time `json:"done"`
}

// Settings are the app-wide preferences.
type Settings struct {
	ModulePath string `json:"module_path,omitempty"`
	Lang       string `json:"lang,omitempty"`
	// Timestamp settings of the test signature (never a password: the
	// TSA's credentials come from the environment only).
	TSAURL     string `json:"tsa_url,omitempty"`
	LTV        bool   `json:"ltv,omitempty"`
	AllowLower bool   `json:"allow_lower,omitempty"`
}

type stateFile struct {
	Settings Settings             `json:"settings"`
	Tokens   map[string]*Progress `json:"tokens"` // serial → progress
}

// Store keeps the guide's progress and the settings in a JSON file under the
// user's config dir (os.UserConfigDir()/certigna-desktop/state.json).
type Store struct {
	mu   sync.Mutex
	path string
	data stateFile
}

// DefaultStorePath is where the app keeps its state.
func DefaultStorePath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "certigna-desktop", "state.json"), nil
}

// OpenStore reads path; a missing or unreadable file starts empty (progress is
// a convenience, not something to refuse to start over).
func OpenStore(path string) *Store {
	s := &Store{path: path, data: stateFile{Tokens: map[string]*Progress{}}}
	if path == "" {
		return s
	}
	if b, err := os.ReadFile(path); err == nil {
		var d stateFile
		if json.Unmarshal(b, &d) == nil {
			if d.Tokens == nil {
				d.Tokens = map[string]*Progress{}
			}
			s.data = d
		}
	}
	return s
}

// Path of the state file.
func (s *Store) Path() string { return s.path }

func (s *Store) saveLocked() error {
	if s.path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s.data, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}

// Settings returns a copy of the settings.
func (s *Store) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data.Settings
}

// SetSettings saves the settings.
func (s *Store) SetSettings(v Settings) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data.Settings = v
	return s.saveLocked()
}

// key is the serial; tokens without one share "" (still better than nothing).
func (s *Store) progress(serial string) *Progress {
	p := s.data.Tokens[serial]
	if p == nil {
		p = &Progress{Done: map[StepID]time.Time{}}
		s.data.Tokens[serial] = p
	}
	if p.Done == nil {
		p.Done = map[StepID]time.Time{}
	}
	return p
}

// IsDone says whether the user (or the app) marked step done for serial.
func (s *Store) IsDone(serial string, step StepID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.progress(serial).Done[step]
	return ok
}

// SetDone records or clears a step for serial and saves.
func (s *Store) SetDone(serial string, step StepID, done bool) error {
	if step == "" {
		return errors.New("empty step")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.progress(serial)
	if done {
		if _, ok := p.Done[step]; !ok {
			p.Done[step] = time.Now().UTC()
		}
	} else {
		delete(p.Done, step)
	}
	return s.saveLocked()
}

// GuideFacts are what the app observes now, as opposed to what was ticked.
type GuideFacts struct {
	DriverLoaded bool
	Token        *TokenInfo // nil: no token inserted
}

// StepStates computes each step's state: observed facts first, then what
// is remembered for this token; the first step not done is "current".
func (s *Store) StepStates(f GuideFacts) map[StepID]StepState {
	serial := ""
	if f.Token != nil {
		serial = f.Token.Serial
	}
	out := map[StepID]StepState{}
	for _, st := range Steps {
		done := false
		switch st {
		case StepDriver:
			done = f.DriverLoaded
		case StepInserted:
			done = f.Token != nil
		case StepAccepted, StepOriginals, StepUnlockCode:
			// ticked by the user, per token when one is known; a tick made
			// before the token was plugged in is kept under "" and counts too
			done = s.IsDone(serial, st) || s.IsDone("", st)
		default:
			done = f.Token != nil && s.IsDone(serial, st)
		}
		// a token whose PIN was set has necessarily had its unlock code
		if st == StepUnlockCode && f.Token != nil && s.IsDone(serial, StepPINSet) {
			done = true
		}
		if done {
			out[st] = StateDone
		} else {
			out[st] = StateTodo
		}
	}
	if f.Token != nil && f.Token.PIN == PINLocked && out[StepPINSet] != StateDone {
		out[StepPINSet] = StateBlocked
	}
	for _, st := range Steps {
		if out[st] == StateTodo {
			out[st] = StateCurrent
			break
		}
	}
	return out
}
