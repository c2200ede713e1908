#!/bin/sh
# CoAP over DTLS PSK against libcoap (Debian libcoap3-bin), both builds it
# ships (OpenSSL and GnuTLS), both roles: libcoap's coap-client GETs from
# examples/coap_server, and examples/coap_client GETs from coap-server.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/petrel-coap.XXXXXX")
pids=""
cleanup()
{
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
builds=""
for b in openssl gnutls; do
	command -v "coap-client-$b" >/dev/null 2>&1 && command -v "coap-server-$b" >/dev/null 2>&1 &&
		builds="$builds $b"
done
[ -n "$builds" ] || { echo "SKIP: libcoap's coap-client/coap-server missing (Debian: libcoap3-bin)"; exit 77; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }
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

./examples/coap_server 127.0.0.1 0 device secretkey >"$T/cs.out" 2>&1 &
pids="$pids $!"
wait_for "$T/cs.out" "listening on" || { echo "FAIL: coap_server did not start"; exit 1; }
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/cs.out")
for b in $builds; do
	out=$(timeout 20 "coap-client-$b" -B 10 -u device -k secretkey "coaps://127.0.0.1:$port/hello" 2>&1)
	[ "$out" = "hello, petrel" ] || bad "coap-client-$b GET /hello from coap_server: $out"
	echo "coap-client-$b -> coap_server: $out"
done

for b in $builds; do
	# coap-server serves coaps on PORT+1; try a few ports in case one is taken.
	ok=0
	for try in 1 2 3; do
		p=$(( (($$ + try * 7919) % 20000) * 2 + 20000 ))
		"coap-server-$b" -A 127.0.0.1 -p "$p" -k secretkey >"$T/srv.$b.log" 2>&1 &
		srv=$!
		pids="$pids $srv"
		sleep 0.5
		kill -0 "$srv" 2>/dev/null || continue
		out=$(timeout 20 ./examples/coap_client 127.0.0.1 $((p + 1)) "" device secretkey 2>&1)
		kill "$srv"
		case "$out" in "2.05 This is a test server made with libcoap"*) ok=1 ;; esac
		echo "coap_client -> coap-server-$b: $(echo "$out" | head -1)"
		break
	done
	[ "$ok" = 1 ] || bad "coap_client GET / from coap-server-$b: $out"
done
[ "$fail" = 0 ] && echo "PASS: CoAP over DTLS PSK with libcoap ($builds), both roles"
exit "$fail"
