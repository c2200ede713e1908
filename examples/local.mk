# examples/ build fragment (see top-level Makefile.am): small programs on
# the public API only, built by make check so they cannot rot, and run by
# tests/examples.sh (and tests/coap_libcoap.sh against libcoap).
check_PROGRAMS += examples/coap_client examples/coap_server examples/srtp_peer \
	examples/many_peers examples/tunnel
examples_coap_client_SOURCES = examples/coap_client.c
examples_coap_client_LDADD = libpetrel.la
examples_coap_server_SOURCES = examples/coap_server.c
examples_coap_server_LDADD = libpetrel.la
examples_srtp_peer_SOURCES = examples/srtp_peer.c
examples_srtp_peer_LDADD = libpetrel.la
examples_many_peers_SOURCES = examples/many_peers.c
examples_many_peers_LDADD = libpetrel.la
examples_tunnel_SOURCES = examples/tunnel.c
examples_tunnel_LDADD = libpetrel.la

TESTS += tests/examples.sh tests/coap_libcoap.sh
EXTRA_DIST += tests/examples.sh tests/coap_libcoap.sh
