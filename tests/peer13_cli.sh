#!/bin/sh
# The peer's certificate chain on DTLS 1.3 over the petrel command, petrel
# to petrel on loopback (issue #20, helper "peer13"): with --verbose both
# ends report the chain the other sent ("peer chain 2 certificates": a
# leaf and its intermediate), on DTLS 1.3 exactly as on DTLS 1.2; the
# server requires a client certificate (--ca), the client pins the
# server's leaf (--pin-sha256). Run by make check from the build directory.
set -u
SERVER_EXTRA=--verbose
. "${srcdir:-.}/tests/cli_lib.sh"

if ! $PETREL info 2>/dev/null | grep -q 'DTLS 1\.3'; then
	echo "SKIP: this build does not speak DTLS 1.3"
	exit 77
fi
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl to hash the certificate"; exit 77; }
X509=${srcdir:-.}/tests/fixtures/x509
cat "$X509/ec-leaf.pem" "$X509/ec-int.pem" >"$tmp/server-chain.pem"
cat "$X509/rsa-leaf.pem" "$X509/rsa-int.pem" >"$tmp/client-chain.pem"
PIN=$(openssl x509 -in "$X509/ec-leaf.pem" -outform DER 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1)
[ ${#PIN} -eq 64 ] || { echo "SKIP: openssl cannot hash the certificate"; exit 77; }

# server_report N: waits for the server's Nth established report.
server_report() {
	for _ in $(seq 100); do
		[ "$(grep -c '^  version ' "$tmp/server.err")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

start_server --cert "$tmp/server-chain.pem" --key "$X509/ec-leaf.key" --ca "$X509/rsa-root.pem"
n=0
for version in 1.3 1.2; do
	n=$((n + 1))
	echo "hello over $version" >"$tmp/lines"
	$PETREL client --once --verbose --timeout-ms 5000 --min-version $version --max-version $version \
		--pin-sha256 "$PIN" --cert "$tmp/client-chain.pem" --key "$X509/rsa-leaf.key" \
		127.0.0.1 "$port" <"$tmp/lines" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ $got -eq 0 ] && cmp -s "$tmp/lines" "$tmp/out"; then pass "DTLS $version: echo"
	else fail "DTLS $version: client exit $got"; fi
	has err "^  version          DTLS $version\$" "DTLS $version: negotiated"
	has err '^  peer chain       2 certificates$' "DTLS $version: the client reports the server's chain"
	if server_report $n; then
		if [ "$(grep -c '^  peer chain       2 certificates$' "$tmp/server.err")" -eq $n ]; then
			pass "DTLS $version: the server reports the client's chain"
		else
			fail "DTLS $version: no client chain in the server's report"
		fi
	else
		fail "DTLS $version: no server report"
	fi
done
stop_server

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
