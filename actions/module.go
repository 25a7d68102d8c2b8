package actions

import (
	"os"

	"github.com/certigna-desktop/app/token"
)

// Discover finds the module: --module, $CERTIGNA_PKCS11_MODULE, the saved
// choice, the known middleware (then the demo token unless o.NoDemo). When
// the saved choice no longer loads (uninstalled, moved) it searches again as
// if nothing had been chosen, and the failed candidate stays in the list so
// the person sees why.
func Discover(o token.DiscoverOptions) (*token.Module, []token.Candidate, error) {
	m, cands, err := token.Discover(o)
	if err != nil && o.SavedPath != "" && o.Path == "" && os.Getenv(token.EnvModule) == "" && !o.Demo {
		again := o
		again.SavedPath = ""
		m2, more, err2 := token.Discover(again)
		return m2, append(cands, more...), err2
	}
	return m, cands, err
}

// DiscoverForWindow is Discover for the window: a middleware that loads
// without a token is kept (the token shows up when it is plugged in), and the
// demo token is used only when no middleware at all loads on this computer,
// so that the app shows something real to try (marked DEMO everywhere).
func DiscoverForWindow(o token.DiscoverOptions) (*token.Module, []token.Candidate, error) {
	o.NoDemo = !o.Demo
	m, cands, err := Discover(o)
	if err != nil && o.Path == "" && !o.Demo && token.IsKind(err, token.KindModuleNotFound) {
		if dm, dcands, derr := token.Discover(token.DiscoverOptions{Demo: true, CacheDir: o.CacheDir}); derr == nil {
			return dm, append(cands, dcands...), nil
		}
	}
	return m, cands, err
}
