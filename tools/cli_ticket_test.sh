#!/bin/sh
# Resumption across servers (issue #19 item 5): two `petrel server`
# processes given the same --ticket-key-file (as workers or machines
# behind one name would be) resume each other's sessions by ticket; a
# server with another key file does a full handshake instead, never an
# error. Also `petrel ticket-key` and the option checks.
set -u
. "${srcdir:-.}/tests/cli_lib.sh"
DRIVER=./tests/ticket_resume_client
PSK=ticket-test:00112233445566778899aabbccddeeff
FAIL_FILES="out err a.out a.err b.out b.err c.out c.err"
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; wait $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
[ -x "$DRIVER" ] || { echo "SKIP: $DRIVER not built (make check builds it)"; exit 77; }

# start NAME KEYFILE: a server on an ephemeral port; sets port_NAME.
start() {
	$PETREL server --port 0 --bind 127.0.0.1 --echo --psk "$PSK" --ticket-key-file "$2" \
		>"$tmp/$1.out" 2>"$tmp/$1.err" &
	pids="$pids $!"
	port=$(port_of "$tmp/$1.out" $!)
	if [ -n "$port" ]; then pass "server $1 with --ticket-key-file listens"; else fail "server $1 printed no port"; fi
	eval "port_$1=\${port:-9}"
}

$PETREL ticket-key "$tmp/shared.key" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ]; then pass "ticket-key writes a key file"; else fail "ticket-key FILE"; fi
if grep -qE '^[0-9a-f]{64}$' "$tmp/shared.key"; then pass "the key file is 32 bytes of hex"; else fail "key file content"; fi
case $(ls -l "$tmp/shared.key") in
-rw-------*) pass "the key file is private (0600)" ;;
*) fail "key file mode: $(ls -l "$tmp/shared.key")" ;;
esac
$PETREL ticket-key "$tmp/shared.key" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ]; then pass "ticket-key never overwrites a key"; else fail "ticket-key overwrote"; fi
$PETREL ticket-key >"$tmp/other.key" 2>"$tmp/err"
chmod 600 "$tmp/other.key"

start a "$tmp/shared.key"
start b "$tmp/shared.key"
start c "$tmp/other.key"

$DRIVER "$PSK" "$port_a" "$port_b" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ]; then pass "full handshake on A, then B (exit 0)"; else fail "driver A->B: exit $st"; fi
has out "^$port_a resumed=0\$" "the first handshake on A is full"
has out "^$port_b resumed=1\$" "B resumes A's session by ticket (shared key file)"

$DRIVER "$PSK" "$port_b" "$port_a" >"$tmp/out" 2>"$tmp/err"
has out "^$port_a resumed=1\$" "A resumes B's session too"

$DRIVER "$PSK" "$port_a" "$port_c" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ]; then pass "a server with another key completes (exit 0)"; else fail "driver A->C: exit $st"; fi
has out "^$port_c resumed=0\$" "another key: full handshake, not an error"

# The same across servers in DTLS 1.3 (RFC 8446 4.6.1 tickets). A client
# resuming offers its external PSK after the ticket (4.2.11), so a server
# that cannot open the ticket takes the PSK: a full handshake, not an error.
$DRIVER "$PSK" "$port_a" "$port_b" 1.3 >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ]; then pass "DTLS 1.3: full handshake on A, then B (exit 0)"; else fail "driver 1.3 A->B: exit $st"; fi
has out "^$port_b resumed=1\$" "DTLS 1.3: B resumes A's session by ticket"
$DRIVER "$PSK" "$port_a" "$port_c" 1.3 >"$tmp/out" 2>"$tmp/err"
st=$?
if [ $st -eq 0 ]; then pass "DTLS 1.3: a server with another key completes (exit 0)"; else fail "driver 1.3 A->C: exit $st"; fi
has out "^$port_c resumed=0\$" "DTLS 1.3: another key: full handshake with the external PSK"

printf 'not hex\n' >"$tmp/bad.key"
$PETREL server --port 0 --psk "$PSK" --ticket-key-file "$tmp/bad.key" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ]; then pass "a malformed key file is a usage error"; else fail "malformed key file"; fi
has err "ticket-key-file" "the message names the option"
$PETREL server --port 0 --psk "$PSK" --ticket-key-file "$tmp/missing.key" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ]; then pass "a missing key file is a usage error"; else fail "missing key file"; fi
$PETREL server --port 0 --psk "$PSK" --ticket-key-period 60 >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ]; then pass "--ticket-key-period needs --ticket-key-file"; else fail "--ticket-key-period alone"; fi
$PETREL client --ticket-key-file "$tmp/shared.key" 127.0.0.1 9 >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ]; then pass "--ticket-key-file is a server option"; else fail "client took --ticket-key-file"; fi

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all passed"
