#!/usr/bin/env bash
# Renegotiation is refused (RFC 5746 4.2, DESIGN.md security floor): a
# renegotiating ClientHello must get a no_renegotiation warning at once, so
# the peer gives up instead of waiting for a ServerHello. openssl s_client
# renegotiates on an "R" input line and then fails with "no renegotiation".
#
#   after-data   R after one echoed message (the server's final flight is
#                already dropped);
#   immediate    R right after the handshake, while the server still keeps
#                its final flight for retransmission (the renegotiating
#                ClientHello must not be taken for a retransmission).
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
finish
