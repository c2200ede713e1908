#!/usr/bin/env bash
# Petrel client against `gnutls-serv --udp --echo` over UDP on 127.0.0.1.
# Each case: a full handshake and a resumed one (two connections), the
# client's text echoed back by GnuTLS. gnutls-serv asks for a client
# certificate (optional) by default, so Petrel's empty Certificate is
# exercised too. The GnuTLS priority string allows only the case's suite.
. "$(dirname "$0")/common.sh"
need openssl gnutls-serv
make_certs

BASE_PRIORITY=NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:-KX-ALL

# case NAME GNUTLS_CIPHER GNUTLS_KX IANA_NAME CREDS(ec|rsa|psk|p384chain) MTU(0: default)
#      [clientcert: GnuTLS requires and verifies Petrel's certificate; its
#      tickets then carry that certificate and pass 1 KB]
run_case() {
	local name=$1 cipher=$2 kx=$3 iana=$4 creds=$5 mtu=$6 auth=${7:-none}
	begin_case "petrel-client/gnutls-server $name mtu=$mtu auth=$auth"
	local sout=$T/$name-$mtu.server cout=$T/$name-$mtu.client
	local srv_args=() cli_args=()
	case $creds in
	ec | rsa)
		srv_args=(--x509certfile "$T/$creds-cert.pem" --x509keyfile "$T/$creds-key.pem")
		cli_args=(--ca "$T/$creds-cert.pem") ;;
	psk)
		srv_args=(--pskpasswd "$T/psk.passwd")
		cli_args=(--psk "$PSK_ID:$PSK_HEX") ;;
	p384chain)
		srv_args=(--x509certfile "$T/p384-chain.pem" --x509keyfile "$T/p384-key.pem")
		cli_args=(--ca "$T/root.pem") ;;
	esac
	if [ "$mtu" != 0 ]; then
		srv_args+=(--mtu "$mtu")
		cli_args+=(--mtu "$mtu")
		# A DTLS 1.2 test: the resuming ClientHello offering 1.3 and 1.2
		# (key share, both suite lists, the ticket) exceeds 500 bytes, and
		# GnuTLS drops a fragmented first ClientHello (one retransmission).
		cli_args+=(--dtls12-only)
	fi
	if [ "$auth" = clientcert ]; then
		srv_args+=(--require-client-cert --verify-client-cert --x509cafile "$T/ec-cert.pem")
		cli_args+=(--cert "$T/ec-cert.pem" --key "$T/ec-key.pem")
	fi
	if ! start_gnutls_server "$sout" --priority "$BASE_PRIORITY:+$cipher:+$kx" "${srv_args[@]}"; then
		fail "gnutls-serv did not start"
		end_case "$sout"
		return
	fi
	timeout 40 "$PEER" client 127.0.0.1 "$PORT" --resume --timeout 15 --msg "$CLIENT_MSG" \
		--expect "$CLIENT_MSG" "${cli_args[@]}" >"$cout" 2>&1
	expect_status $? 0 "interop-peer"
	expect_count "$cout" "^cipher: $iana\$" 2 "Petrel's suite"
	expect_count "$cout" '^resumed: 0$' 1 "first connection is a full handshake"
	expect_count "$cout" '^resumed: 1$' 1 "second connection resumed"
	expect_count "$cout" "^received: $CLIENT_MSG\$" 2 "GnuTLS echoed Petrel's text"
	expect_count "$sout" "Processing [0-9]+ bytes command: $CLIENT_MSG" 2 "Petrel's text reached GnuTLS"
	if [ "$mtu" != 0 ]; then
		expect_count "$cout" "^mtu: $mtu\$" 2 "Petrel's MTU"
		check_datagram_sizes "$cout" "$mtu" "$mtu"
	fi
	expect_no_retransmission "$cout"
	end_case "$cout" "$sout"
}

run_case ecdsa-aes128gcm AES-128-GCM ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ec 0
run_case rsa-aes128gcm AES-128-GCM ECDHE-RSA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 0
run_case ecdsa-chacha20 CHACHA20-POLY1305 ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ec 0
run_case psk-aes128ccm8 AES-128-CCM-8 PSK TLS_PSK_WITH_AES_128_CCM_8 psk 0
run_case ecdsa-aes256gcm AES-256-GCM ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ec 0
run_case rsa-chacha20 CHACHA20-POLY1305 ECDHE-RSA TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 rsa 0
run_case psk-aes128gcm AES-128-GCM PSK TLS_PSK_WITH_AES_128_GCM_SHA256 psk 0
run_case ecdhepsk-chacha20 CHACHA20-POLY1305 ECDHE-PSK TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 psk 0
run_case ecdsa-aes128ccm8 AES-128-CCM-8 ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 ec 0
run_case p384-chain-aes256gcm AES-256-GCM ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 p384chain 0
run_case rsa-aes128gcm AES-128-GCM ECDHE-RSA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 0 clientcert
run_case rsa-aes128gcm AES-128-GCM ECDHE-RSA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 500
run_case ecdsa-chacha20 CHACHA20-POLY1305 ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ec 500
finish
