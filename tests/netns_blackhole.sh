#!/bin/sh
# Black hole without ICMP (issue #17 item 6): client and server in two
# network namespaces joined through a router namespace whose two links
# take 800-byte packets on the router's side only. A larger packet is
# dropped by the link itself (veth refuses what exceeds the receiving
# device's MTU), so no "fragmentation needed" ever comes back: the peers
# must find the path by their timers. With an RSA-4096 certificate the
# server's flight needs full-size datagrams; `petrel client` ->
# `petrel server --echo` must get its echo within 3 s, ten runs in a row,
# with DTLS 1.2 and then with DTLS 1.3.
# Needs root and `ip netns`; skips (77) with the reason otherwise.
set -u
: "${srcdir:=$(dirname "$0")/..}"
PETREL=./tools/petrel
RUNS=10
LIMIT_MS=3000
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for ip netns"; exit 77; }
command -v ip >/dev/null 2>&1 || { echo "SKIP: ip (iproute2) not installed"; exit 77; }
command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl not installed (RSA-4096 certificate)"; exit 77; }
[ -x "$PETREL" ] || { echo "SKIP: $PETREL not built"; exit 77; }

tag=h$$
A=${tag}a R=${tag}r B=${tag}b
T=$(mktemp -d "${TMPDIR:-/tmp}/petrel-blackhole.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for n in $A $R $B; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! ip netns add "$A" 2>"$T/err"; then
	echo "SKIP: ip netns not permitted here: $(cat "$T/err")"
	exit 77
fi
if ! ip netns add "$R" 2>"$T/err" || ! ip netns add "$B" 2>"$T/err"; then
	echo "SKIP: ip netns not permitted here: $(cat "$T/err")"
	exit 77
fi
set -e
ip link add ${tag}ar type veth peer name ${tag}ra
ip link add ${tag}rb type veth peer name ${tag}br
ip link set ${tag}ar netns "$A"
ip link set ${tag}ra netns "$R"
ip link set ${tag}rb netns "$R"
ip link set ${tag}br netns "$B"
ip -n "$A" addr add 10.78.1.2/24 dev ${tag}ar
ip -n "$R" addr add 10.78.1.1/24 dev ${tag}ra
ip -n "$R" addr add 10.78.2.1/24 dev ${tag}rb
ip -n "$B" addr add 10.78.2.2/24 dev ${tag}br
# The hop: 800 bytes on the router's ends; the peers' ends say 1500.
ip -n "$R" link set ${tag}ra mtu 800
ip -n "$R" link set ${tag}rb mtu 800
for n in $A $R $B; do ip -n "$n" link set lo up; done
ip -n "$A" link set ${tag}ar up
ip -n "$R" link set ${tag}ra up
ip -n "$R" link set ${tag}rb up
ip -n "$B" link set ${tag}br up
ip -n "$A" route add default via 10.78.1.1
ip -n "$B" route add default via 10.78.2.1
echo 1 | ip netns exec "$R" tee /proc/sys/net/ipv4/ip_forward >/dev/null
set +e

openssl req -x509 -newkey rsa:4096 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj /CN=blackhole.test >/dev/null 2>&1 || { echo "FAIL: cannot make the certificate"; exit 1; }

ip netns exec "$B" timeout 120 $PETREL server --echo --port 4433 --cert "$T/cert.pem" \
	--key "$T/key.pem" >"$T/server.out" 2>&1 &
PIDS="$PIDS $!"
sleep 0.5

FAILED=0
i=1
while [ $i -le $RUNS ]; do
	start=$(date +%s%N)
	echo "through the black hole $i" | ip netns exec "$A" timeout 12 $PETREL client --insecure \
		--once 10.78.2.2 4433 >"$T/client.$i" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	if [ $rc -eq 0 ] && grep -q "through the black hole $i" "$T/client.$i" && [ $ms -lt $LIMIT_MS ]; then
		echo "  ok: run $i echoed in $ms ms"
	else
		echo "  FAIL: run $i: exit $rc after $ms ms (limit $LIMIT_MS ms)"
		sed 's/^/    /' "$T/client.$i"
		FAILED=1
	fi
	i=$((i + 1))
done

# DTLS 1.3 (issue #20): the same hop, the same server, the client offering
# 1.3 only; the certificate flight (rsa_pss_rsae_sha256) is cut again for
# the fallback MTU, only its unacknowledged part resent.
i=1
while [ $i -le $RUNS ]; do
	start=$(date +%s%N)
	echo "1.3 through the black hole $i" | ip netns exec "$A" timeout 12 $PETREL client --insecure \
		--min-version 1.3 --max-version 1.3 --once 10.78.2.2 4433 >"$T/client13.$i" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	if [ $rc -eq 0 ] && grep -q "1.3 through the black hole $i" "$T/client13.$i" &&
		grep -q "connected, TLS_AES_" "$T/client13.$i" && [ $ms -lt $LIMIT_MS ]; then
		echo "  ok: DTLS 1.3 run $i echoed in $ms ms"
	else
		echo "  FAIL: DTLS 1.3 run $i: exit $rc after $ms ms (limit $LIMIT_MS ms)"
		sed 's/^/    /' "$T/client13.$i"
		FAILED=1
	fi
	i=$((i + 1))
done
[ $FAILED -eq 0 ] || { echo "server:"; sed 's/^/    /' "$T/server.out" | tail -30; }
exit $FAILED
