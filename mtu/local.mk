# mtu/ build fragment (see top-level Makefile.am)
libpetrel_core_la_SOURCES += mtu/mtu.h mtu/mtu.c mtu/pmtud.h mtu/pmtud.c

if HAVE_CRITERION
tests_unit_SOURCES += tests/mtu_sizes_test.c
endif
