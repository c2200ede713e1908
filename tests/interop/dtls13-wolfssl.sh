#!/usr/bin/env bash
# DTLS 1.3 (RFC 9147) against the wolfSSL 5.5.4 examples (scripts/build-peers)
# over UDP on 127.0.0.1, through relay-rebind.py, which prints each hello's
# supported_versions.
#
# While Petrel speaks only DTLS 1.2 (`petrel info` does not mention DTLS 1.3):
#   a 1.3-only wolfSSL client fails cleanly against a Petrel server, which
#   then still serves a DTLS 1.2 wolfSSL client; a Petrel client fails cleanly
#   (exit 1, protocol_version) against a 1.3-only wolfSSL server.
# Once `petrel info` mentions DTLS 1.3: wolfSSL client -v 4 -> Petrel server
# (certificate, HelloRetryRequest for an empty key_share, PSK, KeyUpdate,
# ticket resumption with -r);
# Petrel client (--max-version 1.3) -> wolfSSL server -v 4 (with its default
# cookie HRR); and the Petrel client (--max-version 1.3) falling back to 1.2
# against a wolfSSL 1.2 server.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl python3
need_wolfssl
make_certs
CERT=(--cert "$T/ec-cert.pem" --key "$T/ec-key.pem")
if ! "$PETREL" info 2>/dev/null | grep -q 'DTLS 1\.3'; then
	begin_case "petrel-server (DTLS 1.2 only) refuses a DTLS 1.3-only wolfSSL client, then serves DTLS 1.2"
	if relayed_wolf_to_petrel v13-refused "${CERT[@]}" -- -u -v 4 -A "$T/ec-cert.pem" -x -Y; then
		expect_status "$CLIENT_RC" 1 "wolfSSL client (no common version)"
		expect_line "$ROUT" '^c2s .*hello versions=fefc$' "wolfSSL offered DTLS 1.3 only"
		timeout 30 "$WOLFSSL_CLIENT" -p "$PORT" -u -v 3 -A "$T/ec-cert.pem" -x >"$COUT.2" 2>&1
		expect_status $? 0 "wolfSSL DTLS 1.2 client afterwards"
		expect_line "$COUT.2" '^SSL version is DTLSv1.2$' "DTLS 1.2 afterwards"
		expect_line "$COUT.2" '^hello wolfssl!$' "Petrel's echo"
	fi
	end_case "$COUT" "$ROUT" "$SOUT" "$COUT.2"

	begin_case "petrel-client (DTLS 1.2 only) against a DTLS 1.3-only wolfSSL server fails cleanly"
	# wolfSSL's alert is epoch 0, which anyone could forge: Petrel reports
	# it at its handshake timeout (RFC 6347 4.1.2.7), kept short here.
	if relayed_petrel_to_wolf v13-only hello-from-petrel --ca "$T/ec-cert.pem" --sni localhost \
		--timeout-ms 3000 -- \
		-u -v 4 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d -T; then
		expect_status "$CLIENT_RC" 1 "petrel client"
		expect_line "$COUT" 'protocol_version' "wolfSSL's protocol_version alert reported"
	fi
	end_case "$COUT" "$ROUT" "$SOUT"
	finish
fi

# ---- DTLS 1.3 cases (Petrel says it speaks DTLS 1.3) ----
# check_wolf_client FILE: the wolfSSL client's output after a 1.3 handshake and an echo.
check_wolf13() {
	expect_status "$CLIENT_RC" 0 "wolfSSL client"
	expect_line "$COUT" '^SSL version is DTLSv1.3$' "DTLS 1.3"
	expect_line "$COUT" '^hello wolfssl!$' "Petrel's echo reached wolfSSL"
	expect_line "$ROUT" '^s2c .*hello.* versions=fefc' "Petrel's ServerHello selected DTLS 1.3"
	expect_line "$ROUT" '^c2s .*rec=u/e3' "application data in epoch 3 (unified header)"
}

begin_case "petrel-server/wolfssl-client dtls13 ecdsa x25519"
relayed_wolf_to_petrel cert "${CERT[@]}" -- -u -v 4 -A "$T/ec-cert.pem" -x -t && check_wolf13
end_case "$COUT" "$ROUT" "$SOUT"

