#!/bin/sh
# petrel tunnel -> petrel server --forward -> a UDP echo, over loopback
# (issue #21 item 8): datagrams come back intact; a second flow resumes the
# first one's session; a datagram over the data MTU is refused with its
# reason and counted; after a server restart (clean, then killed without a
# close_notify) the same local flow reconnects and its traffic flows again;
# --plain relays without DTLS; full flow tables and idle flows are handled.
# Run by make check from the build directory.
set -u
. "${srcdir:-.}/tests/cli_lib.sh"
ECHO=./tests/udp_echo
PSK=tunnel:000102030405060708090a0b0c0d0e0f
FAIL_FILES="tunnel.err server.err plain.err send.out"
[ -x "$PETREL" ] || { echo "SKIP: $PETREL not built"; exit 77; }
[ -x "$ECHO" ] || { echo "SKIP: $ECHO not built"; exit 77; }

echo_pid= tunnel_pid=
trap 'kill $tunnel_pid $server_pid $echo_pid 2>/dev/null; rm -rf "$tmp"' EXIT
count() { grep -c -- "$2" "$1"; }
start_server() { # start_server PORT
	: >"$tmp/server.out" # no line of an earlier server may be read
	"$PETREL" server --workers 1 --bind 127.0.0.1 --port "$1" --psk "$PSK" --forward "127.0.0.1:$echo_port" \
		>"$tmp/server.out" 2>>"$tmp/server.err" &
	server_pid=$!
	server_port=$(port_of "$tmp/server.out")
}
# send COUNT SIZE DEADLINE_MS [LOCAL_PORT]: 0 when every datagram came back.
send() {
	"$ECHO" send 127.0.0.1 "$tunnel_port" "$@" >"$tmp/send.out" 2>&1
}
stats() { # the tunnel's counters, printed on SIGUSR1
	before=$(count "$tmp/tunnel.err" "petrel tunnel: flows ")
	kill -USR1 "$tunnel_pid"
	for _ in $(seq 100); do
		[ "$(count "$tmp/tunnel.err" "petrel tunnel: flows ")" -gt "$before" ] && break
		sleep 0.1
	done
	grep "petrel tunnel: flows " "$tmp/tunnel.err" | tail -1
}

"$ECHO" serve >"$tmp/echo.out" &
echo_pid=$!
echo_port=$(port_of "$tmp/echo.out")
[ -n "$echo_port" ] || { echo "FAIL - the UDP echo did not start"; exit 1; }
start_server 0
[ -n "$server_port" ] || { fail "petrel server --forward did not start"; exit 1; }
# --dead-ms 1000: a server that lost the session is noticed within a second.
"$PETREL" tunnel --listen 127.0.0.1:0 --connect "127.0.0.1:$server_port" --psk "$PSK" \
	--retrans-ms 100 --dead-ms 1000 --verbose >"$tmp/tunnel.out" 2>"$tmp/tunnel.err" &
tunnel_pid=$!
tunnel_port=$(port_of "$tmp/tunnel.out")
[ -n "$tunnel_port" ] || { fail "petrel tunnel did not start"; exit 1; }

# 1. Datagrams of several sizes go through and come back intact; the
# second flow (another local port) resumes the first one's session.
flow_a=$("$ECHO" port)
flow_b=$("$ECHO" port)
if send 20 1200 10000 "$flow_a" && send 20 1 10000 "$flow_b" && send 5 1400 10000; then
	pass "datagrams through the tunnel come back intact"
else
	fail "datagrams through the tunnel: $(cat "$tmp/send.out")"
fi
if grep -q "127.0.0.1:$flow_a: connected to .*resumed: no" "$tmp/tunnel.err" &&
	grep -q "127.0.0.1:$flow_b: connected to .*resumed: yes" "$tmp/tunnel.err"; then
	pass "a new flow resumes the session of the first"
else
	fail "want a full handshake for the first flow, a resumed one for the second"
fi

# 2. Over the data MTU: refused with the reason, counted, never sent.
send 1 1490 700
status=$?
line=$(stats)
if [ "$status" -eq 1 ] && grep -q "datagram of 1490 bytes refused: over the data MTU of" "$tmp/tunnel.err" &&
	echo "$line" | grep -q "refused [1-9][0-9]* over the data MTU"; then
	pass "a datagram over the data MTU is refused and counted"
else
	fail "oversize datagram: status $status, counters: $line"
fi

# 3. The server restarts cleanly (close_notify): the same local flow
# reconnects on its next datagram, to a server that cannot resume (new
# ticket key), and its traffic flows again.
flow_port=$("$ECHO" port)
send 3 500 10000 "$flow_port" || fail "flow before the restart"
kill "$server_pid"
wait "$server_pid" 2>/dev/null
start_server "$server_port"
wait_for "$tmp/tunnel.err" "the server closed the session"
if [ -n "$server_port" ] && send 5 500 15000 "$flow_port"; then
	pass "after a clean server restart the flow reconnects and traffic flows"
else
	fail "after a clean server restart: $(cat "$tmp/send.out")"
fi
if stats | grep -q "reconnects [1-9]"; then
	pass "the reconnect is counted"
else
	fail "no reconnect counted"
fi

# 4. The server dies without a word and comes back: the tunnel's records go
# to a server that knows no session; --dead-ms notices, and the flow
# reconnects.
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null
start_server "$server_port"
if [ -n "$server_port" ] && send 5 500 20000 "$flow_port" &&
	grep -q "no answer from the server for 1000 ms: reconnecting\|port is unreachable" "$tmp/tunnel.err"; then
	pass "after the server is killed and restarted the flow notices and reconnects"
else
	fail "after a hard server restart: $(cat "$tmp/send.out")"
fi

# 5. Orderly exit: counters on stderr, both sides.
kill "$tunnel_pid"
wait "$tunnel_pid" 2>/dev/null
tunnel_status=$?
tunnel_pid=
kill "$server_pid"
wait "$server_pid" 2>/dev/null
server_pid=
if [ "$tunnel_status" -eq 0 ] && grep -q "^petrel tunnel: flows " "$tmp/tunnel.err" &&
	grep -q "^petrel server: forwarded [1-9][0-9]* datagrams to 127.0.0.1:$echo_port" "$tmp/server.err"; then
	pass "both ends print their counters on exit"
else
	fail "counters on exit (tunnel status $tunnel_status)"
fi

# 6. --plain relays the same way without DTLS (the bench's baseline); a
# full flow table makes room by closing the least recently active flows,
# and a flow quiet for --idle-ms is closed.
"$PETREL" tunnel --plain --max-flows 2 --idle-ms 3000 --verbose --listen 127.0.0.1:0 \
	--connect "127.0.0.1:$echo_port" >"$tmp/plain.out" 2>"$tmp/plain.err" &
tunnel_pid=$!
tunnel_port=$(port_of "$tmp/plain.out")
if [ -n "$tunnel_port" ] && send 10 1200 10000 && send 2 100 10000 && send 2 100 10000 &&
	grep -q "2 flows at once: the [12] least recently active closed" "$tmp/plain.err"; then
	pass "--plain relays datagrams; a full flow table closes the oldest flows"
else
	fail "--plain, --max-flows: $(cat "$tmp/send.out")"
fi
if wait_for "$tmp/plain.err" "idle for 3000 ms, flow closed"; then
	pass "a flow quiet for --idle-ms is closed"
else
	fail "no idle flow closed"
fi

[ "$failures" -eq 0 ] || exit 1
exit 0
