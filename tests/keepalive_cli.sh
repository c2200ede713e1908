#!/bin/sh
# Keepalive over real UDP on loopback (issue #21 item 7):
# - `petrel client --keepalive` with a quiet but live server stays up
#   (its pings answered: KeyUpdates on DTLS 1.3, the default) well past
#   --dead-ms;
# - the server killed with SIGKILL (no close_notify): the client exits 1
#   with PETREL_E_PEER_DEAD within --dead-ms plus a margin, without any
#   traffic of its own;
# - `petrel tunnel --keepalive`: a quiet flow notices a killed server and
#   (its ping draws ICMP, or silence) and says it will reconnect; after a
#   restart the flow's traffic flows again.
# Run by make check from the build directory.
set -u
. "${srcdir:-.}/tests/cli_lib.sh"
ECHO=./tests/udp_echo
PSK=keepalive:000102030405060708090a0b0c0d0e0f
FAIL_FILES="server.err client.out client.err tunnel.err send.out"
[ -x "$PETREL" ] || { echo "SKIP: $PETREL not built"; exit 77; }

client_pid= holder_pid= echo_pid= tunnel_pid=
trap 'kill $server_pid $client_pid $holder_pid $echo_pid $tunnel_pid 2>/dev/null; rm -rf "$tmp"' EXIT
start_server() { # start_server PORT EXTRA...
	port=$1
	shift
	: >"$tmp/server.out" # no line of an earlier server may be read
	"$PETREL" server --workers 1 --bind 127.0.0.1 --port "$port" --psk "$PSK" "$@" \
		>"$tmp/server.out" 2>>"$tmp/server.err" </dev/null &
	server_pid=$!
	server_port=$(port_of "$tmp/server.out")
}

# --- Usage: --dead-ms no longer than --keepalive would end live sessions.
"$PETREL" client --psk "$PSK" --keepalive 1000 --dead-ms 500 127.0.0.1 9 >"$tmp/usage.out" 2>"$tmp/usage.err"
status=$?
if [ "$status" -eq 2 ] && grep -q -- "--dead-ms must be longer" "$tmp/usage.err"; then
	pass "--dead-ms shorter than --keepalive is a usage error"
else fail "--dead-ms 500 --keepalive 1000: exit $status"; fi

# --- petrel client: live quiet server, then a killed one.
start_server 0 --echo
[ -n "$server_port" ] || { fail "petrel server did not start"; exit 1; }
mkfifo "$tmp/stdin"
# stdin stays open (the holder) so the client runs until the peer is gone.
sleep 60 >"$tmp/stdin" &
holder_pid=$!
"$PETREL" client --psk "$PSK" --keepalive 200 --dead-ms 1500 127.0.0.1 "$server_port" \
	<"$tmp/stdin" >"$tmp/client.out" 2>"$tmp/client.err" &
client_pid=$!
if wait_for "$tmp/client.err" "connected"; then pass "client connected with --keepalive"
else fail "client did not connect"; fi
# Quiet for 3 s, twice --dead-ms: the acknowledged pings keep it alive.
sleep 3
if kill -0 "$client_pid" 2>/dev/null; then pass "a live quiet server is not declared dead"
else fail "client ended while the server was alive"; fi

kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null
server_pid=
start=$(date +%s%N)
wait "$client_pid"
status=$?
client_pid=
took_ms=$((($(date +%s%N) - start) / 1000000))
if [ "$status" -eq 1 ]; then pass "client exits 1 after the server was killed"
else fail "client exit status $status, want 1"; fi
if grep -q "PETREL_E_PEER_DEAD" "$tmp/client.err"; then pass "the error names the dead peer"
else fail "no PETREL_E_PEER_DEAD in the client's stderr"; fi
# --dead-ms 1500 after the last answer; generous margin for a loaded machine.
if [ "$took_ms" -ge 1000 ] && [ "$took_ms" -le 8000 ]; then pass "noticed in ${took_ms} ms"
else fail "noticed in ${took_ms} ms, want about 1500"; fi
kill "$holder_pid" 2>/dev/null
holder_pid=

# --- petrel tunnel --keepalive: a quiet flow notices a killed server.
if [ -x "$ECHO" ]; then
	"$ECHO" serve >"$tmp/echo.out" &
	echo_pid=$!
	echo_port=$(port_of "$tmp/echo.out")
	start_server 0 --forward "127.0.0.1:$echo_port"
	"$PETREL" tunnel --listen 127.0.0.1:0 --connect "127.0.0.1:$server_port" --psk "$PSK" \
		--retrans-ms 100 --keepalive 200 --dead-ms 1500 --verbose \
		>"$tmp/tunnel.out" 2>"$tmp/tunnel.err" &
	tunnel_pid=$!
	tunnel_port=$(port_of "$tmp/tunnel.out")
	flow_port=$("$ECHO" port)
	if "$ECHO" send 127.0.0.1 "$tunnel_port" 3 100 10000 "$flow_port" >"$tmp/send.out" 2>&1
	then pass "tunnel relays with --keepalive"; else fail "tunnel relay"; fi
	sleep 2
	if ! grep -q "stopped answering" "$tmp/tunnel.err"; then pass "a live quiet server keeps the flow"
	else fail "flow dropped while the server was alive"; fi
	old_port=$server_port
	kill -9 "$server_pid"
	wait "$server_pid" 2>/dev/null
	# Only the keepalive sends now: its ping draws an ICMP port unreachable
	# on loopback (noticed at once), or, where ICMP is filtered, silence
	# until --dead-ms (PETREL_E_PEER_DEAD).
	if wait_for "$tmp/tunnel.err" "stopped answering keepalives\|unreachable (ICMP)" 8; then
		pass "the quiet flow noticed the killed server"
	else fail "the tunnel did not notice the killed server"; fi
	start_server "$old_port" --forward "127.0.0.1:$echo_port"
	if [ -n "$server_port" ] &&
	   "$ECHO" send 127.0.0.1 "$tunnel_port" 3 100 15000 "$flow_port" >"$tmp/send.out" 2>&1
	then pass "the flow reconnects after the restart"; else fail "no traffic after the restart"; fi
else
	echo "skip - tunnel part: $ECHO not built"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all keepalive CLI checks passed"
