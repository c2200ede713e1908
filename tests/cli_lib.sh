# Shared start of the petrel command's test scripts, sourced from the
# build directory (make check exports srcdir): the tool, a PSK, a scratch
# directory removed at exit with the server stopped, and ok/FAIL lines.
# A failure prints the scratch files out, err and server.err that exist.
# start_server ARGS...: a PSK echo server on a free loopback port (plus
# $SERVER_EXTRA, e.g. --verbose); sets server_pid and port.
PETREL=./tools/petrel
PSK=example:000102030405060708090a0b0c0d0e0f
tmp=$(mktemp -d)
server_pid=
stop_server() {
	[ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; }
	server_pid=
}
trap 'stop_server; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

failures=0
pass() { echo "ok - $1"; }
fail() {
	echo "FAIL - $1"
	failures=$((failures + 1))
	for f in out err server.err; do [ -s "$tmp/$f" ] && sed "s/^/    $f: /" "$tmp/$f"; done
}
start_server() {
	$PETREL server --port 0 --bind 127.0.0.1 --echo --psk $PSK ${SERVER_EXTRA:-} "$@" \
		>"$tmp/server.out" 2>"$tmp/server.err" </dev/null &
	server_pid=$!
	port=
	for _ in $(seq 600); do
		port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$tmp/server.out" | head -n 1)
		[ -n "$port" ] && break
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$port" ] || { fail "server printed no port"; port=9; }
}
