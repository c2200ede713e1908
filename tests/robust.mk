# Hostile-input tests: state machine tables, floods and caps, soak.
if HAVE_CRITERION
tests_unit_SOURCES += tests/robust_regress_test.c tests/robust_pair.c tests/robust_pair.h \
	tests/dtls_state_machine_test.c tests/robust_alloc.c tests/robust_alloc.h tests/dtls_flood_test.c
endif

# `make soak`: SOAK_COUNT handshakes over the simulated network with seeded
# loss/duplication/reordering/MTU (tests/soak.c); not part of make check.
EXTRA_PROGRAMS += tests/soak
tests_soak_SOURCES = tests/soak.c tests/dtls_harness.c tests/dtls_harness.h tests/simnet.c \
	tests/simnet.h tests/robust_alloc.c tests/robust_alloc.h
tests_soak_LDADD = libpetrel_core.la $(SODIUM_LIBS) $(NETTLE_LIBS)
SOAK_COUNT = 10000

soak: tests/soak$(EXEEXT)
	./tests/soak$(EXEEXT) $(SOAK_COUNT)

.PHONY: soak
