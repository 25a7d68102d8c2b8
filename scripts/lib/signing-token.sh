# shellcheck shell=bash
# Sourced by scripts/test-packaging.sh: a stand-in for the release's hardware
# code-signing token, so that scripts/package.sh signs through PKCS#11 exactly
# as it does for a release.
#
#   signing_token_setup DIR
#
# makes, under DIR: a SoftHSM2 token "Certigna release (TEST)" with an RSA-3072
# key generated on the token (never exported), a test CA, a code-signing
# certificate for the token's key (its request signed through OpenSSL's pkcs11
# engine), a time-stamping certificate, and starts an RFC 3161 server on
# 127.0.0.1 (scripts/lib/tsa-server.py: openssl ts -reply) on a port the OS
# picks. It exports the CERTIGNA_SIGN_* variables package.sh reads, and
# SIGNING_TOKEN_CA (the CA to verify with). signing_token_stop ends the server.
# Needs softhsm2-util, pkcs11-tool (opensc), openssl and its pkcs11 engine
# (libengine-pkcs11-openssl), python3.

SIGNING_TOKEN_TSA_PID=

signing_token_setup() {
	local d=$1 lib pin so
	lib=
	for lib in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
		[[ -f $lib ]] && break
	done
	[[ -f $lib ]] || { echo "signing-token: SoftHSM2's library is missing" >&2; return 1; }
	rm -rf "$d" && mkdir -p "$d/tokens" && chmod 700 "$d"
	pin=$(openssl rand -hex 8) so=$(openssl rand -hex 8)
	printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$d/tokens" >"$d/softhsm2.conf"
	export SOFTHSM2_CONF=$d/softhsm2.conf
	softhsm2-util --init-token --free --label "Certigna release (TEST)" --pin "$pin" --so-pin "$so" >/dev/null || return 1
	pkcs11-tool --module "$lib" --token-label "Certigna release (TEST)" --login --pin "$pin" \
		--keypairgen --key-type rsa:3072 --id 01 --label codesign >/dev/null 2>&1 || return 1
	local uri="pkcs11:token=Certigna%20release%20(TEST);object=codesign;type=private"
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey rsa:3072 -nodes -keyout ca.key -out ca.pem -days 30 -subj "/CN=Certigna Desktop TEST code-signing CA" \
			-addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || exit 1
		printf '%s' "$pin" >pin.tmp
		PKCS11_MODULE_PATH=$lib openssl req -new -engine pkcs11 -keyform engine -key "$uri" -passin file:pin.tmp \
			-subj "/CN=Certigna Desktop TEST publisher (SoftHSM2)/O=Certigna" -out cs.csr 2>/dev/null || exit 1
		rm -f pin.tmp
		printf 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n' >cs.ext
		openssl x509 -req -in cs.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile cs.ext -out cs.pem 2>/dev/null || exit 1
		# the time-stamping authority
		printf 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n' >tsa.ext
		openssl req -new -newkey rsa:2048 -nodes -keyout tsa.key -subj "/CN=Certigna Desktop TEST TSA" -out tsa.csr 2>/dev/null || exit 1
		openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile tsa.ext -out tsa.pem 2>/dev/null || exit 1
		echo 01 >tsaserial
		cat >tsa.cnf <<'CNF'
[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = .
serial = ./tsaserial
crypto_device = builtin
signer_cert = ./tsa.pem
certs = ./ca.pem
signer_key = ./tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
	) || return 1
	rm -f "$d/port"
	python3 "$(dirname "${BASH_SOURCE[0]}")/tsa-server.py" "$d" "$d/port" &
	SIGNING_TOKEN_TSA_PID=$!
	local i
	for i in $(seq 100); do [[ -s $d/port ]] && break; sleep 0.05; done
	[[ -s $d/port ]] || { echo "signing-token: the TSA did not start" >&2; return 1; }
	export CERTIGNA_SIGN_PKCS11_MODULE=$lib CERTIGNA_SIGN_PKCS11_KEY=$uri CERTIGNA_SIGN_CERT=$d/cs.pem
	export CERTIGNA_SIGN_PKCS11_PIN=$pin CERTIGNA_SIGN_CAFILE=$d/ca.pem CERTIGNA_SIGN_TSA_CAFILE=$d/ca.pem
	export CERTIGNA_SIGN_TIMESTAMP_URL="http://127.0.0.1:$(cat "$d/port")/tsa" SIGNING_TOKEN_CA=$d/ca.pem
	unset CERTIGNA_SIGN_P12 CERTIGNA_SIGN_PASSWORD
}

signing_token_stop() {
	[[ -n $SIGNING_TOKEN_TSA_PID ]] && kill "$SIGNING_TOKEN_TSA_PID" 2>/dev/null
	SIGNING_TOKEN_TSA_PID=
	return 0
}
