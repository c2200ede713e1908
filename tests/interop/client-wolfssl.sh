#!/usr/bin/env bash
# Petrel client (tools/petrel client --once) against the wolfSSL 5.5.4
# example server (built by scripts/build-peers) in DTLS 1.2 over UDP on
# 127.0.0.1. The server answers one message with "I hear you fa shizzle!".
# Cases: certificates (Petrel verifies the chain and name), PSK with CCM-8 and
# GCM, session resumption (-r), and a wolfSSL server that allows DTLS 1.3 and
# 1.2 (-v d) negotiating 1.2 with Petrel.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl
need_wolfssl
make_certs

# run_case NAME IANA_SUITE WOLFSSL_SUITE CREDS(psk|ec) [resume|v13]
run_case() {
	local name=$1 iana=$2 wolf=$3 creds=$4 mode=${5:-}
	begin_case "petrel-client/wolfssl-server $name${mode:+ $mode}"
	local sout=$T/$name$mode.server cout=$T/$name$mode.client srv_args=(-u -v 3) cli_args=(--ciphers "$iana")
	local conns=1
	case $creds in
	psk)
		srv_args+=(-s)
		cli_args+=(--psk "$WOLFSSL_PSK") ;;
	ec)
		srv_args+=(-c "$T/ec-cert.pem" -k "$T/ec-key.pem")
		cli_args+=(--ca "$T/ec-cert.pem" --sni localhost) ;;
	esac
	case $mode in
	resume)
		srv_args+=(-r)
		cli_args+=(--resume)
		conns=2 ;;
	v13)
		srv_args=(-u -v d "${srv_args[@]:3}") ;;
	esac
	if ! start_wolfssl_server "$sout" "${srv_args[@]}" -d -l "$wolf"; then
		fail "wolfSSL server did not start"
		end_case "$sout"
		return
	fi
	petrel_client "$cout" hello-from-petrel "${cli_args[@]}"
	expect_status $? 0 "petrel client"
	wait "$SERVER_PID"
	expect_status $? 0 "wolfSSL server"
	expect_count "$cout" "^petrel client: connected, $iana, " "$conns" "Petrel's suite"
	expect_line "$cout" '^I hear you fa shizzle!$' "wolfSSL's reply reached Petrel"
	expect_count "$sout" '^SSL version is DTLSv1.2$' "$conns" "DTLS 1.2"
	expect_count "$sout" "^SSL cipher suite is $iana\$" "$conns" "wolfSSL's suite"
	expect_line "$sout" '^Client message: hello-from-petrel' "Petrel's text reached wolfSSL"
	if [ "$mode" = resume ]; then
		expect_count "$cout" "resumed: yes(,|\$)" 1 "Petrel resumed"
		expect_count "$sout" '^SSL reused session$' 1 "wolfSSL resumed"
	fi
	end_case "$cout" "$sout"
}

run_case ecdsa-aes128gcm TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 ec
run_case psk-aes128ccm8 TLS_PSK_WITH_AES_128_CCM_8 PSK-AES128-CCM-8 psk
run_case psk-aes128gcm TLS_PSK_WITH_AES_128_GCM_SHA256 PSK-AES128-GCM-SHA256 psk
run_case ecdsa-chacha20 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-CHACHA20-POLY1305 ec resume
run_case ecdsa-aes256gcm TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384 ec v13
finish
