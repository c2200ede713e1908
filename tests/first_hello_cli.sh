#!/bin/sh
# A ClientHello bigger than the MTU over real UDP (issue #20 item 4):
# `petrel client --mtu 300` with a long ALPN list and server name sends
# each ClientHello in several datagrams; `petrel server --mtu 300` (an
# endpoint) assembles them before the cookie and completes the handshake,
# directly and through a relay that logs the client's datagrams and loses
# one fragment of the first ClientHello (the client's retransmission
# fills the gap); OpenSSL's s_client -mtu 300 the same way. Then DTLS 1.3
# (--max-version 1.3): fragmented ClientHellos answered by a stateless
# HelloRetryRequest (issue #20 items 1 and 4), directly and through the
# lossy relay.
set -u
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is missing"; exit 77; }
. "${srcdir:-.}/tests/cli_lib.sh"
FAIL_FILES="out err server.out server.err relay.out"
relay_pid=
trap 'kill $server_pid $relay_pid 2>/dev/null; wait $server_pid $relay_pid 2>/dev/null; rm -rf "$tmp"' EXIT

psk=coap-node:00112233445566778899aabbccddeeff
alpn=$(seq -f 'coap-proto-%02g' 1 14 | paste -sd, -)
sni=$(printf 'a%.0s' $(seq 60)).$(printf 'b%.0s' $(seq 60)).$(printf 'c%.0s' $(seq 60)).example

PSK=$psk
if start_server --mtu 300; then pass "server --mtu 300 listens"; fi

echo "small link" | $PETREL client --once --mtu 300 --timeout-ms 8000 --psk "$psk" --alpn "$alpn" \
	--sni "$sni" 127.0.0.1 "$port" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && grep -qx "small link" "$tmp/out"; then
	pass "fragmented ClientHello: handshake and echo at MTU 300"
else
	fail "client at MTU 300: exit $st"
fi

# The relay: logs each ClientHello fragment the client sends, drops the
# first fragment of the first ClientHello that is not at offset 0.
cat >"$tmp/relay.py" <<'END'
import select, socket, sys, time
# RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest.
HRR = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
front.bind(("127.0.0.1", 0))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
back.connect(("127.0.0.1", int(sys.argv[1])))
print("port", front.getsockname()[1], flush=True)
client, dropped, largest = None, False, 0
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    ready, _, _ = select.select([front, back], [], [], 0.2)
    for sock in ready:
        try:
            if sock is back:
                d = back.recv(65535)
                largest = max(largest, len(d))
                print(f"s2c {len(d)} bytes (largest {largest})", flush=True)
                if len(d) > 59 and d[0] == 22 and d[13] == 2 and d[27:59] == HRR:
                    print("seen HelloRetryRequest", flush=True)
                if client:
                    front.sendto(d, client)
                continue
            d, client = front.recvfrom(65535)
        except ConnectionRefusedError:
            continue
        if len(d) >= 25 and d[0] == 22 and d[3:5] == b"\0\0" and d[13] == 1:
            n = lambda a, b: int.from_bytes(d[a:b], "big")
            seq, length, off, flen = n(17, 19), n(14, 17), n(19, 22), n(22, 25)
            print(f"c2s {len(d)} bytes: ClientHello {seq} length {length} "
                  f"offset {off} fragment {flen}", flush=True)
            if not dropped and seq == 0 and off > 0:
                dropped = True
                print("dropped", flush=True)
                continue
        back.send(d)
END
# relay_fragments: from the relay's log, frags0 and frags1 (datagrams of
# the first and second ClientHello) and whole (ClientHellos not fragmented).
relay_fragments() {
	frags0=$(grep -c "ClientHello 0 .* offset [0-9]* fragment" "$tmp/relay.out")
	frags1=$(grep -c "ClientHello 1 .* offset [0-9]* fragment" "$tmp/relay.out")
	whole=$(awk '/ClientHello/ { if ($11 == $7 && $9 == 0) n++ } END { print n + 0 }' "$tmp/relay.out")
}
start_relay() {
	if [ -n "$relay_pid" ]; then
		kill $relay_pid 2>/dev/null
		wait $relay_pid 2>/dev/null
	fi
	python3 "$tmp/relay.py" "$port" >"$tmp/relay.out" 2>&1 &
	relay_pid=$!
	rport=
	for _ in $(seq 100); do
		rport=$(sed -n 's/^port \([0-9][0-9]*\)$/\1/p' "$tmp/relay.out")
		[ -n "$rport" ] && break
		sleep 0.1
	done
	[ -n "$rport" ] || fail "relay printed no port"
	rport=${rport:-9}
}
start_relay

