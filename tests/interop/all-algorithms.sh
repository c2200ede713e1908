#!/usr/bin/env bash
# Every cipher suite, group and signature algorithm Petrel offers
# (`interop-peer list`, the library's own listing) completes a handshake
# with OpenSSL (issue #17 item 2), the peer forced to that one choice:
# s_server -cipher/-groups/-sigalgs against the Petrel client, and
# s_client -groups/-sigalgs against the Petrel server (which then signs
# with that algorithm). The script fails if the listing names anything no
# case covers, so a new algorithm needs its interop case.
#
# One exception, stated: TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 (0xD001,
# RFC 8442) is implemented by neither OpenSSL 3.0 nor GnuTLS 3.7; the
# Criterion suites cover it Petrel to Petrel.
. "$(dirname "$0")/common.sh"
need openssl
make_certs
{
	openssl req -x509 -newkey ed25519 -nodes -keyout "$T/ed-key.pem" -out "$T/ed-cert.pem" \
		-subj /CN=localhost -days 2 &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$T/p384s-key.pem" \
		-out "$T/p384s-cert.pem" -subj /CN=localhost -days 2 -sha384
} >/dev/null 2>&1 || skip "openssl cannot make Ed25519 / P-384 certificates"

NOT_INTEROPERABLE="TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256"
MSG=hello-all-algorithms
COVERED_SUITES=" "
COVERED_GROUPS=" "
COVERED_SIGALGS=" "

creds_server_openssl() { # CREDS -> s_server arguments
	case $1 in
	ec) echo "-cert $T/ec-cert.pem -key $T/ec-key.pem" ;;
	p384) echo "-cert $T/p384s-cert.pem -key $T/p384s-key.pem" ;;
	ed) echo "-cert $T/ed-cert.pem -key $T/ed-key.pem" ;;
	rsa) echo "-cert $T/rsa-cert.pem -key $T/rsa-key.pem" ;;
	psk) echo "-nocert -psk $PSK_HEX -psk_identity $PSK_ID" ;;
	esac
}

creds_petrel() { # CREDS -> interop-peer arguments
	case $1 in
	ec) echo "--cert $T/ec-cert.pem --key $T/ec-key.pem" ;;
	p384) echo "--cert $T/p384s-cert.pem --key $T/p384s-key.pem" ;;
	ed) echo "--cert $T/ed-cert.pem --key $T/ed-key.pem" ;;
	rsa) echo "--cert $T/rsa-cert.pem --key $T/rsa-key.pem" ;;
	psk) echo "--psk $PSK_ID:$PSK_HEX" ;;
	esac
}

# The group line Petrel prints: its IANA name (petrel_session_get_group_name;
# "none" for secp384r1 until dtls/session.c names it, see
# dtls/PROPOSED-session.patch).
group_ok() { # FILE GROUP
	grep -q -E "^group: $2\$" "$1" && return 0
	[ "$2" = secp384r1 ] && grep -q -E '^group: none$' "$1"
}

# client_case NAME IANA_SUITE GROUP SIGALG CREDS OPENSSL_ARGS...
# Petrel client (defaults: offers everything) against s_server forced by
# OPENSSL_ARGS. GROUP / SIGALG "-" when not checked (PSK).
client_case() {
	local name=$1 suite=$2 group=$3 sigalg=$4 creds=$5
	shift 5
	begin_case "petrel-client/openssl-server $name"
	local sout=$T/c-$name.server cout=$T/c-$name.client fifo=$T/c-$name.in
	# shellcheck disable=SC2046
	if ! start_openssl_server "$sout" "$fifo" -naccept 1 \
		$(creds_server_openssl "$creds") "$@"; then
		fail "openssl s_server did not start"
		end_case "$sout"
		return
	fi
	local cli_args=()
	[ "$creds" = psk ] && cli_args=(--psk "$PSK_ID:$PSK_HEX")
	timeout 30 "$PEER" client 127.0.0.1 "$PORT" --timeout 10 --msg "$MSG" "${cli_args[@]}" >"$cout" 2>&1
	expect_status $? 0 "interop-peer client"
	wait_for "$sout" "^$MSG\$" 5
	exec 3>&-
	expect_count "$cout" "^cipher: $suite\$" 1 "Petrel's suite"
	expect_count "$sout" "^$MSG\$" 1 "Petrel's message reached OpenSSL"
	if [ "$group" != - ]; then
		group_ok "$cout" "$group" || fail "Petrel's group is not $group"
		expect_line "$sout" "^Shared groups: $group\$" "OpenSSL's group"
	fi
	[ "$sigalg" = - ] || expect_count "$cout" "^signature: $sigalg\$" 1 "OpenSSL signed with $sigalg"
	if [ "$CASE_OK" = 1 ]; then
		COVERED_SUITES="$COVERED_SUITES$suite "
		[ "$group" = - ] || COVERED_GROUPS="$COVERED_GROUPS$group "
		[ "$sigalg" = - ] || COVERED_SIGALGS="$COVERED_SIGALGS$sigalg "
	fi
	end_case "$cout" "$sout"
}

