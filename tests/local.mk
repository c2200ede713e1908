# tests/ extra programs and scripts (see top-level Makefile.am)
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_harness.c tests/dtls_harness.h tests/dtls_handshake_test.c \
	tests/dtls_endpoint_test.c tests/dtls_mtu_test.c
endif
