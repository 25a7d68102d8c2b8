package actions

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"path/filepath"

	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/token"
)

// Several files with one PIN (issue #14), for the CLI's `sign A B …` and
// the window's drop of several documents: PlanBatch names the outputs and
// checks every file before any PIN; SignBatch signs the files not refused
// with one logged-in key, verifies each output from disk, stops between
// files when ctx ends or the token fails, and says what happened to each
// file.

// BatchItem is one file of a batch.
type BatchItem struct {
	In, Out string
	Options SignOptions // this document's choices (never Force)
	Refused error       // why the check before the PIN refused it (it is skipped)
	Signed  *Signed
	Err     error // why signing or the verification failed
}

// BatchSummary counts what SignBatch did.
type BatchSummary struct {
	Signed, Skipped, Failed, NotDone int
	Canceled                         bool  // ctx ended before the last file
	TokenFailed                      bool  // a token error stopped the batch
	FirstErr                         error // the first failure, if any
}

// Namer names the signed copy of in; taken holds the absolute paths already
// used by the batch (inputs and outputs so far) and the namer adds its
// answer. An error refuses the file (no folder to write in).
type Namer func(in string, taken map[string]bool) (string, error)

// Beside names the signed copy IN<suffix>.pdf in dir (or beside the input
// when dir is ""), else IN<suffix>-2.pdf, -3…: never an existing file nor a
// name already taken.
func Beside(dir, suffix string) Namer {
	return func(in string, taken map[string]bool) (string, error) {
		d := dir
		if d == "" {
			d = filepath.Dir(in)
		}
		return sign.FreeOutput(d, in, suffix, taken), nil
	}
}

// FreeName is the free name IN<suffix>.pdf, -2, -3… in dir, for one
// document (nothing else taken).
func FreeName(dir, in, suffix string) string { return sign.FreeOutput(dir, in, suffix, nil) }

// PlanBatch names every output with name (never overwriting anything:
// o.Force is ignored) and checks every file as Sign would (Check), before
// any PIN. The refused ones have Refused set.
func PlanBatch(ins []string, name Namer, o SignOptions) []*BatchItem {
	return PlanBatchEach(ins, name, func(string) SignOptions { return o })
}

// PlanBatchEach is PlanBatch with each document's own choices (the window's
// stamp placed per document on the preview).
func PlanBatchEach(ins []string, name Namer, each func(in string) SignOptions) []*BatchItem {
	taken := map[string]bool{}
	for _, in := range ins {
		if abs, err := filepath.Abs(in); err == nil {
			taken[abs] = true // an input is never an output
		}
	}
	items := make([]*BatchItem, 0, len(ins))
	for _, in := range ins {
		it := &BatchItem{In: in, Options: each(in)}
		it.Options.Force = false
		it.Out, it.Refused = name(in, taken)
		if it.Refused == nil {
			it.Refused = Check(in, it.Out, it.Options)
		}
		items = append(items, it)
	}
	return items
}

// SignBatch signs, in order, the items that were not refused, each with
// its Options, with key (logged in once by the caller; a
// CKA_ALWAYS_AUTHENTICATE key logs itself in again per signature with the
// same PIN) and the chain from Prepare. progress, if
// set, is called before each file with its rank among the files to sign.
//
// It stops before the next file when ctx ends (the file in progress is
// finished: each file is whole or absent, never half), and when the token
// fails (*token.Error: removed, logged out, a device error): the next file
// would fail the same way or, worse, need the PIN again — the window and the
// CLI both stop there. A file that fails for its own reasons (a server, the
// verification) does not stop the others. A file is signed only when its
// check after signing is Valid. Outputs' folders are synced once at the end.
func SignBatch(ctx context.Context, items []*BatchItem, key crypto.Signer, chain []*x509.Certificate,
	progress func(i, n int, it *BatchItem)) BatchSummary {
	var sum BatchSummary
	todo := 0
	for _, it := range items {
		if it.Refused != nil {
			sum.Skipped++
		} else {
			todo++
		}
	}
	i := 0
	dirs := map[string]bool{}
	defer func() {
		for d := range dirs {
			sign.SyncDir(d)
		}
	}()
	for _, it := range items {
		if it.Refused != nil {
			continue
		}
		if ctx.Err() != nil {
			sum.Canceled = true
			break
		}
		i++
		if progress != nil {
			progress(i, todo, it)
		}
		it.Signed, it.Err = signOne(ctx, it, key, chain)
		if it.Signed != nil && it.Signed.Result != nil {
			dirs[filepath.Dir(it.Signed.Result.Output)] = true
		}
		if it.Err != nil {
			sum.Failed++
			if sum.FirstErr == nil {
				sum.FirstErr = it.Err
			}
			var te *token.Error
			if errors.As(it.Err, &te) {
				sum.TokenFailed = true
				break
			}
			continue
		}
		sum.Signed++
	}
	sum.NotDone = todo - sum.Signed - sum.Failed
	return sum
}

func signOne(ctx context.Context, it *BatchItem, key crypto.Signer, chain []*x509.Certificate) (*Signed, error) {
	it.Options.Force = false
	opts, err := it.Options.Options(it.In)
	if err != nil {
		return nil, err
	}
	opts.DeferDirSync = true
	s, err := SignAndVerify(context.WithoutCancel(ctx), it.In, it.Out, key, chain, opts)
	if err == nil && !s.Valid() {
		err = &NotValidError{Signed: s}
	}
	return s, err
}