echo "lossy small link" | $PETREL client --once --mtu 300 --timeout-ms 10000 --psk "$psk" \
	--alpn "$alpn" --sni "$sni" 127.0.0.1 "$rport" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && grep -qx "lossy small link" "$tmp/out"; then
	pass "a lost fragment: the retransmission completes the ClientHello"
else
	fail "client through the lossy relay: exit $st"
fi
relay_fragments
if [ "$frags0" -ge 4 ] && [ "$frags1" -ge 3 ] && [ "$whole" -eq 0 ]; then
	pass "ClientHellos went in fragments ($frags0 datagrams for the first, $frags1 for the second)"
else
	fail "ClientHello fragments: first $frags0, second $frags1, whole $whole"
fi
if grep -q "^dropped" "$tmp/relay.out"; then pass "one fragment was lost"; else fail "nothing dropped"; fi
big=$(awk '/^(c2s|s2c) / { if ($2 > 272) n++ } END { print n + 0 }' "$tmp/relay.out")
if [ "$big" -eq 0 ]; then pass "every datagram fits MTU 300 (272 bytes of UDP)"; else fail "$big datagrams over 272 bytes"; fi

# OpenSSL's client fragments its ClientHello at -mtu 300 too.
if command -v openssl >/dev/null 2>&1; then
	start_relay
	(echo "from openssl"; sleep 2) | timeout 8 openssl s_client -dtls1_2 -mtu 300 -quiet \
		-psk_identity "${psk%%:*}" -psk "${psk#*:}" -cipher ECDHE-PSK-CHACHA20-POLY1305:PSK-AES128-CCM8 \
		-alpn "$alpn" -servername "$sni" -connect "127.0.0.1:$rport" >"$tmp/out" 2>"$tmp/err"
	frags=$(grep -c "ClientHello 1 .* offset [1-9][0-9]* fragment" "$tmp/relay.out")
	if grep -qx "from openssl" "$tmp/out" && [ "$frags" -ge 1 ]; then
		pass "openssl s_client -mtu 300: fragmented ClientHello, one fragment lost, echo back"
	else
		fail "openssl s_client -mtu 300 (ClientHello fragments past offset 0: $frags)"
	fi
else
	echo "ok - # SKIP openssl missing"
fi

# DTLS 1.3 (issue #20 items 1 and 4): a P-384 share first and a long PSK
# identity make a 1.3 ClientHello of about 420 bytes, sent in fragments
# at MTU 300; the server endpoint assembles it before the cookie and
# answers with a stateless HelloRetryRequest, then the second (also
# fragmented) ClientHello with the cookie makes the session.
psk13=$(printf 'n%.0s' $(seq 100)):00112233445566778899aabbccddeeff
stop_server
PSK=$psk13
start_server --mtu 300
echo "small link 1.3" | $PETREL client --once --verbose --mtu 300 --timeout-ms 8000 --psk "$psk13" \
	--max-version 1.3 --groups secp384r1,x25519 127.0.0.1 "$port" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && grep -qx "small link 1.3" "$tmp/out" && grep -q "^  version *DTLS 1\.3$" "$tmp/err"; then
	pass "DTLS 1.3: fragmented ClientHellos, stateless HelloRetryRequest, echo at MTU 300"
else
	fail "1.3 client at MTU 300: exit $st"
fi
start_relay
echo "lossy small link 1.3" | $PETREL client --once --verbose --mtu 300 --timeout-ms 10000 \
	--psk "$psk13" --max-version 1.3 --groups secp384r1,x25519 127.0.0.1 "$rport" \
	>"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ] && grep -qx "lossy small link 1.3" "$tmp/out" && grep -q "^  version *DTLS 1\.3$" "$tmp/err"; then
	pass "DTLS 1.3: a lost fragment, the retransmission completes the ClientHello"
else
	fail "1.3 client through the lossy relay: exit $st"
fi
relay_fragments
big=$(awk '/^(c2s|s2c) / { if ($2 > 272) n++ } END { print n + 0 }' "$tmp/relay.out")
if [ "$frags0" -ge 3 ] && [ "$frags1" -ge 2 ] && [ "$whole" -eq 0 ] && [ "$big" -eq 0 ] &&
	grep -q "^dropped" "$tmp/relay.out" && grep -q "^seen HelloRetryRequest" "$tmp/relay.out"; then
	pass "DTLS 1.3 ClientHellos in fragments within MTU 300 ($frags0 for the first, $frags1 for the second)"
else
	fail "1.3 ClientHello fragments (and a HelloRetryRequest): first $frags0, second $frags1, whole $whole, over 272: $big"
fi

exit $((failures > 0))
