libpetrel_core_la_SOURCES += common/reader.c common/reader.h common/errors.c common/errors.h common/version.c common/hex.c common/hex.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/core_errors_test.c tests/core_reader_test.c
endif
