package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/certigna-desktop/app/actions"
	"github.com/certigna-desktop/app/assets"
	"github.com/certigna-desktop/app/internal/testtoken"
	"github.com/certigna-desktop/app/token"
)

// "Mon token" shows what support needs (make, versions, reader, driver), and
// the support report holds it without any PIN or certificate serial unless
// asked.
func TestTokenDetailsAndSupportReport(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenToken)
	mustShow(t, h.win, "Détails pour le support (token, lecteur, pilote)")
	rep := h.app.diagnostics()
	for _, w := range []string{"Rapport pour le support", "Token « Jeton Tests UI »", "Fabricant : SoftHSM project", "Lecteur : SoftHSM slot",
		"micrologiciel", "Pilote (module PKCS#11) utilisé : " + tok.ModulePath, "Certificat : " + testtoken.Holder} {
		if !strings.Contains(rep, w) {
			t.Errorf("report lacks %q:\n%s", w, rep)
		}
	}
	if strings.Contains(rep, "15eed") || strings.Contains(rep, tok.PIN) {
		t.Errorf("serial or PIN in the report:\n%s", rep)
	}
	if full := h.app.report(true).Text(); !strings.Contains(full, "n° de série du certificat : 15eed") {
		t.Errorf("asked-for serial missing:\n%s", full)
	}
	h.app.show(screenAbout)
	mustShow(t, h.win, "Copier le rapport pour le support")
}

// A driver whose C_SetPIN never returns: the window gets a clear message at
// the deadline and stays usable; a second try is refused at once while the
// first call is still running, and works again once the driver answers.
func TestHungDriverLeavesWindowUsable(t *testing.T) {
	defer token.SetDeadlines(token.Deadlines{Quick: time.Second, PIN: time.Second, Pad: time.Second, Slow: 2 * time.Second})()
	shim := testtoken.BuildShim(t, testtoken.ShimHangSetPIN)
	h := start(t, &testtoken.Token{ModulePath: shim.Path}, "fr")
	h.app.show(screenPIN)
	f := h.app.pinForm()
	test.Type(f.current, "1234")
	test.Type(f.newPIN, "24681357")
	test.Type(f.confirm, "24681357")
	start := time.Now()
	test.Tap(f.submit)
	h.settle()
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the change took %v (deadline 1 s)", took)
	}
	if f.succeeded || !strings.Contains(f.status.Text, "n’a pas répondu") || !strings.Contains(f.status.Text, "peut-être compté un essai") {
		t.Fatalf("status %q", f.status.Text)
	}
	// The token could not be read again after the timeout: nothing is said
	// of its state (the state read before the try would be a stale "Prêt").
	if strings.Contains(f.status.Text, "indique maintenant") || strings.Contains(f.status.Text, "Prêt") {
		t.Fatalf("a stale token state after the timeout: %q", f.status.Text)
	}
	// While C_SetPIN has not returned, nothing else is started on the
	// driver; the token screen says why at once instead of freezing.
	// ("toujours pas" is the refusal of a stuck driver, not a second timeout;
	// no wall-clock bound here: the machine may be loaded.)
	h.app.refresh()
	h.settle()
	h.app.show(screenToken)
	mustShow(t, h.win, "n’a toujours pas répondu")
	// Once the driver answers, the token is back and the form usable.
	shim.Release(t)
	for i := 0; i < 500; i++ { // up to 10 s on a loaded machine
		time.Sleep(20 * time.Millisecond)
		h.app.refresh()
		h.settle()
		if len(mustTokens(h)) == 1 {
			break
		}
	}
	h.app.show(screenPIN)
	if f := h.app.pinForm(); f.submit.Disabled() {
		t.Fatalf("form disabled after the driver answered:\n%s", strings.Join(texts(h.win), "\n"))
	}
}

func mustTokens(h *harness) []actions.TokenInfo {
	ts, _ := h.svc.Tokens()
	return ts
}

// Issue 22, finding 6: a French report has its event names in French (none
// of the English ones), and the window's batches are in it — one refused
// for a wrong PIN (with the PIN state after) and one signed — without the
// PIN or the documents' folder.
func TestReportFrenchWithBatches(t *testing.T) {
	tok := softhsm(t)
	h := start(t, tok, "fr")
	h.app.show(screenSign)
	v := h.app.signView()
	dir := t.TempDir()
	var uris []fyne.URI
	for _, n := range []string{"a.pdf", "b.pdf"} {
		uris = append(uris, storage.NewFileURI(sampleIn(t, dir, n)))
	}
	h.app.handleDrop(uris)
	h.settle()
	if len(v.batch) != 2 {
		t.Fatalf("batch of %d", len(v.batch))
	}
	wrong := "99999999"[:len(tok.PIN)]
	if wrong == tok.PIN {
		wrong = "88888888"[:len(tok.PIN)]
	}
	test.Type(v.pin, wrong)
	test.Tap(v.submit)
	for i := 0; i < 100 && !strings.Contains(h.app.diagnostics(), "code PIN maintenant"); i++ {
		h.settle()
	}
	test.Type(v.pin, tok.PIN)
	test.Tap(v.submit)
	for i := 0; i < 100 && v.batchSigned == 0; i++ {
		h.settle()
	}
	if v.batchSigned != 2 {
		t.Fatalf("signed %d: %q", v.batchSigned, v.status.Text)
	}
	rep := h.app.diagnostics()
	for _, w := range []string{"plusieurs documents : signature commencée  2 documents", "plusieurs documents : signature  échec : ",
		"code PIN maintenant : ", "document signé  a.pdf → a-signé.pdf", "document signé  b.pdf → b-signé.pdf",
		"plusieurs documents : signature  2 documents signés sur 2"} {
		if !strings.Contains(rep, w) {
			t.Errorf("report lacks %q:\n%s", w, rep)
		}
	}
	if strings.Contains(rep, tok.PIN) || strings.Contains(rep, wrong) || strings.Contains(rep, dir) {
		t.Errorf("a PIN or the folder in the report:\n%s", rep)
	}
	// every event recorded has a French name, and no English one is shown
	cat, err := assets.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range h.app.opLog().Entries() {
		if _, ok := cat["fr"]["support.op."+e.Op]; !ok {
			t.Errorf("event %q has no French name", e.Op)
		}
		if strings.Contains(rep, "  "+e.Op+"  ") {
			t.Errorf("raw event name %q in the report", e.Op)
		}
	}
	for k, en := range cat["en"] {
		if strings.HasPrefix(k, "support.") && en != cat["fr"][k] && len(en) > 3 && strings.Contains(rep, en) {
			t.Errorf("English %s %q in the French report:\n%s", k, en, rep)
		}
	}
}
