#!/bin/sh
# Checks of the petrel command over loopback: the demo's report, exit codes
# for bad usage, a server/client echo round trip, resumption, a wrong key,
# and the README's example program (built and identical to the README).
# Run by make check from the build directory; srcdir comes from automake.
set -u
srcdir=${srcdir:-.}
. "$srcdir/tests/cli_lib.sh"
FAIL_FILES="out err"
EXAMPLE=./examples/echo_client

client_pid= holder_pid= pids=
# start_server NAME ARGS...: a petrel server in the background whose stdout
# and stderr go to files of its own ($tmp/NAME.out, $tmp/NAME.err), so the
# port is never read from an earlier server's output; sets server_pid.
start_server() {
	server_name=$1
	shift
	$PETREL server "$@" >"$tmp/$server_name.out" 2>"$tmp/$server_name.err" </dev/null &
	server_pid=$!
}
# The port the server just started prints first ("listening on ADDR:PORT").
# Generous (60 s), since a loaded CI machine may start it slowly; gives up
# at once if the server has exited.
wait_for_port() {
	port_of "$tmp/$server_name.out" "$server_pid"
}

stop_server() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_status=$?
		server_pid=
	fi
}
# Never leave a server behind, whatever ends the script.
trap 'stop_server; kill $client_pid $holder_pid $pids 2>/dev/null; rm -rf "$tmp"' EXIT

# --- The demo: both handshakes, the report's key lines, under a second.
run 0 "petrel demo" $PETREL demo
has out "^full handshake" "demo reports the full handshake"
has out "^resumed handshake" "demo reports the resumed handshake"
has out "suite            TLS_ECDHE_ECDSA_" "demo negotiates an ECDSA suite"
has out "key exchange     x25519" "demo's key exchange is x25519"
has out "signature        ecdsa_secp256r1_sha256" "demo's server signs with P-256"
has out "resumed          no" "first connection is not resumed"
has out "resumed          yes" "second connection is resumed"
has out "echo             3 of 3" "echoes come back"
has out "^OK: 2 handshakes and 6 echoes" "demo ends with OK"
ms=$(sed -n 's/^OK: .* in \([0-9]*\) ms$/\1/p' "$tmp/out")
if [ -n "$ms" ] && [ "$ms" -lt 1000 ]; then pass "demo took ${ms} ms (< 1000)"; else fail "demo took '${ms}' ms"; fi
run 0 "petrel demo --quiet" $PETREL demo --quiet
has out "^OK: " "quiet demo still says OK"

# --- Bad usage: exit 2 and one clear line.
run 2 "unknown option" $PETREL client --bogus 127.0.0.1 1
one_line "unknown option"
has err "bogus" "the message names the unknown option"
run 2 "unreadable --cert" $PETREL client --cert "$tmp/missing.pem" --key "$tmp/missing.pem" 127.0.0.1 1
one_line "unreadable --cert"
has err "missing.pem" "the message names the file"
run 2 "bad --psk" $PETREL client --psk nokey 127.0.0.1 1
one_line "bad --psk"
run 2 "unknown cipher suite" $PETREL client --psk $PSK --ciphers TLS_NOPE 127.0.0.1 1
has err "TLS_NOPE" "the message names the suite"
run 2 "server without --port" $PETREL server --echo
run 2 "unknown --srtp profile" $PETREL client --psk $PSK --srtp SRTP_NOPE 127.0.0.1 1
one_line "unknown --srtp profile"
has err "SRTP_NOPE" "the message names the SRTP profile"
run 2 "--srtp-mki without --srtp" $PETREL client --psk $PSK --srtp-mki 01 127.0.0.1 1
run 2 "--key without --cert or --rpk" $PETREL client --key "$tmp/missing.pem" 127.0.0.1 1
run 2 "bad --pin-spki-sha256" $PETREL client --rpk --pin-spki-sha256 0102 127.0.0.1 1
run 2 "client option given to the demo" $PETREL demo --psk $PSK
run 2 "client without HOST PORT" $PETREL client --psk $PSK
run 2 "unknown command" $PETREL frobnicate
run 0 "petrel --version" $PETREL --version
has out "^petrel [0-9]" "version line"
run 0 "petrel info" $PETREL info
run 0 "petrel --help" $PETREL --help
has out "usage: petrel" "help text"

