# Hostile-input tests: state machine tables, floods and caps, soak.
if HAVE_CRITERION
tests_unit_SOURCES += tests/robust_regress_test.c tests/robust_pair.c tests/robust_pair.h \
	tests/dtls_state_machine_test.c tests/robust_alloc.c tests/robust_alloc.h tests/dtls_flood_test.c
endif
