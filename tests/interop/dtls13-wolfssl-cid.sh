#!/usr/bin/env bash
# DTLS 1.3 Connection IDs (RFC 9147 9) against the wolfSSL 5.5.4 examples
# (built with --enable-dtlscid, CIDs up to 8 bytes; scripts/build-peers)
# over UDP on 127.0.0.1 through relay-rebind.py, which shows each hello's
# connection_id extension and the C bit of each unified header.
#
# Cases:
#   petrel-server/wolfssl-client cid: petrel server --cid 8 <- wolfSSL client
#     --cid cli-cid1: both CIDs negotiated, both sides' protected records
#     carry the other's CID, Petrel reports both.
#   petrel-server/wolfssl-client cid-rebind: the same, the relay changing its
#     source port before the client's application data: Petrel follows the
#     CID to the new port (RFC 9146 6), one session, the echo comes back.
#   petrel-server --workers 2 ... cid-rebind: the same with two workers, the
#     reuseport program steering by the CID's worker byte.
#   petrel-client/wolfssl-server cid: petrel client --max-version 1.3 --cid 4
#     -> wolfSSL server --cid srv-cid1.
#   petrel-client/wolfssl-server cid-empty: petrel client --cid (asks for no
#     CID, RFC 9146 3): Petrel's records carry wolfSSL's CID, wolfSSL's none.
# Skips (77) when the wolfSSL peers or `petrel --max-version` are missing.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/peers-common.sh"
need openssl python3
need_wolfssl
"$PETREL" info 2>/dev/null | grep -q 'DTLS 1\.3' || skip "petrel does not speak DTLS 1.3"
"$PETREL" --help 2>&1 | grep -q -- '--max-version' || skip "petrel has no --max-version"
make_certs
CERT=(--cert "$T/ec-cert.pem" --key "$T/ec-key.pem")
# wolfSSL's CIDs as hex (what Petrel reports as the peer's).
WOLF_CLI_CID=636C692D63696431 # "cli-cid1"
WOLF_SRV_CID=7372762D63696431 # "srv-cid1"

# wolf_to_petrel NAME RELAY_ARGS... -- PETREL_SERVER_ARGS...: wolfSSL client
# --cid cli-cid1 through the relay to petrel server --cid 8; sets SOUT COUT
# ROUT and CLIENT_RC.
wolf_to_petrel() {
	local name=$1 rc
	shift
	RELAY_ARGS=()
	while [ "$1" != -- ]; do RELAY_ARGS+=("$1"); shift; done
	shift
	relayed_wolf_to_petrel "$name" --cid 8 --verbose "${CERT[@]}" "$@" -- \
		-u -v 4 -A "$T/ec-cert.pem" -x -Y --cid cli-cid1
	rc=$?
	RELAY_ARGS=()
	return $rc
}

check_wolf_client() {
	expect_status "$CLIENT_RC" 0 "wolfSSL client"
	expect_line "$COUT" '^SSL version is DTLSv1.3$' "DTLS 1.3"
	expect_line "$COUT" '^CID extension was negotiated' "wolfSSL: CID negotiated"
	expect_line "$COUT" '^hello wolfssl!$' "Petrel's echo reached wolfSSL"
	expect_line "$ROUT" '^c2s .*hello .*cid=636c692d63696431' "wolfSSL offered its CID"
	expect_line "$ROUT" '^s2c .*hello .*cid=[0-9a-f]{16}' "Petrel answered with an 8-byte CID"
	expect_line "$ROUT" '^c2s .*rec=u/e3\+cid' "wolfSSL's application data carries a CID"
	expect_line "$ROUT" '^s2c .*rec=u/e[23]\+cid' "Petrel's protected records carry a CID"
	expect_line "$SOUT" "connection id +ours [0-9A-F]{16} .*peer's $WOLF_CLI_CID" "Petrel reports both CIDs"
	expect_count "$SOUT" 'established, ' 1 "one session"
}

