#!/usr/bin/env bash
# Regenerates the CMS vectors with openssl (cms_vectors_test.go reads them;
# vectors.json says, from how each was made, what a parser must find).
# Keys and certificates are throwaway, made here.
set -euo pipefail
cd "$(dirname "$0")"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
printf 'Vecteur CMS : contenu signé.\n' > content.txt
subj() { echo "/C=FR/O=Certigna Desktop Tests/CN=$1"; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t/rsa.key" -out "$t/rsa.pem" -days 3650 -subj "$(subj 'Vecteur RSA')" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$t/ec.key" -out "$t/ec.pem" -days 3650 -subj "$(subj 'Vecteur EC')" 2>/dev/null
sign() { local out=$1 cert=$2 key=$3; shift 3; openssl cms -sign -binary -in content.txt -signer "$t/$cert" -inkey "$t/$key" -outform DER -out "$out" "$@"; }
sign rsa-pkcs1-sha256-detached.der rsa.pem rsa.key -md sha256
sign rsa-pss-sha384-detached.der rsa.pem rsa.key -md sha384 -keyopt rsa_padding_mode:pss
sign ecdsa-p256-sha256-attached.der ec.pem ec.key -md sha256 -nodetach
# Ed25519: this openssl refuses it in CMS (eddsa_digest_signverify_init: invalid digest)
sign rsa-sha256-noattr-detached.der rsa.pem rsa.key -md sha256 -noattr
sign ecdsa-p256-sha256-stream.ber ec.pem ec.key -md sha256 -nodetach -stream
# a byte of the RSA signature value changed (the last byte of the file is in it)
cp rsa-pkcs1-sha256-detached.der rsa-pkcs1-sha256-tampered.der
printf '\x00' | dd of=rsa-pkcs1-sha256-tampered.der bs=1 seek=$(( $(stat -c %s rsa-pkcs1-sha256-tampered.der) - 1 )) conv=notrunc 2>/dev/null
head -c 100 rsa-pkcs1-sha256-detached.der > truncated.der
openssl x509 -in "$t/rsa.pem" -outform DER -out not-signeddata.der
