# fuzz/ build fragment (see top-level Makefile.am)
#
# `make fuzz` builds every fuzz/NAME_fuzz.c into fuzz/NAME (in the build
# directory) with clang and libFuzzer, compiling the library's C sources
# straight in, so any engineer adds a target by dropping in a new
# fuzz/*_fuzz.c (and, optionally, a seed corpus under fuzz/corpus/NAME/).
# `make fuzz-smoke` runs each built target over its seed corpus and then
# fuzzes for FUZZ_SECONDS seconds; any finding fails the target.
# Both skip with a message when clang is missing. `make clean-fuzz` removes
# the binaries and the scratch corpus.
FUZZ_CC = clang
FUZZ_SECONDS = 30
FUZZ_FLAGS = -g -O1 -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
EXTRA_DIST += fuzz/x509_fuzz.c fuzz/dtls_messages_fuzz.c fuzz/record_fuzz.c \
	fuzz/reassembly_fuzz.c fuzz/der_fuzz.c fuzz/handshake_client_fuzz.c \
	fuzz/handshake_server_fuzz.c fuzz/handshake_peer.h fuzz/make-seeds.py fuzz/corpus

fuzz:
	@if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		echo "fuzz: $(FUZZ_CC) not found, skipping fuzz targets"; exit 0; fi; \
	set -e; $(MKDIR_P) fuzz; \
	lib_srcs=''; \
	for s in $(libpetrel_core_la_SOURCES); do \
		case $$s in *.c) lib_srcs="$$lib_srcs $(srcdir)/$$s";; esac; \
	done; \
	extra_libs=''; \
	for l in $(libpetrel_core_la_LIBADD); do \
		case $$l in -l*|-L*|-pthread) extra_libs="$$extra_libs $$l";; esac; \
	done; \
	for t in $(srcdir)/fuzz/*_fuzz.c; do \
		[ -f "$$t" ] || continue; \
		name=`basename $$t _fuzz.c`; \
		echo "  FUZZ     fuzz/$$name"; \
		$(FUZZ_CC) $(FUZZ_FLAGS) $(DEFS) -I$(top_srcdir) -I$(top_srcdir)/include \
			$(SODIUM_CFLAGS) $(NETTLE_CFLAGS) -o fuzz/$$name $$t $$lib_srcs \
			$(SODIUM_LIBS) $(NETTLE_LIBS) $$extra_libs; \
	done

fuzz-smoke: fuzz
	@if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		echo "fuzz-smoke: $(FUZZ_CC) not found, skipping"; exit 0; fi; \
	set -e; \
	for t in $(srcdir)/fuzz/*_fuzz.c; do \
		[ -f "$$t" ] || continue; \
		name=`basename $$t _fuzz.c`; \
		seeds=$(srcdir)/fuzz/corpus/$$name; \
		work=fuzz/corpus-work/$$name; \
		$(MKDIR_P) $$work; \
		if [ -d $$seeds ]; then \
			echo "  SEEDS    fuzz/$$name over $$seeds"; \
			./fuzz/$$name -runs=0 -artifact_prefix=fuzz/$$name- $$seeds; \
		else seeds=''; fi; \
		echo "  FUZZ     fuzz/$$name for $(FUZZ_SECONDS)s"; \
		./fuzz/$$name -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=fuzz/$$name- \
			$$work $$seeds; \
	done

# Not hooked into clean-local (another fragment may own that hook).
clean-fuzz:
	-rm -rf fuzz/corpus-work
	-for t in $(srcdir)/fuzz/*_fuzz.c; do rm -f fuzz/`basename $$t _fuzz.c`; done

.PHONY: fuzz fuzz-smoke clean-fuzz
# RFC 9146 tls12_cid records through the reader (seeds: fuzz/corpus/record_cid/).
EXTRA_DIST += fuzz/record_cid_fuzz.c
# Shared body of record_fuzz.c and record_cid_fuzz.c.
EXTRA_DIST += fuzz/record_fuzz_common.h
# ClientHellos assembled before the cookie (issue #20 item 4, helper "bigch")
EXTRA_DIST += fuzz/first_hello_fuzz.c
# DTLS 1.3 pieces (issue #20 "Robustness", helper "ver"): the unified header,
# record protection with fixed keys, the ACK, the message codecs and the
# server fed one ClientHello. Seeds: fuzz/make-seeds13.py.
EXTRA_DIST += fuzz/header13_fuzz.c fuzz/record13_fuzz.c fuzz/ack_fuzz.c fuzz/msg13_fuzz.c \
	fuzz/server13_fuzz.c fuzz/make-seeds13.py
# The DTLS 1.3 front door: stateless HelloRetryRequest and partial hellos
# at an endpoint (issue #20 items 1 and 4, helper "front13").
EXTRA_DIST += fuzz/front13_fuzz.c
# DTLS 1.3 Connection IDs: the extension both ways, NewConnectionId /
# RequestConnectionId, the unified header's CID check (helper "cid13").
EXTRA_DIST += fuzz/cid13_fuzz.c
# The DTLS 1.3 client fed a hostile server's messages, ServerHello through
# Finished and after (issue #20 "Robustness", helper "sm13"). Seeds:
# fuzz/make-seeds13.py.
EXTRA_DIST += fuzz/client13_fuzz.c
# CHECK and the entry point declared, shared by the fuzz targets (helper "dedup")
EXTRA_DIST += fuzz/fuzz_check.h
EXTRA_DIST += fuzz/fuzz_ident.h
EXTRA_DIST += fuzz/hs13_check.h
# A DTLS 1.3 session after its handshake fed a hostile peer's KeyUpdates,
# NewConnectionId / RequestConnectionId, ACKs, alerts (helper "rcidtest").
# Seeds: fuzz/make-seeds13.py.
EXTRA_DIST += fuzz/post13_fuzz.c
