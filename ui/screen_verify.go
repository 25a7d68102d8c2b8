package ui

import (
	"context"
	"errors"
	"image"
	"image/color"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/certigna-desktop/app/actions"
)

// The "Vérifier un document" screen: per signature who and when, the four
// answers as badges (intact, signature, changes, signer), the level and what
// changed after it; the technical details folded.

// screenVerify is the verify screen's name.
const screenVerify = "verify"

// The verification of a document, in the person's words (actions).
type (
	signatureCheck = actions.SignatureCheck
	documentCheck  = actions.DocumentCheck
)

// errNoSignature: the document has no signature.
var errNoSignature = actions.ErrNoSignature

// verifyView is the verify screen's state.
type verifyView struct {
	a            *App
	file         string
	check        *documentCheck
	err          error
	offer        bool // a signed PDF was dropped: "Vérifier" or "Signer aussi"
	box          *fyne.Container
	verifyButton *button
	signButton   *button
	// openSignedButton: "Ouvrir la version signée" of the last card with
	// visible changes; Compared: its two pages once drawn.
	openSignedButton *button
	compared         [2]image.Image
	// preview: the page with the signature fields outlined
	// (verify_preview.go; nil without a renderer); Selected: the field
	// whose card is selected.
	preview  *verifyPreview
	selected string
	cards    map[string]*selectable
}

// verifyView is the verify screen (nil before it was first shown).
func (a *App) verifyView() *verifyView { return a.verify }

func (a *App) verifier() *actions.Documents {
	v := a.docs
	return v
}

func (a *App) verifyScreen() fyne.CanvasObject {
	if a.verify == nil {
		a.verify = &verifyView{a: a}
	}
	v := a.verify
	v.box = container.NewVBox()
	if v.preview == nil && a.opt.Pages != nil {
		v.preview = newVerifyPreview(v, a.opt.Pages)
	}
	var side fyne.CanvasObject = container.NewVBox()
	if v.preview != nil {
		side = v.preview.view()
		if v.preview.path != v.file && !v.offer {
			v.preview.load(v.file) // back on the screen
		}
	}
	v.render()
	choose := newIconButton(a.t("verify.ui.choose"), theme.FolderOpenIcon(), func() {
		// the translated chooser (typed path, Documents), as on the sign screen
		a.choosePDF(v.run)
	})
	return container.NewVBox(title(a.t("verify.ui.title")), para(a.t("verify.ui.intro")), container.NewHBox(choose),
		container.New(&sideBySide{side: 320}, v.box, side, container.NewVBox()))
}

// offerOnDrop: a dropped PDF that is already signed opens the verify screen
// with the choice "Vérifier" / "Signer aussi"; it returns false for an
// unsigned file (the signature screen takes it).
func (a *App) offerOnDrop(path string) bool {
	vf := a.verifier()
	if vf == nil {
		return false
	}
	if a.screen == screenVerify {
		a.verify.run(path)
		return true
	}
	if !vf.HasSignatures(path) {
		return false
	}
	a.verify = &verifyView{a: a, file: path, offer: true}
	a.show(screenVerify)
	return true
}

// run verifies path in the background and shows the result.
func (v *verifyView) run(path string) {
	a := v.a
	vf := a.verifier()
	v.file, v.offer, v.check, v.err, v.selected, v.cards = path, false, nil, nil, "", nil
	if v.preview != nil {
		v.preview.load(path)
	}
	v.render()
	if vf == nil {
		return
	}
	lang := a.lang
	a.ops.Add("verify", filepath.Base(path))
	a.background(func() {
		c, err := vf.CheckDocument(path, lang)
		a.do(func() {
			if v.file != path {
				return
			}
			v.check, v.err = &c, err
			if err != nil {
				v.check = nil
			}
			v.render()
		})
	})
}

