#!/usr/bin/env bash
# Petrel client (tools/petrel client --once) against mbedTLS 3.6 ssl_server2
# in DTLS 1.2 over UDP on 127.0.0.1. ssl_server2 asks for a cookie
# (HelloVerifyRequest) by default and answers the request with a small HTML
# page; the suite is forced on both sides. Last case: session-ticket
# resumption (petrel client --resume against ssl_server2 tickets=1).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl
need_mbedtls
make_certs

# run_case NAME IANA_SUITE MBEDTLS_SUITE CREDS(psk|ec) [resume]
run_case() {
	local name=$1 iana=$2 mbed=$3 creds=$4 resume=${5:-}
	begin_case "petrel-client/mbedtls-server $name${resume:+ $resume}"
	local sout=$T/$name.server cout=$T/$name.client srv_args=() cli_args=(--ciphers "$iana")
	case $creds in
	psk)
		srv_args=(psk="$PSK_HEX" psk_identity="$PSK_ID")
		cli_args+=(--psk "$PSK_ID:$PSK_HEX") ;;
	ec)
		srv_args=(crt_file="$T/ec-cert.pem" key_file="$T/ec-key.pem" ca_file="$T/ec-cert.pem")
		cli_args+=(--ca "$T/ec-cert.pem" --sni localhost) ;;
	esac
	if [ "$resume" = resume ]; then
		srv_args+=(tickets=1 debug_level=3)
		cli_args+=(--resume)
	fi
	if ! start_mbedtls_server "$sout" force_ciphersuite="$mbed" "${srv_args[@]}"; then
		fail "ssl_server2 did not start"
		end_case "$sout"
		return
	fi
	petrel_client "$cout" "GET / HTTP/1.0" "${cli_args[@]}"
	expect_status $? 0 "petrel client"
	expect_line "$cout" "^petrel client: connected, $iana, " "Petrel's suite"
	expect_line "$cout" '<h2>Mbed TLS Test Server</h2>' "mbedTLS's reply reached Petrel"
	expect_line "$cout" "Successful connection using: $mbed" "mbedTLS's suite"
	expect_line "$sout" "Ciphersuite is $mbed" "ssl_server2's suite"
	expect_line "$sout" 'Protocol is DTLSv1.2' "DTLS 1.2"
	expect_line "$sout" ' 1[45] bytes read' "Petrel's request reached mbedTLS"
	if [ "$resume" = resume ]; then
		expect_count "$cout" "^petrel client: connected, .*resumed: no(,|\$)" 1 "first connection is a full handshake"
		expect_count "$cout" "^petrel client: connected, .*resumed: yes(,|\$)" 1 "second connection resumed"
		expect_line "$sout" 'session successfully restored from ticket' "ssl_server2 resumed from its ticket"
	fi
	end_case "$cout" "$sout"
}

run_case psk-aes128ccm8 TLS_PSK_WITH_AES_128_CCM_8 TLS-PSK-WITH-AES-128-CCM-8 psk
run_case psk-aes128gcm TLS_PSK_WITH_AES_128_GCM_SHA256 TLS-PSK-WITH-AES-128-GCM-SHA256 psk
run_case ecdsa-aes128gcm TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 ec
run_case ecdsa-aes128gcm TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 ec resume
finish
