#!/usr/bin/env bash
# Name constraints and extended key usage on intermediates, end to end:
# `openssl s_server -dtls1_2 -cert_chain` serves leaf + intermediate, the
# `petrel client` command checks the chain against the root (RFC 5280
# 4.2.1.10, 4.2.1.12). Certificates are made per run with `openssl`.
. "$(dirname "$0")/common.sh"
need openssl
PETREL=${PETREL:-./tools/petrel}
[ -x "$PETREL" ] || skip "$PETREL not built"

REPLY=hello-from-openssl

# mkcert NAME ISSUER EXTFILE_TEXT: key NAME-key.pem, certificate NAME.pem
# signed by ISSUER (ISSUER.pem / ISSUER-key.pem).
mkcert() {
	local name=$1 issuer=$2 ext=$3
	printf '%b' "$ext" >"$T/$name.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$name-key.pem" \
		-out "$T/$name.csr" -subj "/CN=$name" &&
		openssl x509 -req -in "$T/$name.csr" -CA "$T/$issuer.pem" -CAkey "$T/$issuer-key.pem" \
			-set_serial "$((SERIAL += 1))" -out "$T/$name.pem" -days 2 -extfile "$T/$name.ext"
}

SERIAL=1
CA_EXT='basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n'
leaf_ext() {
	printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' "$1"
}
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/root-key.pem" -out "$T/root.pem" -subj /CN=Petrel-NC-Root -days 2 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign &&
	# permits only good.com (and names below it), critical as RFC 5280 asks
	mkcert nc-int root "${CA_EXT}nameConstraints=critical,permitted;DNS:good.com\n" &&
	# the same constraint, non-critical: must not be ignored
	mkcert nc-noncrit-int root "${CA_EXT}nameConstraints=permitted;DNS:good.com\n" &&
	# an intermediate limited to client authentication
	mkcert client-int root "${CA_EXT}extendedKeyUsage=clientAuth\n" &&
	mkcert good nc-int "$(leaf_ext www.good.com)" &&
	mkcert bad nc-int "$(leaf_ext example.com)" &&
	mkcert bad-noncrit nc-noncrit-int "$(leaf_ext example.com)" &&
	mkcert server-under-client-ca client-int "$(leaf_ext localhost)"
} >/dev/null 2>&1 || skip "openssl cannot make the certificates"

# run_case NAME LEAF INTERMEDIATE SNI ok|REGEX: Petrel connects and gets
# OpenSSL's reply (ok), or fails the handshake with a line matching REGEX.
run_case() {
	local name=$1 leaf=$2 int=$3 sni=$4 want=$5
	begin_case "petrel-client/openssl-server $name"
	local sout=$T/$name.server cout=$T/$name.client fifo=$T/$name.in
	if ! start_openssl_server "$sout" "$fifo" -naccept 1 \
		-cert "$T/$leaf.pem" -key "$T/$leaf-key.pem" -cert_chain "$T/$int.pem"; then
		fail "openssl s_server did not start"
		end_case "$sout"
		return
	fi
	: >"$cout"
	# A refused certificate (epoch 0, so anyone could have sent it) is
	# reported at the handshake timeout: short when a refusal is expected.
	local limit_ms=10000
	[ "$want" = ok ] || limit_ms=3000
	echo "$CLIENT_MSG" | timeout 30 "$PETREL" client --ca "$T/root.pem" --sni "$sni" --once \
		--timeout-ms "$limit_ms" 127.0.0.1 "$PORT" >"$cout" 2>&1 &
	local cpid=$!
	track $cpid
	if [ "$want" = ok ]; then
		wait_for "$sout" "^$CLIENT_MSG\$" 20 && echo "$REPLY" >&3
	fi
	wait "$cpid"
	local status=$?
	exec 3>&-
	if [ "$want" = ok ]; then
		expect_status "$status" 0 "petrel client"
		expect_line "$cout" "^$REPLY\$" "OpenSSL's reply reached Petrel"
	else
		expect_status "$status" 1 "petrel client"
		expect_line "$cout" "$want" "Petrel's verdict"
	fi
	end_case "$sout" "$cout"
}

run_case nc-permitted good nc-int www.good.com ok
run_case nc-violated bad nc-int example.com 'handshake: PETREL_E_CERT_NAME_MISMATCH'
# RFC 5280 4.2.1.10: nameConstraints MUST be critical; Petrel refuses the
# CA rather than ignore its constraint.
run_case nc-noncritical bad-noncrit nc-noncrit-int example.com 'handshake: PETREL_E_(CERT_NAME_MISMATCH|BAD_CERTIFICATE)'
run_case eku-client-ca-vouches-server server-under-client-ca client-int localhost \
	'handshake: PETREL_E_CERT_KEY_USAGE'
finish