# --- A server in the background; its first stdout line gives the port.
# --timeout-ms: the wrong-PSK handshake below fails at the server's timeout.
start_server psk-server --port 0 --bind 127.0.0.1 --echo --psk $PSK --timeout-ms 3000
port=$(wait_for_port)
if [ -n "$port" ]; then pass "server listens on port $port"
else fail "server printed no port"; sed 's/^/    server: /' "$tmp/psk-server.err" | head -20; fi
port=${port:-9}

printf 'hello\nsecond line\n' >"$tmp/lines"
$PETREL client --once --psk $PSK --timeout-ms 5000 127.0.0.1 "$port" <"$tmp/lines" >"$tmp/out" 2>"$tmp/err"
got=$?
if [ $got -eq 0 ]; then pass "client --once exits 0"; else fail "client --once exit $got"; fi
if cmp -s "$tmp/lines" "$tmp/out"; then pass "each line came back as sent"; else fail "echo differs"; fi
has err "connected, TLS_" "client reports the suite on stderr"

$PETREL client --once --resume --psk $PSK 127.0.0.1 "$port" <"$tmp/lines" >"$tmp/out" 2>"$tmp/err"
got=$?
if [ $got -eq 0 ]; then pass "client --once --resume exits 0"; else fail "client --resume exit $got"; fi
has err "resumed: yes" "second connection resumed"
if cmp -s "$tmp/lines" "$tmp/out"; then pass "resumed session echoes"; else fail "resumed echo differs"; fi

# A wrong PSK: the client's Finished fails to authenticate at the server,
# which drops it (a forged datagram looks the same, issue #17) and, at its
# timeout, names the likely cause instead of a plain timeout.
run 1 "wrong PSK fails the handshake" $PETREL client --once --timeout-ms 1500 \
	--psk example:ffffffffffffffffffffffffffffffff --max-version 1.2 127.0.0.1 "$port"
has err "PETREL_E_TIMEDOUT" "the client's failure names the timeout"
for _ in $(seq 60); do
	grep -q "PETREL_E_PEER_KEY_MISMATCH" "$tmp/psk-server.err" && break
	sleep 0.1
done
has psk-server.err "PETREL_E_PEER_KEY_MISMATCH" "the server names a key mismatch"

if [ -x "$EXAMPLE" ]; then
	"$EXAMPLE" 127.0.0.1 "$port" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ $got -eq 0 ]; then pass "examples/echo_client exits 0"; else fail "echo_client exit $got"; fi
	has out "^hello, petrel$" "examples/echo_client gets its echo"
else
	fail "examples/echo_client is not built"
fi

# Several clients at once on the one server socket.
pids=
for i in 1 2 3 4 5 6; do
	echo "client $i" | $PETREL client --once --quiet --timeout-ms 5000 --psk $PSK 127.0.0.1 "$port" \
		>"$tmp/parallel.$i" 2>&1 &
	pids="$pids $!"
done
ok=0
for pid in $pids; do wait "$pid" && ok=$((ok + 1)); done
for i in 1 2 3 4 5 6; do
	[ "$(cat "$tmp/parallel.$i")" = "client $i" ] || ok=0
done
pids=
if [ $ok -eq 6 ]; then pass "6 concurrent clients each get their own echo"; else fail "concurrent clients"; fi

