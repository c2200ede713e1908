#!/usr/bin/env bash
# Petrel client against `openssl s_server -dtls1_2` over UDP on 127.0.0.1.
# Each case: a full handshake and a resumed one (two connections), the
# client's text printed by OpenSSL and OpenSSL's reply received by Petrel.
. "$(dirname "$0")/common.sh"
need openssl
make_certs

REPLY=hello-from-openssl

# case NAME OPENSSL_CIPHER IANA_NAME CREDS(ec|rsa|psk|p384chain) MTU(0: default)
#      [clientcert: OpenSSL requires and verifies Petrel's certificate]
run_case() {
	local name=$1 ossl_cipher=$2 iana=$3 creds=$4 mtu=$5 auth=${6:-none}
	begin_case "petrel-client/openssl-server $name mtu=$mtu auth=$auth"
	local sout=$T/$name-$mtu.server cout=$T/$name-$mtu.client fifo=$T/$name-$mtu.in
	local srv_args=() cli_args=()
	case $creds in
	ec) srv_args=(-cert "$T/ec-cert.pem" -key "$T/ec-key.pem"); cli_args=(--ca "$T/ec-cert.pem") ;;
	rsa) srv_args=(-cert "$T/rsa-cert.pem" -key "$T/rsa-key.pem"); cli_args=(--ca "$T/rsa-cert.pem") ;;
	psk) srv_args=(-nocert -psk "$PSK_HEX" -psk_identity "$PSK_ID"); cli_args=(--psk "$PSK_ID:$PSK_HEX") ;;
	p384chain)
		srv_args=(-cert "$T/p384-leaf.pem" -key "$T/p384-key.pem" -cert_chain "$T/int.pem")
		cli_args=(--ca "$T/root.pem") ;;
	esac
	if [ "$mtu" != 0 ]; then
		srv_args+=(-mtu "$mtu")
		cli_args+=(--mtu "$mtu")
	fi
	if [ "$auth" = clientcert ]; then
		srv_args+=(-Verify 1 -CAfile "$T/ec-cert.pem" -verify_return_error)
		cli_args+=(--cert "$T/ec-cert.pem" --key "$T/ec-key.pem")
	fi
	if ! start_openssl_server "$sout" "$fifo" -naccept 2 \
		-cipher "$ossl_cipher" "${srv_args[@]}"; then
		fail "openssl s_server did not start"
		end_case "$sout"
		return
	fi
	: >"$cout"
	timeout 40 "$PEER" client 127.0.0.1 "$PORT" --resume --timeout 15 --msg "$CLIENT_MSG" \
		--expect "$REPLY" "${cli_args[@]}" >"$cout" 2>&1 &
	local cpid=$! k
	track $cpid
	# s_server sends what it reads on stdin: answer each connection once
	# its message has arrived.
	for k in 1 2; do
		wait_for "$sout" "^$CLIENT_MSG\$" 20 "$k" || break
		echo "$REPLY" >&3
	done
	wait "$cpid"
	local status=$?
	exec 3>&-

	expect_status "$status" 0 "interop-peer"
	expect_count "$cout" "^cipher: $iana\$" 2 "Petrel's suite"
	expect_count "$cout" '^resumed: 0$' 1 "first connection is a full handshake"
	expect_count "$cout" '^resumed: 1$' 1 "second connection resumed"
	expect_count "$cout" "^received: $REPLY\$" 2 "OpenSSL's reply reached Petrel"
	expect_count "$sout" "^CIPHER is $ossl_cipher\$" 2 "OpenSSL's suite"
	expect_count "$sout" '^Reused session-id' 1 "OpenSSL resumed the session"
	expect_count "$sout" "^$CLIENT_MSG\$" 2 "Petrel's message reached OpenSSL"
	if [ "$auth" = clientcert ]; then
		expect_line "$sout" '^verify return:1' "OpenSSL verified Petrel's client certificate"
	fi
	if [ "$mtu" != 0 ]; then
		expect_count "$cout" "^mtu: $mtu\$" 2 "Petrel's MTU"
		check_datagram_sizes "$cout" "$mtu" $((mtu - 28))
	fi
	expect_no_retransmission "$cout"
	end_case "$cout" "$sout"
}

run_case ecdsa-aes128gcm ECDHE-ECDSA-AES128-GCM-SHA256 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ec 0
run_case rsa-aes128gcm ECDHE-RSA-AES128-GCM-SHA256 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 0
run_case ecdsa-chacha20 ECDHE-ECDSA-CHACHA20-POLY1305 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ec 0
run_case psk-aes128ccm8 PSK-AES128-CCM8 TLS_PSK_WITH_AES_128_CCM_8 psk 0
run_case ecdsa-aes256gcm ECDHE-ECDSA-AES256-GCM-SHA384 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ec 0
run_case rsa-chacha20 ECDHE-RSA-CHACHA20-POLY1305 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 rsa 0
run_case psk-aes128gcm PSK-AES128-GCM-SHA256 TLS_PSK_WITH_AES_128_GCM_SHA256 psk 0
run_case ecdhepsk-chacha20 ECDHE-PSK-CHACHA20-POLY1305 TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 psk 0
run_case ecdsa-aes128ccm8 ECDHE-ECDSA-AES128-CCM8 TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 ec 0
# A P-384 leaf under an intermediate: Petrel must list secp384r1 in
# supported_groups or OpenSSL refuses the certificate (RFC 8422 5.1).
run_case p384-chain-aes256gcm ECDHE-ECDSA-AES256-GCM-SHA384 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 p384chain 0
run_case rsa-aes128gcm ECDHE-RSA-AES128-GCM-SHA256 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 0 clientcert
run_case rsa-aes128gcm ECDHE-RSA-AES128-GCM-SHA256 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 500
run_case ecdsa-chacha20 ECDHE-ECDSA-CHACHA20-POLY1305 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ec 500
finish
