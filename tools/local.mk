bin_PROGRAMS += tools/petrel
tools_petrel_SOURCES = tools/petrel.c
tools_petrel_LDADD = libpetrel.la
