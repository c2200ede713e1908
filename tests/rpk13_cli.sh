#!/bin/sh
# Raw public keys (RFC 7250) on DTLS 1.3 over the petrel command, petrel
# to petrel on loopback (issue #20, helper "rpk13"): `petrel client --rpk`
# against `petrel server --rpk` settles on DTLS 1.3 with the server's key
# raw and pinned, raw keys both ways, a wrong pin refused, and a server
# held to DTLS 1.2 still served after the client's fallback. Run by make
# check from the build directory.
set -u
SERVER_EXTRA=--verbose
. "${srcdir:-.}/tests/cli_lib.sh"

if ! $PETREL info 2>/dev/null | grep -q 'DTLS 1\.3'; then
	echo "SKIP: this build does not speak DTLS 1.3"
	exit 77
fi
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl to hash the keys"; exit 77; }
KEYS=${srcdir:-.}/tests/fixtures/x509
SERVER_KEY=$KEYS/ec-leaf.key
CLIENT_KEY=$KEYS/ed-leaf.key
spki_sha256() {
	openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1
}
SERVER_PIN=$(spki_sha256 "$SERVER_KEY")
CLIENT_PIN=$(spki_sha256 "$CLIENT_KEY")
WRONG_PIN=$(printf '%064d' 0)
[ ${#SERVER_PIN} -eq 64 ] && [ ${#CLIENT_PIN} -eq 64 ] || { echo "SKIP: openssl cannot hash the keys"; exit 77; }

# server_report N: waits for the server's Nth established report.
server_report() {
	for _ in $(seq 100); do
		[ "$(grep -c '^  version ' "$tmp/server.err")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# rpk_client DESCRIPTION VERSION CLIENT_ARGS...: one echoed line over a
# default-version client with --rpk, the version the client reports.
rpk_client() {
	desc=$1 version=$2
	shift 2
	echo "hello $desc" >"$tmp/lines"
	$PETREL client --once --verbose --rpk --timeout-ms 5000 "$@" 127.0.0.1 "$port" \
		<"$tmp/lines" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ $got -eq 0 ] && cmp -s "$tmp/lines" "$tmp/out"; then pass "$desc: echo"
	else fail "$desc: client exit $got"; fi
	has err "^  version          DTLS $version\$" "$desc: DTLS $version"
	has err '^  peer key         raw public key (RFC 7250)' "$desc: the server's key is raw"
}

# --- The server's key raw, pinned by the client: DTLS 1.3.
start_server --rpk --key "$SERVER_KEY"
rpk_client "server key" 1.3 --pin-spki-sha256 "$SERVER_PIN"
has err '^  signature        ecdsa_secp256r1_sha256$' "server key: CertificateVerify with the key's scheme"
run 1 "a wrong pin is refused" $PETREL client --once --rpk --pin-spki-sha256 "$WRONG_PIN" \
	--timeout-ms 3000 127.0.0.1 "$port"
has err 'PETREL_E_CERT_PIN_MISMATCH' "a wrong pin: PETREL_E_CERT_PIN_MISMATCH"
stop_server

# --- Raw keys both ways: the server pins the client's key.
start_server --rpk --key "$SERVER_KEY" --pin-spki-sha256 "$CLIENT_PIN"
rpk_client "both keys" 1.3 --key "$CLIENT_KEY" --pin-spki-sha256 "$SERVER_PIN"
if server_report 1; then
	has server.err '^  version          DTLS 1\.3$' "both keys: the server reports DTLS 1.3"
	has server.err '^  peer key         raw public key (RFC 7250)' "both keys: the client's key is raw"
else
	fail "both keys: no server report"
fi
stop_server

# --- A server held to DTLS 1.2: the client falls back, keys still raw.
start_server --rpk --key "$SERVER_KEY" --max-version 1.2
rpk_client "dtls 1.2 server" 1.2 --pin-spki-sha256 "$SERVER_PIN"
stop_server

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