begin_case "petrel-server/wolfssl-client dtls13 hrr (empty key_share)"
relayed_wolf_to_petrel hrr "${CERT[@]}" -- -u -v 4 -A "$T/ec-cert.pem" -x -J && check_wolf13
end_case "$COUT" "$ROUT" "$SOUT"

# wolfSSL's TLS 1.3 PSK callbacks (wolfssl/test.h my_psk_client_cs_cb) send
# the identity "Client_identity" + the suite's hash name, with a 32-byte key
# 01 23 45 ... ef repeated, not the 1.2 examples' "Client_identity":1a2b3c4d.
WOLFSSL_PSK13=Client_identitySHA256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
begin_case "petrel-server/wolfssl-client dtls13 psk"
relayed_wolf_to_petrel psk --psk "$WOLFSSL_PSK13" -- -u -v 4 -s && check_wolf13
end_case "$COUT" "$ROUT" "$SOUT"

begin_case "petrel-server/wolfssl-client dtls13 key update"
relayed_wolf_to_petrel keyupdate "${CERT[@]}" -- -u -v 4 -A "$T/ec-cert.pem" -x -Y -I && check_wolf13
end_case "$COUT" "$ROUT" "$SOUT"

# Resumption (RFC 8446 2.2, 4.6.1): wolfSSL's -r connects, keeps Petrel's
# NewSessionTicket, and connects again offering it (psk_dhe_ke); both ends
# say the second session was resumed. wolfSSL 5.5.4 derives the ticket's
# PSK with the "tls13 " label prefix instead of RFC 9147 5.9's "dtls13";
# the Petrel server accepts either (dtls13/ticket13.h).
begin_case "petrel-server/wolfssl-client dtls13 ticket resumption"
if relayed_wolf_to_petrel resume "${CERT[@]}" --verbose -- -u -v 4 -A "$T/ec-cert.pem" -x -t -r; then
	check_wolf13
	expect_line "$COUT" '^Session Ticket CB: ticketSz = [0-9]*, ctx = initial session' "wolfSSL kept Petrel's ticket"
	expect_line "$COUT" '^reused session id' "wolfSSL: the second session was resumed"
	expect_line "$SOUT" 'resumed: yes' "Petrel server: resumed"
	expect_line "$SOUT" 'resumed: no' "Petrel server: the first handshake was a full one"
fi
end_case "$COUT" "$ROUT" "$SOUT"

# A Petrel client offers DTLS 1.3 only when allowed (--max-version 1.3): its
# default stays 1.2 while 1.3 lacks 1.2 features other tests rely on
# (renegotiation, SRTP, tickets, heartbeats, CIDs).
PETREL13=()
if "$PETREL" --help 2>&1 | grep -q -- '--max-version'; then
	PETREL13=(--max-version 1.3)
