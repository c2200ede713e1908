libpetrel_core_la_SOURCES += common/reader.c common/reader.h common/errors.c common/errors.h common/version.c common/hex.c common/hex.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/core_errors_test.c tests/core_reader_test.c
endif
# sni12fix: ASCII case folding for host names (resumption binding, RFC 4343)
libpetrel_core_la_SOURCES += common/name_fold.c common/name_fold.h
