# dtls13/ build fragment (see top-level Makefile.am): DTLS 1.3 (RFC 9147)
# building blocks, not yet wired into the engine.
libpetrel_core_la_SOURCES += dtls13/record13.c dtls13/record13.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_record_test.c
endif