func (v *verifyView) render() {
	if v.box == nil {
		return
	}
	a := v.a
	var objs []fyne.CanvasObject
	if v.file != "" {
		objs = append(objs, bold(filepath.Base(v.file)))
	}
	switch {
	case v.offer:
		objs = append(objs, para(a.t("verify.ui.dropped_signed", map[string]any{"File": filepath.Base(v.file)})))
		file := v.file
		v.verifyButton = newIconButton(a.t("verify.ui.verify"), theme.SearchIcon(), func() { v.run(file) })
		v.verifyButton.Importance = widget.HighImportance
		v.signButton = newIconButton(a.t("verify.ui.sign_too"), theme.DocumentCreateIcon(), func() {
			v.offer = false
			a.show(screenSign)
			if a.sign != nil {
				a.sign.setInput(file)
			}
		})
		objs = append(objs, container.NewHBox(v.verifyButton, v.signButton))
	case v.err != nil && errors.Is(v.err, errNoSignature):
		objs = append(objs, bannerBox(a.t("verify.ui.no_signature", map[string]any{"File": filepath.Base(v.file)}), theme.ColorNameWarning))
	case v.err != nil:
		objs = append(objs, bannerBox(message(v.err, a.lang), theme.ColorNameError))
	case v.check != nil:
		// the green banner only when every signer is recognised: "valides"
		// beside "Certificat non reconnu" contradicted itself
		untrusted := false
		for _, s := range v.check.Signatures {
			untrusted = untrusted || (!s.Timestamp && s.Trust != "yes")
		}
		switch {
		case v.check.OK && !untrusted:
			objs = append(objs, bannerBox(a.t("verify.ui.summary_ok"), theme.ColorNameSuccess))
		case v.check.OK:
			objs = append(objs, bannerBox(a.t("verify.ui.summary_untrusted"), theme.ColorNameWarning))
		default:
			objs = append(objs, bannerBox(a.t("verify.ui.summary_bad"), theme.ColorNameError))
		}
		for _, s := range v.check.Signatures {
			objs = append(objs, v.selectableCard(s, v.card(s)))
		}
	}
	if v.preview != nil && v.preview.doc != nil {
		v.preview.sync() // the signers' names on their fields
	}
	v.box.Objects = objs
	v.box.Refresh()
}

func (v *verifyView) card(s signatureCheck) fyne.CanvasObject {
	a := v.a
	head := widget.NewLabel(s.Headline)
	head.Wrapping = fyne.TextWrapWord
	head.TextStyle.Bold = true
	var badges []fyne.CanvasObject
	switch {
	case s.Intact == "no":
		// a signature whose signed bytes changed says nothing else true: a
		// green "Signature : oui" or "Modifications : aucune" beside a red
		// "Intègre : non" contradicted the headline
		badges = append(badges, answerBadge(a, "intact", s.Intact))
	case s.Signature == "no":
		// the same for a wrong signature: only what is wrong
		badges = append(badges, answerBadge(a, "signature", s.Signature))
	case s.Changes == "no":
		// changed in a way not allowed since: green "Intègre : oui" and
		// "Signature : oui" beside the red answer and the headline saying
		// the document changed read as "all is well"
		badges = append(badges, answerBadge(a, "changes", s.Changes))
	default:
		badges = append(badges, answerBadge(a, "intact", s.Intact), answerBadge(a, "signature", s.Signature), answerBadge(a, "changes", s.Changes))
		if !s.Timestamp {
			badges = append(badges, answerBadge(a, "trust", s.Trust))
		}
	}
	// the badges wrap: in one row they made the window wider than 800 px
	objs := []fyne.CanvasObject{head, container.New(layout.NewRowWrapLayout(), badges...)}
	var det []fyne.CanvasObject
	if s.Level != "" {
		// the type in words, as on the sign screen; the PAdES name in the details
		k := "ui.sign.level_" + strings.ReplaceAll(s.Level, "-", "_")
		if w := a.t(k); w != k {
			objs = append(objs, para(a.t("ui.verify.type", map[string]any{"Type": w})))
			det = append(det, para(a.t("ui.verify.level_detail", map[string]any{"Level": s.Level})))
		} else {
			objs = append(objs, para(a.t("verify.level", map[string]any{"Level": s.Level})))
		}
	}
	if s.ChangesText != "" {
		objs = append(objs, para(s.ChangesText))
	}
	if len(s.Visible) > 0 && s.Revision > 0 {
		objs = append(objs, v.compareView(s))
	}
	for _, d := range s.Details {
		det = append(det, para(d))
	}
	acc := widget.NewAccordion(widget.NewAccordionItem(a.t("verify.ui.details"), container.NewVBox(det...)))
	objs = append(objs, acc)
	return widget.NewCard("", "", container.NewVBox(objs...))
}

