# shellcheck shell=bash
# Helpers for the interop tests against the peers prepared by scripts/build-peers
# (mbedTLS 3.6, wolfSSL 5.5.4; sourced after common.sh). Petrel's side is the
# petrel command-line tool (tools/petrel): `server --echo` sends each datagram
# back, `client --once` sends each stdin line and prints one reply per line.
#
# Where the peers are: $PETREL_PEERS_BUILD/env.sh (default tests/peers-build,
# in the build tree, then in the source tree), written by scripts/build-peers.
# mbedTLS is also found without it, in ../shared/peers/mbedtls-3.6 beside the
# source tree (prebuilt, nothing to build). A missing peer skips (exit 77).

PETREL=${PETREL:-./tools/petrel}
[ -x "$PETREL" ] || skip "$PETREL not built"

for _env in "${PETREL_PEERS_BUILD:-tests/peers-build}/env.sh" "$srcdir/tests/peers-build/env.sh"; do
	if [ -f "$_env" ]; then
		# shellcheck disable=SC1090
		. "$_env"
		break
	fi
done
unset _env
if [ -z "${PETREL_MBEDTLS_DIR:-}" ] && [ -x "$srcdir/../shared/peers/mbedtls-3.6/bin/ssl_server2" ]; then
	PETREL_MBEDTLS_DIR=$(cd "$srcdir/../shared/peers/mbedtls-3.6" && pwd)
fi

need_mbedtls() {
	[ -n "${PETREL_MBEDTLS_DIR:-}" ] && [ -x "$PETREL_MBEDTLS_DIR/bin/ssl_client2" ] &&
		[ -x "$PETREL_MBEDTLS_DIR/bin/ssl_server2" ] ||
		skip "mbedTLS 3.6 ssl_client2/ssl_server2 not found (../shared/peers/mbedtls-3.6; run scripts/build-peers)"
	MBEDTLS_CLIENT=$PETREL_MBEDTLS_DIR/bin/ssl_client2
	MBEDTLS_SERVER=$PETREL_MBEDTLS_DIR/bin/ssl_server2
}

need_wolfssl() {
	[ -n "${PETREL_WOLFSSL_CLIENT:-}" ] && [ -x "$PETREL_WOLFSSL_CLIENT" ] &&
		[ -x "${PETREL_WOLFSSL_SERVER:-}" ] ||
		skip "wolfSSL 5.5.4 examples not built (run scripts/build-peers as root)"
	WOLFSSL_CLIENT=$PETREL_WOLFSSL_CLIENT
	WOLFSSL_SERVER=$PETREL_WOLFSSL_SERVER
}

need_tinydtls() {
	[ -n "${PETREL_TINYDTLS_DIR:-}" ] && [ -x "$PETREL_TINYDTLS_DIR/dtls-server" ] ||
		skip "tinydtls not available: ${PETREL_TINYDTLS_MISSING:-run scripts/build-peers}"
}

# wolfSSL's example programs hard-code this PSK (wolfssl/test.h).
WOLFSSL_PSK=Client_identity:1a2b3c4d

# start_petrel_cli_server OUT ARGS...: petrel server on 127.0.0.1 (echo).
start_petrel_cli_server() {
	local out=$1
	shift
	start_with_port "$out" '^listening on ' '^petrel server: |rror' \
		"$PETREL" server --port @PORT@ --bind 127.0.0.1 --echo "$@"
}

# start_mbedtls_server OUT ARGS...: ssl_server2, DTLS, on 127.0.0.1.
start_mbedtls_server() {
	local out=$1
	shift
	start_with_port "$out" 'Waiting for a remote connection' 'failed|rror' \
		"$MBEDTLS_SERVER" dtls=1 server_addr=127.0.0.1 server_port=@PORT@ "$@"
}

# udp_bound PORT: something listens on 127.0.0.1:PORT (UDP).
udp_bound() {
	ss -Huln "sport = :$1" 2>/dev/null | grep -q .
}