fi
if [ ${#PETREL13[@]} -eq 0 ]; then
	echo "SKIP: petrel-client/wolfssl-server dtls13 (the CLI has no --max-version yet)"
else
begin_case "petrel-client/wolfssl-server dtls13 (cookie HRR)"
if relayed_petrel_to_wolf c13 hello-from-petrel "${PETREL13[@]}" --ca "$T/ec-cert.pem" --sni localhost -- \
	-u -v 4 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d -T; then
	expect_status "$CLIENT_RC" 0 "petrel client"
	expect_line "$COUT" '^I hear you fa shizzle!$' "wolfSSL's reply reached Petrel"
	expect_line "$SOUT" '^SSL version is DTLSv1.3$' "DTLS 1.3"
	expect_line "$SOUT" '^Client message: hello-from-petrel' "Petrel's text reached wolfSSL"
fi
end_case "$COUT" "$ROUT" "$SOUT"
fi

# -T (no NewSessionTicket), as in the peers README's checked lines: with a
# ticket, wolfSSL 5.5.4's example server may take our ACK of it for its
# SSL_read and answer without printing our message. Petrel client ->
# wolfSSL 5.5.4 server resumption is not run: that server checks our
# binder with its "tls13 " ticket PSK and aborts (decrypt_error); a
# Petrel client derives the PSK as RFC 9147 5.9 says.
# ChaCha20: wolfSSL reads the record-number mask counter big-endian; the
# Petrel client learns the order from the server's first protected record.
if [ ${#PETREL13[@]} -gt 0 ]; then
begin_case "petrel-client/wolfssl-server dtls13 chacha20 (big-endian mask counter)"
if relayed_petrel_to_wolf c13chacha hello-from-petrel "${PETREL13[@]}" --ca "$T/ec-cert.pem" --sni localhost -- \
	-u -v 4 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d -T -l TLS13-CHACHA20-POLY1305-SHA256; then
	expect_status "$CLIENT_RC" 0 "petrel client"
	expect_line "$COUT" '^I hear you fa shizzle!$' "wolfSSL's reply reached Petrel"
	expect_line "$SOUT" '^SSL cipher suite is TLS_CHACHA20_POLY1305_SHA256$' "ChaCha20"
	expect_line "$SOUT" '^Client message: hello-from-petrel' "Petrel's text reached wolfSSL"
fi
end_case "$COUT" "$ROUT" "$SOUT"
fi

# The 1.3 CCM suites (RFC 8446 B.4; CCM-8 for constrained devices) chosen
# by --ciphers on the Petrel side and -l on wolfSSL's, both roles. A list
# of 1.3 names only makes the Petrel client a 1.3-only one.
if "$PETREL" info 2>/dev/null | grep -q 'TLS_AES_128_CCM_SHA256'; then
for pair in TLS_AES_128_CCM_SHA256:TLS13-AES128-CCM-SHA256 \
	    TLS_AES_128_CCM_8_SHA256:TLS13-AES128-CCM-8-SHA256; do
	iana=${pair%%:*} wolf=${pair#*:}
	begin_case "petrel-server/wolfssl-client dtls13 $iana"
	if wolf_to_petrel "s-$iana" "${CERT[@]}" --ciphers "$iana" -- \
		-u -v 4 -A "$T/ec-cert.pem" -x -l "$wolf"; then
		check_wolf13
		expect_line "$COUT" "^SSL cipher suite is $iana\$" "$iana"
	fi
	end_case "$COUT" "$ROUT" "$SOUT"

	begin_case "petrel-client/wolfssl-server dtls13 $iana"
	if petrel_to_wolf "c-$iana" hello-from-petrel --ciphers "$iana" --ca "$T/ec-cert.pem" \
		--sni localhost -- -u -v 4 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d -T -l "$wolf"; then
		expect_status "$CLIENT_RC" 0 "petrel client"
		expect_line "$ROUT" '^c2s .*hello versions=fefc$' "Petrel offered DTLS 1.3 only"
		expect_line "$COUT" '^I hear you fa shizzle!$' "wolfSSL's reply reached Petrel"
		expect_line "$SOUT" '^SSL version is DTLSv1.3$' "DTLS 1.3"
		expect_line "$SOUT" "^SSL cipher suite is $iana\$" "$iana"
		expect_line "$SOUT" '^Client message: hello-from-petrel' "Petrel's text reached wolfSSL"
	fi
	end_case "$COUT" "$ROUT" "$SOUT"
done
fi

# The fallback: a ClientHello offering 1.3 and 1.2 (with what a 1.2 server
# needs), answered by the cookie exchange and a 1.2 ServerHello, continued
# by the 1.2 client (RFC 8446 4.1.3 sentinels checked).
if [ ${#PETREL13[@]} -eq 0 ]; then
	echo "SKIP: petrel-client/wolfssl-server falls back to dtls12 (the CLI has no --max-version yet)"
else
begin_case "petrel-client/wolfssl-server falls back to dtls12"
if relayed_petrel_to_wolf c12 hello-from-petrel "${PETREL13[@]}" --ca "$T/ec-cert.pem" --sni localhost -- \
	-u -v 3 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d; then
	expect_status "$CLIENT_RC" 0 "petrel client"
	expect_line "$ROUT" '^c2s .*hello versions=fefc,fefd' "Petrel offered DTLS 1.3 and 1.2"
	expect_line "$SOUT" '^SSL version is DTLSv1.2$' "DTLS 1.2"
	expect_line "$COUT" '^I hear you fa shizzle!$' "wolfSSL's reply reached Petrel"
fi
end_case "$COUT" "$ROUT" "$SOUT"
fi
finish
