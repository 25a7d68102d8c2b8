package main

import (
	"slices"
	"testing"
)

// Files the system opens before the window exists (macOS's open-documents
// event at launch) are kept, then delivered with the later ones once the
// window connects.
func TestSystemOpenedKeptUntilTheWindowConnects(t *testing.T) {
	t.Cleanup(func() { opened.pending, opened.sink = nil, nil })
	systemOpened("/a/first.pdf")
	systemOpened("/a/second.pdf")
	if !slices.Equal(opened.pending, []string{"/a/first.pdf", "/a/second.pdf"}) {
		t.Fatalf("pending %v", opened.pending)
	}
	var got [][]string
	opened.Lock()
	opened.sink = func(f []string) { got = append(got, f) }
	opened.Unlock()
	systemOpened("/a/third.pdf")
	if len(got) != 1 || !slices.Equal(got[0], []string{"/a/third.pdf"}) {
		t.Fatalf("delivered %v", got)
	}
}
