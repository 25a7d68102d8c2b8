package browsers

// SystemCheck says whether the system's own certificate store shows the
// token's certificate. On Windows and macOS, Edge, Chrome and Safari (and
// Outlook, Mail) use that store, fed by the vendor's minidriver or
// CryptoTokenKit extension, not the PKCS#11 module.
type SystemCheck struct {
	Checked    bool     `json:"checked"` // false: this system has no such store (Linux)
	Store      string   `json:"store,omitempty"`
	Found      bool     `json:"found"`
	Smartcards []string `json:"smartcards,omitempty"` // macOS: `security list-smartcards`
	Err        string   `json:"error,omitempty"`
}
