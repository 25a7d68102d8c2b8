package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/certigna-desktop/app/browsers"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/token"
)

// Every error kind a verb can meet, and its exit code (the CLI contract).
func TestExitCode(t *testing.T) {
	tokErr := func(k token.Kind) error { return &token.Error{Kind: k} }
	pdfErr := func(k pdfsign.Kind) error { return &pdfsign.Error{Kind: k} }
	ltvErr := func(k pdfsign.LTVKind) error { return &pdfsign.LTVError{Kind: k} }
	for _, c := range []struct {
		err  error
		want int
	}{
		{errors.New("anything else"), exitFailure},
		{tokErr(token.KindModuleNotFound), exitNoModule},
		{tokErr(token.KindModuleLoad), exitNoModule},
		{tokErr(token.KindDemo), exitNoModule},
		{tokErr(token.KindNoToken), exitNoToken},
		{tokErr(token.KindTokenRemoved), exitNoToken},
		{tokErr(token.KindPINIncorrect), exitPINIncorrect},
		{tokErr(token.KindPINLocked), exitPINLocked},
		{tokErr(token.KindPINMismatch), exitUsage},
		{tokErr(token.KindPINLength), exitUsage},
		{tokErr(token.KindPINSame), exitUsage},
		{tokErr(token.KindPINEmpty), exitUsage},
		{tokErr(token.KindPINInvalid), exitUsage},
		{tokErr(token.KindFinalTry), exitUsage},
		{tokErr(token.KindCodeLength), exitUsage},
		{tokErr(token.KindCodeInvalid), exitUsage},
		{tokErr(token.KindPINPolicy), exitUsage},
		{tokErr(token.KindTimeout), exitNoModule},
		{tokErr(token.KindHung), exitNoModule},
		{tokErr(token.KindDeviceError), exitNoToken},
		{tokErr(token.KindTurn), exitBusy},
		{tokErr(token.KindBusy), exitBusy},
		{&pdfsign.Error{Kind: pdfsign.KindSigner, Err: tokErr(token.KindTurn)}, exitBusy},
		{tokErr(token.KindToken), exitFailure},
		{pdfErr(pdfsign.KindNotPDF), exitBadPDF},
		{pdfErr(pdfsign.KindDamaged), exitBadPDF},
		{pdfErr(pdfsign.KindEncrypted), exitBadPDF},
		{pdfErr(pdfsign.KindUnsupported), exitBadPDF},
		{pdfErr(pdfsign.KindInputNotFound), exitBadPDF},
		{pdfErr(pdfsign.KindNoSignature), exitNoSignature},
		{pdfErr(pdfsign.KindOutputExists), exitUsage},
		{pdfErr(pdfsign.KindSameFile), exitUsage},
		{pdfErr(pdfsign.KindPageRange), exitUsage},
		{pdfErr(pdfsign.KindHash), exitUsage},
		{pdfErr(pdfsign.KindForbidden), exitBadPDF},
		{pdfErr(sign.KindFieldNotFound), exitUsage},
		{pdfErr(sign.KindFieldChoice), exitUsage},
		{pdfErr(pdfsign.KindIO), exitFailure},
		{pdfErr(pdfsign.KindCanceled), exitFailure},
		// The token refused to sign: its code, not pdfsign's.
		{&pdfsign.Error{Kind: pdfsign.KindSigner, Err: tokErr(token.KindPINIncorrect)}, exitPINIncorrect},
		{pdfErr(pdfsign.KindSigner), exitFailure},
		{ltvErr(pdfsign.LTVTSAUnreachable), exitTSA},
		{ltvErr(pdfsign.LTVTSAConfig), exitTSA},
		{ltvErr(pdfsign.LTVTSAInvalid), exitTSA},
		{ltvErr(pdfsign.LTVRevOffline), exitRevocation},
		{ltvErr(pdfsign.LTVRevoked), exitRevocation},
		{ltvErr(pdfsign.LTVNoRevInfo), exitRevocation},
		{ltvErr(pdfsign.LTVBadRect), exitUsage},
		{ltvErr(pdfsign.LTVDSS), exitFailure},
		{fmt.Errorf("wrapped: %w", ltvErr(pdfsign.LTVTSARefused)), exitTSA},
		{&browsers.Error{Kind: browsers.KindBadURL}, exitUsage},
		{&browsers.Error{Kind: browsers.KindProfileUnknown}, exitUsage},
		{&browsers.Error{Kind: browsers.KindNoClientAuth}, exitUsage},
		{&browsers.Error{Kind: browsers.KindNotRequested}, exitUsage},
		{&browsers.Error{Kind: browsers.KindCANotAccepted}, exitUsage},
		{&browsers.Error{Kind: browsers.KindNoModule}, exitNoModule},
		{&browsers.Error{Kind: browsers.KindRunning}, exitFailure},
		{&browsers.Error{Kind: browsers.KindServerRefused}, exitFailure},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
