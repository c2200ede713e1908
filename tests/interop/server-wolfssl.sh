#!/usr/bin/env bash
# The wolfSSL 5.5.4 example client (built by scripts/build-peers) against a
# Petrel server (tools/petrel server --echo) over UDP on 127.0.0.1. The client
# sends "hello wolfssl!" and prints the echo. Cases: DTLS 1.2 (-v 3) with
# certificates (wolfSSL verifies Petrel's certificate), PSK with CCM-8 and
# GCM, resumption (-r: a second connection resuming the first), and a client
# offering DTLS 1.3 and 1.2 (-v d) that must fall back to 1.2 with Petrel;
# the relay (relay-rebind.py) shows that its ClientHello did offer DTLS 1.3.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl python3
need_wolfssl
make_certs
RELAY="python3 $(dirname "$0")/relay-rebind.py"

# run_case NAME IANA_SUITE WOLFSSL_SUITE CREDS(psk|ec) [resume|v13]
run_case() {
	local name=$1 iana=$2 wolf=$3 creds=$4 mode=${5:-}
	begin_case "petrel-server/wolfssl-client $name${mode:+ $mode}"
	local sout=$T/$name$mode.server cout=$T/$name$mode.client rout=$T/$name$mode.relay
	local srv_args=(--ciphers "$iana") cli_args=(-u -v 3 -l "$wolf") conns=1 port
	case $creds in
	psk)
		srv_args+=(--psk "$WOLFSSL_PSK")
		cli_args+=(-s) ;;
	ec)
		srv_args+=(--cert "$T/ec-cert.pem" --key "$T/ec-key.pem")
		cli_args+=(-A "$T/ec-cert.pem" -x) ;;
	esac
	case $mode in
	resume)
		cli_args+=(-r)
		conns=2 ;;
	v13)
		# No -l: the default list, TLS 1.3 suites first.
		cli_args=(-u -v d "${cli_args[@]:5}") ;;
	esac
	if ! start_petrel_cli_server "$sout" "${srv_args[@]}"; then
		fail "petrel server did not start"
		end_case "$sout"
		return
	fi
	port=$PORT
	if [ "$mode" = v13 ]; then
		# Through the relay, which prints each ClientHello's supported_versions.
		if ! start_with_port "$rout" '^ready' 'rror|usage' $RELAY @PORT@ "$port"; then
			fail "relay did not start"
			end_case "$sout" "$rout"
			return
		fi
		port=$PORT
	fi
	timeout 30 "$WOLFSSL_CLIENT" -p "$port" "${cli_args[@]}" >"$cout" 2>&1
	expect_status $? 0 "wolfSSL client"
	wait_for "$sout" 'closed by the peer' 5 "$conns"
	expect_count "$cout" '^SSL version is DTLSv1.2$' "$conns" "DTLS 1.2"
	expect_count "$cout" "^SSL cipher suite is $iana\$" "$conns" "wolfSSL's suite"
	expect_line "$cout" '^hello wolfssl!$' "Petrel's echo reached wolfSSL"
	expect_count "$sout" "established, $iana, resumed: no(,|\$)" 1 "Petrel's suite, one full handshake"
	expect_count "$sout" 'closed by the peer$' "$conns" "wolfSSL closed with close_notify"
	if [ "$mode" = resume ]; then
		expect_line "$cout" '^SSL reused session$' "wolfSSL resumed"
		expect_count "$sout" "established, $iana, resumed: yes(,|\$)" 1 "Petrel resumed"
	fi
	if [ "$mode" = v13 ]; then
		expect_line "$rout" '^c2s .*hello versions=fefc,fefd' "wolfSSL offered DTLS 1.3 and 1.2"
	fi
	end_case "$cout" "$sout" "$rout"
}

run_case ecdsa-aes128gcm TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 ec
run_case psk-aes128ccm8 TLS_PSK_WITH_AES_128_CCM_8 PSK-AES128-CCM-8 psk
run_case psk-aes128gcm TLS_PSK_WITH_AES_128_GCM_SHA256 PSK-AES128-GCM-SHA256 psk
run_case ecdsa-chacha20 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-CHACHA20-POLY1305 ec resume
run_case ecdsa-aes128gcm TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 ec v13
finish
