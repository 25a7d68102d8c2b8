package main

// The CLI's verbs, in one table: name, what it runs, one line of help per
// language. The functions live in the file of their area (cli_token.go,
// cli_probe.go, cli_pdf.go, cli_browsers.go).
func verbTable() map[string]verb {
	verbs := map[string]verb{}
	for _, v := range []verb{
		{name: "status", run: runStatus, summary: map[string]string{
			"fr": "tokens, certificats et état du code PIN (--json pour les scripts, --report : rapport pour le support)",
			"en": "tokens, certificates and PIN state (--json for scripts, --report: report for support)",
		}},
		{name: "change-pin", run: runChangePIN, summary: map[string]string{
			"fr": "changer le code PIN (code de déverrouillage ou code PIN actuel → nouveau code PIN)",
			"en": "change the PIN (unlock code or current PIN → new PIN)",
		}},
		{name: "unblock", run: runUnblock, summary: map[string]string{
			"fr": "débloquer le code PIN avec le code administrateur",
			"en": "unblock the PIN with the admin code",
		}},
		{name: "modules", run: runModules, summary: map[string]string{
			"fr": "modules PKCS#11 cherchés, trouvés ou refusés, et pourquoi",
			"en": "PKCS#11 modules looked for, found or refused, and why",
		}},
		{name: "probe-module", run: runProbeModule, summary: map[string]string{
			"fr": "essayer un module PKCS#11 à part (JSON ; utilisé par la recherche des pilotes)",
			"en": "try one PKCS#11 module on the side (JSON; used by driver discovery)",
		}},
		{name: "pkcs11-worker", run: runPKCS11Worker, summary: map[string]string{
			"fr": "faire tourner un pilote PKCS#11 à part (utilisé par l’application : un pilote qui plante ne l’emporte pas)",
			"en": "run a PKCS#11 driver on the side (used by the app: a driver that crashes does not take it down)",
		}},
		{name: "reset-demo", run: runResetDemo, summary: map[string]string{
			"fr": "recréer le token de démonstration (codes d’origine)",
			"en": "recreate the demo token (original codes)",
		}},
		{name: "sign", run: runSign, summary: map[string]string{
			"fr": "signer un PDF avec le token (PAdES) : sign IN.pdf [-o OUT.pdf] [--reason R] [--page N] [--visible [--rect x,y,l,h : points sur la page affichée, depuis son coin en bas à gauche]]",
			"en": "sign a PDF with the token (PAdES): sign IN.pdf [-o OUT.pdf] [--reason R] [--page N] [--visible [--rect x,y,w,h: points on the page as displayed, from its bottom-left corner]]",
		}},
		{name: "finish", run: runFinish, summary: map[string]string{
			"fr": "compléter une signature enregistrée sans son horodatage ou ses données à long terme, sans code PIN : finish FICHIER.pdf --tsa URL [--ltv]",
			"en": "complete a signature saved without its timestamp or long-term data, without the PIN: finish FILE.pdf --tsa URL [--ltv]",
		}},
		{name: "verify", run: runVerify, summary: map[string]string{
			"fr": "vérifier les signatures d'un PDF : verify FICHIER.pdf [--json]",
			"en": "check the signatures of a PDF: verify FILE.pdf [--json]",
		}},
		{name: "render", run: runRender, summary: map[string]string{
			"fr": "dessiner une page en PNG comme l’aperçu de la fenêtre : render FICHIER.pdf [--page N] [--dpi D] -o PAGE.png (donne sa taille affichée, le repère de --rect)",
			"en": "draw a page to a PNG as the window’s preview does: render FILE.pdf [--page N] [--dpi D] -o PAGE.png (prints its displayed size, --rect’s frame)",
		}},
		{name: "browsers", run: runBrowsers, summary: map[string]string{
			"fr": "Firefox, Thunderbird, Chrome : profils trouvés, token enregistré ou non (register / unregister, --json)",
			"en": "Firefox, Thunderbird, Chrome: profiles found, token registered or not (register / unregister, --json)",
		}},
		{name: "tls-test", run: runTLSTest, summary: map[string]string{
			"fr": "tester la connexion par certificat du token sur une adresse https:// (un seul code PIN)",
			"en": "test the token's certificate login on an https:// address (one PIN)",
		}},
	} {
		verbs[v.name] = v
	}
	return verbs
}
