# Shared start of the petrel command's test scripts, sourced from the
# build directory (make check exports srcdir): the tool, a PSK, a scratch
# directory removed at exit with the server stopped, and ok/FAIL lines.
# A failure prints the scratch files out, err and server.err that exist.
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
