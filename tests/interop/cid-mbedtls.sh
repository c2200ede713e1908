#!/usr/bin/env bash
# DTLS 1.2 Connection ID (RFC 9146) with mbedTLS 3.6 ssl_client2/ssl_server2
# through tests/interop/relay-rebind.py on 127.0.0.1.
#
# Cases:
#   mbedtls-pair: ssl_client2 <-> ssl_server2 with CIDs both ways through the
#     relay: the relay sees the CIDs in the hellos and type 25 records.
#   petrel-server/no-cid-rebind: ssl_client2 (offering a CID) -> relay ->
#     petrel server, which negotiates no CID; the relay rebinds mid-session
#     and Petrel must not accept the rebound client's records (RFC 9146 1:
#     without a CID the address identifies the connection).
# With the petrel tool's --cid (a length: the server issues random CIDs of
# that length, the client asks for a random one of that length):
#   petrel-server/cid-rebind: ssl_client2 cid_val=dead -> relay (rebinds
#     before the 5th client datagram) -> petrel server --cid 8: all
#     exchanges succeed after the port change, replies go to the new port,
#     no second handshake.
#   petrel-client/cid: petrel client --cid 2 -> relay -> ssl_server2
#     cid_val=beef (ssl_server2's socket is connect()ed to the client's first
#     address, so it cannot follow a rebinding: no rebinding in this case).
#   petrel-client/cid-empty: petrel client --cid (asks for no CID, RFC 9146
#     3) -> ssl_server2 cid_val=beef: Petrel sends tls12_cid records, the
#     server plain ones.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl python3
need_mbedtls
make_certs
RELAY="python3 $(dirname "$0")/relay-rebind.py"
SUITE=TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256
CLI_CERT=(ca_file="$T/ec-cert.pem" server_name=localhost auth_mode=required crt_file=none key_file=none)

# start_relay OUT SERVER_PORT ARGS...: relay-rebind.py in front of SERVER_PORT; sets PORT.
start_relay() {
	local out=$1 sport=$2
	shift 2
	start_with_port "$out" '^ready' 'rror|usage' $RELAY @PORT@ "$sport" --seconds 25 "$@"
}

begin_case "mbedtls-pair cid both ways through the relay"
sout=$T/pair.server cout=$T/pair.client rout=$T/pair.relay
if start_mbedtls_server "$sout" cid=1 cid_val=beef crt_file="$T/ec-cert.pem" key_file="$T/ec-key.pem" &&
	start_relay "$rout" "$PORT"; then
	timeout 30 "$MBEDTLS_CLIENT" dtls=1 server_addr=127.0.0.1 server_port="$PORT" force_version=dtls12 \
		cid=1 cid_val=dead exchanges=2 read_timeout=5000 force_ciphersuite=$SUITE "${CLI_CERT[@]}" >"$cout" 2>&1
	expect_status $? 0 "ssl_client2"
	expect_line "$cout" 'Peer CID \(length 2 Bytes\): be ef' "client got the server's CID"
	expect_line "$rout" '^c2s .*hello .*cid=dead' "relay saw the client's CID extension"
	expect_line "$rout" '^s2c .*hello .*cid=beef' "relay saw the server's CID extension"
	expect_line "$rout" '^c2s .*rec=25/e1' "client sent tls12_cid records"
	expect_line "$rout" '^s2c .*rec=25/e1' "server sent tls12_cid records"
else
	fail "ssl_server2 or the relay did not start"
fi
end_case "$cout" "$sout" "$rout"

begin_case "petrel-server/mbedtls-client no-cid-rebind"
sout=$T/nocid.server cout=$T/nocid.client rout=$T/nocid.relay
if start_petrel_cli_server "$sout" --cert "$T/ec-cert.pem" --key "$T/ec-key.pem" &&
	start_relay "$rout" "$PORT" --rebind-after 5; then
	timeout 30 "$MBEDTLS_CLIENT" dtls=1 server_addr=127.0.0.1 server_port="$PORT" force_version=dtls12 \
		cid=1 cid_val=dead exchanges=3 read_timeout=1500 force_ciphersuite=$SUITE "${CLI_CERT[@]}" >"$cout" 2>&1
	expect_status $? 1 "ssl_client2 (times out after the rebinding)"
	expect_line "$cout" 'Use of Connection ID was rejected by the server' "Petrel negotiated no CID"
	expect_line "$rout" '^rebind ' "the relay rebound"
	reads=$(grep -c -E 'Read from server: [0-9]+ bytes read' "$cout")
	[ "$reads" -lt 3 ] || fail "all 3 exchanges succeeded although the client's port changed"
	expect_count "$sout" 'established, ' 1 "one connection"
