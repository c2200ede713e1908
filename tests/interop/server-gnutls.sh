#!/usr/bin/env bash
# Petrel server (echo) against `gnutls-cli --udp` over UDP on 127.0.0.1.
# Each case: one plain connection with data, then `gnutls-cli --resume`
# (a full handshake and a resumed one, data on the resumed one); GnuTLS
# verifies Petrel's certificate chain and name. The GnuTLS priority string
# allows only the case's suite.
. "$(dirname "$0")/common.sh"
need openssl gnutls-cli
make_certs

BASE_PRIORITY=NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:-KX-ALL

# connect TEXT CLIENT_OUT READY_REGEX ARGS...: one gnutls-cli run that
# sends TEXT once READY_REGEX shows up, waits for the echo, then closes
# (stdin EOF: close_notify).
connect() {
	local text=$1 out=$2 ready=$3 fifo=$T/in.$RANDOM
	shift 3
	mkfifo "$fifo"
	: >"$out"
	timeout 30 gnutls-cli --udp -p "$PORT" "$@" 127.0.0.1 <"$fifo" >"$out" 2>&1 &
	local pid=$!
	track $pid
	exec 3>"$fifo"
	if wait_for "$out" "$ready" 20; then
		echo "$text" >&3
		wait_for "$out" "^$text\$" 10
	fi
	exec 3>&-
	wait $pid
}

# case NAME GNUTLS_CIPHER GNUTLS_KX IANA_NAME CREDS(ec|rsa|psk|p384chain) MTU(0: default)
#      [clientcert: Petrel requires and verifies GnuTLS's certificate]
run_case() {
	local name=$1 cipher=$2 kx=$3 iana=$4 creds=$5 mtu=$6 auth=${7:-none}
	begin_case "petrel-server/gnutls-client $name mtu=$mtu auth=$auth"
	local sout=$T/$name-$mtu.server c1=$T/$name-$mtu.client1 c2=$T/$name-$mtu.client2
	local srv_args=() cli_args=(--priority "$BASE_PRIORITY:+$cipher:+$kx")
	case $creds in
	ec | rsa)
		srv_args=(--cert "$T/$creds-cert.pem" --key "$T/$creds-key.pem")
		cli_args+=(--x509cafile "$T/$creds-cert.pem" --verify-hostname localhost) ;;
	psk)
		srv_args=(--psk "$PSK_ID:$PSK_HEX")
		cli_args+=(--pskusername "$PSK_ID" --pskkey "$PSK_HEX") ;;
	p384chain)
		srv_args=(--cert "$T/p384-chain.pem" --key "$T/p384-key.pem")
		cli_args+=(--x509cafile "$T/root.pem" --verify-hostname localhost) ;;
	esac
	if [ "$mtu" != 0 ]; then
		srv_args+=(--mtu "$mtu")
		cli_args+=(--mtu "$mtu")
	fi
	local peer_certs=0
	if [ "$auth" = clientcert ]; then
		srv_args+=(--require-cert --ca "$T/ec-cert.pem")
		cli_args+=(--x509certfile "$T/ec-cert.pem" --x509keyfile "$T/ec-key.pem")
		peer_certs=1
	fi
	if ! start_petrel_server "$sout" --echo --count 3 --timeout 25 "${srv_args[@]}"; then
		fail "interop-peer server did not start"
		end_case "$sout"
		return
	fi
	connect hello-from-gnutls-1 "$c1" '^- Handshake was completed' "${cli_args[@]}"
	expect_status $? 0 "first gnutls-cli"
	connect hello-from-gnutls-2 "$c2" '^- Resume Handshake was completed' --resume "${cli_args[@]}"
	expect_status $? 0 "gnutls-cli --resume"
	wait "$SERVER_PID"
	expect_status $? 0 "interop-peer server"

	expect_count "$sout" "^cipher: $iana\$" 3 "Petrel's suite"
	expect_count "$sout" '^resumed: 0$' 2 "two full handshakes"
	expect_count "$sout" '^resumed: 1$' 1 "gnutls-cli --resume resumed"
	expect_count "$sout" '^echoed: hello-from-gnutls-[12]$' 2 "Petrel echoed GnuTLS's text"
	expect_count "$sout" '^closed: close_notify$' 3 "GnuTLS closed with close_notify"
	expect_line "$sout" "^peer_certificates: $peer_certs\$" "client certificate seen by Petrel"
	expect_line "$c1" '^hello-from-gnutls-1$' "the echo reached GnuTLS (1)"
	expect_line "$c2" '^\*\*\* This is a resumed session' "GnuTLS resumed the session"
	expect_line "$c2" '^hello-from-gnutls-2$' "the echo reached GnuTLS (2)"
	if [ "$creds" != psk ]; then
		expect_line "$c1" '^- Status: The certificate is trusted' "GnuTLS verified Petrel's certificate"
	fi
	if [ "$mtu" != 0 ]; then
		expect_count "$sout" "^mtu: $mtu\$" 3 "Petrel's MTU"
		check_datagram_sizes "$sout" "$mtu" "$mtu"
	fi
	expect_no_retransmission "$sout"
	end_case "$sout" "$c1" "$c2"
}

run_case ecdsa-aes128gcm AES-128-GCM ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ec 0
run_case rsa-aes128gcm AES-128-GCM ECDHE-RSA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 0
run_case ecdsa-chacha20 CHACHA20-POLY1305 ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ec 0
run_case psk-aes128ccm8 AES-128-CCM-8 PSK TLS_PSK_WITH_AES_128_CCM_8 psk 0
run_case ecdsa-aes256gcm AES-256-GCM ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ec 0
run_case rsa-chacha20 CHACHA20-POLY1305 ECDHE-RSA TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 rsa 0
run_case psk-aes128gcm AES-128-GCM PSK TLS_PSK_WITH_AES_128_GCM_SHA256 psk 0
# Not ECDHE-PSK: gnutls-cli 3.7.9 itself crashes (SIGSEGV) after an ECDHE-PSK
# handshake, against gnutls-serv too; client-gnutls.sh covers that suite.
run_case psk-chacha20 CHACHA20-POLY1305 PSK TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 psk 0
run_case ecdsa-aes128ccm8 AES-128-CCM-8 ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 ec 0
run_case p384-chain-aes256gcm AES-256-GCM ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 p384chain 0
run_case rsa-aes128gcm AES-128-GCM ECDHE-RSA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 0 clientcert
run_case rsa-aes128gcm AES-128-GCM ECDHE-RSA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 rsa 500
run_case ecdsa-chacha20 CHACHA20-POLY1305 ECDHE-ECDSA TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ec 500
finish
