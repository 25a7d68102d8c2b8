package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/token"
)

// The status verb: the module, its tokens, PIN states and certificates, as
// text for people or as JSON (the CLI contract).

// statusJSON is the output of `status --json`, the CLI contract.
type statusJSON struct {
	Module moduleJSON  `json:"module"`
	Tokens []tokenJSON `json:"tokens"`
}

type moduleJSON struct {
	Path           string `json:"path"`
	Manufacturer   string `json:"manufacturer"`
	Description    string `json:"description"`
	LibraryVersion string `json:"library_version"`
	Cryptoki       string `json:"cryptoki_version"`
	Demo           bool   `json:"demo"`
}

type tokenJSON struct {
	Slot            uint       `json:"slot"`
	Label           string     `json:"label"`
	Manufacturer    string     `json:"manufacturer"`
	Model           string     `json:"model"`
	Serial          string     `json:"serial"`
	HardwareVersion string     `json:"hardware_version"`
	FirmwareVersion string     `json:"firmware_version"`
	Reader          string     `json:"reader"`
	Flags           uint       `json:"flags"`
	Demo            bool       `json:"demo"`
	PIN             pinJSON    `json:"pin"`
	Certificates    []certJSON `json:"certificates"`
	Error           string     `json:"error,omitempty"`
}

type pinJSON struct {
	State   token.PINState `json:"state"`
	SOState token.PINState `json:"so_state"`
	MinLen  int            `json:"min_len"`
	MaxLen  int            `json:"max_len"`
	PINPad  bool           `json:"pin_pad"`
}

type certJSON struct {
	// Name is the certificate's name as the window shows it (by purpose);
	// --cert takes it, or ID
	Name          string   `json:"name"`
	ID            string   `json:"id"`
	Label         string   `json:"label"`
	Subject       string   `json:"subject"`
	SubjectCN     string   `json:"subject_cn"`
	Issuer        string   `json:"issuer"`
	Serial        string   `json:"serial"`
	NotBefore     string   `json:"not_before"`
	NotAfter      string   `json:"not_after"`
	KeyUsage      []string `json:"key_usage"`
	SHA256        string   `json:"sha256"`
	HasPrivateKey bool     `json:"has_private_key"`
	Expired       bool     `json:"expired"`
	NotYetValid   bool     `json:"not_yet_valid"`
	issuerWords   string   // the issuer in words for the text output (Issuer is the DN)
}

func runStatus(env *Env, args []string) int {
	fs := newFlagSet("status")
	asJSON := fs.Bool("json", false, "")
	slot := fs.Int("slot", -1, "")
	report := fs.Bool("report", false, "")
	serials := fs.Bool("cert-serials", false, "")
	if _, code, ok := parseFlags(env, fs, args); !ok {
		return code
	}
	if *report {
		return runReport(env, *serials)
	}
	m, code, ok := env.openModule()
	if !ok {
		return code
	}
	defer m.Close()
	info := m.Info()
	st := statusJSON{Module: moduleJSON{Path: info.Path, Manufacturer: info.Manufacturer, Description: info.Description,
		LibraryVersion: info.LibraryVersion, Cryptoki: info.CryptokiVersion, Demo: info.Demo}, Tokens: []tokenJSON{}}
	var tokens []token.TokenInfo
	if *slot >= 0 {
		t, err := m.Token(uint(*slot))
		if err != nil {
			return env.Fail(err)
		}
		tokens = []token.TokenInfo{t}
	} else {
		var err error
		if tokens, err = m.Tokens(); err != nil {
			return env.Fail(err)
		}
	}
	for _, t := range tokens {
		tj := tokenJSON{Slot: t.Slot, Label: t.Label, Manufacturer: t.Manufacturer, Model: t.Model, Serial: t.Serial,
			HardwareVersion: t.HardwareVersion, FirmwareVersion: t.FirmwareVersion, Reader: t.Reader, Flags: t.Flags, Demo: t.Demo,
			PIN:          pinJSON{State: t.PIN, SOState: t.SOPIN, MinLen: t.MinPIN, MaxLen: t.MaxPIN, PINPad: t.PINPad},
			Certificates: []certJSON{}}
		certs, err := m.Certificates(t.Slot)
		if err != nil {
			tj.Error = assets.Message(err, env.Lang)
		}
		names, infos := certNames(env, certs), actions.CertInfosOf(certs)
		for i, c := range certs {
			tj.Certificates = append(tj.Certificates, certJSON{Name: names[i], issuerWords: infos[i].Issuer,
				ID: hex.EncodeToString(c.ID), Label: c.Label, Subject: c.Cert.Subject.String(), SubjectCN: c.SubjectCN,
				Issuer: c.Cert.Issuer.String(), Serial: hex.EncodeToString(c.Cert.SerialNumber.Bytes()),
				NotBefore: c.Cert.NotBefore.UTC().Format(time.RFC3339), NotAfter: c.Cert.NotAfter.UTC().Format(time.RFC3339),
				KeyUsage: c.KeyUsage, SHA256: hex.EncodeToString(c.SHA256[:]), HasPrivateKey: c.HasPrivateKey,
				Expired: c.Expired, NotYetValid: c.NotYetValid,
			})
		}
		st.Tokens = append(st.Tokens, tj)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			return env.Fail(err)
		}
	} else {
		printStatus(env, st)
	}
	if len(st.Tokens) == 0 {
		if !*asJSON {
			return env.Fail(&token.Error{Kind: token.KindNoToken})
		}
		return exitNoToken
	}
	return exitOK
}

