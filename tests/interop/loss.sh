#!/usr/bin/env bash
# Retransmission interop: a relay (relay.py) between Petrel and a real peer
# drops one chosen datagram of the handshake, so both sides have to notice
# and retransmit (RFC 6347 4.2.4):
#   s2c:epoch1  the server's Finished (the client retransmits its last
#               flight; the server must answer with its final flight again)
#   c2s:epoch1  the client's Finished (the server's timer fires)
#   s2c:cert    the datagram with the server's Certificate (partial flight)
# Each case: Petrel as client and as server, against OpenSSL and GnuTLS.
. "$(dirname "$0")/common.sh"
need openssl gnutls-serv gnutls-cli python3
make_certs
RELAY="$srcdir/tests/interop/relay.py"
[ -f "$RELAY" ] || RELAY="$(dirname "$0")/relay.py"

# start_relay OUT SERVER_PORT DROP: sets RELAY_PORT.
start_relay() {
	local out=$1 server_port=$2 drop=$3 attempt
	for attempt in 1 2 3; do
		RELAY_PORT=$(free_port)
		timeout 60 python3 "$RELAY" "$RELAY_PORT" "$server_port" --drop "$drop:1" --seconds 50 \
			>"$out" 2>&1 &
		track $!
		wait_for "$out" '^ready' 10 && return 0
	done
	return 1
}

# check_relay OUT DROP: exactly the one datagram was dropped.
check_relay() {
	local want="dropped c2s=0 s2c=1"
	[ "${2%%:*}" = c2s ] && want="dropped c2s=1 s2c=0"
	expect_line "$1" "^relayed .* $want\$" "the relay dropped exactly one ${2%%:*} datagram"
}

petrel_client_vs_openssl() {
	local drop=$1 sout=$T/pco-$1.server cout=$T/pco-$1.client rout=$T/pco-$1.relay
	local fifo=$T/pco-$1.in port
	begin_case "loss $drop: petrel-client/openssl-server"
	port=$(free_port)
	mkfifo "$fifo"
	timeout 40 openssl s_server -dtls1_2 -accept "127.0.0.1:$port" -naccept 1 \
		-cert "$T/ec-cert.pem" -key "$T/ec-key.pem" <"$fifo" >"$sout" 2>&1 &
	track $!
	exec 3>"$fifo"
	if wait_for "$sout" '^ACCEPT' 10 && start_relay "$rout" "$port" "$drop"; then
		timeout 30 "$PEER" client 127.0.0.1 "$RELAY_PORT" --ca "$T/ec-cert.pem" --timeout 20 \
			--msg "$CLIENT_MSG" --expect hello-from-openssl >"$cout" 2>&1 &
		local cpid=$!
		track $cpid
		wait_for "$sout" "^$CLIENT_MSG\$" 20 && echo hello-from-openssl >&3
		wait $cpid
		expect_status $? 0 "interop-peer"
		expect_line "$cout" '^received: hello-from-openssl$' "OpenSSL's reply reached Petrel"
		expect_line "$sout" '^CIPHER is ECDHE-ECDSA-AES128-GCM-SHA256$' "OpenSSL's suite"
	else
		fail "openssl s_server or the relay did not start"
	fi
	exec 3>&-
	stop_all
	check_relay "$rout" "$drop"
	end_case "$cout" "$sout" "$rout"
}

