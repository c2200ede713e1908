#!/usr/bin/env bash
# Path MTU probes after a DTLS 1.3 handshake (probe13, issue #20) against the
# wolfSSL 5.5.4 example server (scripts/build-peers): tests/interop/probe13-client
# (PETREL_FLAG_PMTU_PROBE, default versions, MTU 500) probes upward with
# padded KeyUpdates, which wolfSSL must acknowledge (RFC 9147 8), through
# relay-rebind.py; then its message, under the keys the probes left, still
# reaches wolfSSL and wolfSSL's reply comes back.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl python3
need_wolfssl
make_certs
PROBE13=${PROBE13:-./tests/interop/probe13-client}
[ -x "$PROBE13" ] || skip "$PROBE13 not built"
"$PETREL" info 2>/dev/null | grep -q 'DTLS 1\.3' || skip "petrel does not speak DTLS 1.3"

begin_case "probe13-client/wolfssl-server dtls13 path MTU probes (padded KeyUpdate)"
SOUT=$T/p13.server COUT=$T/p13.client ROUT=$T/p13.relay
if start_wolfssl_server "$SOUT" -u -v 4 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d -T &&
	start_rebind_relay "$ROUT" "$PORT"; then
	timeout 30 "$PROBE13" 127.0.0.1 "$PORT" >"$COUT" 2>&1
	expect_status $? 0 "probe13 client"
	expect_line "$COUT" '^version: DTLS 1\.3$' "a PMTU-probe client with default versions speaks DTLS 1.3"
	expect_line "$COUT" '^mtu_before: 500$' "started at 500"
	expect_line "$COUT" '^probes_acked: 6$' "wolfSSL acknowledged six padded KeyUpdates (576 to 1500)"
	expect_line "$COUT" '^mtu_after: 1500$' "the MTU went up to the maximum"
	expect_line "$COUT" '^reply: I hear you fa shizzle!' "wolfSSL's reply under the new keys"
	expect_line "$SOUT" '^SSL version is DTLSv1.3$' "DTLS 1.3 (wolfSSL)"
	expect_line "$SOUT" '^Client message: hello-from-petrel' "our message reached wolfSSL"
fi
end_case "$COUT" "$ROUT" "$SOUT"
finish
