#!/usr/bin/env bash
# DTLS 1.3 PSK key exchange modes (RFC 8446 4.2.9) against the wolfSSL 5.5.4
# examples (scripts/build-peers) over UDP on 127.0.0.1: `petrel --psk-ke`
# against wolfSSL's -K (psk_ke only, wolfSSL_CTX_no_dhe_psk) and its
# default (a client offers psk_ke and psk_dhe_ke; a server prefers
# psk_dhe_ke). Which mode was used is read from the Petrel server's
# --verbose report ("key exchange none" is psk_ke), and shown by the
# pairings that must fail (a mode only one side takes).
#
# Not tried: a wolfSSL client offering both modes answered with psk_ke
# (petrel server --psk-ke plain). wolfSSL 5.5.4's client resets its (EC)DHE
# input for psk_ke only when it was told to offer psk_ke alone (-K;
# SetupPskKey, tls13.c), so it derives other handshake keys, cannot read
# our flight and only acknowledges the ServerHello; the same pairing works
# petrel to petrel (tests/export13_cli.sh "both to plain") and petrel
# client (both) to wolfSSL server -K below.
#
# DTLS-SRTP is not tried here: the peers' wolfSSL is built without
# --enable-srtp (its examples have no --srtp option).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need_wolfssl
"$PETREL" info 2>/dev/null | grep -q 'DTLS 1\.3' || skip "this build does not speak DTLS 1.3"

# wolfSSL's TLS 1.3 PSK callbacks (wolfssl/test.h): the client sends
# "Client_identity" + the suite's hash name (my_psk_client_cs_cb), the
# server takes "Client_identity" with or without it; the key is 32 bytes
# 01 23 45 ... ef repeated.
KEY13=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
WOLF_CLIENT_PSK=Client_identitySHA256:$KEY13
WOLF_SERVER_PSK=Client_identity:$KEY13

# wolf_to_petrel NAME PETREL_ARGS -- WOLFSSL_CLIENT_ARGS: sets SOUT COUT CLIENT_RC.
wolf_to_petrel() {
	local name=$1 sargs=()
	shift
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	SOUT=$T/$name.server COUT=$T/$name.client
	CLIENT_RC=999
	start_petrel_cli_server "$SOUT" --verbose --psk "$WOLF_CLIENT_PSK" "${sargs[@]}" ||
		{ fail "petrel server did not start"; return 1; }
	timeout "${WOLF_SECONDS:-30}" "$WOLFSSL_CLIENT" -p "$PORT" -u -v 4 -s "$@" >"$COUT" 2>&1
	CLIENT_RC=$?
}

# petrel_to_wolf NAME PETREL_ARGS -- WOLFSSL_SERVER_ARGS: sets SOUT COUT CLIENT_RC.
petrel_to_wolf() {
	local name=$1 cargs=()
	shift
	while [ "$1" != -- ]; do cargs+=("$1"); shift; done
	shift
	SOUT=$T/$name.server COUT=$T/$name.client
	CLIENT_RC=999
	start_wolfssl_server "$SOUT" -u -v 4 -s -T "$@" ||
		{ fail "wolfSSL server did not start"; return 1; }
	petrel_client "$COUT" hello-from-petrel --verbose --min-version 1.3 \
		--psk "$WOLF_SERVER_PSK" "${cargs[@]}"
	CLIENT_RC=$?
}

# wolf_ok KX: the wolfSSL client completed DTLS 1.3 with a Petrel server
# whose report names key exchange KX.
wolf_ok() {
	expect_status "$CLIENT_RC" 0 "wolfSSL client"
	expect_line "$COUT" '^SSL version is DTLSv1.3$' "DTLS 1.3"
	expect_line "$COUT" '^hello wolfssl!$' "Petrel's echo reached wolfSSL"
	wait_for "$SOUT" '^  key exchange ' 5
	expect_line "$SOUT" "^  key exchange +$1\$" "Petrel server: key exchange $1"
}

# petrel_ok: the Petrel client completed DTLS 1.3 with the wolfSSL server.
petrel_ok() {
	expect_status "$CLIENT_RC" 0 "petrel client"
	expect_line "$COUT" '^  version +DTLS 1\.3$' "DTLS 1.3"
	expect_line "$COUT" '^I hear you fa shizzle!$' "wolfSSL's reply reached Petrel"
	expect_line "$SOUT" '^Client message: hello-from-petrel' "Petrel's text reached wolfSSL"
}

begin_case "wolfssl-client -K (psk_ke) / petrel-server --psk-ke plain"
wolf_to_petrel kk --psk-ke plain -- -K && wolf_ok none
end_case "$COUT" "$SOUT"

begin_case "wolfssl-client (both modes) / petrel-server --psk-ke both prefers psk_dhe_ke"
wolf_to_petrel bb --psk-ke both -- && wolf_ok '(x25519|secp256r1)'
end_case "$COUT" "$SOUT"

begin_case "wolfssl-client -K (psk_ke) / petrel-server default (psk_dhe_ke only) fails"
# (The first ClientHello is dropped unanswered, RFC 6347 4.1.2.7: the
# wolfSSL client waits; 8 s are enough to see no session come up.)
if WOLF_SECONDS=8 wolf_to_petrel kd -- -K; then
	[ "$CLIENT_RC" != 0 ] || fail "wolfSSL client connected without a common PSK mode"
	expect_count "$SOUT" '^  key exchange ' 0 "no session established"
fi
end_case "$COUT" "$SOUT"

begin_case "petrel-client --psk-ke plain / wolfssl-server -K (psk_ke)"
petrel_to_wolf pk --psk-ke plain -- -K && petrel_ok
end_case "$COUT" "$SOUT"

begin_case "petrel-client --psk-ke both / wolfssl-server -K picks psk_ke"
petrel_to_wolf bk2 --psk-ke both -- -K && petrel_ok
end_case "$COUT" "$SOUT"

begin_case "petrel-client --psk-ke plain / wolfssl-server default"
petrel_to_wolf pd --psk-ke plain -- && petrel_ok
end_case "$COUT" "$SOUT"

begin_case "petrel-client default (psk_dhe_ke) / wolfssl-server -K fails"
if petrel_to_wolf dk --timeout-ms 3000 -- -K; then
	expect_status "$CLIENT_RC" 1 "petrel client"
fi
end_case "$COUT" "$SOUT"
finish
