#!/bin/sh
# (RFC 7627 EMS and the unknown_psk_identity alert: DTLS 1.2 clients.)
# The petrel command with many PSK clients (issue #21 item 4): a server
# with --psk-file (identity:hex per line, any number) and --psk-hint
# serves each device with its own key and names its identity; an unknown
# identity is refused. Also --require-ems (issue #17 item 1) and the
# listings of `petrel info` (issue #21 item 6).
set -u
. "${srcdir:-.}/tests/cli_lib.sh"
FAIL_FILES="out err server.out server.err"

cat >"$tmp/devices" <<'END'
# identity:key, one device a line
sensor-1:00112233445566778899aabbccddeeff
sensor-2:ffeeddccbbaa99887766554433221100

sensor-3:0f0e0d0c0b0a09080706050403020100
END

# --timeout-ms: an unknown identity (an epoch-0 message, which anyone could
# forge) is refused at the server's handshake timeout, before the client's.
$PETREL server --port 0 --bind 127.0.0.1 --echo --verbose --psk-file "$tmp/devices" \
	--psk-hint petrel-devices --timeout-ms 2000 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
port=$(port_of "$tmp/server.out" "$server_pid")
if [ -n "$port" ]; then pass "server with --psk-file listens"; else fail "server printed no port"; fi
port=${port:-9}

for dev in "sensor-2:ffeeddccbbaa99887766554433221100" "sensor-3:0f0e0d0c0b0a09080706050403020100"; do
	echo "from ${dev%%:*}" | $PETREL client --once --verbose --require-ems --timeout-ms 5000 \
		--max-version 1.2 --psk "$dev" 127.0.0.1 "$port" >"$tmp/out" 2>"$tmp/err"
	st=$?
	if [ $st -eq 0 ]; then pass "${dev%%:*} connects (exit 0)"; else fail "${dev%%:*}: exit $st"; fi
	has out "^from ${dev%%:*}\$" "${dev%%:*} gets its echo"
	has err "psk identity     ${dev%%:*}\$" "client reports its PSK identity"
	has err "extended master  yes" "client reports EMS"
done
# The first line of the file, as a client.
echo "first" | $PETREL client --once --timeout-ms 5000 --psk-file "$tmp/devices" 127.0.0.1 "$port" \
	>"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ]; then pass "client --psk-file uses the first entry"; else fail "client --psk-file"; fi
echo "x" | $PETREL client --once --timeout-ms 5000 --psk sensor-9:00112233445566778899aabbccddeeff \
	--max-version 1.2 127.0.0.1 "$port" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 1 ]; then pass "unknown identity fails (exit 1)"; else fail "unknown identity did not fail"; fi
has err "alert: unknown_psk_identity" "unknown identity gets unknown_psk_identity"

stop_server
has server.err "psk identity     sensor-2" "server names sensor-2"
has server.err "psk identity     sensor-3" "server names sensor-3"

printf 'no-colon-here\n' >"$tmp/bad"
$PETREL server --port 0 --psk-file "$tmp/bad" >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 2 ]; then pass "malformed --psk-file is a usage error"; else fail "malformed --psk-file"; fi
has err "line 1" "the message names the line"

$PETREL info >"$tmp/out" 2>"$tmp/err"
has out "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" "info lists suites by IANA name"
has out "secp384r1" "info lists groups"
has out "rsa_pss_rsae_sha256" "info lists signature algorithms"
has out "CBC" "info says CBC suites are not supported"
$PETREL --help >"$tmp/out" 2>"$tmp/err"
has out "TLS_PSK_WITH_AES_128_CCM_8" "--help lists suites"
has out "x25519" "--help lists groups"

if [ $failures -eq 0 ]; then echo "all passed"; exit 0; fi
echo "$failures failed"
exit 1
