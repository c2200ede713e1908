# tests/ extra programs and scripts (see top-level Makefile.am)
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_harness.c tests/dtls_harness.h tests/dtls_handshake_test.c \
	tests/dtls_endpoint_test.c tests/dtls_mtu_test.c tests/dtls_loss_test.c tests/dtls_idle_test.c tests/dtls_probe_test.c
tests_unit_SOURCES += tests/dtls_policy_test.c tests/dtls_p384_test.c tests/dtls_psk_test.c
endif
# Real kernel path MTU through network namespaces (root; skips otherwise).
check_PROGRAMS += tests/netns_peer
tests_netns_peer_SOURCES = tests/netns_peer.c
tests_netns_peer_LDADD = libpetrel.la
TESTS += tests/netns_mtu.sh
EXTRA_DIST += tests/netns_mtu.sh

# Test vectors: copied from ../shared/vectors (recorded DTLS sessions and the
# Wycheproof files the crypto tests use, with its LICENSE) so a clean clone
# tests without the shared folder.
EXTRA_DIST += tests/vectors
# make install into a staging root, then pkg-config and link against it.
TESTS += tests/install_test.sh
EXTRA_DIST += tests/install_test.sh
# SDP fingerprint lines and pinning by them (RFC 8122, issue #21 item 2).
if HAVE_CRITERION
tests_unit_SOURCES += tests/x509_fingerprint_sdp_test.c
endif
# DTLS-SRTP (RFC 5764) and raw public keys (RFC 7250) (helper "webrtc").
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_srtp_test.c tests/dtls_rpk_test.c
endif
