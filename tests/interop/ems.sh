#!/usr/bin/env bash
# Extended master secret preferred, not required (issue #17 item 1):
# GnuTLS with %NO_SESSION_HASH (no RFC 7627), like node-dtls-client and
# werift. A Petrel client and server complete a full handshake with it and
# report "ems: 0"; --require-ems refuses it; such a session is never
# resumed (RFC 7627 5.3: the client's second connection is a full one).
. "$(dirname "$0")/common.sh"
need openssl gnutls-serv gnutls-cli
make_certs

NO_EMS=NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+PSK:%NO_SESSION_HASH
# Plain PSK: gnutls-cli 3.7.9 crashes after ECDHE-PSK handshakes (server-gnutls.sh).

begin_case "petrel-client/gnutls-server without EMS: completes, not resumed"
sout=$T/c.server cout=$T/c.client
if start_gnutls_server "$sout" --priority "$NO_EMS" --pskpasswd "$T/psk.passwd"; then
	timeout 40 "$PEER" client 127.0.0.1 "$PORT" --resume --timeout 10 --msg "$CLIENT_MSG" \
		--expect "$CLIENT_MSG" --psk "$PSK_ID:$PSK_HEX" >"$cout" 2>&1
	expect_status $? 0 "interop-peer"
	expect_count "$cout" '^handshake: ok$' 2 "both connections"
	expect_count "$cout" '^ems: 0$' 2 "no extended master secret"
	expect_count "$cout" '^resumed: 0$' 2 "the session without EMS is not resumed"
	expect_count "$cout" "^received: $CLIENT_MSG\$" 2 "GnuTLS echoed"
else
	fail "gnutls-serv did not start"
fi
end_case "$cout" "$sout"

begin_case "petrel-client --require-ems/gnutls-server without EMS: refused"
sout=$T/r.server cout=$T/r.client
if start_gnutls_server "$sout" --priority "$NO_EMS" --pskpasswd "$T/psk.passwd"; then
	# The ServerHello is epoch 0 (anyone could forge it): the refusal is
	# reported at the handshake timeout, so keep that short.
	timeout 40 "$PEER" client 127.0.0.1 "$PORT" --timeout 3 --require-ems \
		--psk "$PSK_ID:$PSK_HEX" >"$cout" 2>&1
	expect_status $? 1 "interop-peer"
	expect_line "$cout" '^error: handshake: PETREL_E_EMS_REQUIRED' "Petrel refused"
else
	fail "gnutls-serv did not start"
fi
end_case "$cout" "$sout"

for mode in default require; do
	begin_case "petrel-server ($mode)/gnutls-client without EMS"
	sout=$T/s-$mode.server cout=$T/s-$mode.client
	args=()
	[ "$mode" = require ] && args=(--require-ems)
	if start_petrel_server "$sout" --timeout 15 --echo --psk "$PSK_ID:$PSK_HEX" "${args[@]}"; then
		echo "$CLIENT_MSG" | timeout 20 gnutls-cli --udp -p "$PORT" --priority "$NO_EMS" \
			--pskusername "$PSK_ID" --pskkey "$PSK_HEX" 127.0.0.1 >"$cout" 2>&1
		wait "$SERVER_PID"
		if [ "$mode" = default ]; then
			expect_count "$sout" '^handshake: ok$' 1 "Petrel's handshake"
			expect_count "$sout" '^ems: 0$' 1 "no extended master secret"
		else
			expect_line "$sout" '^error: handshake: PETREL_E_EMS_REQUIRED' "Petrel refused"
		fi
	else
		fail "interop-peer server did not start"
	fi
	end_case "$sout" "$cout"
done
finish
