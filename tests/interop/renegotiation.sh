#!/usr/bin/env bash
# Renegotiation (RFC 5746; issue #21 item 9).
#
# Off by default, renegotiation is refused: a renegotiating ClientHello
# must get a no_renegotiation warning at once, so the peer gives up instead
# of waiting for a ServerHello. openssl s_client renegotiates on an "R"
# input line and then fails with "no renegotiation".
#
#   after-data   R after one echoed message (the server's final flight is
#                already dropped);
#   immediate    R right after the handshake, while the server still keeps
#                its final flight for retransmission (the renegotiating
#                ClientHello must not be taken for a retransmission).
#
# Enabled (interop-peer --renegotiate): openssl s_client's "R" completes;
# secure renegotiation with GnuTLS in both roles and both directions: gnutls-cli --rehandshake (the client
# asks), a Petrel server's HelloRequest (interop-peer --rehandshake-on),
# a Petrel client's own request (--rehandshake) and gnutls-serv's
# HelloRequest ("**REHANDSHAKE**" sent to gnutls-serv --echo); and
# disabled against GnuTLS: both refusals reach the peer; the command-line
# tool's --renegotiate in both roles.
. "$(dirname "$0")/common.sh"
need openssl
make_certs
KNOWN_FAILURES=""

# case NAME FIRST_LINE(or empty)
run_case() {
	local name=$1 first=$2 sout=$T/$1.server cout=$T/$1.client fifo=$T/$1.in
	begin_case "renegotiation $name: petrel-server/openssl-client"
	if ! start_petrel_server "$sout" --echo --timeout 20 --cert "$T/ec-cert.pem" --key "$T/ec-key.pem"; then
		fail "interop-peer server did not start"
		end_case "$sout"
		return
	fi
	mkfifo "$fifo"
	: >"$cout"
	timeout 30 openssl s_client -dtls1_2 -connect "127.0.0.1:$PORT" <"$fifo" >"$cout" 2>&1 &
	local cpid=$!
	track $cpid
	exec 3>"$fifo"
	if wait_for "$cout" 'Cipher is' 20; then
		if [ -n "$first" ]; then
			echo "$first" >&3
			wait_for "$cout" "^$first\$" 10 || fail "the first echo did not arrive"
		fi
		echo R >&3
		# Refused at once: well inside OpenSSL's first retransmission timeout.
		wait_for "$cout" 'no renegotiation' 3 ||
			fail "OpenSSL did not get no_renegotiation within 3 s"
	else
		fail "no handshake"
	fi
	exec 3>&-
	stop_all
	expect_line "$cout" '^RENEGOTIATING' "OpenSSL started a renegotiation"
	expect_line "$cout" 'no renegotiation' "OpenSSL was refused with no_renegotiation"
	if [[ "$KNOWN_FAILURES" == *" $name "* ]]; then
		if [ "$CASE_OK" = 1 ]; then
			echo "XPASS: $CASE (remove it from KNOWN_FAILURES)"
		else
			echo "XFAIL: $CASE"
		fi
		return
	fi
	end_case "$sout" "$cout"
}

run_case after-data hello-from-openssl
run_case immediate ""

# Enabled: openssl s_client's "R" renegotiates, data flows after it.
begin_case "renegotiation enabled: petrel-server --renegotiate/openssl-client"
sout=$T/ossl-on.server cout=$T/ossl-on.client
if start_petrel_server "$sout" --echo --timeout 20 --cert "$T/ec-cert.pem" --key "$T/ec-key.pem" \
	--renegotiate; then
	(sleep 1; echo first; sleep 1; echo R; sleep 2; echo second; sleep 1) |
		timeout 20 openssl s_client -dtls1_2 -connect "127.0.0.1:$PORT" >"$cout" 2>&1
	sleep 0.3
	stop_all
	expect_line "$cout" '^RENEGOTIATING' "OpenSSL started a renegotiation"
	expect_line "$cout" '^second$' "echo after the renegotiation"
	expect_line "$sout" '^renegotiated: 1$' "Petrel completed it"
	expect_count "$cout" 'no renegotiation' 0 "no refusal"
else
	fail "interop-peer server did not start"
fi
end_case "$sout" "$cout"

command -v gnutls-cli >/dev/null 2>&1 && command -v gnutls-serv >/dev/null 2>&1 || {
	echo "SKIP: GnuTLS renegotiation cases (gnutls-cli/gnutls-serv not installed)"
	finish
}

# Petrel server, gnutls-cli. gnutls_case NAME GNUTLS_ARGS PETREL_ARGS INPUT_LINES
gnutls_client_case() {
	local name=$1 cliargs=$2 srvargs=$3 lines=$4 sout=$T/g-$1.server cout=$T/g-$1.client
	begin_case "renegotiation $name: petrel-server/gnutls-client"
	# shellcheck disable=SC2086
	if ! start_petrel_server "$sout" --echo --timeout 20 --cert "$T/ec-cert.pem" \
		--key "$T/ec-key.pem" $srvargs; then
		fail "interop-peer server did not start"
		end_case "$sout"
		return
	fi
	# Each input line after a pause, so it goes after the (re)handshake.
	# shellcheck disable=SC2086
	(for l in $lines; do sleep 1; echo "$l"; done; sleep 2) |
		timeout 20 gnutls-cli --udp --insecure $cliargs -p "$PORT" 127.0.0.1 >"$cout" 2>&1
	sleep 0.3
	stop_all
	case $name in
	client-asks)
		expect_line "$cout" 'ReHandshake was completed' "GnuTLS completed its re-handshake"
		expect_line "$sout" '^renegotiated: 1$' "Petrel counted the renegotiation"
		expect_line "$cout" '^after$' "data echoed in the new epoch" ;;
	server-asks)
		expect_line "$cout" 'Received rehandshake request' "GnuTLS got the HelloRequest"
		expect_line "$cout" 'Rehandshake was performed' "GnuTLS completed the re-handshake"
		expect_line "$sout" '^renegotiated: 1$' "Petrel completed the renegotiation"
		expect_line "$sout" '^received: after$' "data after the renegotiation"
		expect_line "$cout" '^after$' "data echoed in the new epoch" ;;
	client-asks-refused)
		# gnutls-cli retries its handshake after each warning.
		expect_line "$cout" 'A TLS warning alert has been received' "GnuTLS got no_renegotiation"
		expect_count "$sout" '^renegotiated:' 0 "no renegotiation on Petrel's side" ;;
	esac
	expect_line "$sout" '^handshake: ok$' "first handshake"
	end_case "$sout" "$cout"
}

