#!/usr/bin/env bash
# server_name (RFC 6066 3) in DTLS 1.3 against the wolfSSL 5.5.4 examples
# (scripts/build-peers; that build has no ALPN, so ALPN is covered by
# tests/dtls13_ext13_test.c only). wolfSSL's -S makes its server require
# the name and acknowledge it in EncryptedExtensions, and its client send it.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl python3
need_wolfssl
make_certs
"$PETREL" info 2>/dev/null | grep -q 'DTLS 1\.3' || skip "petrel does not speak DTLS 1.3"
PETREL13=(--max-version 1.3)

WOLF_SERVER=(-u -v 4 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d -T)

begin_case "petrel-client/wolfssl-server dtls13 sni acknowledged in EncryptedExtensions"
if relayed_petrel_to_wolf sni hello-from-petrel "${PETREL13[@]}" --ca "$T/ec-cert.pem" --sni localhost -- \
	"${WOLF_SERVER[@]}" -S localhost; then
	expect_status "$CLIENT_RC" 0 "petrel client"
	expect_line "$SOUT" '^SSL version is DTLSv1.3$' "DTLS 1.3"
	expect_line "$COUT" '^I hear you fa shizzle!$' "wolfSSL's reply reached Petrel"
fi
end_case "$COUT" "$ROUT" "$SOUT"

# The wrong name: wolfSSL refuses it (so the name was sent) with
# unrecognized_name (RFC 6066 3).
begin_case "petrel-client/wolfssl-server dtls13 sni mismatch refused by wolfSSL"
if relayed_petrel_to_wolf sni-wrong hello-from-petrel "${PETREL13[@]}" --insecure --sni other.example \
	--timeout-ms 3000 -- "${WOLF_SERVER[@]}" -S localhost; then
	expect_status "$CLIENT_RC" 1 "petrel client"
	expect_line "$SOUT" 'Unrecognized host name' "wolfSSL saw our name and refused it"
fi
end_case "$COUT" "$ROUT" "$SOUT"

begin_case "petrel-server/wolfssl-client dtls13 sni"
SOUT=$T/wsni.server COUT=$T/wsni.client ROUT=$T/wsni.relay
if start_petrel_cli_server "$SOUT" --cert "$T/ec-cert.pem" --key "$T/ec-key.pem" &&
	start_rebind_relay "$ROUT" "$PORT"; then
	timeout 30 "$WOLFSSL_CLIENT" -p "$PORT" -u -v 4 -A "$T/ec-cert.pem" -x -S localhost \
		>"$COUT" 2>&1
	expect_status $? 0 "wolfSSL client"
	expect_line "$COUT" '^SSL version is DTLSv1.3$' "DTLS 1.3"
	expect_line "$COUT" '^hello wolfssl!$' "Petrel's echo reached wolfSSL"
else
	fail "petrel server or relay did not start"
fi
end_case "$COUT" "$ROUT" "$SOUT"
finish
