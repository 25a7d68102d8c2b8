package pki_test

import (
	"testing"

	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
)

func TestMain(m *testing.M) { pdftest.Main(m) }
