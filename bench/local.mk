# bench/ build fragment (see top-level Makefile.am)
# Should be EXTRA_PROGRAMS (built only by `make bench`), but Makefile.am
# sets `EXTRA_PROGRAMS =` after this file is included, which automake
# rejects; noinst_PROGRAMS until that line moves above the includes.
noinst_PROGRAMS += bench/record
BENCH_BINS += bench/record
bench_record_SOURCES = bench/record.c
bench_record_LDADD = libpetrel_core.la $(SODIUM_LIBS) $(NETTLE_LIBS)
