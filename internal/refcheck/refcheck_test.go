package refcheck

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// base: catalog 1, pages 2, page 3; the trailer refers to object 4, which
// does not exist (as re-signed files' /AdditionalStreams do), /Size 4.
func base() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := []int{}
	for _, o := range []string{
		"<</Type/Catalog/Pages 2 0 R>>",
		"<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<<>>>>",
	} {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), o)
	}
	x := b.Len()
	b.WriteString("xref\n0 4\n0000000000 65535 f\r\n")
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n\r\n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size 4/Root 1 0 R/AdditionalStreams[4 0 R]>>\nstartxref\n%d\n%%%%EOF\n", x)
	return b.Bytes()
}

// update appends objects (number → body) as one incremental update.
func update(in []byte, objs map[int]string, size int) []byte {
	b := bytes.NewBuffer(append([]byte(nil), in...))
	prev := bytes.LastIndex(in, []byte("\nxref\n")) + 1
	offs := map[int]int{}
	for n := 1; n <= size; n++ {
		if body, ok := objs[n]; ok {
			offs[n] = b.Len()
			fmt.Fprintf(b, "%d 0 obj\n%s\nendobj\n", n, body)
		}
	}
	x := b.Len()
	b.WriteString("xref\n")
	for n := 1; n <= size; n++ {
		if o, ok := offs[n]; ok {
			fmt.Fprintf(b, "%d 1\n%010d 00000 n\r\n", n, o)
		}
	}
	fmt.Fprintf(b, "trailer\n<</Size %d/Root 1 0 R/AdditionalStreams[4 0 R]/Prev %d>>\nstartxref\n%d\n%%%%EOF\n", size, prev, x)
	return b.Bytes()
}

func TestCheck(t *testing.T) {
	in := base()
	sigObjs := func(first int) map[int]string {
		return map[int]string{
			1:         fmt.Sprintf("<</Type/Catalog/Pages 2 0 R/AcroForm %d 0 R>>", first),
			3:         fmt.Sprintf("<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<<>>/Annots[%d 0 R]>>", first+1),
			first:     fmt.Sprintf("<</Fields[%d 0 R]/SigFlags 3>>", first+1),
			first + 1: fmt.Sprintf("<</FT/Sig/Type/Annot/Subtype/Widget/V %d 0 R/P 3 0 R/Rect[0 0 0 0]>>", first+2),
			first + 2: "<</Type/Sig/Contents<00>/ByteRange[0 0 0 0]>>",
		}
	}
	for _, c := range []struct {
		name string
		out  []byte
		want string // fragment of the error, "" for none
	}{
		{"numbered above the dangling reference", update(in, sigObjs(5), 8), ""},
		{"numbered from /Size", update(in, sigObjs(4), 7), "dangling reference"},
		{"a page tree rewritten", update(in, map[int]string{
			2: "<</Type/Pages/Kids[3 0 R]/Count 2>>", 5: "<</X 1>>"}, 6), "object 2 (/Pages) rewritten"},
		{"a page's contents changed", update(in, map[int]string{
			3: "<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<<>>/Contents 5 0 R>>", 5: "<</X 1>>"}, 6), "/Contents changed"},
		{"the input not a prefix", append([]byte("%PDF-1.7 \n"), update(in, sigObjs(5), 8)[10:]...), "prefix"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Check(in, c.out)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("want no problem, got %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("want %q, got %v", c.want, err)
			}
		})
	}
}