func printStatus(env *Env, st statusJSON) {
	out := env.Stdout
	demo := ""
	if st.Module.Demo {
		demo = " " + env.T("token.cli.demo_tag")
	}
	fmt.Fprintln(out, env.T("token.cli.module", map[string]any{"Path": st.Module.Path, "Manufacturer": st.Module.Manufacturer,
		"Description": st.Module.Description, "Version": st.Module.LibraryVersion})+demo)
	for _, t := range st.Tokens {
		demo := ""
		if t.Demo {
			demo = " " + env.T("token.cli.demo_tag")
		}
		fmt.Fprintln(out)
		fmt.Fprintln(out, env.T("token.cli.token", map[string]any{"Slot": t.Slot, "Label": t.Label, "Manufacturer": t.Manufacturer,
			"Model": t.Model, "Serial": t.Serial})+demo)
		fmt.Fprintln(out, "  "+env.T("token.cli.details", map[string]any{"HW": t.HardwareVersion, "FW": t.FirmwareVersion, "Reader": t.Reader}))
		fmt.Fprintln(out, "  "+env.T("token.cli.pin", map[string]any{
			"State": env.T("token.state." + string(t.PIN.State)), "SOState": env.T("token.state." + string(t.PIN.SOState)),
			"Min": t.PIN.MinLen, "Max": t.PIN.MaxLen}))
		if t.PIN.PINPad {
			fmt.Fprintln(out, "  "+env.T("token.cli.pin_pad"))
		}
		if t.Demo {
			fmt.Fprintln(out, "  "+env.T("token.cli.demo_codes", map[string]any{"PIN": token.DemoPIN, "Admin": token.DemoAdminCode}))
		}
		if t.Error != "" {
			fmt.Fprintln(out, "  "+t.Error)
		}
		if len(t.Certificates) == 0 && t.Error == "" {
			fmt.Fprintln(out, "  "+env.T("token.cli.no_certificate"))
		}
		for _, c := range t.Certificates {
			var flags []string
			if c.Expired {
				flags = append(flags, env.T("token.cli.expired"))
			}
			if c.NotYetValid {
				flags = append(flags, env.T("token.cli.not_yet_valid"))
			}
			if c.HasPrivateKey {
				flags = append(flags, env.T("token.cli.has_key"))
			}
			extra := ""
			if len(flags) > 0 {
				extra = " [" + strings.Join(flags, ", ") + "]"
			}
			fmt.Fprintln(out, "  "+env.T("token.cli.certificate", map[string]any{"Name": c.Name, "CN": c.SubjectCN, "Issuer": c.issuerWords,
				"From": c.NotBefore[:10], "To": c.NotAfter[:10], "ID": c.ID})+extra)
			fmt.Fprintln(out, "    SHA-256 "+c.SHA256)
		}
	}
}
