package cms

import (
	"bytes"
	"encoding/asn1"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Vectors made by another implementation (openssl cms, testdata/gen.sh):
// what each must parse to is written in testdata/vectors.json from how it
// was made (the key, the digest, detached or not, with or without signed
// attributes, DER or streamed BER, tampered, cut short, not CMS at all).
type vector struct {
	File        string `json:"file"`
	Parse       bool   `json:"parse"`
	Detached    bool   `json:"detached"`
	Hash        string `json:"hash"`
	Alg         string `json:"alg"`
	SignedAttrs bool   `json:"signed_attrs"`
	Certs       int    `json:"certs"`
	Signature   bool   `json:"signature"`
}

func TestOpenSSLVectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	content, err := os.ReadFile(filepath.Join("testdata", "content.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) < 8 {
		t.Fatalf("%d vectors", len(vs))
	}
	for _, v := range vs {
		t.Run(v.File, func(t *testing.T) {
			der, err := os.ReadFile(filepath.Join("testdata", v.File))
			if err != nil {
				t.Fatal(err)
			}
			sd, err := Parse(der)
			if !v.Parse {
				if err == nil {
					t.Fatal("parsed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (sd.EContent == nil) != v.Detached || sd.SignerCount != 1 || len(sd.Certs) != v.Certs {
				t.Fatalf("detached %v, %d signers, %d certificates", sd.EContent == nil, sd.SignerCount, len(sd.Certs))
			}
			if !v.Detached && !bytes.Equal(sd.EContent, content) {
				t.Fatalf("content %q", sd.EContent)
			}
			si := &sd.SignerInfo
			h, ok := HashFromOID(si.DigestAlg)
			if !ok || h.String() != v.Hash {
				t.Fatalf("digest %v %v", h, si.DigestAlg)
			}
			cert := sd.Certs[0]
			if got := AlgorithmName(si, cert.PublicKey); got != v.Alg {
				t.Fatalf("algorithm %q", got)
			}
			if (si.SignedAttrs != nil) != v.SignedAttrs {
				t.Fatalf("signed attributes %v", si.SignedAttrs != nil)
			}
			digest := HashOf(h, content)
			if v.SignedAttrs {
				// the message-digest attribute is the content's digest
				var md []byte
				if _, err := asn1.Unmarshal(si.Attr(OIDAttrMessageDigest), &md); err != nil || !bytes.Equal(md, digest) {
					t.Fatalf("message digest %x, want %x (%v)", md, digest, err)
				}
				if present, err := si.CheckSigningCert(cert); present && err != nil {
					t.Fatalf("signing certificate: %v", err)
				}
			}
			err = CheckSignature(si, cert.PublicKey, si.SignedBytes(), digest)
			if (err == nil) != v.Signature {
				t.Fatalf("signature check: %v, want ok=%v", err, v.Signature)
			}
		})
	}
}

// The streamed BER vector and its DER form are the same SignedData.
func TestBERVectorIsItsDER(t *testing.T) {
	ber, err := os.ReadFile(filepath.Join("testdata", "ecdsa-p256-sha256-stream.ber"))
	if err != nil {
		t.Fatal(err)
	}
	der, err := BERToDER(ber)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(der, ber) || der[1] == 0x80 {
		t.Fatal("not converted from indefinite lengths")
	}
	if again, err := BERToDER(der); err != nil || !bytes.Equal(again, der) {
		t.Fatalf("DER not stable: %v", err)
	}
	a, err1 := Parse(ber)
	b, err2 := Parse(der)
	if err1 != nil || err2 != nil || !bytes.Equal(a.SignerInfo.Signature, b.SignerInfo.Signature) || !bytes.Equal(a.EContent, b.EContent) {
		t.Fatalf("%v %v", err1, err2)
	}
}
