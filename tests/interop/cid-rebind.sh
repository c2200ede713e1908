#!/usr/bin/env bash
# NAT rebinding over real UDP (issue #18 item 4): petrel client -> relay-rebind.py
# (changes its source port towards the server mid-session) -> petrel server,
# all on 127.0.0.1.
#   cid: with RFC 9146 Connection IDs the echo goes on across the port
#     change, without a new handshake, and the server answers the new port.
#   no-cid-lost: without CIDs the server cannot tell the rebound client's
#     records are its (RFC 9146 1): the client gets an error after its timeout.
#   no-cid-resume: the same with --resume: after the timeout the client
#     reconnects, resuming the session, and the echo goes on.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need python3
RELAY="python3 $(dirname "$0")/relay-rebind.py"
PSK=$PSK_ID:$PSK_HEX
LINES=$'one\ntwo\nthree\nfour'

# start_relay OUT SERVER_PORT ARGS...: relay-rebind.py in front of SERVER_PORT; sets PORT.
start_relay() {
	local out=$1 sport=$2
	shift 2
	start_with_port "$out" '^ready' 'rror|usage' $RELAY @PORT@ "$sport" --seconds 25 "$@"
}

# expect_echo OUT: the four lines came back, in order.
expect_echo() {
	[ "$(grep -v '^petrel client' "$1" | tr '\n' ' ')" = "one two three four " ] ||
		fail "the four lines were not echoed in order"
}

begin_case "cid: the session follows the client across the rebinding"
sout=$T/cid.server cout=$T/cid.client rout=$T/cid.relay
# c2s datagrams: ClientHello, ClientHello with cookie, the final flight,
# "one"; "two" leaves from the new port.
if start_petrel_cli_server "$sout" --psk "$PSK" --cid 8 --verbose &&
	start_relay "$rout" "$PORT" --rebind-after 5; then
	# RFC 9146 tls12_cid records (rec=25): a DTLS 1.2 test.
	petrel_client "$cout" "$LINES" --psk "$PSK" --cid 2 --timeout-ms 5000 --max-version 1.2
	expect_status $? 0 "petrel client"
	expect_echo "$cout"
	expect_line "$rout" '^rebind ' "the relay rebound"
	new=$(sed -n 's/^rebind [0-9]* -> \([0-9]*\)$/\1/p' "$rout")
	expect_line "$rout" "^c2s .*port=$new .*rec=25/e1" "tls12_cid records from the new port"
	expect_line "$rout" "^s2c .*port=$new .*rec=25/e1" "the server answered the new port"
	expect_count "$sout" 'established, ' 1 "one handshake, kept across the rebinding"
	expect_count "$cout" '^petrel client: connected' 1 "the client connected once"
	expect_line "$sout" "connection id +ours [0-9A-F]{16} .*peer's [0-9A-F]{4} " "the server reports both CIDs"
else
	fail "petrel server or the relay did not start"
fi
end_case "$cout" "$sout" "$rout"

begin_case "no-cid-lost: the client learns it lost the peer"
sout=$T/lost.server cout=$T/lost.client rout=$T/lost.relay
if start_petrel_cli_server "$sout" --psk "$PSK" &&
	start_relay "$rout" "$PORT" --rebind-after 5; then
	petrel_client "$cout" "$LINES" --psk "$PSK" --timeout-ms 1500
	expect_status $? 1 "petrel client"
	expect_line "$rout" '^rebind ' "the relay rebound"
	expect_line "$cout" '^petrel client: no reply within 1500 ms' "no reply after the rebinding"
	expect_count "$cout" '^one$' 1 "the echo before the rebinding"
	expect_count "$cout" '^two$' 0 "no echo after it"
else
	fail "petrel server or the relay did not start"
fi
end_case "$cout" "$sout" "$rout"

begin_case "no-cid-resume: the client resumes after the timeout"
sout=$T/resume.server cout=$T/resume.client rout=$T/resume.relay
# --resume connects twice before sending: ClientHello, with cookie, final
# flight, close_notify; then the resumed ClientHello, with cookie, CCS and
# Finished, "one"; "two" leaves from the new port.
if start_petrel_cli_server "$sout" --psk "$PSK" &&
	start_relay "$rout" "$PORT" --rebind-after 9; then
	petrel_client "$cout" "$LINES" --psk "$PSK" --resume --timeout-ms 1500
	expect_status $? 0 "petrel client"
	expect_echo "$cout"
	expect_line "$rout" '^rebind ' "the relay rebound"
	expect_line "$cout" '^petrel client: no reply within 1500 ms' "the peer was lost"
	expect_line "$cout" '^petrel client: reconnecting \(resuming the session\)' "the client reconnected"
	expect_count "$sout" 'established, .*resumed: yes' 2 "the reconnection resumed"
else
	fail "petrel server or the relay did not start"
fi
end_case "$cout" "$sout" "$rout"
finish