petrel_server_vs_openssl() {
	local drop=$1 sout=$T/pso-$1.server cout=$T/pso-$1.client rout=$T/pso-$1.relay
	local fifo=$T/pso-$1.in
	begin_case "loss $drop: petrel-server/openssl-client"
	if start_petrel_server "$sout" --echo --timeout 30 --cert "$T/ec-cert.pem" --key "$T/ec-key.pem" &&
		start_relay "$rout" "$PORT" "$drop"; then
		mkfifo "$fifo"
		timeout 30 openssl s_client -dtls1_2 -connect "127.0.0.1:$RELAY_PORT" \
			-CAfile "$T/ec-cert.pem" -verify_return_error <"$fifo" >"$cout" 2>&1 &
		local cpid=$!
		track $cpid
		exec 3>"$fifo"
		if wait_for "$cout" 'Cipher is' 20; then
			echo hello-from-openssl >&3
			wait_for "$cout" '^hello-from-openssl$' 10
		fi
		exec 3>&-
		wait $cpid
		expect_status $? 0 "openssl s_client"
		wait "$SERVER_PID"
		expect_status $? 0 "interop-peer server"
		expect_line "$sout" '^echoed: hello-from-openssl$' "Petrel echoed OpenSSL's text"
		expect_line "$cout" '^hello-from-openssl$' "the echo reached OpenSSL"
	else
		fail "interop-peer server or the relay did not start"
	fi
	stop_all
	check_relay "$rout" "$drop"
	end_case "$sout" "$cout" "$rout"
}

petrel_client_vs_gnutls() {
	local drop=$1 sout=$T/pcg-$1.server cout=$T/pcg-$1.client rout=$T/pcg-$1.relay port
	begin_case "loss $drop: petrel-client/gnutls-server"
	port=$(free_port)
	timeout 40 gnutls-serv --udp --echo -p "$port" --x509certfile "$T/ec-cert.pem" \
		--x509keyfile "$T/ec-key.pem" >"$sout" 2>&1 &
	track $!
	if wait_for "$sout" 'listening on IPv4.*done' 10 && start_relay "$rout" "$port" "$drop"; then
		timeout 30 "$PEER" client 127.0.0.1 "$RELAY_PORT" --ca "$T/ec-cert.pem" --timeout 20 \
			--msg "$CLIENT_MSG" --expect "$CLIENT_MSG" >"$cout" 2>&1
		expect_status $? 0 "interop-peer"
		expect_line "$cout" "^received: $CLIENT_MSG\$" "GnuTLS echoed Petrel's text"
	else
		fail "gnutls-serv or the relay did not start"
	fi
	stop_all
	check_relay "$rout" "$drop"
	end_case "$cout" "$sout" "$rout"
}

petrel_server_vs_gnutls() {
	local drop=$1 sout=$T/psg-$1.server cout=$T/psg-$1.client rout=$T/psg-$1.relay
	local fifo=$T/psg-$1.in
	begin_case "loss $drop: petrel-server/gnutls-client"
	if start_petrel_server "$sout" --echo --timeout 30 --cert "$T/ec-cert.pem" --key "$T/ec-key.pem" &&
		start_relay "$rout" "$PORT" "$drop"; then
		mkfifo "$fifo"
		timeout 30 gnutls-cli --udp -p "$RELAY_PORT" --x509cafile "$T/ec-cert.pem" \
			--verify-hostname localhost 127.0.0.1 <"$fifo" >"$cout" 2>&1 &
		local cpid=$!
		track $cpid
		exec 3>"$fifo"
		if wait_for "$cout" '^- Handshake was completed' 20; then
			echo hello-from-gnutls >&3
			wait_for "$cout" '^hello-from-gnutls$' 10
		fi
		exec 3>&-
		wait $cpid
		expect_status $? 0 "gnutls-cli"
		wait "$SERVER_PID"
		expect_status $? 0 "interop-peer server"
		expect_line "$sout" '^echoed: hello-from-gnutls$' "Petrel echoed GnuTLS's text"
		expect_line "$cout" '^hello-from-gnutls$' "the echo reached GnuTLS"
	else
		fail "interop-peer server or the relay did not start"
	fi
	stop_all
	check_relay "$rout" "$drop"
	end_case "$sout" "$cout" "$rout"
}

for drop in s2c:epoch1 c2s:epoch1 s2c:cert; do
	petrel_client_vs_openssl "$drop"
	petrel_server_vs_openssl "$drop"
	petrel_client_vs_gnutls "$drop"
	petrel_server_vs_gnutls "$drop"
done
finish
