#!/usr/bin/env bash
# mbedTLS 3.6 ssl_client2 against a Petrel server (tools/petrel server --echo)
# in DTLS 1.2 over UDP on 127.0.0.1. ssl_client2 sends an HTTP request, reads
# Petrel's echo and closes with close_notify; the suite is forced on both
# sides, and with certificates ssl_client2 verifies Petrel's chain and name.
# Last case: session-ticket resumption (ssl_client2 tickets=1 reconnect=1;
# mbedTLS 2.28 looped on cookies with tickets, 3.6 must resume cleanly).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl
need_mbedtls
make_certs

# run_case NAME IANA_SUITE MBEDTLS_SUITE CREDS(psk|ec) [resume]
run_case() {
	local name=$1 iana=$2 mbed=$3 creds=$4 resume=${5:-}
	begin_case "petrel-server/mbedtls-client $name${resume:+ $resume}"
	local sout=$T/$name.server cout=$T/$name.client srv_args=(--ciphers "$iana") cli_args=()
	local conns=1
	case $creds in
	psk)
		srv_args+=(--psk "$PSK_ID:$PSK_HEX")
		cli_args=(psk="$PSK_HEX" psk_identity="$PSK_ID") ;;
	ec)
		srv_args+=(--cert "$T/ec-cert.pem" --key "$T/ec-key.pem")
		cli_args=(ca_file="$T/ec-cert.pem" server_name=localhost auth_mode=required crt_file=none key_file=none) ;;
	esac
	if [ "$resume" = resume ]; then
		cli_args+=(tickets=1 reconnect=1 debug_level=3)
		conns=2
	fi
	if ! start_petrel_cli_server "$sout" "${srv_args[@]}"; then
		fail "petrel server did not start"
		end_case "$sout"
		return
	fi
	timeout 30 "$MBEDTLS_CLIENT" dtls=1 server_addr=127.0.0.1 server_port="$PORT" force_version=dtls12 \
		read_timeout=10000 force_ciphersuite="$mbed" "${cli_args[@]}" >"$cout" 2>&1
	expect_status $? 0 "ssl_client2"
	wait_for "$sout" 'closed by the peer' 5 "$conns"
	expect_line "$cout" "Ciphersuite is $mbed" "ssl_client2's suite"
	expect_line "$cout" 'Protocol is DTLSv1.2' "DTLS 1.2"
	expect_count "$cout" 'Read from server: [0-9]+ bytes read' "$conns" "Petrel's echo reached mbedTLS"
	expect_count "$sout" "established, $iana, resumed: no(,|\$)" 1 "Petrel's suite, one full handshake"
	expect_count "$sout" 'closed by the peer$' "$conns" "mbedTLS closed with close_notify"
	if [ "$creds" = ec ]; then
		expect_line "$cout" 'Verifying peer X.509 certificate... ok' "mbedTLS verified Petrel's certificate"
	fi
	if [ "$resume" = resume ]; then
		expect_line "$cout" 'found session_ticket extension' "Petrel offered a ticket"
		expect_line "$cout" 'parse new session ticket' "Petrel sent a NewSessionTicket"
		expect_line "$cout" 'a session has been resumed' "ssl_client2 resumed"
		expect_count "$sout" "established, $iana, resumed: yes(,|\$)" 1 "Petrel resumed the session"
		# The 2.28 cookie loop: a HelloVerifyRequest answered again and again.
		local hvr
		hvr=$(grep -c 'received hello verify request' "$cout")
		[ "$hvr" -le 2 ] || fail "cookie loop: $hvr HelloVerifyRequests for 2 connections"
	fi
	end_case "$cout" "$sout"
}

run_case psk-aes128ccm8 TLS_PSK_WITH_AES_128_CCM_8 TLS-PSK-WITH-AES-128-CCM-8 psk
run_case psk-aes128gcm TLS_PSK_WITH_AES_128_GCM_SHA256 TLS-PSK-WITH-AES-128-GCM-SHA256 psk
run_case ecdsa-aes128gcm TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 ec
run_case ecdsa-aes128gcm TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 ec resume
finish
