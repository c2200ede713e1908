# bench/ build fragment (see top-level Makefile.am). Everything here is an
# EXTRA_PROGRAM: built and run by `make bench` only, never by `make` or
# `make check`. OpenSSL and GnuTLS are optional comparison peers.
BENCH_PEER_CPPFLAGS =
BENCH_PEER_LIBS =
BENCH_PEER_SOURCES = bench/common.c bench/common.h bench/peer_petrel.c
if HAVE_OPENSSL
BENCH_PEER_CPPFLAGS += -DBENCH_HAVE_OPENSSL $(OPENSSL_CFLAGS)
BENCH_PEER_LIBS += $(OPENSSL_LIBS)
endif
if HAVE_GNUTLS
BENCH_PEER_CPPFLAGS += -DBENCH_HAVE_GNUTLS $(GNUTLS_CFLAGS)
BENCH_PEER_LIBS += $(GNUTLS_LIBS)
endif
# Both drivers are always listed; each compiles to nothing without its library.
BENCH_PEER_SOURCES += bench/peer_openssl.c bench/peer_gnutls.c
BENCH_LDADD = libpetrel_core.la $(BENCH_PEER_LIBS) $(SODIUM_LIBS) $(NETTLE_LIBS)

EXTRA_PROGRAMS += bench/record bench/handshake bench/memory bench/loss bench/lossproxy
BENCH_BINS += bench/record bench/handshake bench/memory bench/loss

bench_record_SOURCES = bench/record.c $(BENCH_PEER_SOURCES)
bench_record_CPPFLAGS = $(AM_CPPFLAGS) $(BENCH_PEER_CPPFLAGS)
bench_record_LDADD = $(BENCH_LDADD)

bench_handshake_SOURCES = bench/handshake.c $(BENCH_PEER_SOURCES)
bench_handshake_CPPFLAGS = $(AM_CPPFLAGS) $(BENCH_PEER_CPPFLAGS)
bench_handshake_LDADD = $(BENCH_LDADD)

bench_memory_SOURCES = bench/memory.c $(BENCH_PEER_SOURCES)
bench_memory_CPPFLAGS = $(AM_CPPFLAGS) $(BENCH_PEER_CPPFLAGS)
bench_memory_CFLAGS = $(AM_CFLAGS) -fno-builtin-malloc -fno-builtin-free
bench_memory_LDADD = $(BENCH_LDADD)

# bench/loss runs bench/lossproxy, so building it builds the proxy too.
bench_loss_SOURCES = bench/loss.c tests/simnet.c tests/dtls_harness.c $(BENCH_PEER_SOURCES)
bench_loss_CPPFLAGS = $(AM_CPPFLAGS) $(BENCH_PEER_CPPFLAGS)
bench_loss_LDADD = $(BENCH_LDADD)
bench_loss_DEPENDENCIES = libpetrel_core.la bench/lossproxy$(EXEEXT)

bench_lossproxy_SOURCES = bench/lossproxy.c

CLEANFILES += $(BENCH_BINS) bench/lossproxy$(EXEEXT)

# bench/endpoint (issue #19): N idle sessions on one endpoint vs none, same run.
EXTRA_PROGRAMS += bench/endpoint
BENCH_BINS += bench/endpoint
bench_endpoint_SOURCES = bench/endpoint.c $(BENCH_PEER_SOURCES)
bench_endpoint_CPPFLAGS = $(AM_CPPFLAGS) $(BENCH_PEER_CPPFLAGS)
bench_endpoint_LDADD = $(BENCH_LDADD)
# bench/tunnel runs the petrel command (and socat, when installed) as
# separate processes; building it builds the command too.
EXTRA_PROGRAMS += bench/tunnel
BENCH_BINS += bench/tunnel
bench_tunnel_SOURCES = bench/tunnel.c $(BENCH_PEER_SOURCES)
bench_tunnel_CPPFLAGS = $(AM_CPPFLAGS) $(BENCH_PEER_CPPFLAGS)
bench_tunnel_LDADD = $(BENCH_LDADD)
bench_tunnel_DEPENDENCIES = libpetrel_core.la tools/petrel$(EXEEXT)

# bench/workers (issue #19 item 4): petrel server --workers 2 vs 1, same run.
EXTRA_PROGRAMS += bench/workers
BENCH_BINS += bench/workers
bench_workers_SOURCES = bench/workers.c $(BENCH_PEER_SOURCES)
bench_workers_CPPFLAGS = $(AM_CPPFLAGS) $(BENCH_PEER_CPPFLAGS)
bench_workers_LDADD = $(BENCH_LDADD)
# The proxy's drop decisions, replayed by bench/loss on the simulated network (issue #20).
bench_lossproxy_SOURCES += bench/lossdrop.h
bench_loss_SOURCES += bench/lossdrop.h
