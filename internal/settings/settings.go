// Package settings keeps the app's state between runs: the preferences
// (module, language, timestamp settings) and which steps of the welcome
// guide are done for each token. Never a PIN or a code. The window and the
// CLI read the same file, so that they use the same module.
package settings

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Step names one step of the welcome guide (ui/guide.go gives them
// meaning); the store only remembers which are done, and when.
type Step string

// Progress is what is remembered for one token (by serial). Never a PIN or a
// code: only which steps are done and when.
type Progress struct {
	Done map[Step]time.Time `json:"done"`
}

// Settings are the app-wide preferences.
type Settings struct {
	ModulePath string `json:"module_path,omitempty"`
	Lang       string `json:"lang,omitempty"`
	// Timestamp settings of the test signature (never a password: the
	// window keeps the TSA's in the OS keychain, the CLI reads it from the
	// environment).
	TSAURL     string `json:"tsa_url,omitempty"`
	LTV        bool   `json:"ltv,omitempty"`
	AllowLower bool   `json:"allow_lower,omitempty"`
	// TSAUser is the timestamp server's login name; its password is in
	// the OS keychain only.
	TSAUser string `json:"tsa_user,omitempty"`
	// LastCert: token serial → ID (hex) of the certificate last used to
	// sign with it.
	LastCert map[string]string `json:"last_cert,omitempty"`

	// Certs: expiry of the certificates seen on the user's tokens, kept so
	// that the renewal reminder shows even before the token is plugged in
	// (internal/reminder). Key: token serial + "/" + certificate ID (hex).
	// Public facts only: holder name and date, never a PIN.
	Certs map[string]CertExpiry `json:"certs,omitempty"`
	// ReminderNotified: when the last desktop notification of a reminder
	// was sent (at most one a day).
	ReminderNotified time.Time `json:"reminder_notified,omitempty"`

	// UpdatesOff turns the daily "new version" check off (internal/update).
	UpdatesOff bool `json:"updates_off,omitempty"`
	// UpdateChecked and UpdateSequence: the last check, and the highest
	// manifest sequence accepted (an older manifest replayed is ignored).
	UpdateChecked  time.Time `json:"update_checked,omitempty"`
	UpdateSequence uint64    `json:"update_sequence,omitempty"`
}

// CertExpiry is what the reminder needs of a certificate.
type CertExpiry struct {
	Holder   string    `json:"holder"`
	NotAfter time.Time `json:"not_after"`
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

// DefaultPath is where the app keeps its state.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "certigna-desktop", "state.json"), nil
}

// Open reads path; a missing or unreadable file starts empty (progress is
// a convenience, not something to refuse to start over).
func Open(path string) *Store {
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
		p = &Progress{Done: map[Step]time.Time{}}
		s.data.Tokens[serial] = p
	}
	if p.Done == nil {
		p.Done = map[Step]time.Time{}
	}
	return p
}

// IsDone says whether the user (or the app) marked step done for serial.
func (s *Store) IsDone(serial string, step Step) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.progress(serial).Done[step]
	return ok
}

// SetDone records or clears a step for serial and saves.
func (s *Store) SetDone(serial string, step Step, done bool) error {
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
