#!/usr/bin/env bash
# Raw public keys (RFC 7250) with the petrel command against GnuTLS, both
# roles: the server's key sent raw and pinned by its SPKI SHA-256 (a wrong
# pin fails), and a client authenticating with its own raw key.
. "$(dirname "$0")/common.sh"
need openssl gnutls-cli gnutls-serv
PETREL=${PETREL_TOOL:-./tools/petrel}
[ -x "$PETREL" ] || skip "$PETREL not built"
PRIO='NORMAL:+CTYPE-SRV-RAWPK:+CTYPE-CLI-RAWPK'

# Keys (no certificates) and the SHA-256 of their SubjectPublicKeyInfo.
for k in server client; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$k-key.pem" >/dev/null 2>&1 &&
		openssl pkey -in "$T/$k-key.pem" -pubout -out "$T/$k-pub.pem" >/dev/null 2>&1 ||
		skip "openssl cannot make an EC key"
done
spki_sha256() {
	openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1
}
SERVER_PIN=$(spki_sha256 "$T/server-key.pem")
CLIENT_PIN=$(spki_sha256 "$T/client-key.pem")
WRONG_PIN=$(printf '%064d' 0)

case_petrel_client_gnutls() {
	begin_case "petrel-client/gnutls-server raw public key, SPKI pinned"
	local sout=$T/c.server cout=$T/c.client bad=$T/c-bad.client
	if ! start_gnutls_server "$sout" --priority "$PRIO" --rawpkkeyfile "$T/server-key.pem" --rawpkfile "$T/server-pub.pem"; then
		fail "gnutls-serv did not start"
		end_case "$sout"
		return
	fi
	echo "$CLIENT_MSG" | timeout 20 "$PETREL" client --rpk --pin-spki-sha256 "$SERVER_PIN" --once \
		--verbose 127.0.0.1 "$PORT" >"$cout" 2>&1
	expect_status "$?" 0 "petrel client"
	expect_line "$cout" 'peer key +raw public key \(RFC 7250\)' "Petrel got a raw public key"
	expect_line "$cout" "^$CLIENT_MSG\$" "GnuTLS echoed the message"
	# The epoch-0 Certificate may be forged: the mismatch is reported at
	# the handshake timeout (RFC 6347 4.1.2.7), kept short here.
	echo "$CLIENT_MSG" | timeout 20 "$PETREL" client --rpk --pin-spki-sha256 "$WRONG_PIN" --once \
		--timeout-ms 3000 127.0.0.1 "$PORT" >"$bad" 2>&1
	expect_status "$?" 1 "petrel client with a wrong pin"
	expect_line "$bad" 'PETREL_E_CERT_PIN_MISMATCH' "a wrong pin is refused"
	end_case "$sout" "$cout" "$bad"
}

case_gnutls_client_petrel() {
	begin_case "gnutls-client/petrel-server raw public key"
	local sout=$T/s.server cout=$T/s.client
	if ! start_petrel_verbose_server "$sout" --rpk --key "$T/server-key.pem"; then
		fail "petrel server did not start"
		end_case "$sout"
		return
	fi
	(echo "$CLIENT_MSG"; sleep 2) | timeout 20 gnutls-cli --udp --insecure -p "$PORT" \
		--priority "$PRIO" 127.0.0.1 >"$cout" 2>&1
	expect_line "$cout" '^- Certificate type: Raw Public Key' "GnuTLS got a raw public key"
	expect_line "$cout" "^$CLIENT_MSG\$" "Petrel echoed the message"
	expect_line "$sout" "^  --pin-spki-sha256 $(echo "$SERVER_PIN" | tr a-f A-F | sed 's/../&:/g; s/:$//')\$" \
		"Petrel printed the SPKI pin"
	end_case "$sout" "$cout"
}

case_gnutls_client_key_petrel() {
	begin_case "gnutls-client/petrel-server client raw public key, pinned by the server"
	local sout=$T/sc.server cout=$T/sc.client
	if ! start_petrel_verbose_server "$sout" --rpk --key "$T/server-key.pem" --pin-spki-sha256 "$CLIENT_PIN"; then
		fail "petrel server did not start"
		end_case "$sout"
		return
	fi
	(echo "$CLIENT_MSG"; sleep 2) | timeout 20 gnutls-cli --udp --insecure -p "$PORT" --priority "$PRIO" \
		--rawpkkeyfile "$T/client-key.pem" --rawpkfile "$T/client-pub.pem" 127.0.0.1 >"$cout" 2>&1
	expect_line "$cout" "^$CLIENT_MSG\$" "Petrel echoed the message"
	expect_line "$sout" 'peer key +raw public key \(RFC 7250\)' "Petrel authenticated the client's raw key"
	end_case "$sout" "$cout"
}

# libcoap's GnuTLS build (Debian libcoap3-bin) takes raw keys with -M,
# as SEC1 PEM; its server requires a client key.
case_petrel_client_coap_server() {
	begin_case "petrel-client/coap-server-gnutls raw public keys both ways"
	local sout=$T/coap.server cout=$T/coap.client port attempt started=0
	openssl ec -in "$T/server-key.pem" -out "$T/server-sec1.pem" >/dev/null 2>&1
	for attempt in 1 2 3; do
		port=$(free_port)
		# coaps is served on port + 1.
		: >"$sout"
		timeout 40 coap-server-gnutls -A 127.0.0.1 -p "$port" -M "$T/server-sec1.pem" -v 6 >"$sout" 2>&1 &
		track $!
		sleep 0.5
		if kill -0 "$!" 2>/dev/null; then
			started=1
			break
		fi
		stop_all
	done
	if [ "$started" != 1 ]; then
		fail "coap-server-gnutls did not start"
		end_case "$sout"
		return
	fi
	printf 'x' | timeout 20 "$PETREL" client --rpk --key "$T/client-key.pem" --pin-spki-sha256 "$SERVER_PIN" \
		--once --timeout-ms 1000 127.0.0.1 $((port + 1)) >"$cout" 2>&1
	expect_line "$cout" '^petrel client: connected, TLS_ECDHE_ECDSA' "handshake with libcoap completed"
	expect_line "$sout" 'presented by client' "libcoap got Petrel's raw client key"
	end_case "$sout" "$cout"
}

case_coap_client_petrel_server() {
	begin_case "coap-client-gnutls/petrel-server raw public keys both ways"
	local sout=$T/coapc.server cout=$T/coapc.client
	openssl ec -in "$T/client-key.pem" -out "$T/client-sec1.pem" >/dev/null 2>&1
	if ! start_petrel_verbose_server "$sout" --rpk --key "$T/server-key.pem" --pin-spki-sha256 "$CLIENT_PIN"; then
		fail "petrel server did not start"
		end_case "$sout"
		return
	fi
	timeout 20 coap-client-gnutls -B 3 -M "$T/client-sec1.pem" "coaps://127.0.0.1:$PORT/hello" >"$cout" 2>&1
	expect_line "$sout" ': established, TLS_ECDHE_ECDSA' "handshake with libcoap completed"
	expect_line "$sout" 'peer key +raw public key \(RFC 7250\)' "Petrel authenticated libcoap's raw key"
	end_case "$sout" "$cout"
}

case_petrel_client_gnutls
case_gnutls_client_petrel
case_gnutls_client_key_petrel
if command -v coap-server-gnutls >/dev/null 2>&1 && command -v coap-client-gnutls >/dev/null 2>&1; then
	case_petrel_client_coap_server
	case_coap_client_petrel_server
else
	echo "SKIP: libcoap cases (coap-client-gnutls/coap-server-gnutls not installed)"
fi
finish
