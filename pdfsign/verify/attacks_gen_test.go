package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certigna-desktop/app/pdfsign/verify"
)

// The published attacks on PDF signatures (pdf-insecurity.org: Shadow
// Attacks, the Sneaky Signature Attack, ISA, SWA, USF), each crafted on a
// document signed here, plus the clean controls; their verdicts are in
// testdata/verify/VECTORS.txt (section "attacks"). buildVerifyCorpus adds
// them; CERTIGNA_WRITE_ATTACKS=1 rewrites only these files in testdata.

// overlayAP paints a white box with a new text over the whole rectangle.
func overlayAP(w, h int, text string) string {
	return streamBody(fmt.Sprintf("/Type/XObject/Subtype/Form/BBox[0 0 %d %d]/Resources<</Font<</Helv 9 0 R>>>>", w, h),
		fmt.Sprintf("1 g 0 0 %d %d re f BT 0 g /Helv 20 Tf 4 %d Td (%s) Tj ET", w, h, h/3, text))
}

// The overlay rectangle: over the signed amount "Contrat de test: 1000 EUR"
// (72,760, 24 pt).
const overlayRect = "[60 750 560 795]"

// addToForm adds field to the AcroForm's /Fields and widget to the page's
// /Annots, with objs.
func (d *tdoc) addToForm(objs map[int]string, field, widget int) {
	objs[d.acro] = addToArray(d.objs[d.acro], "Fields", fmt.Sprintf("%d 0 R", field))
	objs[d.page] = addToArray(d.objs[d.page], "Annots", fmt.Sprintf("%d 0 R", widget))
}

// emptySigField adds, in a plain update, a signature field without a value
// whose appearance covers the amount: merged with its widget, or through a
// kid widget.
func emptySigField(d *tdoc, kid bool) {
	objs := map[int]string{}
	ap := d.alloc()
	objs[ap] = overlayAP(500, 45, "MALLORY owes 1 000 000 EUR")
	look := fmt.Sprintf("/Rect%s/F 4/AP<</N %d 0 R>>/P %d 0 R", overlayRect, ap, d.page)
	if kid {
		field, w := d.alloc(), d.alloc()
		objs[field] = fmt.Sprintf("<</FT/Sig/T(Mallory)/Kids[%d 0 R]>>", w)
		objs[w] = fmt.Sprintf("<</Type/Annot/Subtype/Widget/Parent %d 0 R%s>>", field, look)
		d.addToForm(objs, field, w)
	} else {
		w := d.alloc()
		objs[w] = "<</Type/Annot/Subtype/Widget/FT/Sig/T(Mallory)" + look + ">>"
		d.addToForm(objs, w, w)
	}
	d.update(objs)
}

