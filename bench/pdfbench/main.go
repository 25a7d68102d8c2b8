// Command pdfbench generates large PDFs and signs them, for bench/sign.sh.
//
//	pdfbench gen-image OUT.pdf MB      one page holding one uncompressed image of about MB megabytes
//	pdfbench gen-pages OUT.pdf PAGES   PAGES pages of text, about 20 KB each
//	pdfbench sign IN.pdf OUT.pdf       PAdES B-B signature with a software ECDSA key
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/pdfsign/verify"
)

func main() {
	// PDFBENCH_CPUPROFILE=FILE: a CPU profile of the command (go tool pprof).
	if p := os.Getenv("PDFBENCH_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: pdfbench gen-image OUT MB | gen-pages OUT PAGES | sign IN OUT | verify IN -")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen-image":
		err = genImage(os.Args[2], atoi(os.Args[3]))
	case "gen-pages":
		err = genPages(os.Args[2], atoi(os.Args[3]))
	case "sign":
		err = signFile(os.Args[2], os.Args[3])
	case "verify": // pdfbench verify FILE - (what the CLI does after signing)
		_, err = verify.Verify(context.Background(), os.Args[2], verify.Options{})
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		fmt.Fprintln(os.Stderr, "bad number", s)
		os.Exit(2)
	}
	return n
}

// pdfWriter writes numbered objects and a classic xref table.
type pdfWriter struct {
	w    *bufio.Writer
	f    *os.File
	n    int64
	offs []int64
}

func newPDF(path string) (*pdfWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	p := &pdfWriter{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	p.write("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return p, nil
}

func (p *pdfWriter) write(s string) { n, _ := p.w.WriteString(s); p.n += int64(n) }
func (p *pdfWriter) writeBytes(b []byte) {
	n, _ := p.w.Write(b)
	p.n += int64(n)
}

// obj starts object number len(offs)+1 and returns it.
func (p *pdfWriter) obj(num int) {
	for len(p.offs) < num {
		p.offs = append(p.offs, 0)
	}
	p.offs[num-1] = p.n
	p.write(fmt.Sprintf("%d 0 obj\n", num))
}

func (p *pdfWriter) finish() error {
	xref := p.n
	p.write(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f\r\n", len(p.offs)+1))
	for _, o := range p.offs {
		p.write(fmt.Sprintf("%010d 00000 n\r\n", o))
	}
	p.write(fmt.Sprintf("trailer\n<</Size %d/Root 1 0 R/ID[<0123456789abcdef0123456789abcdef><0123456789abcdef0123456789abcdef>]>>\nstartxref\n%d\n%%%%EOF\n", len(p.offs)+1, xref))
	if err := p.w.Flush(); err != nil {
		return err
	}
	return p.f.Close()
}

func genImage(path string, mb int) error {
	p, err := newPDF(path)
	if err != nil {
		return err
	}
	side := 1
	for side*side*3 < mb<<20 {
		side++
	}
	p.obj(1)
	p.write("<</Type/Catalog/Pages 2 0 R>>\nendobj\n")
	p.obj(2)
	p.write("<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n")
	p.obj(3)
	p.write("<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</XObject<</Im1 5 0 R>>>>/Contents 4 0 R>>\nendobj\n")
	content := "q 595 0 0 842 0 0 cm /Im1 Do Q\n"
	p.obj(4)
	p.write(fmt.Sprintf("<</Length %d>>\nstream\n%sendstream\nendobj\n", len(content), content))
	p.obj(5)
	size := side * side * 3
	p.write(fmt.Sprintf("<</Type/XObject/Subtype/Image/Width %d/Height %d/ColorSpace/DeviceRGB/BitsPerComponent 8/Length %d>>\nstream\n", side, side, size))
	row := make([]byte, side*3)
	for y := 0; y < side; y++ {
		for x := range row {
			row[x] = byte(x*7 + y*13)
		}
		p.writeBytes(row)
	}
	p.write("\nendstream\nendobj\n")
	return p.finish()
}

func genPages(path string, pages int) error {
	p, err := newPDF(path)
	if err != nil {
		return err
	}
	// 1 catalog, 2 pages root, 3 font, then page i: 4+2i, content 5+2i.
	p.obj(1)
	p.write("<</Type/Catalog/Pages 2 0 R>>\nendobj\n")
	var kids strings.Builder
	for i := 0; i < pages; i++ {
		fmt.Fprintf(&kids, "%d 0 R ", 4+2*i)
	}
	p.obj(2)
	p.write(fmt.Sprintf("<</Type/Pages/Kids[%s]/Count %d>>\nendobj\n", kids.String(), pages))
	p.obj(3)
	p.write("<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>\nendobj\n")
	var c strings.Builder
	for c.Len() < 20<<10 {
		fmt.Fprintf(&c, "BT /F1 10 Tf 40 %d Td (Lorem ipsum dolor sit amet, consectetur adipiscing elit, line %d) Tj ET\n", 800-(c.Len()/100)%780, c.Len())
	}
	content := c.String()
	for i := 0; i < pages; i++ {
		p.obj(4 + 2*i)
		p.write(fmt.Sprintf("<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 3 0 R>>>>/Contents %d 0 R>>\nendobj\n", 5+2*i))
		p.obj(5 + 2*i)
		p.write(fmt.Sprintf("<</Length %d>>\nstream\n%sendstream\nendobj\n", len(content), content))
	}
	return p.finish()
}

func signFile(in, out string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pdfbench"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	_, err = sign.Sign(context.Background(), in, out, key, []*x509.Certificate{cert}, sign.Options{Force: true, Page: 1})
	return err
}
