#!/bin/sh
# --min-version / --max-version (issue #20 item 3): usage errors, a build
# without DTLS 1.3 refusing to be asked for it, the version in the report
# (--verbose, demo) and the versions `petrel info` lists.
# Run by make check from the build directory.
set -u
SERVER_EXTRA=--verbose
. "${srcdir:-.}/tests/cli_lib.sh"

# --- What the build speaks.
run 0 "petrel info" $PETREL info
has out "^protocol versions: DTLS 1\.2 (RFC 6347)" "info lists DTLS 1.2"
if grep -q 'DTLS 1\.3' "$tmp/out"; then
	has13=yes highest="DTLS 1.3"
	has out "^protocol versions: .*DTLS 1\.3 (RFC 9147)" "info lists DTLS 1.3 on the versions line"
else
	has13=no highest="DTLS 1.2"
fi
echo "# this build speaks $highest at most"

# --- Usage errors: exit 2, one line.
run 2 "--min-version 1.4" $PETREL client --psk $PSK --min-version 1.4 127.0.0.1 1
one_line "--min-version 1.4"
has err "min-version wants 1.2 or 1.3, got '1.4'" "the message names the bad value"
run 2 "--max-version 1.0 for the server" $PETREL server --port 0 --max-version 1.0
has err "max-version wants 1.2 or 1.3" "server: the message names the option"
run 2 "--max-version for the tunnel" $PETREL tunnel --listen 127.0.0.1:0 --connect 127.0.0.1:1 \
	--max-version x
has err "max-version wants 1.2 or 1.3" "tunnel: the message names the option"
run 2 "min above max" $PETREL client --psk $PSK --min-version 1.3 --max-version 1.2 127.0.0.1 1
one_line "min above max"
has err "min-version is above --max-version" "the message says why"
run 2 "--min-version for the demo" $PETREL demo --min-version 1.2
has err "not used by this command: '--min-version'" "the demo takes no version option"
if [ $has13 = no ]; then
	run 2 "client asking for DTLS 1.3 without it" $PETREL client --psk $PSK --min-version 1.3 \
		127.0.0.1 1
	one_line "client asking for DTLS 1.3"
	has err "--min-version 1.3: this build does not speak DTLS 1.3" "a clear error names the version"
	run 2 "server --max-version 1.3 without it" $PETREL server --port 0 --max-version 1.3
	has err "--max-version 1.3: this build does not speak DTLS 1.3" "server: the same clear error"
	run 2 "tunnel --max-version 1.3 without it" $PETREL tunnel --listen 127.0.0.1:0 \
		--connect 127.0.0.1:1 --max-version 1.3
	has err "this build does not speak DTLS 1.3" "tunnel: the same clear error"
fi

# --- The demo's report names the version (its client's default range
# decides which).
run 0 "petrel demo" $PETREL demo
has out "^  version          DTLS 1\.[23]\$" "demo report names the version"

# --- A server and client over loopback, --verbose reports.
# echo_case DESCRIPTION WANT_VERSION CLIENT_ARGS...
echo_case() {
	desc=$1 want=$2
	shift 2
	echo "hello $desc" >"$tmp/lines"
	$PETREL client --once --verbose --psk $PSK --timeout-ms 5000 "$@" 127.0.0.1 "$port" \
		<"$tmp/lines" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ $got -eq 0 ] && cmp -s "$tmp/lines" "$tmp/out"; then pass "$desc: echo"
	else fail "$desc: client exit $got"; fi
	has err "^  version          $want\$" "$desc: client report says $want"
}

start_server --max-version 1.2
# A default client offers 1.3 and 1.2 (issue #20 item 3) and falls back.
echo_case "default client, server capped at 1.2" "DTLS 1.2"
echo_case "client 1.2 only" "DTLS 1.2" --min-version 1.2 --max-version 1.2
for _ in $(seq 50); do grep -q "^  version " "$tmp/server.err" && break; sleep 0.1; done
has server.err "^  version          DTLS 1\.2\$" "server report says DTLS 1.2"
stop_server

start_server
echo "hello defaults" >"$tmp/lines"
$PETREL client --once --verbose --psk $PSK --timeout-ms 5000 127.0.0.1 "$port" \
	<"$tmp/lines" >"$tmp/out" 2>"$tmp/err"
got=$?
if [ $got -eq 0 ] && cmp -s "$tmp/lines" "$tmp/out"; then pass "defaults on both sides: echo"
else fail "defaults on both sides: client exit $got"; fi
has err "^  version          $highest\$" "defaults on both sides: the highest version both speak"
# ... unless the client uses a 1.2-only feature (here renegotiation).
echo_case "default client with --renegotiate" "DTLS 1.2" --renegotiate
echo_case "client capped at 1.2" "DTLS 1.2" --max-version 1.2
# A client asking for the highest version the build speaks gets it.
echo_case "client at the highest version" "$highest" --min-version "${highest#DTLS }"
stop_server

if [ $failures -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
