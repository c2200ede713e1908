#!/usr/bin/env bash
# Keepalive on DTLS 1.3 (ka13, issue #20) against the wolfSSL 5.5.4 example
# server (scripts/build-peers), through relay-rebind.py: `petrel client
# --keepalive 300 --dead-ms 1500` with default versions offers DTLS 1.3 and
# 1.2 and, since the keepalive is set before the handshake, the heartbeat
# extension (RFC 6520 2; tests/ka13_test.c checks the bytes); wolfSSL takes
# that ClientHello and answers in DTLS 1.3. The client then stays quiet for
# 3 s, twice --dead-ms: wolfSSL sends nothing of its own, so the session
# lives only if wolfSSL acknowledges the KeyUpdate pings (RFC 9147 8). Our
# sending keys move to the next epoch only on that ACK, so the relay seeing
# our records in epochs 4 and 5 (low bits 0 and 1) shows at least two pings
# acknowledged. Finally our message, under those keys, reaches wolfSSL and
# its reply comes back.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl python3
need_wolfssl
make_certs
"$PETREL" info 2>/dev/null | grep -q 'DTLS 1\.3' || skip "petrel does not speak DTLS 1.3"

begin_case "petrel-client --keepalive/wolfssl-server dtls13: KeyUpdate pings acknowledged"
SOUT=$T/ka13.server COUT=$T/ka13.client ROUT=$T/ka13.relay
if start_wolfssl_server "$SOUT" -u -v 4 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d &&
	start_rebind_relay "$ROUT" "$PORT"; then
	# Not --once, whose wait for stdin runs no timers: the interactive
	# relay polls the socket and stdin with the session's deadline.
	{ sleep 3; printf '%s\n' "$CLIENT_MSG"; sleep 1; } |
		timeout 30 "$PETREL" client --timeout-ms 10000 --keepalive 300 --dead-ms 1500 \
			--verbose --ca "$T/ec-cert.pem" --sni localhost 127.0.0.1 "$PORT" >"$COUT" 2>&1
	expect_status $? 0 "petrel client (not declared dead while quiet)"
	expect_line "$COUT" 'version +DTLS 1\.3' "a keepalive client with default versions speaks DTLS 1.3"
	expect_line "$ROUT" '^c2s .*hello versions=fefc,fefd' "the ClientHello offered DTLS 1.3 and 1.2"
	expect_line "$ROUT" '^s2c .*hello.* versions=fefc' "wolfSSL's ServerHello selected DTLS 1.3"
	expect_line "$ROUT" '^c2s .*rec=u/e0' "our records in epoch 4: the first KeyUpdate ping acknowledged"
	expect_line "$ROUT" '^c2s .*rec=u/e1' "our records in epoch 5: the second KeyUpdate ping acknowledged"
	expect_line "$COUT" 'I hear you fa shizzle!' "wolfSSL's reply under the new keys"
	expect_line "$SOUT" '^SSL version is DTLSv1.3$' "DTLS 1.3 (wolfSSL)"
	expect_line "$SOUT" "^Client message: $CLIENT_MSG" "our message reached wolfSSL"
	if grep -q 'PETREL_E_PEER_DEAD' "$COUT"; then fail "the client declared wolfSSL dead"; fi
fi
end_case "$COUT" "$ROUT" "$SOUT"
finish