func buildAttackCorpus(t *testing.T, out map[string][]byte) {
	save := func(name string, d *tdoc) { out[name] = append([]byte(nil), d.b...) }
	base := basePDF("")
	approved := base.clone()
	approved.fieldSig(t, "Approval", 0, "", ourCMS, nil)
	certP2 := base.clone()
	certP2.fieldSig(t, "Certification", 2, "", ourCMS, nil)

	// Sneaky Signature Attack: an empty signature field painting over the
	// page, on an approval and on a certified (P=2) document, and through a
	// kid widget.
	d := approved.clone()
	emptySigField(d, false)
	save("attack-ssa-empty-field.pdf", d)
	d = certP2.clone()
	emptySigField(d, false)
	save("attack-ssa-empty-field-certified-p2.pdf", d)
	d = approved.clone()
	emptySigField(d, true)
	save("attack-ssa-kid-widget.pdf", d)

	// Policy, not an attack: a real second signature whose visible
	// appearance covers signed content is allowed (its signer is named in
	// the report; a stamp on a page footer is common).
	d = approved.clone()
	ap := d.alloc()
	d.widgetLook = fmt.Sprintf("/Rect%s/F 4/AP<</N %d 0 R>>", overlayRect, ap)
	d.fieldSig(t, "Second", 0, "", ourCMS, map[int]string{ap: overlayAP(500, 45, "Contrat de test: 9000 EUR")})
	save("control-signature-over-content.pdf", d)

	// An object shared between an empty signature field's appearance and
	// the page (an XObject the page draws): the signing revision rewrites
	// it, 100 EUR becomes 900 EUR.
	shared := basePDF("")
	amount := 11
	shared.next = 13
	amountBody := func(v string) string {
		return streamBody("/Type/XObject/Subtype/Form/BBox[0 0 200 30]/Resources<</Font<</Helv 9 0 R>>>>", "BT 0 g /Helv 20 Tf 2 8 Td (Montant: "+v+") Tj ET")
	}
	objs := map[int]string{
		amount: amountBody("100 EUR"),
		12:     fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Sig/T(Second)/Rect[72 600 272 630]/F 4/AP<</N %d 0 R>>/P 3 0 R>>", amount),
		4:      streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test) Tj ET q 1 0 0 1 72 600 cm /Amt Do Q"),
		3:      strings.Replace(strings.Replace(shared.objs[3], "/Font<</F1 9 0 R>>", fmt.Sprintf("/Font<</F1 9 0 R>>/XObject<</Amt %d 0 R>>", amount), 1), "/Annots[6 0 R 7 0 R]", "/Annots[6 0 R 7 0 R 12 0 R]", 1),
		5:      addToArray(shared.objs[5], "Fields", "12 0 R"),
	}
	shared.update(objs)
	shared.fieldSig(t, "Approval", 0, "", ourCMS, nil)
	d = shared.clone()
	sig := d.alloc()
	d.signUpdate(t, map[int]string{
		12:     fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Sig/T(Second)/V %d 0 R/Rect[72 600 272 630]/F 4/AP<</N %d 0 R>>/P 3 0 R>>", sig, amount),
		amount: amountBody("900 EUR"),
	}, sig, "/Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M(D:20260101120000Z)", ourCMS)
	save("attack-shared-object-rewritten.pdf", d)
	// The control: the same signing revision without the rewrite.
	d = shared.clone()
	sig = d.alloc()
	d.signUpdate(t, map[int]string{
		12: fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Sig/T(Second)/V %d 0 R/Rect[72 600 272 630]/F 4/AP<</N %d 0 R>>/P 3 0 R>>", sig, amount),
	}, sig, "/Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M(D:20260101120000Z)", ourCMS)
	save("control-second-signature-in-empty-field.pdf", d)

	// An annotation painting a new amount over the signed one.
	d = approved.clone()
	annot, aap := d.alloc(), d.alloc()
	d.update(map[int]string{
		aap:   overlayAP(500, 45, "Contrat de test: 9000 EUR"),
		annot: fmt.Sprintf("<</Type/Annot/Subtype/Square/Rect%s/F 4/AP<</N %d 0 R>>/P 3 0 R>>", overlayRect, aap),
		3:     addToArray(d.objs[3], "Annots", fmt.Sprintf("%d 0 R", annot)),
	})
	save("attack-annotation-overlay.pdf", d)

	// Shadow hide with an annotation: signed with a clause under a white
	// annotation; a later revision removes the annotation, or empties it.
	hidden := basePDF("")
	hid, hap := hidden.alloc(), hidden.alloc()
	hidden.update(map[int]string{
		4:   streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test: 1000 EUR) Tj ET BT /F1 18 Tf 72 500 Td (Penalite: 50 000 EUR) Tj ET"),
		hap: streamBody("/Type/XObject/Subtype/Form/BBox[0 0 400 40]", "1 g 0 0 400 40 re f"),
		hid: fmt.Sprintf("<</Type/Annot/Subtype/Square/Rect[60 490 460 530]/F 4/AP<</N %d 0 R>>/P 3 0 R>>", hap),
		3:   addToArray(hidden.objs[3], "Annots", fmt.Sprintf("%d 0 R", hid)),
	})
	hidden.fieldSig(t, "Approval", 0, "", ourCMS, nil)
	d = hidden.clone()
	d.update(map[int]string{3: strings.Replace(d.objs[3], fmt.Sprintf(" %d 0 R", hid), "", 1)})
	save("attack-hiding-annotation-removed.pdf", d)
	d = hidden.clone()
	d.update(map[int]string{hap: streamBody("/Type/XObject/Subtype/Form/BBox[0 0 400 40]", "")})
	save("attack-hiding-annotation-emptied.pdf", d)

	// Shadow hide through the xref: the signed page draws an overlay
	// XObject over a prepared clause; a later revision redefines it empty.
	sh := basePDF("")
	ov := sh.alloc()
	sh.update(map[int]string{
		4:  streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test: 1000 EUR) Tj ET BT /F1 18 Tf 72 500 Td (Penalite: 50 000 EUR) Tj ET q 1 0 0 1 60 490 cm /Ov Do Q"),
		ov: streamBody("/Type/XObject/Subtype/Form/BBox[0 0 400 40]", "1 g 0 0 400 40 re f"),
		3:  strings.Replace(sh.objs[3], "/Font<</F1 9 0 R>>", fmt.Sprintf("/Font<</F1 9 0 R>>/XObject<</Ov %d 0 R>>", ov), 1),
	})
	sh.fieldSig(t, "Approval", 0, "", ourCMS, nil)
	d = sh.clone()
	d.update(map[int]string{ov: streamBody("/Type/XObject/Subtype/Form/BBox[0 0 400 40]", "")})
	save("attack-shadow-hide.pdf", d)

	// Shadow replace through a form fill allowed by the certification
	// (P=2): a text field placed over the amount, empty when signed,
	// filled with a white box and a new amount.
	sr := basePDF("")
	note, nap := sr.alloc(), sr.alloc()
	sr.update(map[int]string{
		nap:  streamBody("/Type/XObject/Subtype/Form/BBox[0 0 500 45]", ""),
		note: fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Tx/T(note)/V()/Rect%s/P 3 0 R/F 4/AP<</N %d 0 R>>>>", overlayRect, nap),
		5:    addToArray(sr.objs[5], "Fields", fmt.Sprintf("%d 0 R", note)),
		3:    addToArray(sr.objs[3], "Annots", fmt.Sprintf("%d 0 R", note)),
	})
	sr.fieldSig(t, "Certification", 2, "", ourCMS, nil)
	d = sr.clone()
	d.update(map[int]string{
		note: strings.Replace(d.objs[note], "/V()", "/V(Contrat de test: 9000 EUR)", 1),
		nap:  overlayAP(500, 45, "Contrat de test: 9000 EUR"),
	})
	save("attack-shadow-replace-fill.pdf", d)

	// Shadow hide-and-replace: the trailer names a new catalog whose pages
	// are new.
	d = approved.clone()
	cat2, pages2, page2, content2 := d.alloc(), d.alloc(), d.alloc(), d.alloc()
	d.root = cat2
	d.update(map[int]string{
		content2: streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test: 9000 EUR) Tj ET"),
		page2:    fmt.Sprintf("<</Type/Page/Parent %d 0 R/MediaBox[0 0 595 842]/Contents %d 0 R/Resources<</Font<</F1 9 0 R>>>>>>", pages2, content2),
		pages2:   fmt.Sprintf("<</Type/Pages/Kids[%d 0 R]/Count 1>>", page2),
		cat2:     fmt.Sprintf("<</Type/Catalog/Pages %d 0 R/AcroForm 5 0 R>>", pages2),
	})
	save("attack-shadow-hide-and-replace.pdf", d)

	// ISA: a new revision after the signature that rewrites the content,
	// with its xref; and object bodies appended without any xref.
	d = approved.clone()
	d.update(map[int]string{4: streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test: 9000 EUR) Tj ET")})
	save("attack-isa.pdf", d)
	b := append(append([]byte(nil), approved.b...), []byte("4 0 obj\n"+streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test: 9000 EUR) Tj ET")+"\nendobj\n")...)
	out["attack-isa-no-xref.pdf"] = b

	// USF: the signature dictionary without /ByteRange, or without
	// /Contents (the key renamed in place: same length).
	for name, key := range map[string]string{"attack-usf-no-byterange.pdf": "/ByteRange", "attack-usf-no-contents.pdf": "/Contents<"} {
		b := append([]byte(nil), approved.b...)
		i := bytes.LastIndex(b, []byte(key))
		copy(b[i+1:], strings.Repeat("X", 3))
		out[name] = b
	}
	// SWA: the byte range moved (same length) so that the gap swallows
	// bytes of the signature dictionary before /Contents.
	b = append([]byte(nil), approved.b...)
	i := bytes.LastIndex(b, []byte("/ByteRange[0 "))
	j := bytes.IndexByte(b[i:], ']') + i
	var a0, a1, a2, a3 int64
	fmt.Sscanf(string(b[i:j]), "/ByteRange[%d %d %d %d", &a0, &a1, &a2, &a3)
	copy(b[i:], fmt.Sprintf("/ByteRange[0 %010d %010d %010d", a1-9, a2, a3))
	out["attack-swa.pdf"] = b

	// Controls that must stay clean.
	d = certP2.clone()
	d.update(fill(d, 6, 8, "Alice", "Bob"))
	save("control-fill-certified-p2.pdf", d)
	d = approved.clone()
	d.fieldSig(t, "Second", 0, "", ourCMS, nil)
	save("control-second-signature.pdf", d)
	d = approved.clone()
	addDSS(t, d)
	save("control-dss.pdf", d)
	// A visible second signature on blank paper.
	d = approved.clone()
	ap = d.alloc()
	d.widgetLook = fmt.Sprintf("/Rect[300 100 500 150]/F 4/AP<</N %d 0 R>>", ap)
	d.fieldSig(t, "Visible", 0, "", ourCMS, map[int]string{ap: overlayAP(200, 50, "Signe: Bob")})
	save("control-visible-signature-blank-area.pdf", d)
	// A comment on blank paper after an approval signature.
	d = approved.clone()
	annot, aap = d.alloc(), d.alloc()
	d.update(map[int]string{
		aap:   overlayAP(200, 40, "Vu, OK"),
		annot: fmt.Sprintf("<</Type/Annot/Subtype/FreeText/Rect[300 300 500 340]/F 4/DA(/Helv 12 Tf 0 g)/Contents(Vu, OK)/AP<</N %d 0 R>>/P 3 0 R>>", aap),
		3:     addToArray(d.objs[3], "Annots", fmt.Sprintf("%d 0 R", annot)),
	})
	save("control-comment-blank-area.pdf", d)
}

// TestAttackCorpusComplete: every attack and control the generator makes
// has its verdict in VECTORS.txt and its file in testdata (checked there
// by TestVerifyCorpus, and built afresh by TestGenerateVerifyCorpus);
// CERTIGNA_WRITE_ATTACKS=1 rewrites the files.
func TestAttackCorpusComplete(t *testing.T) {
	out := map[string][]byte{}
	buildAttackCorpus(t, out)
	listed := map[string]bool{}
	for _, v := range readVectors(t) {
		if strings.HasPrefix(v.file, "attack-") || strings.HasPrefix(v.file, "control-") {
			listed[v.file] = true
		}
	}
	write := os.Getenv("CERTIGNA_WRITE_ATTACKS") == "1"
	for name, b := range out {
		if !listed[name] {
			t.Errorf("%s is made but has no verdict in VECTORS.txt", name)
		}
		path := filepath.Join("..", "testdata", "verify", name)
		if write {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		} else if _, err := os.Stat(path); err != nil {
			t.Errorf("%s is not in testdata (CERTIGNA_WRITE_ATTACKS=1 writes it)", name)
		}
	}
	for name := range listed {
		if out[name] == nil {
			t.Errorf("%s has a verdict but the generator does not make it", name)
		}
	}
	if len(out) < 20 {
		t.Errorf("only %d vectors", len(out))
	}
}

// The visible-change answer says where: the overlay on page 1 covers the
// signed amount (72,760 in PDF space: about 58–82 pt from the top), the
// text names the page, the JSON lists the rectangles.
func TestVisibleChangesWhere(t *testing.T) {
	rep, err := verify.Verify(context.Background(), filepath.Join("..", "testdata", "verify", "attack-annotation-overlay.pdf"), verify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[0]
	if s.Changes == nil || len(s.Changes.Visible) != 1 || s.Changes.Visible[0].Page != 1 {
		t.Fatalf("visible changes: %+v", s.Changes)
	}
	hit := false
	for _, r := range s.Changes.Visible[0].Rects {
		if r.Y < 82 && r.Y+r.H > 58 && r.X < 400 && r.X+r.W > 72 {
			hit = true
		}
		if r.Y > 120 {
			t.Errorf("a rectangle far from the overlay: %+v", r)
		}
	}
	if !hit {
		t.Errorf("no rectangle over the amount: %+v", s.Changes.Visible[0].Rects)
	}
	if w := s.ChangesWhat("en"); !strings.Contains(w, "visible changes on page 1") {
		t.Errorf("text: %q", w)
	}
	if w := s.ChangesWhat("fr"); !strings.Contains(w, "modifications visibles en page 1") {
		t.Errorf("texte : %q", w)
	}
	j, _ := json.Marshal(s.Changes)
	if !bytes.Contains(j, []byte(`"visible_changes":[{"page":1,"rects":[{`)) {
		t.Errorf("JSON: %s", j)
	}
	if s.LaterChanges != verify.ChangesOther || rep.OK {
		t.Errorf("later_changes %q, OK %v", s.LaterChanges, rep.OK)
	}
}
