package ui

import "github.com/certigna-desktop/app/actions"

// The preview of a batch: one stamp place for all the documents, or one per
// document, and the options each document is signed with.

// placeFor is the place chosen for document p (the batch's common one, or
// its own).
func (pp *pagePreview) placeFor(p string) (placeOnPage, bool) {
	v := pp.v
	if !v.stampPlaced() {
		return placeOnPage{}, false
	}
	if len(v.batch) > 1 && !pp.samePlace.Checked {
		if pl, ok := pp.places[p]; ok {
			return pl, true
		}
	}
	return placeOnPage{v.placePage, v.placeRect}, true // the common place
}

// optsFor is opts for document in: its own place in a batch placed per
// document.
func (v *signView) optsFor(in string, opts actions.SignOptions) actions.SignOptions {
	if v.preview == nil || opts.StampPage != actions.StampPlaced {
		return opts
	}
	if pl, ok := v.preview.placeFor(in); ok {
		opts.StampPageNum, opts.StampRect = pl.Page, pl.Rect
	}
	return opts
}

// batchOpts are each document's options (taken on the UI goroutine).
func (v *signView) batchOpts(ins []string, opts actions.SignOptions) map[string]actions.SignOptions {
	m := map[string]actions.SignOptions{}
	for _, in := range ins {
		m[in] = v.optsFor(in, opts)
	}
	return m
}

// showBatchDoc previews the batch's document i.
func (pp *pagePreview) showBatchDoc(i int) {
	v := pp.v
	if i < 0 || i >= len(v.batch) {
		return
	}
	pp.batchDoc = i
	pp.load(v.batch[i])
}
