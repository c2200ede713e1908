#!/bin/sh
# petrel server --workers N (issue #19 item 4): two worker processes on one
# SO_REUSEPORT port. Many clients all complete and both workers serve some
# (the kernel hash spreads new ClientHellos; no split ratio is asserted:
# that is a bench figure); a client resumes on the other worker (one
# ticket key for all); "listening on" is printed once; SIGTERM stops every
# worker with close_notify and a per-worker count; when a worker dies, the
# port keeps serving through the others.
set -u
. "${srcdir:-.}/tests/cli_lib.sh"
PSK=dev:00112233445566778899aabbccddeeff
FAIL_FILES="server.out server.err" FAIL_LINES=20
# (this script's stop_server below reports; the exit only kills)
trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null; rm -rf "$tmp"' EXIT

start_server() {
	: >"$tmp/server.out" # no line of an earlier server may be read
	$PETREL server --port 0 --bind 127.0.0.1 --echo --psk $PSK --workers 2 \
		>"$tmp/server.out" 2>"$tmp/server.err" &
	server_pid=$!
	port=$(port_of "$tmp/server.out" $server_pid)
	if [ -z "$port" ] && grep -q "cannot attach the SO_REUSEPORT\|SO_REUSEPORT\|Operation not permitted" "$tmp/server.err"; then
		echo "SKIP: SO_REUSEPORT or its BPF program not permitted here: $(cat "$tmp/server.err")"
		exit 77
	fi
	if [ -n "$port" ]; then pass "server --workers 2 listens on $port"; else fail "server printed no port"; exit 1; fi
}

# stop_server EXPECTED_STATUS DESCRIPTION
stop_server() {
	kill -TERM $server_pid
	wait $server_pid
	st=$?
	if [ $st -eq "$1" ]; then pass "$2 (exit $st)"; else fail "$2: exit $st, wanted $1"; fi
	if [ -n "$(pgrep -P $server_pid)" ]; then fail "workers left behind"; fi
	server_pid=
}

# clients COUNT TAG: COUNT clients, four at a time, each one echo; counts
# those that exit 0 with their line echoed.
clients() {
	i=0
	while [ $i -lt "$1" ]; do
		batch=
		for j in 1 2 3 4; do
			n=$((i + j))
			echo "line $2-$n" | $PETREL client --once --quiet --timeout-ms 10000 --psk $PSK \
				127.0.0.1 "$port" >"$tmp/c$n.out" 2>"$tmp/c$n.err" &
			batch="$batch $!"
		done
		wait $batch
		i=$((i + 4))
	done
	done_ok=0
	n=1
	while [ $n -le "$1" ]; do
		[ "$(cat "$tmp/c$n.out")" = "line $2-$n" ] && done_ok=$((done_ok + 1))
		n=$((n + 1))
	done
}

# --- Many clients, both workers, once-printed port line.
start_server
clients 40 a
if [ $done_ok -eq 40 ]; then pass "40 clients all complete"; else fail "$done_ok of 40 clients completed"; fi
lines=$(grep -c '^listening on' "$tmp/server.out")
if [ "$lines" -eq 1 ]; then pass "listening line printed once"; else fail "listening line printed $lines times"; fi

# --- Nobody joins the group by accident: the port is busy for a second
# server, with one worker or several.
for n in 1 2; do
	timeout 10 $PETREL server --port "$port" --bind 127.0.0.1 --echo --psk $PSK --workers $n \
		>/dev/null 2>"$tmp/err"
	st=$?
	if [ $st -eq 1 ] && grep -q "Address already in use" "$tmp/err"; then
		pass "a second server --workers $n on the port fails"
	else
		fail "second server --workers $n on a busy port: exit $st"
	fi
done

# --- Resumption on the other worker: sequential clients until one's
# resumed connection lands on the worker that did not issue its ticket
# (each try crosses with probability 1/2: 30 tries).
crossed=no
for _ in $(seq 30); do
	echo again | $PETREL client --once --resume --timeout-ms 10000 --psk $PSK 127.0.0.1 "$port" \
		>"$tmp/r.out" 2>"$tmp/r.err" || { fail "resuming client failed"; break; }
	grep -q "resumed: yes" "$tmp/r.err" || { fail "second connection not resumed"; break; }
	first=$(grep 'established' "$tmp/server.err" | tail -2 | head -1 | sed -n 's/.*resumed: no, worker \([0-9]\)$/\1/p')
	second=$(grep 'established' "$tmp/server.err" | tail -1 | sed -n 's/.*resumed: yes, worker \([0-9]\)$/\1/p')
	if [ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ]; then crossed=yes; break; fi
done
if [ $crossed = yes ]; then pass "a ticket from one worker resumes on the other"; else fail "no resumption across workers"; fi

stop_server 0 "SIGTERM stops all workers"
w0=$(sed -n 's/^petrel server: worker 0: \([0-9]*\) sessions established$/\1/p' "$tmp/server.err")
w1=$(sed -n 's/^petrel server: worker 1: \([0-9]*\) sessions established$/\1/p' "$tmp/server.err")
echo "# per worker: ${w0:-?} / ${w1:-?} sessions"
if [ "${w0:-0}" -ge 1 ] && [ "${w1:-0}" -ge 1 ]; then pass "both workers served sessions"; else fail "a worker served none"; fi
if [ $((${w0:-0} + ${w1:-0})) -ge 40 ]; then pass "worker counts add up"; else fail "worker counts ${w0:-?} + ${w1:-?} < 40"; fi

# --- A worker dies: its socket leaves the group and the port keeps
# serving every new client through the other.
start_server
worker=$(pgrep -P $server_pid | head -1)
if [ -n "$worker" ]; then
	kill -KILL "$worker"
	for _ in $(seq 100); do
		grep -q "worker [01] ended" "$tmp/server.err" && break
		sleep 0.1
	done
	if grep -q "worker [01] ended" "$tmp/server.err"; then pass "supervisor notices a worker died"; else fail "no notice of the dead worker"; fi
	clients 12 b
	if [ $done_ok -eq 12 ]; then pass "12 clients complete with one worker left"; else fail "$done_ok of 12 clients completed after a worker died"; fi
else
	fail "no worker processes found"
fi
stop_server 1 "server reports the lost worker on exit"

# --- Usage.
$PETREL server --port 0 --workers 0 >/dev/null 2>"$tmp/err"
st=$?
if [ $st -eq 2 ]; then pass "--workers 0 is bad usage"; else fail "--workers 0: exit $st"; fi
$PETREL client --workers 2 127.0.0.1 9 >/dev/null 2>"$tmp/err"
st=$?
if [ $st -eq 2 ]; then pass "--workers is for the server only"; else fail "client --workers: exit $st"; fi

[ $failures -eq 0 ]
