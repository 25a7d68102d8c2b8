package verify_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certigna-desktop/app/internal/cms"
	"github.com/certigna-desktop/app/internal/pdf"
	"github.com/certigna-desktop/app/internal/testtool"
	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/internal/pdftest"
	"github.com/certigna-desktop/app/pdfsign/internal/pki"
)

// A small PDF writer for test vectors: a base document written by hand and
// incremental updates of raw object bodies, so that each vector says exactly
// which objects a later revision rewrites (a "sneaky" update included). The
// signatures in it are real CMS made by our builder or by openssl cms.

type tdoc struct {
	b    []byte
	objs map[int]string // latest body of each object
	next int
	root int
	acro int // the AcroForm object (0: none yet)
	page int // the page new signature widgets go on
	// For an encrypted document: the trailer's /Encrypt and /ID, repeated in
	// each update, and no strings in new objects (they would need
	// encrypting; a signature's /Contents never is).
	trailerExtra string
	noStrings    bool
	// widgetLook replaces the invisible widget's "/Rect[0 0 0 0]/F 132" of
	// the next signature field (a visible signature), then is cleared.
	widgetLook string
}

// basePDF: one page with text, a form with two filled text fields ("name",
// "city") whose widgets have appearance streams.
func basePDF(extraPage string) *tdoc {
	d := &tdoc{objs: map[int]string{}, root: 1, acro: 5, page: 3}
	d.objs[1] = "<</Type/Catalog/Pages 2 0 R/AcroForm 5 0 R>>"
	d.objs[2] = "<</Type/Pages/Kids[3 0 R]/Count 1>>"
	d.objs[3] = "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 9 0 R>>>>/Annots[6 0 R 7 0 R]" + extraPage + ">>"
	d.objs[4] = streamBody("", "BT /F1 24 Tf 72 760 Td (Contrat de test: 1000 EUR) Tj ET")
	d.objs[5] = "<</Fields[6 0 R 7 0 R]/DA(/Helv 0 Tf 0 g)/DR<</Font<</Helv 9 0 R>>>>>>"
	d.objs[6] = "<</Type/Annot/Subtype/Widget/FT/Tx/T(name)/V(Alice)/Rect[72 700 300 720]/P 3 0 R/F 4/AP<</N 8 0 R>>>>"
	d.objs[7] = "<</Type/Annot/Subtype/Widget/FT/Tx/T(city)/V(Paris)/Rect[72 670 300 690]/P 3 0 R/F 4/AP<</N 10 0 R>>>>"
	d.objs[8] = apBody("Alice")
	d.objs[9] = "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>"
	d.objs[10] = apBody("Paris")
	d.next = 11
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := map[int]int{}
	for n := 1; n < d.next; n++ {
		offs[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, d.objs[n])
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", d.next)
	for n := 1; n < d.next; n++ {
		fmt.Fprintf(&b, "%010d 00000 n \n", offs[n])
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", d.next, x)
	d.b = b.Bytes()
	return d
}

func streamBody(dict, data string) string {
	return fmt.Sprintf("<<%s/Length %d>>stream\n%s\nendstream", dict, len(data), data)
}

func apBody(text string) string {
	return streamBody("/Type/XObject/Subtype/Form/BBox[0 0 228 20]/Resources<</Font<</Helv 9 0 R>>>>",
		"/Tx BMC BT /Helv 12 Tf 2 5 Td ("+text+") Tj ET EMC")
}

func (d *tdoc) clone() *tdoc {
	n := &tdoc{b: append([]byte(nil), d.b...), objs: map[int]string{}, next: d.next, root: d.root, acro: d.acro, page: d.page,
		trailerExtra: d.trailerExtra, noStrings: d.noStrings}
	for k, v := range d.objs {
		n.objs[k] = v
	}
	return n
}

func (d *tdoc) alloc() int { d.next++; return d.next - 1 }

var startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)

// update appends an incremental update with the given object bodies.
func (d *tdoc) update(objs map[int]string) {
	m := startxrefRE.FindSubmatch(d.b)
	prev, _ := strconv.Atoi(string(m[1]))
	var b bytes.Buffer
	b.Write(d.b)
	nums := make([]int, 0, len(objs))
	for n := range objs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	offs := map[int]int{}
	for _, n := range nums {
		offs[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, objs[n])
		d.objs[n] = objs[n]
	}
	x := b.Len()
	b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, n := range nums {
		fmt.Fprintf(&b, "%d 1\n%010d 00000 n \n", n, offs[n])
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root %d 0 R/Prev %d%s>>\nstartxref\n%d\n%%%%EOF\n", d.next, d.root, prev, d.trailerExtra, x)
	d.b = b.Bytes()
}

// cmsFunc signs the bytes covered by the ByteRange and returns the CMS.
type cmsFunc func(t testing.TB, signed []byte) []byte

const contentsHexLen = 24000

// signUpdate appends an update with objs plus the signature dictionary sigNum
// (sigDict holds everything but /ByteRange and /Contents), then fills the
// ByteRange and the CMS over it.
func (d *tdoc) signUpdate(t testing.TB, objs map[int]string, sigNum int, sigDict string, sign cmsFunc) {
	t.Helper()
	const brPlaceholder = "/ByteRange[0 0000000000 0000000000 0000000000]"
	objs[sigNum] = "<<" + sigDict + brPlaceholder + "/Contents<" + strings.Repeat("0", contentsHexLen) + ">>>"
	d.update(objs)
	i := bytes.LastIndex(d.b, []byte(brPlaceholder))
	c := bytes.LastIndex(d.b, []byte("/Contents<"+strings.Repeat("0", 16)))
	if i < 0 || c < 0 {
		t.Fatal("placeholders not found")
	}
	gs := int64(c + len("/Contents"))
	ge := gs + contentsHexLen + 2
	br := fmt.Sprintf("/ByteRange[0 %010d %010d %010d]", gs, ge, int64(len(d.b))-ge)
	copy(d.b[i:], br)
	signed := append(append([]byte(nil), d.b[:gs]...), d.b[ge:]...)
	der := sign(t, signed)
	h := hex.EncodeToString(der)
	if len(h) > contentsHexLen {
		t.Fatalf("CMS too large: %d", len(der))
	}
	copy(d.b[gs+1:], h)
}

// fieldSig adds a new signature field fieldName (merged widget, invisible,
// on d.page) signed by sign. certify > 0 makes it a certification signature
// (DocMDP P=certify); lock is a FieldMDP /TransformParams body.
func (d *tdoc) fieldSig(t testing.TB, fieldName string, certify int, lock string, sign cmsFunc, extra map[int]string) {
	t.Helper()
	sigDict := "/Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M(D:20260101120000Z)"
	var refs []string
	if certify > 0 {
		refs = append(refs, fmt.Sprintf("<</Type/SigRef/TransformMethod/DocMDP/TransformParams<</Type/TransformParams/P %d/V/1.2>>>>", certify))
	}
	if lock != "" {
		refs = append(refs, "<</Type/SigRef/TransformMethod/FieldMDP/TransformParams<</Type/TransformParams"+lock+"/V/1.2>>>>")
	}
	if len(refs) > 0 {
		sigDict += "/Reference[" + strings.Join(refs, "") + "]"
	}
	d.addSigField(t, fieldName, sigDict, certify > 0, lock, sign, extra)
}

// docTimestamp adds a document timestamp (ETSI.RFC3161) from the TSA at url.
func (d *tdoc) docTimestamp(t testing.TB, fieldName, url string) {
	t.Helper()
	d.addSigField(t, fieldName, "/Type/DocTimeStamp/Filter/Adobe.PPKLite/SubFilter/ETSI.RFC3161", false, "", func(t testing.TB, signed []byte) []byte {
		ts, err := pki.RequestTimestamp(context.Background(), &pdfsign.TSAConfig{URL: url}, signed)
		if err != nil {
			t.Fatal(err)
		}
		return ts.Token
	}, nil)
}

func (d *tdoc) addSigField(t testing.TB, fieldName, sigDict string, certify bool, lock string, sign cmsFunc, extra map[int]string) {
	t.Helper()
	sig, w := d.alloc(), d.alloc()
	objs := map[int]string{}
	for k, v := range extra {
		objs[k] = v
	}
	if d.acro == 0 {
		d.acro = d.alloc()
		d.objs[d.acro] = "<<>>"
		objs[d.root] = strings.TrimSuffix(d.objs[d.root], ">>") + fmt.Sprintf("/AcroForm %d 0 R>>", d.acro)
		d.objs[d.root] = objs[d.root]
	}
	objs[d.acro] = addToArray(d.objs[d.acro], "Fields", fmt.Sprintf("%d 0 R", w))
	if !strings.Contains(objs[d.acro], "/SigFlags") {
		objs[d.acro] = strings.TrimSuffix(objs[d.acro], ">>") + "/SigFlags 3>>"
	}
	objs[d.page] = addToArray(d.objs[d.page], "Annots", fmt.Sprintf("%d 0 R", w))
	widget := fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Sig/T(%s)/V %d 0 R/Rect[0 0 0 0]/F 132/P %d 0 R", fieldName, sig, d.page)
	if d.noStrings {
		widget = fmt.Sprintf("<</Type/Annot/Subtype/Widget/FT/Sig/V %d 0 R/Rect[0 0 0 0]/F 132/P %d 0 R", sig, d.page)
		sigDict = strings.Replace(sigDict, "/M(D:20260101120000Z)", "", 1)
	}
	if certify {
		objs[d.root] = strings.TrimSuffix(d.objs[d.root], ">>") + fmt.Sprintf("/Perms<</DocMDP %d 0 R>>>>", sig)
	}
	if lock != "" {
		widget += "/Lock<</Type/SigFieldLock" + lock + ">>"
	}
	if d.widgetLook != "" {
		widget = strings.Replace(widget, "/Rect[0 0 0 0]/F 132", d.widgetLook, 1)
		d.widgetLook = ""
	}
	objs[w] = widget + ">>"
	d.signUpdate(t, objs, sig, sigDict, sign)
}

// tdocFrom wraps a PDF made elsewhere (by Sign) for further raw updates: the
// catalog, AcroForm and first page bodies are read back with our reader.
func tdocFrom(t testing.TB, b []byte) *tdoc {
	t.Helper()
	r, err := pdf.NewReaderDecrypting(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	d := &tdoc{b: b, objs: map[int]string{}}
	d.root = r.Trailer.Get("Root").(pdf.Ref).Num
	cat, _ := r.ResolveDict(pdf.Ref{Num: d.root})
	if ref, ok := cat.Get("AcroForm").(pdf.Ref); ok {
		d.acro = ref.Num
	}
	pages, _ := r.ResolveDict(cat.Get("Pages"))
	d.page = pages.Get("Kids").(pdf.Array)[0].(pdf.Ref).Num
	if r.Encrypted() {
		d.noStrings = true
		d.trailerExtra = "/Encrypt " + string(pdf.AppendObject(nil, r.Trailer.Get("Encrypt"))) + "/ID " + string(pdf.AppendObject(nil, r.Trailer.Get("ID")))
	}
	for _, n := range []int{d.root, d.acro, d.page} {
		if n == 0 {
			continue
		}
		o, _ := r.Fetch(n)
		d.objs[n] = string(pdf.AppendObject(nil, o))
	}
	for n := range r.Xref {
		if n+1 > d.next {
			d.next = n + 1
		}
	}
	return d
}

func addToArray(body, key, item string) string {
	body = strings.ReplaceAll(body, "/"+key+" [", "/"+key+"[")
	i := strings.Index(body, "/"+key+"[")
	if i < 0 {
		return strings.TrimSuffix(body, ">>") + "/" + key + "[" + item + "]>>"
	}
	j := strings.Index(body[i:], "]") + i
	return body[:j] + " " + item + body[j:]
}

// ourCMS signs with our CMS builder (ECDSA P-256 corpus key, PAdES B-B attributes).
func ourCMS(t testing.TB, signed []byte) []byte {
	k := getCorpusKeys(t)
	sum := sha256.Sum256(signed)
	der, err := cms.Build(&cms.Params{Signer: k.ec, Cert: k.ecCert, Chain: []*x509.Certificate{k.ca}, Hash: crypto.SHA256}, sum[:], false, 0)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// opensslCMS signs with `openssl cms -sign` and the given extra arguments.
func opensslCMS(certPEM, keyPEM string, args ...string) cmsFunc {
	return func(t testing.TB, signed []byte) []byte {
		t.Helper()
		testtool.Need(t, "openssl")
		dir := t.TempDir()
		in, out := filepath.Join(dir, "in.bin"), filepath.Join(dir, "out.der")
		os.WriteFile(in, signed, 0o600)
		a := append([]string{"cms", "-sign", "-binary", "-in", in, "-signer", certPEM, "-inkey", keyPEM, "-outform", "DER", "-out", out}, args...)
		if b, err := exec.Command("openssl", a...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", a, err, b)
		}
		der, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
}

// corpusPKI: long-lived keys and certificates (2020–2120) for the committed
// vectors, so that they do not expire; made once per run.
type corpusKeys struct {
	ca      *x509.Certificate
	caKey   *ecdsa.PrivateKey
	ec      *ecdsa.PrivateKey
	ecCert  *x509.Certificate
	rsa     *rsa.PrivateKey
	rsaCert *x509.Certificate
}

// pemFiles writes the CA, the RSA certificate and its key for openssl, in a
// folder the test removes.
func (k *corpusKeys) pemFiles(t testing.TB) (caPEM, certPEM, keyPEM string) {
	dir := t.TempDir()
	caPEM, certPEM, keyPEM = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "rsa.pem"), filepath.Join(dir, "rsa.key")
	pdftest.WritePEMCert(t, caPEM, k.ca.Raw)
	pdftest.WritePEMCert(t, certPEM, k.rsaCert.Raw)
	pdftest.WritePEMKey(t, keyPEM, k.rsa)
	return
}

var (
	corpusOnce sync.Once
	corpus     *corpusKeys
)

func getCorpusKeys(t testing.TB) *corpusKeys {
	t.Helper()
	corpusOnce.Do(func() {
		k := &corpusKeys{}
		var err error
		must := func(e error) {
			if e != nil && err == nil {
				err = e
			}
		}
		from, to := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2120, 1, 1, 0, 0, 0, 0, time.UTC)
		k.caKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		caT := &x509.Certificate{SerialNumber: big.NewInt(100), Subject: pkix.Name{CommonName: "Corpus CA", Organization: []string{"Certigna Desktop tests"}},
			NotBefore: from, NotAfter: to, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
		der, e := x509.CreateCertificate(rand.Reader, caT, caT, &k.caKey.PublicKey, k.caKey)
		must(e)
		k.ca, e = x509.ParseCertificate(der)
		must(e)
		leaf := func(serial int64, cn string, pub any) *x509.Certificate {
			tm := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn, Country: []string{"FR"}},
				NotBefore: from, NotAfter: to, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
			der, e := x509.CreateCertificate(rand.Reader, tm, k.ca, pub, k.caKey)
			must(e)
			c, e := x509.ParseCertificate(der)
			must(e)
			return c
		}
		k.ec, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		k.ecCert = leaf(101, "Camille Corpus EC", &k.ec.PublicKey)
		k.rsa, _ = rsa.GenerateKey(rand.Reader, 2048)
		k.rsaCert = leaf(102, "Dominique Corpus RSA", &k.rsa.PublicKey)
		if err == nil {
			corpus = k
		}
	})
	if corpus == nil {
		t.Fatal("corpus keys not made")
	}
	return corpus
}
