# record/ build fragment (see top-level Makefile.am)
libpetrel_core_la_SOURCES += record/record.h record/record_layer.h record/internal.h \
	record/header.c record/replay.c record/replay.h record/protect.c record/protect.h \
	record/layer.c record/write.c record/read.c

if HAVE_CRITERION
tests_unit_SOURCES += tests/simnet.c tests/simnet.h \
	tests/record_simnet_test.c tests/record_header_test.c tests/record_plain_test.c tests/record_aead_test.c \
	tests/record_vectors_test.c
endif
# RFC 9146 tls12_cid records (helper "dtls13")
libpetrel_core_la_SOURCES += record/cid.c record/cid.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/record_cid_test.c tests/record_cid_vectors_test.c
endif
# DTLS 1.3 unified header and first-byte dispatch (helper "dtls13")
libpetrel_core_la_SOURCES += record/header13.c record/header13.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/record_header13_test.c
endif