# An interactive client whose stdin stays open: stopping the server sends
# it close_notify, and it must exit 0 on its own.
mkfifo "$tmp/stdin"
sleep 10 >"$tmp/stdin" &
holder_pid=$!
$PETREL client --psk $PSK 127.0.0.1 "$port" <"$tmp/stdin" >"$tmp/out" 2>"$tmp/err" &
client_pid=$!
for _ in $(seq 50); do
	grep -q "connected" "$tmp/err" && break
	sleep 0.1
done
server_status=
stop_server
if [ "$server_status" = 0 ]; then pass "server exits 0 on SIGTERM"; else fail "server exit '$server_status' on SIGTERM"; fi
for _ in $(seq 30); do
	kill -0 $client_pid 2>/dev/null || break
	sleep 0.1
done
if kill -0 $client_pid 2>/dev/null; then
	kill $client_pid
	fail "relaying client still running after the server closed"
fi
wait $client_pid
got=$?
kill $holder_pid 2>/dev/null
wait $holder_pid 2>/dev/null
if [ $got -eq 0 ]; then pass "relaying client exits 0 on the server's close_notify"; else fail "relaying client exit $got"; fi
has err "peer closed the connection" "client says the peer closed"
has psk-server.err "established" "server logged the sessions"

# --- Certificates (the test fixtures): chain to a root, name check on the
# IP the client connects to, and a required client certificate.
x509="$srcdir/tests/fixtures/x509"
cat "$x509/ec-leaf.pem" "$x509/ec-int.pem" >"$tmp/chain.pem"
# Refusals of epoch-0 messages (which anyone could forge) show at the
# handshake timeouts: the server's (2 s) comes before the refused client's.
start_server cert-server --port 0 --bind 127.0.0.1 --echo --cert "$tmp/chain.pem" --key "$x509/ec-leaf.key" \
	--ca "$x509/ec-root.pem" --timeout-ms 2000
port=$(wait_for_port)
if [ -n "$port" ]; then pass "certificate server listens on port $port"
else fail "certificate server printed no port"; sed 's/^/    server: /' "$tmp/cert-server.err" | head -20; fi
port=${port:-9}
echo "certified" >"$tmp/lines"
$PETREL client --once --ca "$x509/ec-root.pem" --cert "$tmp/chain.pem" --key "$x509/ec-leaf.key" \
	127.0.0.1 "$port" <"$tmp/lines" >"$tmp/out" 2>"$tmp/err"
got=$?
if [ $got -eq 0 ] && cmp -s "$tmp/lines" "$tmp/out"; then pass "certificate chain + client certificate: echo"
else
	fail "certificate handshake: exit $got"
	sed 's/^/    server: /' "$tmp/cert-server.out" "$tmp/cert-server.err" | head -20
	ps -o pid,stat,etime,time,args -p "$server_pid" | sed 's/^/    /'
fi
run 1 "wrong --sni fails the name check" $PETREL client --once --timeout-ms 3000 --ca "$x509/ec-root.pem" \
	--cert "$tmp/chain.pem" --key "$x509/ec-leaf.key" --sni wrong.example 127.0.0.1 "$port"
has err "PETREL_E_CERT_NAME_MISMATCH" "name mismatch is named"
run 1 "unknown root fails" $PETREL client --once --timeout-ms 3000 --ca "$x509/rsa-root.pem" \
	--cert "$tmp/chain.pem" --key "$x509/ec-leaf.key" 127.0.0.1 "$port"
run 1 "server requires a client certificate" $PETREL client --once --timeout-ms 5000 --ca "$x509/ec-root.pem" \
	--max-version 1.2 127.0.0.1 "$port"
has err "alert: bad_certificate" "client sees the server's alert"
stop_server

# --- The README shows examples/echo_client.c verbatim.
sed -n '/^```c$/,/^```$/p' "$srcdir/README.md" | sed '1d;$d' >"$tmp/readme.c"
if cmp -s "$tmp/readme.c" "$srcdir/examples/echo_client.c"; then pass "README example matches examples/echo_client.c"
else fail "README example differs from examples/echo_client.c"; fi

if [ $failures -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
