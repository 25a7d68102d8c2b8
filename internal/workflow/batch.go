package workflow

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"path/filepath"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/token"
)

// Several files with one PIN (issue #14), for the CLI's `sign A B …` and
// the window: PlanBatch names the outputs and checks every file before any
// PIN; SignBatch signs the files not refused with one logged-in key,
// verifies each output from disk, stops between files when ctx ends, and
// says what happened to each file.

// BatchItem is one file of a batch.
type BatchItem struct {
	In, Out string
	Refused error           // why Check refused it (it is skipped)
	Result  *pdfsign.Result // after signing
	Err     error           // why signing or the verification failed
	Report  *pdfsign.Report // the verification of Out
	Last    *pdfsign.SignatureReport
}

// BatchSummary counts what SignBatch did.
type BatchSummary struct {
	Signed, Skipped, Failed, NotDone int
	Canceled                         bool  // ctx ended before the last file
	FirstErr                         error // the first failure, if any
}

// BatchOutput is the signed copy's name for in: IN-signed.pdf in outDir (or
// beside the input), else IN-signed-2.pdf, -3…: never an existing file, nor
// a name in taken (absolute paths: the batch's inputs and outputs so far),
// which it extends (pdfsign.FreeOutput, as the window names them).
func BatchOutput(in, outDir string, taken map[string]bool) string {
	dir := outDir
	if dir == "" {
		dir = filepath.Dir(in)
	}
	return pdfsign.FreeOutput(dir, in, "-signed", taken)
}

// PlanBatch names every output (never overwriting anything: opts.Force is
// ignored) and checks every file as Sign would, before any PIN. The
// refused ones have Refused set.
func PlanBatch(ins []string, outDir string, opts pdfsign.Options) []*BatchItem {
	opts.Force = false
	taken := map[string]bool{}
	for _, in := range ins {
		if abs, err := filepath.Abs(in); err == nil {
			taken[abs] = true // an input is never an output
		}
	}
	items := make([]*BatchItem, 0, len(ins))
	for _, in := range ins {
		it := &BatchItem{In: in, Out: BatchOutput(in, outDir, taken)}
		it.Refused = pdfsign.Check(in, it.Out, opts)
		items = append(items, it)
	}
	return items
}

// SignBatch signs, in order, the items that were not refused, with key
// (logged in once by the caller; a CKA_ALWAYS_AUTHENTICATE key logs itself
// in again per signature with the same PIN). progress, if set, is called
// before each file with its rank among the files to sign. ctx ending stops
// the batch before the next file: the file in progress is finished (each
// file is whole or absent, never half). A token error stops it too (the
// next files would fail the same way). Outputs' folders are synced once at
// the end (opts.DeferDirSync).
func SignBatch(ctx context.Context, items []*BatchItem, key crypto.Signer, chain []*x509.Certificate, opts pdfsign.Options,
	progress func(i, n int, it *BatchItem)) BatchSummary {
	opts.Force = false
	opts.DeferDirSync = true
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
			pdfsign.SyncDir(d)
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
		it.Result, it.Err = pdfsign.Sign(context.WithoutCancel(ctx), it.In, it.Out, key, chain, opts)
		if it.Err == nil {
			dirs[filepath.Dir(it.Out)] = true
			// The verification reads what is on disk.
			it.Report, it.Err = pdfsign.Verify(context.WithoutCancel(ctx), it.Result.Output, pdfsign.VerifyOptions{})
			if it.Err == nil {
				if n := len(it.Report.Signatures); n > 0 {
					it.Last = &it.Report.Signatures[n-1]
				}
				if it.Last == nil || !it.Last.Valid {
					it.Err = errors.New("the signature just written does not verify")
				}
			}
		}
		if it.Err != nil {
			sum.Failed++
			if sum.FirstErr == nil {
				sum.FirstErr = it.Err
			}
			var te *token.Error
			if errors.As(it.Err, &te) {
				break
			}
			continue
		}
		sum.Signed++
	}
	sum.NotDone = todo - sum.Signed - sum.Failed
	return sum
}
