#!/usr/bin/env bash
# Petrel server (echo) against `openssl s_client -dtls1_2` over UDP on
# 127.0.0.1. Each case: a full handshake saved with -sess_out, then a
# resumed one with -sess_in; each time OpenSSL's text comes back echoed,
# and OpenSSL verifies Petrel's certificate chain and name.
. "$(dirname "$0")/common.sh"
need openssl
make_certs

# connect N CLIENT_OUT SESSION_FLAG ARGS...: one s_client connection that
# sends "hello-from-openssl-N" once the handshake is done, then waits for
# the echo and closes (stdin EOF: close_notify).
connect() {
	local n=$1 out=$2 sess=$3 fifo=$T/in.$RANDOM
	shift 3
	mkfifo "$fifo"
	: >"$out"
	timeout 30 openssl s_client -dtls1_2 -connect "127.0.0.1:$PORT" "$sess" "$T/session.pem" \
		"$@" <"$fifo" >"$out" 2>&1 &
	local pid=$!
	track $pid
	exec 3>"$fifo"
	if wait_for "$out" 'Cipher is' 20; then
		echo "hello-from-openssl-$n" >&3
		wait_for "$out" "^hello-from-openssl-$n\$" 10
	fi
	exec 3>&-
	wait $pid
}

# case NAME OPENSSL_CIPHER IANA_NAME CREDS(ec|ec-sha384|rsa|psk|p384chain) MTU(0: default)
#      [clientcert: Petrel requires and verifies OpenSSL's certificate]
run_case() {
	local name=$1 ossl_cipher=$2 iana=$3 creds=$4 mtu=$5 auth=${6:-none}
	begin_case "petrel-server/openssl-client $name mtu=$mtu auth=$auth"
	local sout=$T/$name-$mtu.server c1=$T/$name-$mtu.client1 c2=$T/$name-$mtu.client2
	local srv_args=() cli_args=()
	case $creds in
	ec | rsa)
		srv_args=(--cert "$T/$creds-cert.pem" --key "$T/$creds-key.pem")
		cli_args=(-CAfile "$T/$creds-cert.pem" -verify_return_error -verify_hostname localhost) ;;
	psk)
		srv_args=(--psk "$PSK_ID:$PSK_HEX")
		cli_args=(-psk "$PSK_HEX" -psk_identity "$PSK_ID") ;;
	ec-sha384)
		# Only ECDSA+SHA384 offered: a P-256 key signs with it in TLS 1.2.
		srv_args=(--cert "$T/ec-cert.pem" --key "$T/ec-key.pem")
		cli_args=(-CAfile "$T/ec-cert.pem" -verify_return_error -verify_hostname localhost \
			-sigalgs ECDSA+SHA384) ;;
	p384chain)
		srv_args=(--cert "$T/p384-chain.pem" --key "$T/p384-key.pem")
		cli_args=(-CAfile "$T/root.pem" -verify_return_error -verify_hostname localhost \
			-groups X25519:P-256:P-384) ;;
	esac
	if [ "$mtu" != 0 ]; then
		srv_args+=(--mtu "$mtu")
		cli_args+=(-mtu "$mtu")
	fi
	local peer_certs=0
	if [ "$auth" = clientcert ]; then
		srv_args+=(--require-cert --ca "$T/ec-cert.pem")
		cli_args+=(-cert "$T/ec-cert.pem" -key "$T/ec-key.pem")
		peer_certs=1
	fi
	rm -f "$T/session.pem"
	if ! start_petrel_server "$sout" --echo --count 2 --timeout 25 "${srv_args[@]}"; then
		fail "interop-peer server did not start"
		end_case "$sout"
		return
	fi
	connect 1 "$c1" -sess_out -cipher "$ossl_cipher" "${cli_args[@]}"
	expect_status $? 0 "first s_client"
	connect 2 "$c2" -sess_in -cipher "$ossl_cipher" "${cli_args[@]}"
	expect_status $? 0 "second s_client"
	wait "$SERVER_PID"
	expect_status $? 0 "interop-peer server"

	expect_count "$sout" "^cipher: $iana\$" 2 "Petrel's suite"
	expect_count "$sout" '^resumed: 0$' 1 "first connection is a full handshake"
	expect_count "$sout" '^resumed: 1$' 1 "second connection resumed"
	expect_count "$sout" '^echoed: hello-from-openssl-[12]$' 2 "Petrel echoed OpenSSL's text"
	expect_count "$sout" '^closed: close_notify$' 2 "OpenSSL closed with close_notify"
	expect_line "$sout" "^peer_certificates: $peer_certs\$" "client certificate seen by Petrel"
	expect_line "$c1" "^New, TLSv1.2, Cipher is $ossl_cipher\$" "OpenSSL's suite, full handshake"
	expect_line "$c2" "^Reused, TLSv1.2, Cipher is $ossl_cipher\$" "OpenSSL resumed the session"
	expect_line "$c1" '^hello-from-openssl-1$' "the echo reached OpenSSL (1)"
	expect_line "$c2" '^hello-from-openssl-2$' "the echo reached OpenSSL (2)"
	if [ "$creds" = ec-sha384 ]; then
		expect_line "$sout" '^signature: ecdsa_secp384r1_sha384$' "Petrel signed with the offered scheme"
	fi
	if [ "$creds" != psk ]; then
		expect_line "$c1" 'Verify return code: 0 \(ok\)' "OpenSSL verified Petrel's certificate"
	fi
	if [ "$mtu" != 0 ]; then
		expect_count "$sout" "^mtu: $mtu\$" 2 "Petrel's MTU"
		check_datagram_sizes "$sout" "$mtu" $((mtu - 28))
	fi
	expect_no_retransmission "$sout"
	end_case "$sout" "$c1" "$c2"
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
run_case p384-chain-aes256gcm ECDHE-ECDSA-AES256-GCM-SHA384 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 p384chain 0
run_case p256-sha384-only ECDHE-ECDSA-AES128-GCM-SHA256 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ec-sha384 0
run_case rsa-aes128gcm ECDHE-RSA-AES128-GCM-SHA256 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 0 clientcert
run_case rsa-aes128gcm ECDHE-RSA-AES128-GCM-SHA256 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 500
run_case ecdsa-chacha20 ECDHE-ECDSA-CHACHA20-POLY1305 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ec 500
finish
