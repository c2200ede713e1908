#!/bin/sh
# DTLS 1.3 for WebRTC over the petrel command, petrel to petrel on
# loopback: --psk-ke (RFC 8446 4.2.9 PSK key exchange modes: usage errors,
# which mode each pairing settles on, a pairing with no common mode
# failing) and --srtp / --srtp-mki on a DTLS 1.3 session (RFC 5764: the
# profile and the keying material from the 1.3 exporter, equal on both
# sides). Run by make check from the build directory.
set -u
SERVER_EXTRA=--verbose
. "${srcdir:-.}/tests/cli_lib.sh"

if ! $PETREL info 2>/dev/null | grep -q 'DTLS 1\.3'; then
	echo "SKIP: this build does not speak DTLS 1.3"
	exit 77
fi

# --- Usage errors: exit 2 with the reason.
run 2 "--psk-ke with a bad mode" $PETREL client --psk $PSK --psk-ke ecdhe 127.0.0.1 1
has err "psk-ke wants dhe, plain or both, got 'ecdhe'" "the message names the bad value"
run 2 "--psk-ke without a PSK" $PETREL server --port 0 --psk-ke plain
has err "psk-ke needs --psk or --psk-file" "the message says what is missing"
run 2 "--psk-ke for the demo" $PETREL demo --psk-ke plain
has err "not used by this command: '--psk-ke'" "the demo takes no --psk-ke"
run 0 "--help lists --psk-ke" $PETREL --help
has out "--psk-ke MODE" "--help documents --psk-ke"

# server_report N: waits for the server's Nth established report.
server_report() {
	for _ in $(seq 100); do
		[ "$(grep -c '^  version ' "$tmp/server.err")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# echo13 DESCRIPTION CLIENT_ARGS...: a DTLS 1.3 client, one echoed line.
echo13() {
	desc=$1
	shift
	echo "hello $desc" >"$tmp/lines"
	$PETREL client --once --verbose --psk $PSK --min-version 1.3 --timeout-ms 5000 "$@" \
		127.0.0.1 "$port" <"$tmp/lines" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ $got -eq 0 ] && cmp -s "$tmp/lines" "$tmp/out"; then pass "$desc: echo"
	else fail "$desc: client exit $got"; fi
	has err "^  version          DTLS 1\.3\$" "$desc: DTLS 1.3"
}
# last_kx: the key exchange line of the server's last report.
last_kx() {
	grep '^  key exchange ' "$tmp/server.err" | tail -n 1 | sed 's/^  key exchange *//'
}
expect_kx() { # expect_kx N WANT DESCRIPTION
	server_report "$1" || { fail "$3: no server report"; return; }
	kx=$(last_kx)
	if [ "$kx" = "$2" ]; then pass "$3: server key exchange $kx"
	else fail "$3: server key exchange '$kx', want '$2'"; fi
}

# --- A server taking psk_ke only.
start_server --psk-ke plain
echo13 "plain to plain" --psk-ke plain
expect_kx 1 none "plain to plain (psk_ke)"
echo13 "both to plain" --psk-ke both
expect_kx 2 none "both to plain (psk_ke)"
run 1 "dhe (default) client to a psk_ke-only server fails" $PETREL client --once --psk $PSK \
	--min-version 1.3 --timeout-ms 3000 127.0.0.1 "$port"
stop_server

# --- A server taking both: psk_dhe_ke preferred.
start_server --psk-ke both
echo13 "dhe to both"
expect_kx 1 x25519 "dhe to both (psk_dhe_ke)"
echo13 "both to both" --psk-ke both
expect_kx 2 x25519 "both to both (psk_dhe_ke preferred)"
echo13 "plain to both" --psk-ke plain
expect_kx 3 none "plain to both (psk_ke)"
stop_server

# --- A default server refuses psk_ke.
start_server
run 1 "plain client to a default server fails" $PETREL client --once --psk $PSK --psk-ke plain \
	--min-version 1.3 --timeout-ms 3000 127.0.0.1 "$port"
stop_server

# --- DTLS-SRTP on DTLS 1.3: the server's preference, MKI echoed, the
# same keying material printed by both sides.
start_server --srtp SRTP_AEAD_AES_256_GCM,SRTP_AES128_CM_HMAC_SHA1_80 --srtp-mki 0a0b0c
echo13 "srtp" --srtp SRTP_AES128_CM_HMAC_SHA1_80,SRTP_AEAD_AES_256_GCM --srtp-mki 0a0b0c
has err "^  srtp profile     SRTP_AEAD_AES_256_GCM\$" "srtp: client names the server's choice"
if server_report 1; then
	has server.err "^  srtp profile     SRTP_AEAD_AES_256_GCM\$" "srtp: server names the profile"
	ck=$(sed -n 's/^  srtp keying *\([0-9A-F]*\) (88 bytes)$/\1/p' "$tmp/err")
	sk=$(sed -n 's/^  srtp keying *\([0-9A-F]*\) (88 bytes)$/\1/p' "$tmp/server.err")
	if [ -n "$ck" ] && [ "$ck" = "$sk" ]; then pass "srtp: both sides print the same 88 bytes"
	else fail "srtp: keying material differs or missing ('$ck' / '$sk')"; fi
	has err "^  srtp mki  *0A0B0C" "srtp: the MKI is in use"
else
	fail "srtp: no server report"
fi
echo13 "srtp, no common profile" --srtp SRTP_AEAD_AES_128_GCM
if grep -q "^  srtp profile" "$tmp/err"; then fail "no common profile: a profile was reported"
else pass "no common profile: the session goes on without SRTP"; fi
stop_server

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
