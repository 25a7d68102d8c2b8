package ui

import (
	"os"
	"testing"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// TestMain gives the tests that open a real module their own user cache
// directory: the token's lock files and the demo token go there, not into
// the cache of the person running the tests.
func TestMain(m *testing.M) {
	os.Exit(testtoken.RunInPrivateCache(m))
}
