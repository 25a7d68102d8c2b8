package pdfsign

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/certigna-desktop/app/internal/pdf"
)

var frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// SamplePDF writes a small valid one-page PDF ("Document d'essai" / "Test
// document" with today's date), for people who want to try a signature
// without a document of their own.
func SamplePDF(w io.Writer, lang string) error {
	return SamplePDFAt(w, lang, time.Now())
}

func SamplePDFAt(w io.Writer, lang string, now time.Time) error {
	title, l1, l2 := "Test document", "This document was created by Certigna Desktop to try a signature.", "It has no value of its own."
	date := "Created on " + now.Format("2 January 2006")
	if lang != "en" {
		title, l1, l2 = "Document d'essai", "Ce document a été créé par Certigna Desktop pour essayer une signature.", "Il n'a aucune valeur en lui-même."
		date = fmt.Sprintf("Créé le %d %s %d", now.Day(), frMonths[now.Month()-1], now.Year())
	}
	var content bytes.Buffer
	content.WriteString("BT /F1 24 Tf 72 720 Td ")
	content.Write(pdf.AppendLiteral(nil, latin1(title)))
	content.WriteString(" Tj ET\nBT /F1 12 Tf 72 680 Td ")
	content.Write(pdf.AppendLiteral(nil, latin1(date)))
	content.WriteString(" Tj 0 -24 Td ")
	content.Write(pdf.AppendLiteral(nil, latin1(l1)))
	content.WriteString(" Tj 0 -16 Td ")
	content.Write(pdf.AppendLiteral(nil, latin1(l2)))
	content.WriteString(" Tj ET\n")

	info := &pdf.Dict{}
	info.Set("Title", pdf.TextString(title))
	info.Set("Producer", pdf.String{B: []byte("Certigna Desktop")})
	info.Set("CreationDate", pdf.String{B: []byte(pdf.Date(now))})
	objs := []string{
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 4 0 R>>>>/Contents 5 0 R>>",
		"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
		fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", content.Len(), content.Bytes()),
		string(pdf.AppendObject(nil, info)),
	}
	id := fmt.Sprintf("%032x", now.UnixNano())
	_, err := w.Write(pdf.Classic(fmt.Sprintf("/Info 6 0 R/ID[<%s><%s>]", id, id), objs...))
	return err
}

// latin1 encodes s for a WinAnsiEncoding font (Latin-1 range; others → '?').
func latin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == '’':
			out = append(out, 0x92)
		case r < 256:
			out = append(out, byte(r))
		default:
			out = append(out, '?')
		}
	}
	return out
}
