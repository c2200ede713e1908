# x509/ build fragment (see top-level Makefile.am)
libpetrel_core_la_SOURCES += x509/x509.h x509/x509_internal.h x509/der.h x509/der.c \
	x509/oid.h x509/oid.c x509/spki.c x509/sigalg.c x509/sigcheck.c x509/cert.c x509/pem.c \
	x509/name.c x509/file.c x509/store.c x509/verify.c x509/key.c x509/selfsign.c \
	x509/fingerprint.c
EXTRA_DIST += tests/fixtures/x509
if HAVE_CRITERION
tests_unit_SOURCES += tests/x509_testutil.h tests/x509_parse_test.c tests/x509_der_test.c \
	tests/x509_chain_test.c tests/x509_key_test.c tests/x509_selfsign_test.c
endif
if HAVE_CRITERION
tests_unit_SOURCES += tests/x509_limbo_test.c
endif
libpetrel_core_la_SOURCES += x509/constraints.c