else
	fail "petrel server or the relay did not start"
fi
end_case "$cout" "$sout" "$rout"

begin_case "petrel-server/mbedtls-client cid-rebind"
sout=$T/cid.server cout=$T/cid.client rout=$T/cid.relay
if start_petrel_cli_server "$sout" --cid 8 --verbose --cert "$T/ec-cert.pem" --key "$T/ec-key.pem" &&
	start_relay "$rout" "$PORT" --rebind-after 5; then
	timeout 30 "$MBEDTLS_CLIENT" dtls=1 server_addr=127.0.0.1 server_port="$PORT" force_version=dtls12 \
		cid=1 cid_val=dead exchanges=3 read_timeout=5000 force_ciphersuite=$SUITE "${CLI_CERT[@]}" >"$cout" 2>&1
	expect_status $? 0 "ssl_client2"
	expect_line "$cout" 'Peer CID \(length 8 Bytes\): ([0-9a-f]{2} ){7}[0-9a-f]{2} *$' "mbedTLS got Petrel's 8-byte CID"
	peer_cid=$(sed -n 's/.*Peer CID (length 8 Bytes): \([0-9a-f ]*[0-9a-f]\) *$/\1/p' "$cout" | head -1 | tr -d ' ' | tr a-f A-F)
	expect_line "$sout" "connection id +ours $peer_cid .*peer's DEAD" "Petrel reports both CIDs"
	expect_line "$rout" '^rebind ' "the relay rebound"
	expect_count "$cout" 'Read from server: [0-9]+ bytes read' 3 "every exchange succeeded"
	new=$(sed -n 's/^rebind [0-9]* -> \([0-9]*\)$/\1/p' "$rout")
	expect_line "$rout" "^s2c .*port=$new .*rec=25/e1" "Petrel replied to the new port"
	expect_count "$sout" 'established, ' 1 "one connection, kept across the rebinding"
else
	fail "petrel server or the relay did not start"
fi
end_case "$cout" "$sout" "$rout"

begin_case "petrel-client/mbedtls-server cid"
sout=$T/cidc.server cout=$T/cidc.client rout=$T/cidc.relay
if start_mbedtls_server "$sout" cid=1 cid_val=beef debug_level=3 crt_file="$T/ec-cert.pem" key_file="$T/ec-key.pem" &&
	start_relay "$rout" "$PORT"; then
	petrel_client "$cout" "GET / HTTP/1.0" --cid 2 --verbose --ca "$T/ec-cert.pem" --sni localhost
	expect_status $? 0 "petrel client"
	expect_line "$cout" '<h2>Mbed TLS Test Server</h2>' "mbedTLS's reply reached Petrel"
	expect_line "$sout" 'Use of Connection ID has been negotiated' "CID negotiated"
	expect_line "$sout" 'Peer CID \(length 2 Bytes\): [0-9a-f]{2} [0-9a-f]{2} *$' "mbedTLS got Petrel's 2-byte CID"
	expect_line "$cout" "connection id +ours [0-9A-F]{4} .*peer's BEEF" "Petrel reports both CIDs"
	expect_line "$rout" '^c2s .*rec=25/e1' "Petrel sent tls12_cid records"
	expect_line "$rout" '^s2c .*rec=25/e1' "mbedTLS sent tls12_cid records"
else
	fail "ssl_server2 or the relay did not start"
fi
end_case "$cout" "$sout" "$rout"

begin_case "petrel-client/mbedtls-server cid-empty"
sout=$T/cide.server cout=$T/cide.client rout=$T/cide.relay
if start_mbedtls_server "$sout" cid=1 cid_val=beef debug_level=3 crt_file="$T/ec-cert.pem" key_file="$T/ec-key.pem" &&
	start_relay "$rout" "$PORT"; then
	petrel_client "$cout" "GET / HTTP/1.0" --cid --ca "$T/ec-cert.pem" --sni localhost
	expect_status $? 0 "petrel client"
	expect_line "$cout" '<h2>Mbed TLS Test Server</h2>' "mbedTLS's reply reached Petrel"
	expect_line "$sout" 'Use of Connection ID has been negotiated' "CID negotiated"
	expect_line "$rout" '^c2s .*hello .*cid=empty' "Petrel asked for no CID"
	expect_line "$rout" '^c2s .*rec=25/e1' "Petrel sent tls12_cid records"
	expect_count "$rout" '^s2c .*rec=25' 0 "mbedTLS sent plain records"
else
	fail "ssl_server2 or the relay did not start"
fi
end_case "$cout" "$sout" "$rout"
finish
