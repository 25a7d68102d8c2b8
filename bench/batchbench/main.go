// Command batchbench measures signing many small PDFs with one token login,
// for bench/batch.sh: the token's own time per signature (raw C_Sign of a
// digest), the time per file of sign.Sign with the same signer, the
// difference (our per-file overhead), and the peak RSS after a tenth of
// the files and after all of them (memory must not grow with the count).
//
//	batchbench MODULE CERT_ID_HEX DIR N     (the PIN on stdin)
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/certigna-desktop/app/pdfsign"
	"github.com/certigna-desktop/app/pdfsign/sign"
	"github.com/certigna-desktop/app/token"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "batchbench:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 5 {
		return fmt.Errorf("usage: batchbench MODULE CERT_ID_HEX DIR N")
	}
	id, err := hex.DecodeString(os.Args[2])
	if err != nil {
		return err
	}
	dir := os.Args[3]
	n, err := strconv.Atoi(os.Args[4])
	if err != nil {
		return err
	}
	pin, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	pin = strings.TrimSpace(pin)
	m, err := token.Open(os.Args[1])
	if err != nil {
		return err
	}
	defer m.Close()
	ts, err := m.Tokens()
	if err != nil || len(ts) == 0 {
		return fmt.Errorf("no token: %v", err)
	}
	signer, err := m.Signer(ts[0].Slot, id, pin, false)
	if err != nil {
		return err
	}
	defer signer.Close()

	var sample bytes.Buffer
	if err := pdfsign.SamplePDF(&sample, "fr"); err != nil {
		return err
	}
	ins := make([]string, n)
	for i := range ins {
		ins[i] = filepath.Join(dir, fmt.Sprintf("doc-%04d.pdf", i))
		if err := os.WriteFile(ins[i], sample.Bytes(), 0o644); err != nil {
			return err
		}
	}
	// The token alone: n signatures of a digest.
	digest := sha256.Sum256([]byte("batchbench"))
	t0 := time.Now()
	for i := 0; i < n; i++ {
		if _, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
			return err
		}
	}
	tokenPer := time.Since(t0) / time.Duration(n)
	// The same n signatures as PDF files.
	var rssTenth string
	t1 := time.Now()
	for i, in := range ins {
		if _, err := sign.Sign(context.Background(), in, "", signer, nil, sign.Options{DeferDirSync: true}); err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		if i+1 == n/10 {
			rssTenth = peakRSS()
		}
	}
	sign.SyncDir(dir) // once for the batch, as the CLI does
	filePer := time.Since(t1) / time.Duration(n)
	fmt.Printf("files                  %d (%d bytes each)\n", n, sample.Len())
	fmt.Printf("token signature        %.2f ms\n", tokenPer.Seconds()*1000)
	fmt.Printf("pdfsign.Sign per file  %.2f ms\n", filePer.Seconds()*1000)
	fmt.Printf("overhead per file      %.2f ms\n", (filePer-tokenPer).Seconds()*1000)
	fmt.Printf("peak RSS after %4d    %s\n", n/10, rssTenth)
	fmt.Printf("peak RSS after %4d    %s\n", n, peakRSS())
	return nil
}
