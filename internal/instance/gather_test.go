package instance

import (
	"reflect"
	"testing"
	"time"
)

func TestGatherMakesOneBatchOfABurst(t *testing.T) {
	in := make(chan []string)
	got := make(chan []string, 4)
	go Gather(in, 100*time.Millisecond, func(f []string) { got <- f })
	// Five launches a few ms apart (Explorer, five PDFs selected).
	for _, f := range []string{"/a.pdf", "/b.pdf", "/c.pdf", "/d.pdf", "/e.pdf"} {
		in <- []string{f}
		time.Sleep(5 * time.Millisecond)
	}
	if f := <-got; !reflect.DeepEqual(f, []string{"/a.pdf", "/b.pdf", "/c.pdf", "/d.pdf", "/e.pdf"}) {
		t.Fatalf("burst opened as %q", f)
	}
	// Later, another document on its own; then a launch without files.
	time.Sleep(150 * time.Millisecond)
	in <- []string{"/f.pdf"}
	if f := <-got; !reflect.DeepEqual(f, []string{"/f.pdf"}) {
		t.Fatalf("later file opened as %q", f)
	}
	in <- nil
	if f := <-got; len(f) != 0 {
		t.Fatalf("empty launch opened %q", f)
	}
	close(in)
	select {
	case f := <-got:
		t.Fatalf("extra open %q", f)
	case <-time.After(200 * time.Millisecond):
	}
}
