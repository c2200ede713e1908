# Shared start of the petrel command's test scripts, sourced from the
# build directory (make check exports srcdir): the tool, a PSK, a scratch
# directory removed at exit with the server stopped, and ok/FAIL lines.
# A failure prints the scratch files out, err and server.err that exist.
# start_server ARGS...: a PSK echo server on a free loopback port (plus
# $SERVER_EXTRA, e.g. --verbose); sets server_pid and port (9 and
# status 1 when it printed none).
# Set after sourcing, as a script needs: FAIL_FILES, the scratch files a
# failure prints (default: out err server.err); FAIL_LINES, print only
# their last lines. Also: port_of, run, has, one_line, wait_for (below).
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
	for f in ${FAIL_FILES:-out err server.err}; do
		[ -s "$tmp/$f" ] && tail -n "${FAIL_LINES:-+1}" "$tmp/$f" | sed "s/^/    $f: /"
	done
}
# port_of FILE [PID]: the port a just-started command printed first in FILE
# ("listening on 127.0.0.1:PORT"); waits up to 60 s (a loaded machine
# starts it slowly), less if PID exits; empty if none came.
port_of() {
	p=
	for _ in $(seq 600); do
		p=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$1" 2>/dev/null | head -n 1)
		[ -n "$p" ] && break
		[ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && break
		sleep 0.1
	done
	echo "$p"
}
# run WANT_STATUS DESCRIPTION COMMAND...: stdout and stderr land in $tmp.
run() {
	want=$1 desc=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ]; then pass "$desc (exit $got)"; else fail "$desc: exit $got, want $want"; fi
}
has() { # has FILE PATTERN DESCRIPTION
	if grep -q -- "$2" "$tmp/$1"; then pass "$3"; else fail "$3: no '$2' in $1"; fi
}
one_line() { # bad usage: exactly one line on stderr, nothing on stdout
	if [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]; then pass "$1: one line on stderr"
	else fail "$1: want one line on stderr and no stdout"; fi
}
# Wait (up to SECONDS, default 10) until FILE has PATTERN; 0 when it did.
wait_for() {
	for _ in $(seq $((${3:-10} * 10))); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
start_server() {
	: >"$tmp/server.out" # no line of an earlier server may be read
	$PETREL server --port 0 --bind 127.0.0.1 --echo --psk $PSK ${SERVER_EXTRA:-} "$@" \
		>"$tmp/server.out" 2>"$tmp/server.err" </dev/null &
	server_pid=$!
	port=$(port_of "$tmp/server.out" "$server_pid")
	[ -n "$port" ] || { fail "server printed no port"; port=9; return 1; }
}