gnutls_client_case client-asks "--rehandshake" "--renegotiate" "after"
gnutls_client_case server-asks "" "--renegotiate --rehandshake-on please" "please after"
gnutls_client_case client-asks-refused "--rehandshake" "" "after"

# Petrel client, gnutls-serv --echo. gnutls_server_case NAME PETREL_ARGS...
gnutls_server_case() {
	local name=$1 sout=$T/gs-$1.server cout=$T/gs-$1.client
	shift
	begin_case "renegotiation $name: petrel-client/gnutls-server"
	if ! start_gnutls_server "$sout" --x509certfile "$T/ec-cert.pem" --x509keyfile "$T/ec-key.pem"; then
		fail "gnutls-serv did not start"
		end_case "$sout"
		return
	fi
	timeout 30 "$PEER" client 127.0.0.1 "$PORT" --timeout 15 "$@" >"$cout" 2>&1
	local status=$?
	sleep 0.3
	stop_all
	case $name in
	client-asks)
		expect_status $status 0 "interop-peer"
		expect_line "$cout" '^renegotiated: 1$' "Petrel completed its renegotiation"
		expect_line "$cout" "^received: $CLIENT_MSG\$" "GnuTLS echoed in the new epoch" ;;
	server-asks)
		expect_status $status 0 "interop-peer"
		expect_line "$sout" 'Sending rehandshake request' "gnutls-serv sent HelloRequest"
		expect_line "$cout" '^renegotiated: 1$' "Petrel answered it"
		expect_line "$cout" '^received: after-renegotiation$' "GnuTLS echoed in the new epoch" ;;
	server-asks-refused)
		# gnutls-serv --udp prints nothing for the warning; the session
		# must go on in its epoch.
		expect_status $status 0 "interop-peer"
		expect_line "$sout" 'Sending rehandshake request' "gnutls-serv sent HelloRequest"
		expect_line "$cout" '^renegotiated: 0$' "Petrel refused it"
		expect_line "$cout" '^received: still-here$' "the session goes on" ;;
	esac
	end_case "$cout" "$sout"
}

gnutls_server_case client-asks --renegotiate --rehandshake --msg "$CLIENT_MSG" --expect "$CLIENT_MSG"
gnutls_server_case server-asks --renegotiate --msg '**REHANDSHAKE**' --wait-renegotiation \
	--expect after-renegotiation
gnutls_server_case server-asks-refused --msg '**REHANDSHAKE**' --wait-renegotiation --expect still-here

# The command-line client: --renegotiate and the input line **REHANDSHAKE**
# (gnutls-serv -d 4 logs each ClientHello it takes: two).
PETREL=${PETREL:-./tools/petrel}
if [ -x "$PETREL" ]; then
	begin_case "renegotiation cli: petrel client --renegotiate/gnutls-server"
	sout=$T/cli.server cout=$T/cli.client
	if start_gnutls_server "$sout" -d 4 --x509certfile "$T/ec-cert.pem" --x509keyfile "$T/ec-key.pem"; then
		(echo one; sleep 1; echo '**REHANDSHAKE**'; sleep 1; echo two; sleep 1) |
			timeout 20 "$PETREL" client --insecure --renegotiate 127.0.0.1 "$PORT" >"$cout" 2>&1
		expect_status $? 0 "petrel client"
		expect_count "$sout" 'CLIENT HELLO \(1\) was received' 2 "GnuTLS took a second ClientHello"
		expect_line "$cout" '^two$' "echo after the renegotiation"
	else
		fail "gnutls-serv did not start"
	fi
	end_case "$cout" "$sout"

	# The command-line server (endpoint sessions) takes gnutls-cli --rehandshake.
	begin_case "renegotiation cli: petrel server --renegotiate/gnutls-cli --rehandshake"
	sout=$T/cli2.server cout=$T/cli2.client
	port=$(free_port)
	: >"$sout"
	timeout 60 "$PETREL" server --port "$port" --echo --renegotiate --cert "$T/ec-cert.pem" \
		--key "$T/ec-key.pem" >"$sout" 2>&1 &
	track $!
	if wait_for "$sout" '^listening on' 10; then
		(sleep 1.5; echo after; sleep 1.5) |
			timeout 20 gnutls-cli --udp --insecure --rehandshake -p "$port" 127.0.0.1 >"$cout" 2>&1
		expect_line "$cout" 'ReHandshake was completed' "GnuTLS completed its re-handshake"
		expect_line "$cout" '^after$' "echo after the renegotiation"
	else
		fail "petrel server did not start"
	fi
	end_case "$cout" "$sout"
fi
finish