# start_wolfssl_server OUT ARGS...: the wolfSSL example server. It prints
# nothing until a client comes (and its -R ready file is TCP only), so
# readiness is its UDP socket showing up in ss. Sets PORT and SERVER_PID.
start_wolfssl_server() {
	local out=$1 attempt i
	shift
	command -v ss >/dev/null 2>&1 || skip "ss (iproute2) not installed"
	for attempt in 1 2 3; do
		PORT=$(free_port)
		: >"$out"
		timeout 60 stdbuf -oL "$WOLFSSL_SERVER" -p "$PORT" "$@" >"$out" 2>&1 &
		SERVER_PID=$!
		track "$SERVER_PID"
		i=0
		while ! udp_bound "$PORT" && [ $i -lt 100 ] && kill -0 "$SERVER_PID" 2>/dev/null; do
			sleep 0.05
			i=$((i + 1))
		done
		udp_bound "$PORT" && kill -0 "$SERVER_PID" 2>/dev/null && return 0
		stop_all
	done
	return 1
}

# petrel_client OUT TEXT ARGS...: petrel client --once sending TEXT (one line)
# to 127.0.0.1:$PORT; returns its exit status.
petrel_client() {
	local out=$1 text=$2
	shift 2
	printf '%s\n' "$text" | timeout 30 "$PETREL" client --once --timeout-ms 10000 "$@" 127.0.0.1 "$PORT" >"$out" 2>&1
}

# ---- wolfSSL through relay-rebind.py (the DTLS 1.3 scripts) ----
# The relay prints each datagram (hello versions, CIDs, record headers).

# start_rebind_relay OUT SERVER_PORT ARGS...: tests/interop/relay-rebind.py
# for 25 s on a free port in front of SERVER_PORT; sets PORT.
start_rebind_relay() {
	local out=$1 sport=$2
	shift 2
	start_with_port "$out" '^ready' 'rror|usage' python3 "$(dirname "$0")/relay-rebind.py" @PORT@ \
		"$sport" --seconds 25 "$@"
}

# relayed_wolf_to_petrel NAME PETREL_ARGS -- WOLFSSL_CLIENT_ARGS: one wolfSSL
# client through the relay to a Petrel server; sets SOUT COUT ROUT and
# CLIENT_RC. Both relayed_* pass the array RELAY_ARGS, if set, to the relay.
relayed_wolf_to_petrel() {
	local name=$1 sargs=()
	shift
	while [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	SOUT=$T/$name.server COUT=$T/$name.client ROUT=$T/$name.relay
	CLIENT_RC=999
	start_petrel_cli_server "$SOUT" "${sargs[@]}" || { fail "petrel server did not start"; return 1; }
	start_rebind_relay "$ROUT" "$PORT" ${RELAY_ARGS[@]+"${RELAY_ARGS[@]}"} ||
		{ fail "relay did not start"; return 1; }
	timeout 30 "$WOLFSSL_CLIENT" -p "$PORT" "$@" >"$COUT" 2>&1
	CLIENT_RC=$?
}

# relayed_petrel_to_wolf NAME TEXT PETREL_ARGS -- WOLFSSL_SERVER_ARGS: a
# petrel client sending TEXT through the relay to a wolfSSL server; sets
# SOUT COUT ROUT and CLIENT_RC.
relayed_petrel_to_wolf() {
	local name=$1 text=$2 cargs=()
	shift 2
	while [ "$1" != -- ]; do cargs+=("$1"); shift; done
	shift
	SOUT=$T/$name.server COUT=$T/$name.client ROUT=$T/$name.relay
	CLIENT_RC=999
	start_wolfssl_server "$SOUT" "$@" || { fail "wolfSSL server did not start"; return 1; }
	start_rebind_relay "$ROUT" "$PORT" ${RELAY_ARGS[@]+"${RELAY_ARGS[@]}"} ||
		{ fail "relay did not start"; return 1; }
	petrel_client "$COUT" "$text" "${cargs[@]}"
	CLIENT_RC=$?
}
