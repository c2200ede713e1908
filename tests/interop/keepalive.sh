#!/usr/bin/env bash
# `petrel client --keepalive` (issue #21 item 7) against real peers over UDP
# on 127.0.0.1:
# - gnutls-serv --heartbeat answers the RFC 6520 heartbeats: a quiet
#   client outlives --dead-ms several times over and its text is echoed;
# - the same server killed (SIGKILL, no close_notify): the client exits 1
#   with PETREL_E_PEER_DEAD, with no traffic of its own;
# - openssl s_server (OpenSSL 3 has no heartbeats): the client sends no
#   ping (an empty record would make s_server fail), and with --dead-ms 0
#   stays connected through a quiet spell.
. "$(dirname "$0")/common.sh"
need openssl gnutls-serv
PETREL=./tools/petrel
[ -x "$PETREL" ] || skip "$PETREL not built"
make_certs
PRIORITY=NORMAL:-VERS-ALL:+VERS-DTLS1.2:+PSK:+ECDHE-PSK

# start_gnutls OUT: gnutls-serv --heartbeat --echo on a free port; sets PORT
# and GNUTLS_PID (empty when it did not start).
start_gnutls() {
	GNUTLS_PID=
	start_gnutls_server "$1" --heartbeat --priority "$PRIORITY" --pskpasswd "$T/psk.passwd" &&
		GNUTLS_PID=$SERVER_PID
}

# client OUT QUIET_S DEAD_MS: the petrel client, quiet for QUIET_S seconds,
# then one line, then stdin stays open 1 s more.
client() {
	local out=$1 quiet=$2 dead=$3
	{ sleep "$quiet"; echo "$CLIENT_MSG"; sleep 1; } |
		timeout 30 "$PETREL" client --psk "$PSK_ID:$PSK_HEX" --keepalive 200 --dead-ms "$dead" \
			127.0.0.1 "$PORT" >"$out" 2>"$out.err"
}

begin_case "petrel-client/gnutls-server heartbeats keep a quiet session"
start_gnutls "$T/g1.server"
if [ -z "$GNUTLS_PID" ]; then
	fail "gnutls-serv did not start"
else
	client "$T/g1.client" 3 1000
	expect_status $? 0 "petrel client"
	expect_count "$T/g1.client" "^$CLIENT_MSG\$" 1 "GnuTLS echoed the text after 3 s of quiet"
	expect_count "$T/g1.client.err" "PETREL_E_PEER_DEAD" 0 "not declared dead"
fi
end_case "$T/g1.client" "$T/g1.client.err" "$T/g1.server"

begin_case "petrel-client/gnutls-server killed: PETREL_E_PEER_DEAD"
start_gnutls "$T/g2.server"
if [ -z "$GNUTLS_PID" ]; then
	fail "gnutls-serv did not start"
else
	# stdin stays open (sleep): the client would otherwise close at its end.
	timeout 30 "$PETREL" client --psk "$PSK_ID:$PSK_HEX" --keepalive 200 --dead-ms 1000 \
		127.0.0.1 "$PORT" >"$T/g2.client" 2>"$T/g2.client.err" < <(sleep 30) &
	cpid=$!
	wait_for "$T/g2.client.err" "connected" 10 || fail "the client did not connect"
	sleep 1
	# SIGKILL to gnutls-serv itself (GNUTLS_PID is its `timeout`).
	server=$(pgrep -P "$GNUTLS_PID" gnutls-serv)
	[ -n "$server" ] && kill -9 $server
	wait "$GNUTLS_PID" 2>/dev/null
	start=$(date +%s)
	wait "$cpid"
	expect_status $? 1 "petrel client"
	took=$(($(date +%s) - start))
	[ "$took" -le 8 ] || fail "noticed after $took s, want about 1"
	expect_count "$T/g2.client.err" "PETREL_E_PEER_DEAD" 1 "the error names the dead peer"
fi
end_case "$T/g2.client" "$T/g2.client.err" "$T/g2.server"

begin_case "petrel-client/openssl-server no heartbeats: no ping, session kept"
started=0
for attempt in 1 2 3; do
	PORT=$(free_port)
	timeout 20 openssl s_server -dtls1_2 -nocert -psk "$PSK_HEX" -psk_identity "$PSK_ID" \
		-accept "$PORT" -naccept 1 >"$T/o.server" 2>&1 < <(sleep 20) &
	track $!
	wait_for "$T/o.server" '^ACCEPT|rror' 10
	if grep -q '^ACCEPT' "$T/o.server"; then
		started=1
		break
	fi
	stop_all
done
if [ "$started" != 1 ]; then
	fail "openssl s_server did not start"
else
	client "$T/o.client" 2 0
	expect_status $? 0 "petrel client"
	wait_for "$T/o.server" "$CLIENT_MSG" 5 || fail "the text did not reach s_server after the quiet spell"
	expect_count "$T/o.server" "^ERROR" 0 "s_server saw no error"
fi
end_case "$T/o.client" "$T/o.client.err" "$T/o.server"

finish
