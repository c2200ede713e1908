#!/usr/bin/env bash
# Retransmission interop: a relay (relay.py) between Petrel and a real peer
# drops one chosen datagram of the handshake, so both sides have to notice
# and retransmit (RFC 6347 4.2.4):
#   s2c:epoch1  the server's Finished (the client retransmits its last
#               flight; the server must answer with its final flight again)
#   c2s:epoch1  the client's Finished (the server's timer fires)
#   s2c:cert    the datagram with the server's Certificate (partial flight)
# Each case: Petrel as client and as server, against OpenSSL and GnuTLS.
# Then two drops in the abbreviated (resumed) handshake, against OpenSSL:
#   c2s:epoch1 of connection 2: the client's CCS + Finished, which close a
#               resumed handshake (the client keeps that flight and must
#               resend it when the server repeats its own)
#   s2c:hello of connection 2: the server's ServerHello + CCS + Finished
. "$(dirname "$0")/common.sh"
need openssl gnutls-serv gnutls-cli python3
make_certs
RELAY="$srcdir/tests/interop/relay.py"
[ -f "$RELAY" ] || RELAY="$(dirname "$0")/relay.py"

# start_relay OUT SERVER_PORT DROP [CONNECTION]: sets RELAY_PORT.
start_relay() {
	local out=$1 server_port=$2 drop=$3 conn=${4:-0} attempt
	for attempt in 1 2 3; do
		RELAY_PORT=$(free_port)
		: >"$out"
		timeout 60 python3 "$RELAY" "$RELAY_PORT" "$server_port" --drop "$drop:1" --conn "$conn" \
			--seconds 50 >"$out" 2>&1 &
		track $!
		wait_for "$out" '^ready' 10 && return 0
	done
	return 1
}

# check_relay OUT DROP: exactly the one datagram was dropped (the relay
# logs each drop as it happens).
check_relay() {
	local dir=${2%%:*} other=c2s
	[ "$dir" = c2s ] && other=s2c
	expect_count "$1" "^dropped $dir #" 1 "the relay dropped one $dir datagram"
	expect_count "$1" "^dropped $other #" 0 "the relay dropped no $other datagram"
}

