#!/usr/bin/env bash
# DTLS-SRTP (RFC 5764) with the petrel command against OpenSSL and GnuTLS,
# both roles: the negotiated profile on both sides, and the SRTP keying
# material (exporter "EXTRACTOR-dtls_srtp", RFC 5764 4.2) Petrel prints
# with --verbose equal to what the other side exports.
. "$(dirname "$0")/common.sh"
need openssl
PETREL=${PETREL_TOOL:-./tools/petrel}
[ -x "$PETREL" ] || skip "$PETREL not built"
make_certs

REPLY=hello-srtp-peer

# The hex after "srtp keying" in the petrel command's --verbose report.
petrel_keying() {
	sed -n 's/^ *srtp keying *\([0-9A-F]*\) .*/\1/p' "$1" | head -1
}
upper() {
	tr 'a-f' 'A-F'
}

# Petrel client, openssl s_server: profile and 60 bytes of keying material.
case_petrel_client_openssl() {
	begin_case "petrel-client/openssl-server SRTP_AES128_CM_SHA1_80"
	local sout=$T/c-ossl.server cout=$T/c-ossl.client fifo=$T/c-ossl.in
	if ! start_openssl_server "$sout" "$fifo" -naccept 1 \
		-cert "$T/ec-cert.pem" -key "$T/ec-key.pem" -use_srtp SRTP_AES128_CM_SHA1_80 \
		-keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 60; then
		fail "openssl s_server did not start"
		end_case "$sout"
		return
	fi
	: >"$cout"
	echo "$CLIENT_MSG" | timeout 30 "$PETREL" client --insecure --once --verbose \
		--srtp SRTP_AEAD_AES_128_GCM,SRTP_AES128_CM_HMAC_SHA1_80 127.0.0.1 "$PORT" >"$cout" 2>&1 &
	local cpid=$!
	track $cpid
	wait_for "$sout" "^$CLIENT_MSG\$" 20 && echo "$REPLY" >&3
	wait "$cpid"
	local status=$?
	exec 3>&-
	expect_status "$status" 0 "petrel client"
	expect_line "$cout" '^ *srtp profile +SRTP_AES128_CM_HMAC_SHA1_80$' "Petrel's profile"
	expect_line "$sout" 'SRTP Extension negotiated, profile=SRTP_AES128_CM_SHA1_80' "OpenSSL's profile"
	local ours theirs
	ours=$(petrel_keying "$cout")
	theirs=$(sed -n 's/^ *Keying material: *\([0-9A-F]*\).*/\1/p' "$sout" | head -1)
	[ ${#ours} = 120 ] || fail "Petrel printed ${#ours} hex digits of keying material, expected 120"
	[ -n "$ours" ] && [ "$ours" = "$theirs" ] || fail "keying material differs: petrel '$ours' openssl '$theirs'"
	expect_line "$cout" "^$REPLY\$" "OpenSSL's reply reached Petrel"
	end_case "$sout" "$cout"
}

# openssl s_client, Petrel server preferring AEAD_AES_128_GCM (56 bytes).
case_openssl_client_petrel() {
	begin_case "openssl-client/petrel-server SRTP_AEAD_AES_128_GCM"
	local sout=$T/s-ossl.server cout=$T/s-ossl.client
	if ! start_petrel_verbose_server "$sout" --srtp SRTP_AEAD_AES_128_GCM,SRTP_AES128_CM_HMAC_SHA1_80; then
		fail "petrel server did not start"
		end_case "$sout"
		return
	fi
	(echo "$CLIENT_MSG"; sleep 3) | timeout 20 openssl s_client -dtls1_2 -connect "127.0.0.1:$PORT" \
		-use_srtp SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM \
		-keymatexport EXTRACTOR-dtls_srtp -keymatexportlen 56 >"$cout" 2>&1
	expect_line "$cout" 'SRTP Extension negotiated, profile=SRTP_AEAD_AES_128_GCM' "OpenSSL's profile"
	expect_line "$sout" '^ *srtp profile +SRTP_AEAD_AES_128_GCM$' "Petrel's profile (server preference)"
	local ours theirs
	ours=$(petrel_keying "$sout")
	theirs=$(sed -n 's/^ *Keying material: *\([0-9A-F]*\).*/\1/p' "$cout" | head -1)
	[ ${#ours} = 112 ] || fail "Petrel printed ${#ours} hex digits of keying material, expected 112"
	[ -n "$ours" ] && [ "$ours" = "$theirs" ] || fail "keying material differs: petrel '$ours' openssl '$theirs'"
	expect_line "$cout" "^$CLIENT_MSG\$" "Petrel echoed OpenSSL's message"
	end_case "$sout" "$cout"
}

# gnutls-cli, Petrel server: 60 bytes as gnutls-cli --keymatexport prints.
case_gnutls_client_petrel() {
	begin_case "gnutls-client/petrel-server SRTP_AES128_CM_HMAC_SHA1_32"
	local sout=$T/s-gnutls.server cout=$T/s-gnutls.client
	if ! start_petrel_verbose_server "$sout" --srtp SRTP_AES128_CM_HMAC_SHA1_32,SRTP_AES128_CM_HMAC_SHA1_80; then
		fail "petrel server did not start"
		end_case "$sout"
		return
	fi
	(echo "$CLIENT_MSG"; sleep 3) | timeout 20 gnutls-cli --udp --insecure -p "$PORT" \
		--srtp-profiles=SRTP_AES128_CM_HMAC_SHA1_80:SRTP_AES128_CM_HMAC_SHA1_32 \
		--keymatexport=EXTRACTOR-dtls_srtp --keymatexportsize=60 127.0.0.1 >"$cout" 2>&1
	expect_line "$cout" '^- SRTP profile: SRTP_AES128_CM_HMAC_SHA1_32$' "GnuTLS's profile"
	expect_line "$sout" '^ *srtp profile +SRTP_AES128_CM_HMAC_SHA1_32$' "Petrel's profile (server preference)"
	local ours theirs
	ours=$(petrel_keying "$sout")
	theirs=$(sed -n 's/^- Key material: *\([0-9a-fA-F]*\).*/\1/p' "$cout" | head -1 | upper)
	[ ${#ours} = 120 ] || fail "Petrel printed ${#ours} hex digits of keying material, expected 120"
	[ -n "$ours" ] && [ "$ours" = "$theirs" ] || fail "keying material differs: petrel '$ours' gnutls '$theirs'"
	end_case "$sout" "$cout"
}

# Petrel client with an MKI, gnutls-serv: GnuTLS echoes the MKI (RFC 5764
# 4.1.1); gnutls-serv prints no keying material, so the check is the
# profile, the MKI and the echoed message (which needs the same keys).
case_petrel_client_gnutls() {
	begin_case "petrel-client/gnutls-server SRTP_AES128_CM_HMAC_SHA1_80 with MKI"
	local sout=$T/c-gnutls.server cout=$T/c-gnutls.client
	if ! start_gnutls_server "$sout" --x509certfile "$T/ec-cert.pem" \
		--x509keyfile "$T/ec-key.pem" --srtp-profiles=SRTP_AES128_CM_HMAC_SHA1_80; then
		fail "gnutls-serv did not start"
		end_case "$sout"
		return
	fi
	echo "$CLIENT_MSG" | timeout 30 "$PETREL" client --insecure --once --verbose --srtp-mki 0a0b0c \
		--srtp SRTP_AES128_CM_HMAC_SHA1_32,SRTP_AES128_CM_HMAC_SHA1_80 127.0.0.1 "$PORT" >"$cout" 2>&1
	expect_status "$?" 0 "petrel client"
	expect_line "$cout" '^ *srtp profile +SRTP_AES128_CM_HMAC_SHA1_80$' "Petrel's profile"
	expect_line "$cout" '^ *srtp mki +0A0B0C$' "GnuTLS echoed the MKI"
	expect_line "$cout" "^$CLIENT_MSG\$" "GnuTLS echoed Petrel's message"
	local ours
	ours=$(petrel_keying "$cout")
	[ ${#ours} = 120 ] || fail "Petrel printed ${#ours} hex digits of keying material, expected 120"
	end_case "$sout" "$cout"
}

# Profiles in common with none: the server leaves use_srtp out and the
# DTLS session goes on without SRTP (RFC 5764 4.1.1).
case_no_common_profile() {
	begin_case "openssl-client/petrel-server no common profile"
	local sout=$T/s-none.server cout=$T/s-none.client
	if ! start_petrel_verbose_server "$sout" --srtp SRTP_AEAD_AES_256_GCM; then
		fail "petrel server did not start"
		end_case "$sout"
		return
	fi
	(echo "$CLIENT_MSG"; sleep 3) | timeout 20 openssl s_client -dtls1_2 -connect "127.0.0.1:$PORT" \
		-use_srtp SRTP_AES128_CM_SHA1_80 >"$cout" 2>&1
	expect_line "$cout" "^$CLIENT_MSG\$" "the session works without SRTP"
	expect_count "$cout" 'SRTP Extension negotiated' 0 "no SRTP profile at OpenSSL"
	expect_count "$sout" 'srtp profile' 0 "no SRTP profile at Petrel"
	end_case "$sout" "$cout"
}

case_petrel_client_openssl
case_openssl_client_petrel
case_no_common_profile
if command -v gnutls-cli >/dev/null 2>&1 && command -v gnutls-serv >/dev/null 2>&1; then
	case_gnutls_client_petrel
	case_petrel_client_gnutls
else
	echo "SKIP: GnuTLS cases (gnutls-cli/gnutls-serv not installed)"
fi
finish
