#!/usr/bin/env bash
# Raw public keys (RFC 7250) on DTLS 1.3 against wolfSSL 5.5.4 (helper
# "rpk13"). That wolfSSL has no RFC 7250 support (no certificate-type
# extensions in its source, no option in its examples' --help), so there
# is no DTLS 1.3 raw-key peer here: these cases check that a Petrel side
# with raw keys enabled still works with a 1.3 peer that ignores them.
# A Petrel client offering raw keys and X.509 (--rpk) gets wolfSSL's
# certificate on DTLS 1.3 and pins its SPKI; a wolfSSL client gets the
# certificate of a Petrel server with --rpk (no types offered: X.509).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl
need_wolfssl
"$PETREL" info 2>/dev/null | grep -q 'DTLS 1\.3' || skip "this build does not speak DTLS 1.3"
make_certs
PIN=$(openssl pkey -in "$T/ec-key.pem" -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1)

begin_case "petrel-client --rpk / wolfssl-server dtls13 (no RFC 7250): X.509, SPKI pinned"
SOUT=$T/pw.server COUT=$T/pw.client
if start_wolfssl_server "$SOUT" -u -v 4 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d; then
	petrel_client "$COUT" hello-from-petrel --verbose --rpk --pin-spki-sha256 "$PIN"
	expect_status "$?" 0 "petrel client"
	expect_line "$COUT" '^  version +DTLS 1\.3$' "DTLS 1.3"
	expect_count "$COUT" '^  peer key +raw public key' 0 "the server's key came in a certificate"
	expect_line "$COUT" '^I hear you fa shizzle!$' "wolfSSL's reply reached Petrel"
else
	fail "wolfSSL server did not start"
fi
end_case "$COUT" "$SOUT"

begin_case "wolfssl-client dtls13 / petrel-server --rpk with a certificate: X.509"
SOUT=$T/wp.server COUT=$T/wp.client
if start_petrel_cli_server "$SOUT" --verbose --rpk --cert "$T/ec-cert.pem" --key "$T/ec-key.pem"; then
	timeout 30 "$WOLFSSL_CLIENT" -p "$PORT" -u -v 4 -A "$T/ec-cert.pem" -x >"$COUT" 2>&1
	expect_status "$?" 0 "wolfSSL client"
	expect_line "$COUT" '^SSL version is DTLSv1.3$' "DTLS 1.3"
	expect_line "$COUT" '^hello wolfssl!$' "Petrel's echo reached wolfSSL"
else
	fail "petrel server did not start"
fi
end_case "$COUT" "$SOUT"
finish