petrel_client_vs_openssl() {
	local drop=$1 sout=$T/pco-$1.server cout=$T/pco-$1.client rout=$T/pco-$1.relay
	local fifo=$T/pco-$1.in
	begin_case "loss $drop: petrel-client/openssl-server"
	if start_openssl_server "$sout" "$fifo" -naccept 1 -cert "$T/ec-cert.pem" -key "$T/ec-key.pem" &&
		start_relay "$rout" "$PORT" "$drop"; then
		: >"$cout"
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

# petrel_server_vs WHO DROP READY TEXT CLIENT...: interop-peer echo server
# behind the relay dropping DROP; CLIENT (@PORT@: the relay's port), reading
# a fifo, sends TEXT once its output matches READY and must get it back.
petrel_server_vs() {
	local who=$1 drop=$2 ready=$3 text=$4 a args=()
	shift 4
	local name=ps-${who,,}-$drop
	local sout=$T/$name.server cout=$T/$name.client rout=$T/$name.relay fifo=$T/$name.in
	begin_case "loss $drop: petrel-server/${who,,}-client"
	if start_petrel_server "$sout" --echo --timeout 30 --cert "$T/ec-cert.pem" --key "$T/ec-key.pem" &&
		start_relay "$rout" "$PORT" "$drop"; then
		for a in "$@"; do
			args+=("${a//@PORT@/$RELAY_PORT}")
		done
		mkfifo "$fifo"
		: >"$cout"
		timeout 30 "${args[@]}" <"$fifo" >"$cout" 2>&1 &
		local cpid=$!
		track $cpid
		exec 3>"$fifo"
		if wait_for "$cout" "$ready" 20; then
			echo "$text" >&3
			wait_for "$cout" "^$text\$" 10
		fi
		exec 3>&-
		wait $cpid
		expect_status $? 0 "$who client"
		wait "$SERVER_PID"
		expect_status $? 0 "interop-peer server"
		expect_line "$sout" "^echoed: $text\$" "Petrel echoed $who's text"
		expect_line "$cout" "^$text\$" "the echo reached $who"
	else
		fail "interop-peer server or the relay did not start"
	fi
	stop_all
	check_relay "$rout" "$drop"
	end_case "$sout" "$cout" "$rout"
}

petrel_server_vs_openssl() {
	petrel_server_vs OpenSSL "$1" 'Cipher is' hello-from-openssl openssl s_client -dtls1_2 \
		-connect "127.0.0.1:@PORT@" -CAfile "$T/ec-cert.pem" -verify_return_error
}

petrel_client_vs_gnutls() {
	local drop=$1 sout=$T/pcg-$1.server cout=$T/pcg-$1.client rout=$T/pcg-$1.relay
	begin_case "loss $drop: petrel-client/gnutls-server"
	if start_gnutls_server "$sout" --x509certfile "$T/ec-cert.pem" --x509keyfile "$T/ec-key.pem" &&
		start_relay "$rout" "$PORT" "$drop"; then
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
	petrel_server_vs GnuTLS "$1" '^- Handshake was completed' hello-from-gnutls gnutls-cli --udp \
		-p @PORT@ --x509cafile "$T/ec-cert.pem" --verify-hostname localhost 127.0.0.1
}

# Petrel client resumes; the relay drops DROP in the resumed connection.
petrel_client_resume_vs_openssl() {
	local drop=$1 sout=$T/pcro-$1.server cout=$T/pcro-$1.client rout=$T/pcro-$1.relay
	local fifo=$T/pcro-$1.in
	begin_case "loss $drop in the resumed handshake: petrel-client/openssl-server"
	if start_openssl_server "$sout" "$fifo" -naccept 2 -cert "$T/ec-cert.pem" -key "$T/ec-key.pem" &&
		start_relay "$rout" "$PORT" "$drop" 2; then
		: >"$cout"
		timeout 30 "$PEER" client 127.0.0.1 "$RELAY_PORT" --ca "$T/ec-cert.pem" --timeout 12 \
			--resume --msg "$CLIENT_MSG" --expect hello-from-openssl >"$cout" 2>&1 &
		local cpid=$!
		track $cpid
		# Speak once each handshake is complete on OpenSSL's side: Petrel's
		# own message may be lost with its Finished, OpenSSL's may not.
		wait_for "$sout" '^CIPHER is' 20 1 && echo hello-from-openssl >&3
		wait_for "$sout" '^Reused session-id' 20 1 && echo hello-from-openssl >&3
		wait $cpid
		expect_status $? 0 "interop-peer"
		expect_count "$cout" '^received: hello-from-openssl$' 2 "OpenSSL's replies reached Petrel"
		expect_count "$cout" '^resumed: 1$' 1 "Petrel resumed"
		expect_count "$sout" '^Reused session-id' 1 "OpenSSL completed the resumed handshake"
	else
		fail "openssl s_server or the relay did not start"
	fi
	exec 3>&-
	stop_all
	check_relay "$rout" "$drop"
	end_case "$cout" "$sout" "$rout"
}

# Petrel server; s_client resumes (-sess_in); DROP in the resumed connection.
petrel_server_resume_vs_openssl() {
	local drop=$1 sout=$T/psro-$1.server rout=$T/psro-$1.relay n out fifo status
	begin_case "loss $drop in the resumed handshake: petrel-server/openssl-client"
	if start_petrel_server "$sout" --echo --count 2 --timeout 30 --cert "$T/ec-cert.pem" \
		--key "$T/ec-key.pem" && start_relay "$rout" "$PORT" "$drop" 2; then
		for n in 1 2; do
			out=$T/psro-$1.client$n fifo=$T/psro-$1.in$n
			mkfifo "$fifo"
			local sess=-sess_out
			[ "$n" = 2 ] && sess=-sess_in
			: >"$out"
			timeout 30 openssl s_client -dtls1_2 -connect "127.0.0.1:$RELAY_PORT" \
				"$sess" "$T/psro-session.pem" <"$fifo" >"$out" 2>&1 &
			local cpid=$!
			track $cpid
			exec 3>"$fifo"
			# Data only once Petrel has the client's Finished: a record
			# sent before it may be lost with it (both stacks drop
			# application data that arrives before the handshake ends).
			if wait_for "$out" 'Cipher is' 20 && wait_for "$sout" '^handshake: ok' 20 "$n"; then
				echo "hello-from-openssl-$n" >&3
				wait_for "$out" "^hello-from-openssl-$n\$" 10
			fi
			exec 3>&-
			wait $cpid
			status=$?
			expect_status "$status" 0 "openssl s_client $n"
			expect_line "$out" "^hello-from-openssl-$n\$" "the echo reached OpenSSL ($n)"
		done
		expect_line "$T/psro-$1.client2" '^Reused, TLSv1.2' "OpenSSL resumed"
		wait "$SERVER_PID"
		expect_status $? 0 "interop-peer server"
		expect_count "$sout" '^resumed: 1$' 1 "Petrel resumed"
	else
		fail "interop-peer server or the relay did not start"
	fi
	stop_all
	check_relay "$rout" "$drop"
	end_case "$sout" "$T/psro-$1.client1" "$T/psro-$1.client2" "$rout"
}

for drop in s2c:epoch1 c2s:epoch1 s2c:cert; do
	petrel_client_vs_openssl "$drop"
	petrel_server_vs_openssl "$drop"
	petrel_client_vs_gnutls "$drop"
	petrel_server_vs_gnutls "$drop"
done
petrel_client_resume_vs_openssl c2s:epoch1
petrel_client_resume_vs_openssl s2c:hello
petrel_server_resume_vs_openssl c2s:epoch1
petrel_server_resume_vs_openssl s2c:hello
finish
