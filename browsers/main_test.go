package browsers

import (
	"os"
	"testing"

	"github.com/certigna-desktop/app/internal/testtoken"
)

// TestMain gives the tests that open a real module (tls_test.go) their own
// user cache directory: the token's lock files go there, not into the cache
// of the person running the tests.
func TestMain(m *testing.M) {
	os.Exit(testtoken.RunInPrivateCache(m))
}
