#!/bin/sh
# The example programs work as their comments say, on loopback:
# many_peers answers several `petrel client`s and echo_client, and says
# goodbye to a connected client on SIGTERM; coap_client and coap_server
# talk CoAP over DTLS PSK; two srtp_peer processes pin each other by SDP
# fingerprint lines, negotiate an SRTP profile with use_srtp and print
# the same split keys, and a wrong line fails the handshake; tunnel
# carries UDP through `petrel server --forward` to a UDP echo.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/petrel-examples.XXXXXX")
pids=""
cleanup()
{
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
PSK=example:000102030405060708090a0b0c0d0e0f

# wait_for FILE REGEX: up to 10 s for a line to appear (no timing asserts).
wait_for()
{
	i=0
	while [ $i -lt 100 ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# --- many_peers: three petrel clients and echo_client, then SIGTERM.
./examples/many_peers 127.0.0.1 0 >"$T/mp.out" 2>"$T/mp.err" &
mp=$!
pids="$pids $mp"
wait_for "$T/mp.out" "listening on port" || bad "many_peers did not start"
port=$(sed -n 's/listening on port //p' "$T/mp.out")
for i in 1 2 3; do
	printf 'a%s\nb%s\n' "$i" "$i" | timeout 20 ./tools/petrel client --once --quiet --psk "$PSK" \
		127.0.0.1 "$port" >"$T/c$i.out" 2>&1 &
	eval "c$i=\$!"
done
for i in 1 2 3; do
	eval "wait \$c$i" || bad "client $i exited $?: $(cat "$T/c$i.out")"
	[ "$(cat "$T/c$i.out")" = "$(printf '1: a%s\n2: b%s' "$i" "$i")" ] ||
		bad "client $i got: $(cat "$T/c$i.out")"
done
out=$(timeout 20 ./examples/echo_client 127.0.0.1 "$port") || bad "echo_client failed"
[ "$out" = "1: hello, petrel" ] || bad "echo_client got: $out"
mkfifo "$T/hold"
timeout 20 ./tools/petrel client --psk "$PSK" 127.0.0.1 "$port" <"$T/hold" >"$T/held.out" 2>&1 &
held=$!
exec 3>"$T/hold"
echo held >&3
wait_for "$T/held.out" "^1: held" || bad "held client got no answer: $(cat "$T/held.out")"
kill -TERM "$mp"
wait "$mp" || bad "many_peers exited $? on SIGTERM"
wait_for "$T/held.out" "peer closed" || bad "no close_notify on shutdown: $(cat "$T/held.out")"
exec 3>&-
wait "$held" 2>/dev/null
grep -q "closed (close_notify) after 2 messages" "$T/mp.err" || bad "many_peers log: $(cat "$T/mp.err")"

# --- CoAP over DTLS PSK, both ends ours.
./examples/coap_server 127.0.0.1 0 device secretkey >"$T/cs.out" 2>&1 &
cs=$!
pids="$pids $cs"
wait_for "$T/cs.out" "listening on" || bad "coap_server did not start"
cport=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/cs.out")
out=$(timeout 20 ./examples/coap_client 127.0.0.1 "$cport" hello device secretkey) ||
	bad "coap_client GET /hello failed: $out"
[ "$out" = "2.05 hello, petrel" ] || bad "GET /hello: $out"
out=$(timeout 20 ./examples/coap_client 127.0.0.1 "$cport" missing device secretkey)
[ $? = 1 ] && [ "$out" = "4.04 " ] || bad "GET /missing: $out"
timeout 20 ./examples/coap_client 127.0.0.1 "$cport" hello device wrongkey >/dev/null 2>&1 &&
	bad "a wrong PSK got an answer"
kill "$cs"

# --- DTLS-SRTP pair: SDP fingerprint lines through files, same keys.
./examples/srtp_peer passive 127.0.0.1 0 "$T/a.sdp" "$T/b.sdp" >"$T/pa.out" 2>&1 &
pa=$!
pids="$pids $pa"
wait_for "$T/pa.out" "listening on port" || bad "srtp_peer passive did not start"
sport=$(sed -n 's/listening on port //p' "$T/pa.out")
timeout 30 ./examples/srtp_peer active 127.0.0.1 "$sport" "$T/b.sdp" "$T/a.sdp" >"$T/ac.out" 2>&1 ||
	bad "srtp_peer active failed: $(cat "$T/ac.out")"
wait "$pa" || bad "srtp_peer passive failed: $(cat "$T/pa.out")"
# use_srtp: the passive side (server) prefers GCM and the active side
# offers it second; both print the same split keys for that profile.
keys() { grep -E '^(srtp profile|(client|server) master (key|salt)) ' "$1"; }
km_a=$(keys "$T/pa.out")
km_b=$(keys "$T/ac.out")
echo "$km_a" | grep -qx 'srtp profile SRTP_AEAD_AES_128_GCM' || bad "profile: $(cat "$T/pa.out")"
[ "$(echo "$km_a" | grep -c '^client master key [0-9a-f]\{32\}$')" = 1 ] &&
	[ "$(echo "$km_a" | grep -c '^server master salt [0-9a-f]\{24\}$')" = 1 ] ||
	bad "key or salt lengths: $km_a"
[ -n "$km_a" ] && [ "$km_a" = "$km_b" ] || bad "SRTP keys differ: '$km_a' vs '$km_b'"
grep -qx "pinned $(tr -d '\r' <"$T/b.sdp")" "$T/pa.out" || bad "passive did not pin the active's line"
grep -qx "pinned $(tr -d '\r' <"$T/a.sdp")" "$T/ac.out" || bad "active did not pin the passive's line"

# A fingerprint line for another certificate: the active side refuses.
./examples/srtp_peer passive 127.0.0.1 0 "$T/c.sdp" "$T/d.sdp" >"$T/pc.out" 2>&1 &
pc=$!
pids="$pids $pc"
wait_for "$T/pc.out" "listening on port" || bad "srtp_peer passive did not start"
sport=$(sed -n 's/listening on port //p' "$T/pc.out")
echo "a=fingerprint:sha-256 $(echo "$km_a" | sed -n 's/^client master key //p' | sed 's/.*/&&/' | sed 's/../&:/g; s/:$//' | tr a-f A-F)" >"$T/wrong.sdp"
timeout 30 ./examples/srtp_peer active 127.0.0.1 "$sport" "$T/d.sdp" "$T/wrong.sdp" >"$T/ad.out" 2>&1 &&
	bad "a wrong fingerprint line was accepted"
grep -q "does not match the pinned fingerprint" "$T/ad.out" || bad "wrong line: $(cat "$T/ad.out")"
wait "$pc" && bad "the passive side completed against a refused peer"

# --- tunnel: a UDP echo behind `petrel server --forward`, reached through
# examples/tunnel; a datagram over the data MTU is refused with its reason.
./tests/udp_echo serve >"$T/echo.out" 2>&1 &
pids="$pids $!"
wait_for "$T/echo.out" "listening on" || bad "udp_echo did not start"
eport=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/echo.out")
./tools/petrel server --workers 1 --bind 127.0.0.1 --port 0 --psk "$PSK" \
	--forward "127.0.0.1:$eport" >"$T/fw.out" 2>"$T/fw.err" &
pids="$pids $!"
wait_for "$T/fw.out" "listening on" || bad "petrel server --forward did not start"
fport=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/fw.out")
./examples/tunnel 0 127.0.0.1 "$fport" "$PSK" >"$T/tun.out" 2>"$T/tun.err" &
tun=$!
pids="$pids $tun"
wait_for "$T/tun.out" "listening on port" || bad "tunnel did not start: $(cat "$T/tun.err")"
tport=$(sed -n 's/listening on port //p' "$T/tun.out")
# Both sends from one local port: the tunnel serves its first sender only.
lport=$(./tests/udp_echo port)
./tests/udp_echo send 127.0.0.1 "$tport" 50 1200 20000 "$lport" >"$T/send.out" 2>&1 ||
	bad "50 datagrams through the tunnel: $(cat "$T/send.out")"
./tests/udp_echo send 127.0.0.1 "$tport" 1 3000 600 "$lport" >/dev/null 2>&1 &&
	bad "a 3000-byte datagram came back through a 1500-byte path"
wait_for "$T/tun.err" "refused a 3000-byte datagram: over the data MTU" ||
	bad "oversized datagram: $(cat "$T/tun.err")"
kill -TERM "$tun"
wait "$tun" || bad "tunnel exited $? on SIGTERM: $(cat "$T/tun.err")"

[ "$fail" = 0 ] && echo "PASS: many_peers, echo_client, coap_client/coap_server, the srtp_peer pair and tunnel"
exit "$fail"
