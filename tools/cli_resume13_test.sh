#!/bin/sh
# `petrel client --resume` over DTLS 1.3 (issue #20): the first
# connection waits for the server's NewSessionTicket, the second resumes
# with it (psk_dhe_ke) and both ends report it; a client offering 1.3 and
# 1.2 to a 1.2-only server gets a 1.2 session and resumes it (its
# ClientHello carries the SessionTicket extension for the 1.2 server).
# Run by make check from the build directory.
set -u
. "${srcdir:-.}/tests/cli_lib.sh"

if ! $PETREL info | grep -q 'DTLS 1\.3'; then
	echo "# this build speaks no DTLS 1.3: skipped"
	exit 77
fi

# resume_case DESCRIPTION CLIENT_ARGS...: a --resume client's echo.
resume_case() {
	desc=$1
	shift
	echo "hello $desc" >"$tmp/lines"
	$PETREL client --once --resume --verbose --psk $PSK --timeout-ms 5000 "$@" 127.0.0.1 "$port" \
		<"$tmp/lines" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ $got -eq 0 ] && cmp -s "$tmp/lines" "$tmp/out"; then pass "$desc: echo"
	else fail "$desc: client exit $got"; fi
}

start_server
resume_case "1.3 resumption" --min-version 1.3 --max-version 1.3
has err "^  resumed          no\$" "1.3: the first connection is a full handshake"
has err "^  resumed          yes\$" "1.3: the second connection resumes"
if [ "$(grep -c '^  version          DTLS 1\.3$' "$tmp/err")" -eq 2 ]; then
	pass "1.3: both connections are DTLS 1.3"
else
	fail "1.3: want two DTLS 1.3 reports"
fi
if grep -q "gave no session to resume" "$tmp/err"; then fail "1.3: the ticket came"
else pass "1.3: the ticket came"; fi
resume_case "1.3 and 1.2 offered to a 1.3 server" --max-version 1.3
has err "^  resumed          yes\$" "both offered: resumed in 1.3"
stop_server

start_server --max-version 1.2
resume_case "1.3 and 1.2 offered to a 1.2-only server" --max-version 1.3
if [ "$(grep -c '^  version          DTLS 1\.2$' "$tmp/err")" -eq 2 ]; then
	pass "1.2-only server: both connections are DTLS 1.2"
else
	fail "1.2-only server: want two DTLS 1.2 reports"
fi
has err "^  resumed          yes\$" "1.2-only server: the 1.2 session is resumed after the fallback"
stop_server

if [ $failures -ne 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