// answerBadge: "Intègre : oui" in green, "non" in red, the rest in amber.
func answerBadge(a *App, kind, answer string) fyne.CanvasObject {
	word := answer
	switch {
	case kind == "changes" && answer == "yes":
		word = "allowed"
	case kind == "changes" && answer == "no":
		word = "not_allowed"
	case kind == "trust" && answer == "yes":
		word = "trusted"
	case kind == "trust" && answer == "no":
		word = "untrusted"
	}
	col := theme.ColorNameWarning
	switch {
	case answer == "yes" || (kind == "changes" && answer == "none"):
		col = theme.ColorNameSuccess
	case answer == "no" && kind != "trust":
		col = theme.ColorNameError
	}
	return badge(a.t("verify.ui.badge_fmt", map[string]any{"Kind": a.t("verify.ui.badge." + kind), "Value": a.t("verify.ui.badge." + word)}), col)
}

// compareView: the page that changed, as signed (left) and now (right),
// the changed regions outlined in red, and "Ouvrir la version signée",
// which saves the signed revision beside the file and opens it.
func (v *verifyView) compareView(s signatureCheck) fyne.CanvasObject {
	a := v.a
	file, pc, rev := v.file, s.Visible[0], s.Revision
	pages := container.NewGridWithColumns(2, para(a.t("verify.ui.compare_loading")), widget.NewLabel(""))
	a.background(func() {
		signed, current, err := a.verifier().ComparePages(context.Background(), file, rev, pc.Page)
		a.do(func() {
			if v.file != file {
				return
			}
			if err != nil {
				pages.Objects = []fyne.CanvasObject{para(message(err, a.lang)), widget.NewLabel("")}
				pages.Refresh()
				return
			}
			outline(current, pc.Rects, actions.CompareDPI)
			v.compared = [2]image.Image{signed, current}
			pages.Objects = []fyne.CanvasObject{
				container.NewBorder(bold(a.t("verify.ui.compare_signed")), nil, nil, nil, pageImage(signed)),
				container.NewBorder(bold(a.t("verify.ui.compare_now")), nil, nil, nil, pageImage(current)),
			}
			pages.Refresh()
		})
	})
	v.openSignedButton = newIconButton(a.t("verify.ui.open_signed"), theme.FileIcon(), func() {
		p, err := a.verifier().SaveSignedVersion(file, rev)
		if err != nil {
			a.showError(err)
			return
		}
		a.openPath(p)
	})
	return container.NewVBox(
		para(a.t("verify.ui.compare_intro", map[string]any{"Page": pc.Page})),
		pages,
		container.NewHBox(v.openSignedButton),
	)
}

func pageImage(img image.Image) fyne.CanvasObject {
	c := canvas.NewImageFromImage(img)
	c.FillMode = canvas.ImageFillContain
	b := img.Bounds()
	w := float32(300)
	c.SetMinSize(fyne.NewSize(w, w*float32(b.Dy())/float32(max(b.Dx(), 1))))
	return c
}

// outline draws the rectangles (points from the top-left) in red, 2 pixels
// wide, on img rendered at dpi.
func outline(img *image.RGBA, rects []actions.PageRect, dpi float64) {
	red := color.RGBA{R: 220, A: 255}
	k := dpi / 72
	for _, r := range rects {
		x0, y0 := int(r.X*k)-2, int(r.Y*k)-2
		x1, y1 := int((r.X+r.W)*k)+2, int((r.Y+r.H)*k)+2
		for x := x0; x <= x1; x++ {
			for d := 0; d < 2; d++ {
				img.SetRGBA(x, y0+d, red)
				img.SetRGBA(x, y1-d, red)
			}
		}
		for y := y0; y <= y1; y++ {
			for d := 0; d < 2; d++ {
				img.SetRGBA(x0+d, y, red)
				img.SetRGBA(x1-d, y, red)
			}
		}
	}
}
