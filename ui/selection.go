package ui

import (
	"bytes"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/certigna-desktop/app/actions"
)

// Which token and certificate the screens work on, and what the guide
// and the screens are told about them.

func pickToken(toks []actions.TokenInfo, serial string) *actions.TokenInfo {
	for i := range toks {
		if toks[i].Serial == serial {
			return &toks[i]
		}
	}
	if len(toks) > 0 {
		return &toks[0]
	}
	return nil
}

func (a *App) setSelected(serial string) {
	a.selMu.Lock()
	a.selected = serial
	a.selMu.Unlock()
}

// current is the token shown, nil when none is inserted.
func (a *App) current() *actions.TokenInfo {
	t := pickToken(a.tokens, a.selected)
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// signingCerts are the certificates with a private key, in a stable order
// (the token's own order may change between two reads): those meant for
// signatures (non-repudiation) first, then by label and ID.
func (a *App) signingCerts() []*actions.CertInfo {
	var out []*actions.CertInfo
	for i := range a.certs {
		if a.certs[i].HasPrivateKey {
			out = append(out, &a.certs[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		ni, nj := hasUsage(out[i], "non_repudiation"), hasUsage(out[j], "non_repudiation")
		if ni != nj {
			return ni
		}
		if out[i].Label != out[j].Label {
			return out[i].Label < out[j].Label
		}
		return bytes.Compare(out[i].ID, out[j].ID) < 0
	})
	// the default (actions.DefaultSigningCert: the signing certificate,
	// valid, RSA on a tie) is offered first
	vals := make([]*actions.CertInfo, 0, len(out))
	list := make([]actions.CertInfo, len(out))
	for i, c := range out {
		list[i] = *c
	}
	if d := actions.DefaultSigningCert(list, time.Now()); d > 0 {
		vals = append(append(vals, out[d]), out[:d]...)
		out = append(vals, out[d+1:]...)
	}
	return out
}

func hasUsage(c *actions.CertInfo, u string) bool {
	for _, x := range c.KeyUsage {
		if x == u {
			return true
		}
	}
	return false
}

// signingCert is the certificate chosen on the sign screen, else the one
// last used on this token, else the first of signingCerts (the default).
func (a *App) signingCert() *actions.CertInfo {
	cs := a.signingCerts()
	t := a.current()
	if t != nil && t.Serial == a.pickFor && a.certPick != nil {
		for _, c := range cs {
			if bytes.Equal(c.ID, a.certPick) {
				return c
			}
		}
	}
	if t != nil {
		if last := a.opt.Store.Settings().LastCert[t.Serial]; last != "" {
			for _, c := range cs {
				if hex.EncodeToString(c.ID) == last {
					return c
				}
			}
		}
	}
	if len(cs) == 0 {
		return nil
	}
	return cs[0]
}

// certLabel names the person's certificate c in words that tell it from
// the token's other ones (actions.CertLabels): no key type, no DN.
func (a *App) certLabel(c *actions.CertInfo) string {
	for i := range a.certs {
		if &a.certs[i] == c || bytes.Equal(a.certs[i].SHA256[:], c.SHA256[:]) {
			return actions.CertNames(a.certs, a.lang)[i]
		}
	}
	return actions.CertLabels([]actions.CertInfo{*c}, a.lang)[0]
}

// rememberCert keeps the certificate just used for the token (its ID, never
// a code).
func (a *App) rememberCert(serial string, id []byte) {
	s := a.opt.Store.Settings()
	m := map[string]string{} // a copy: Settings shares its map
	for k, v := range s.LastCert {
		m[k] = v
	}
	m[serial] = hex.EncodeToString(id)
	s.LastCert = m
	_ = a.opt.Store.SetSettings(s)
}

func (a *App) facts() guideFacts {
	return guideFacts{DriverLoaded: a.module.Loaded, DriverVendor: a.module.Loaded && genericModule(a.module) == "", Token: a.current()}
}

// genericModule names the generic PKCS#11 module loaded ("" for a token
// maker's middleware): these load without knowing Certigna's token.
func genericModule(m actions.ModuleStatus) string {
	s := strings.ToLower(m.Path + " " + m.Manufacturer + " " + m.Description)
	for _, g := range []struct{ key, name string }{
		{"opensc", "OpenSC"}, {"p11-kit", "p11-kit"}, {"softhsm", "SoftHSM"},
		{"opencryptoki", "openCryptoki"}, {"tpm2", "tpm2-pkcs11"},
	} {
		if strings.Contains(s, g.key) {
			return g.name
		}
	}
	return ""
}

// stateChanged redraws what depends on the token without losing what the
// person is typing: forms only update their status lines.
func (a *App) stateChanged() {
	a.updateHeader()
	a.updateNav()
	switch a.screen {
	case screenPIN:
		if t := a.current(); t != nil && t.PIN == actions.PINLocked && !a.pinBusy() {
			a.show(screenBlocked)
			return
		}
		if a.pin != nil {
			a.pin.tokenChanged()
			return
		}
	case screenBlocked:
		if a.unb != nil {
			a.unb.tokenChanged()
			return
		}
	case screenSign:
		if a.sign != nil {
			a.sign.tokenChanged()
			return
		}
	}
	a.show(a.screen)
}

func (a *App) pinBusy() bool { return a.pin != nil && a.pin.busy }

// certList are the current token's certificates as last read (a copy).
func (a *App) certList() []actions.CertInfo { return append([]actions.CertInfo(nil), a.certs...) }

// certNameFor is how the screens name the certificate c of the current token.
func (a *App) certNameFor(c actions.CertInfo) string {
	for i := range a.certs {
		if bytes.Equal(a.certs[i].SHA256[:], c.SHA256[:]) {
			return a.certLabel(&a.certs[i])
		}
	}
	return a.certLabel(&c)
}
