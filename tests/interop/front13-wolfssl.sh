#!/usr/bin/env bash
# The DTLS 1.3 front door (issue #20 item 1) with a real client: the
# wolfSSL 5.5.4 example client (scripts/build-peers) against `petrel
# server`, whose endpoint answers each cookie-less 1.3 ClientHello with a
# stateless HelloRetryRequest carrying a cookie (RFC 9147 5.1) and makes
# the session only from the second ClientHello. A relay prints each hello
# it forwards, so the cases see the HelloRetryRequest go by.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl python3
need_wolfssl
make_certs

cat >"$T/hrr-relay.py" <<'END'
import select, socket, sys, time
# RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest.
HRR = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(("127.0.0.1", int(sys.argv[1])))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
back.connect(("127.0.0.1", int(sys.argv[2])))
print("ready", flush=True)
client, end = None, time.monotonic() + 25
while time.monotonic() < end:
    ready, _, _ = select.select([front, back], [], [], 0.2)
    for sock in ready:
        try:
            if sock is back:
                d = back.recv(65535)
                if len(d) > 59 and d[0] == 22 and d[13] == 2:
                    kind = "HelloRetryRequest" if d[27:59] == HRR else "ServerHello"
                    print(f"s2c {kind} {len(d)} bytes", flush=True)
                if client:
                    front.sendto(d, client)
                continue
            d, client = front.recvfrom(65535)
        except ConnectionRefusedError:
            continue
        if len(d) > 25 and d[0] == 22 and d[13] == 1:
            print(f"c2s ClientHello {len(d)} bytes", flush=True)
        back.send(d)
END

# front13_case NAME PETREL_ARGS -- WOLFSSL_CLIENT_ARGS
front13_case() {
	local name=$1 sargs=()
	shift
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	local sout=$T/$name.server cout=$T/$name.client rout=$T/$name.relay
	begin_case "petrel-server/wolfssl-client dtls13 stateless hrr: $name"
	if start_petrel_cli_server "$sout" "${sargs[@]}"; then
		local sport=$PORT
		if start_with_port "$rout" '^ready' 'rror' python3 "$T/hrr-relay.py" @PORT@ "$sport"; then
			timeout 30 "$WOLFSSL_CLIENT" -p "$PORT" "$@" >"$cout" 2>&1
			expect_status $? 0 "wolfSSL client"
			expect_line "$cout" '^SSL version is DTLSv1.3$' "DTLS 1.3"
			expect_line "$cout" '^hello wolfssl!$' "Petrel's echo"
			expect_count "$rout" '^s2c HelloRetryRequest' 1 "one stateless HelloRetryRequest"
			expect_count "$rout" '^s2c ServerHello' 1 "then the ServerHello"
			expect_count "$rout" '^c2s ClientHello' 2 "two ClientHellos"
		else
			fail "relay did not start"
		fi
	else
		fail "petrel server did not start"
	fi
	end_case "$cout" "$rout" "$sout"
}

WOLFSSL_PSK13=Client_identitySHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
front13_case psk --psk "$WOLFSSL_PSK13" -- -u -v 4 -s
# An empty key_share: the HelloRetryRequest asks for a group too.
front13_case psk-empty-key-share --psk "$WOLFSSL_PSK13" -- -u -v 4 -s -J
front13_case certificate --cert "$T/ec-cert.pem" --key "$T/ec-key.pem" -- \
	-u -v 4 -A "$T/ec-cert.pem" -x
# The server's groups (--groups) reach the HelloRetryRequest: wolfSSL's
# X25519 share is not taken, P-256 is asked for.
front13_case server-groups --psk "$WOLFSSL_PSK13" --groups secp256r1 -- -u -v 4 -s
finish
