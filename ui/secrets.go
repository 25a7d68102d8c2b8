package ui

import "github.com/zalando/go-keyring"

// Secrets keeps the timestamp server's password in the OS keychain
// (Windows Credential Manager, macOS Keychain, Secret Service on Linux):
// never in the state file.
type Secrets interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
}

// keychain is the OS keychain through go-keyring.
type keychain struct{}

func (keychain) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (keychain) Set(service, user, secret string) error   { return keyring.Set(service, user, secret) }

// tsaService names the keychain entries of the timestamp server logins;
// the account is "user@URL" so two servers keep two passwords.
const tsaService = "certigna-desktop (horodatage / timestamp)"

func tsaAccount(user, url string) string { return user + "@" + url }
