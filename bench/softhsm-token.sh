# Sourced by the benchmarks: a SoftHSM2 token in $work holding an EC P-256
# key (id 01) with a certificate from a throwaway CA (id ca). Sets $mod (the
# module), $pin and SOFTHSM2_CONF.
mod=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so 2>/dev/null | head -1)
export SOFTHSM2_CONF=$work/softhsm2.conf
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" > "$SOFTHSM2_CONF"
pin=123456
softhsm2-util --init-token --free --label Bench --so-pin 87654321 --pin $pin >/dev/null
p11() { pkcs11-tool --module "$mod" --token-label Bench --login --pin $pin "$@" >/dev/null 2>&1; }
p11 --keypairgen --key-type EC:prime256v1 --id 01 --label bench
pkcs11-tool --module "$mod" --token-label Bench --read-object --type pubkey --id 01 -o "$work/pub.der" >/dev/null 2>&1
openssl pkey -pubin -inform DER -in "$work/pub.der" -out "$work/pub.pem"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" \
    -days 2 -subj "/CN=Bench CA" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -new -key "$work/ca.key" -subj "/CN=Bench Signer" -out "$work/req.csr" 2>/dev/null
openssl x509 -req -in "$work/req.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -set_serial 7 -days 2 \
    -force_pubkey "$work/pub.pem" -outform DER -out "$work/cert.der" 2>/dev/null
p11 --write-object "$work/cert.der" --type cert --id 01 --label bench
p11 --write-object "$work/ca.pem" --type cert --id ca --label ca