# server_case NAME IANA_SUITE GROUP SIGALG CREDS OPENSSL_ARGS...
# Petrel server (defaults) against s_client forced by OPENSSL_ARGS.
server_case() {
	local name=$1 suite=$2 group=$3 sigalg=$4 creds=$5
	shift 5
	begin_case "petrel-server/openssl-client $name"
	local sout=$T/s-$name.server cout=$T/s-$name.client fifo=$T/s-$name.in
	# shellcheck disable=SC2046
	if ! start_petrel_server "$sout" --timeout 20 $(creds_petrel "$creds"); then
		fail "interop-peer server did not start"
		end_case "$sout"
		return
	fi
	rm -f "$fifo" && mkfifo "$fifo"
	local cli_args=()
	[ "$creds" = psk ] && cli_args=(-psk "$PSK_HEX" -psk_identity "$PSK_ID")
	: >"$cout"
	timeout 30 openssl s_client -dtls1_2 -connect "127.0.0.1:$PORT" "${cli_args[@]}" "$@" \
		<"$fifo" >"$cout" 2>&1 &
	local cpid=$!
	track $cpid
	exec 3>"$fifo"
	wait_for "$sout" '^(handshake|error):' 15
	echo "$MSG" >&3
	wait_for "$sout" '^(received|error|closed):' 5
	exec 3>&-
	wait "$cpid" 2>/dev/null
	expect_count "$sout" '^handshake: ok$' 1 "Petrel's handshake"
	expect_count "$sout" "^cipher: $suite\$" 1 "Petrel's suite"
	if [ "$group" != - ]; then
		group_ok "$sout" "$group" || fail "Petrel's group is not $group"
	fi
	[ "$sigalg" = - ] || expect_count "$sout" "^signature: $sigalg\$" 1 "Petrel signed with $sigalg"
	expect_line "$cout" "^New, TLSv1.2, Cipher is" "OpenSSL completed the handshake"
	if [ "$CASE_OK" = 1 ]; then
		COVERED_SUITES="$COVERED_SUITES$suite "
		[ "$group" = - ] || COVERED_GROUPS="$COVERED_GROUPS$group "
		[ "$sigalg" = - ] || COVERED_SIGALGS="$COVERED_SIGALGS$sigalg "
	fi
	end_case "$sout" "$cout"
}

