# Interop tests against real OpenSSL and GnuTLS peers over UDP on 127.0.0.1.
# The driver uses only the public API, so it links the shared library.
check_PROGRAMS += tests/interop/interop-peer
tests_interop_interop_peer_SOURCES = tests/interop/peer.c
tests_interop_interop_peer_LDADD = libpetrel.la
# Shell tests: real OpenSSL / GnuTLS peers over UDP on 127.0.0.1 (exit 77,
# SKIP, when the tools are missing).
INTEROP_TESTS = tests/interop/client-openssl.sh tests/interop/server-openssl.sh \
	tests/interop/client-gnutls.sh tests/interop/server-gnutls.sh tests/interop/loss.sh \
	tests/interop/renegotiation.sh
TESTS += $(INTEROP_TESTS)
EXTRA_DIST += $(INTEROP_TESTS) tests/interop/common.sh tests/interop/relay.py
INTEROP_TESTS += tests/interop/name-constraints.sh
# Every suite, group and signature algorithm the library lists, against OpenSSL.
INTEROP_TESTS += tests/interop/all-algorithms.sh
# Peers without extended master secret (GnuTLS %NO_SESSION_HASH).
INTEROP_TESTS += tests/interop/ems.sh
# Real mbedTLS 3.6 / wolfSSL 5.5.4 peers prepared by scripts/build-peers (skip
# when missing) against the petrel tool; relay-rebind.py changes its source
# port mid-session for the Connection ID tests.
INTEROP_TESTS += tests/interop/client-mbedtls.sh tests/interop/server-mbedtls.sh \
	tests/interop/client-wolfssl.sh tests/interop/server-wolfssl.sh
EXTRA_DIST += tests/interop/peers-common.sh tests/interop/relay-rebind.py
INTEROP_TESTS += tests/interop/cid-mbedtls.sh tests/interop/dtls13-wolfssl.sh
# DTLS-SRTP (RFC 5764) with the petrel command against OpenSSL and GnuTLS.
INTEROP_TESTS += tests/interop/srtp.sh
# Raw public keys (RFC 7250) with the petrel command against GnuTLS.
INTEROP_TESTS += tests/interop/rpk.sh
# petrel client --keepalive against gnutls-serv --heartbeat (answered,
# then killed) and openssl s_server (no heartbeats: no ping) (issue #21 item 7).
INTEROP_TESTS += tests/interop/keepalive.sh
# NAT rebinding over real UDP, petrel to petrel, with and without CIDs (RFC 9146).
INTEROP_TESTS += tests/interop/cid-rebind.sh
# The DTLS 1.3 stateless HelloRetryRequest with wolfSSL's client (issue #20
# item 1, helper "front13").
INTEROP_TESTS += tests/interop/front13-wolfssl.sh
# DTLS 1.3 PSK key exchange modes (--psk-ke) against wolfSSL 5.5.4 (helper "export13").
INTEROP_TESTS += tests/interop/export13-wolfssl.sh
# ext13: server_name in DTLS 1.3 against wolfSSL 5.5.4 (-S), both directions.
INTEROP_TESTS += tests/interop/dtls13-wolfssl-ext.sh
# probe13: path MTU probes (padded KeyUpdate) after a DTLS 1.3 handshake
# against wolfSSL 5.5.4's server, with a public-API driver.
check_PROGRAMS += tests/interop/probe13-client
tests_interop_probe13_client_SOURCES = tests/interop/probe13_client.c
tests_interop_probe13_client_LDADD = libpetrel.la
INTEROP_TESTS += tests/interop/probe13-wolfssl.sh
# rpk13: petrel --rpk against wolfSSL 5.5.4 on DTLS 1.3 (no RFC 7250 there: X.509 chosen).
INTEROP_TESTS += tests/interop/rpk13-wolfssl.sh
# ka13: petrel client --keepalive against wolfSSL 5.5.4's DTLS 1.3 server:
# the ClientHello with heartbeat accepted, the KeyUpdate pings acknowledged.
INTEROP_TESTS += tests/interop/ka13-wolfssl.sh