begin_case "petrel-server/wolfssl-client dtls13 cid"
wolf_to_petrel cid -- && check_wolf_client
end_case "$COUT" "$ROUT" "$SOUT"

begin_case "petrel-server/wolfssl-client dtls13 cid-rebind"
# The client's datagrams: ClientHello, ClientHello with the cookie, its
# Finished, then the application data (the 4th), sent from a new port.
if wolf_to_petrel rebind --rebind-after 4 --; then
	check_wolf_client
	expect_line "$ROUT" '^rebind ' "the relay rebound"
	new=$(sed -n 's/^rebind [0-9]* -> \([0-9]*\)$/\1/p' "$ROUT" | head -1)
	expect_line "$ROUT" "^s2c .*port=$new .*rec=u/e3\\+cid" "Petrel replied to the new port"
fi
end_case "$COUT" "$ROUT" "$SOUT"

# With two workers the CIDs name their worker and the reuseport program
# steers each datagram by it (doc/load-balancing.md): after the rebinding
# the new 4-tuple may hash to the other worker, the CID still reaches the
# session's.
begin_case "petrel-server --workers 2/wolfssl-client dtls13 cid-rebind"
if wolf_to_petrel workers --rebind-after 4 -- --workers 2; then
	check_wolf_client
	expect_line "$ROUT" '^rebind ' "the relay rebound"
	new=$(sed -n 's/^rebind [0-9]* -> \([0-9]*\)$/\1/p' "$ROUT" | head -1)
	expect_line "$ROUT" "^s2c .*port=$new .*rec=u/e3\\+cid" "Petrel replied to the new port"
fi
end_case "$COUT" "$ROUT" "$SOUT"

# petrel_to_wolf NAME PETREL_CID_ARGS... : petrel client -> relay -> wolfSSL
# server --cid srv-cid1.
petrel_to_wolf() {
	local name=$1
	shift
	relayed_petrel_to_wolf "$name" hello-from-petrel --max-version 1.3 "$@" --verbose \
		--ca "$T/ec-cert.pem" --sni localhost -- \
		-u -v 4 -c "$T/ec-cert.pem" -k "$T/ec-key.pem" -d -T --cid srv-cid1
}

check_petrel_client() {
	expect_status "$CLIENT_RC" 0 "petrel client"
	expect_line "$COUT" '^I hear you fa shizzle!$' "wolfSSL's reply reached Petrel"
	expect_line "$COUT" 'version +DTLS 1\.3' "DTLS 1.3"
	expect_line "$SOUT" '^CID extension was negotiated' "wolfSSL: CID negotiated"
	expect_line "$SOUT" '^Client message: hello-from-petrel' "Petrel's text reached wolfSSL"
	expect_line "$ROUT" "^s2c .*hello .*cid=7372762d63696431" "wolfSSL answered with its CID"
	expect_line "$ROUT" '^c2s .*rec=u/e3\+cid' "Petrel's application data carries wolfSSL's CID"
}

begin_case "petrel-client/wolfssl-server dtls13 cid"
if petrel_to_wolf c13cid --cid 4; then
	check_petrel_client
	expect_line "$COUT" "connection id +ours [0-9A-F]{8} .*peer's $WOLF_SRV_CID" "Petrel reports both CIDs"
	expect_line "$ROUT" '^s2c .*rec=u/e[23]\+cid' "wolfSSL's protected records carry Petrel's CID"
fi
end_case "$COUT" "$ROUT" "$SOUT"

begin_case "petrel-client/wolfssl-server dtls13 cid-empty"
if petrel_to_wolf c13empty --cid; then
	check_petrel_client
	expect_line "$ROUT" '^c2s .*hello .*cid=empty' "Petrel asked for no CID"
	expect_count "$ROUT" '^s2c .*\+cid' 0 "wolfSSL sent records without CID"
fi
end_case "$COUT" "$ROUT" "$SOUT"
finish