# ---- every suite (client role; OpenSSL picks the one suite it allows) ----
client_case ecdsa-aes128gcm TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 - - ec -cipher ECDHE-ECDSA-AES128-GCM-SHA256
client_case ecdsa-aes256gcm TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 - - p384 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
client_case ecdsa-chacha20 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 - - ec -cipher ECDHE-ECDSA-CHACHA20-POLY1305
client_case ecdsa-aes128ccm8 TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 - - ec -cipher ECDHE-ECDSA-AES128-CCM8
client_case ecdsa-aes128ccm TLS_ECDHE_ECDSA_WITH_AES_128_CCM - - ec -cipher ECDHE-ECDSA-AES128-CCM
client_case rsa-aes128gcm TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 - - rsa -cipher ECDHE-RSA-AES128-GCM-SHA256
client_case rsa-aes256gcm TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 - - rsa -cipher ECDHE-RSA-AES256-GCM-SHA384
client_case rsa-chacha20 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 - - rsa -cipher ECDHE-RSA-CHACHA20-POLY1305
client_case ecdhepsk-chacha20 TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 - - psk -cipher ECDHE-PSK-CHACHA20-POLY1305
client_case psk-aes128gcm TLS_PSK_WITH_AES_128_GCM_SHA256 - - psk -cipher PSK-AES128-GCM-SHA256
client_case psk-aes256gcm TLS_PSK_WITH_AES_256_GCM_SHA384 - - psk -cipher PSK-AES256-GCM-SHA384
client_case psk-chacha20 TLS_PSK_WITH_CHACHA20_POLY1305_SHA256 - - psk -cipher PSK-CHACHA20-POLY1305
client_case psk-aes128ccm8 TLS_PSK_WITH_AES_128_CCM_8 - - psk -cipher PSK-AES128-CCM8
client_case psk-aes128ccm TLS_PSK_WITH_AES_128_CCM - - psk -cipher PSK-AES128-CCM

# ---- every group, both roles (and ECDHE-PSK on P-384, as mbedTLS picks) ----
# In TLS 1.2 the client's groups also name the curves it takes in the
# server's ECDSA certificate (RFC 8422 5.1): the Petrel server's
# certificate is Ed25519 for X25519, P-384 for P-384.
for g in x25519:X25519:ed secp256r1:P-256:ec secp384r1:P-384:p384; do
	iana=${g%%:*} rest=${g#*:}
	ossl=${rest%%:*} cert=${rest#*:}
	client_case "group-$iana" TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 "$iana" - ec \
		-cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups "$ossl"
	server_case "group-$iana" TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 "$iana" - "$cert" \
		-cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups "$ossl"
done
client_case group-secp384r1-ecdhepsk TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 secp384r1 - psk \
	-cipher ECDHE-PSK-CHACHA20-POLY1305 -groups P-384

# ---- every signature algorithm: OpenSSL signs (client role), Petrel signs (server role) ----
# Not ed25519 with OpenSSL signing: an OpenSSL 3.0 server answers "no
# shared cipher" with an Ed25519 certificate in DTLS 1.2, to an OpenSSL
# client too; the Petrel-signs case covers ed25519.
sig_cases() { # SIGALG CREDS SUITE OPENSSL_SUITE
	[ "$1" = ed25519 ] || client_case "sig-$1" "$3" - "$1" "$2" -cipher "$4" -sigalgs "$1"
	server_case "sig-$1" "$3" - "$1" "$2" -cipher "$4" -sigalgs "$1"
}
sig_cases ed25519 ed TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256
sig_cases ecdsa_secp256r1_sha256 ec TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256
sig_cases ecdsa_secp384r1_sha384 p384 TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384
sig_cases rsa_pss_rsae_sha256 rsa TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ECDHE-RSA-AES128-GCM-SHA256
sig_cases rsa_pss_rsae_sha384 rsa TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ECDHE-RSA-AES256-GCM-SHA384
sig_cases rsa_pkcs1_sha256 rsa TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ECDHE-RSA-AES128-GCM-SHA256
sig_cases rsa_pkcs1_sha384 rsa TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ECDHE-RSA-AES256-GCM-SHA384

# ---- nothing the library offers went untested ----
begin_case "every listed algorithm has a passing interop case"
"$PEER" list >"$T/list" || fail "interop-peer list failed"
expect_line "$T/list" '^suite: ' "the listing names suites"
while read -r kind name; do
	case $kind in
	suite:)
		case " $NOT_INTEROPERABLE " in *" $name "*) continue ;; esac
		case $COVERED_SUITES in *" $name "*) ;; *) fail "suite $name: no passing case" ;; esac ;;
	group:)
		case $COVERED_GROUPS in *" $name "*) ;; *) fail "group $name: no passing case" ;; esac ;;
	sigalg:)
		case $COVERED_SIGALGS in *" $name "*) ;; *) fail "signature algorithm $name: no passing case" ;; esac ;;
	esac
done <"$T/list"
end_case "$T/list"
finish
