# tests/ extra programs and scripts (see top-level Makefile.am)
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_harness.c tests/dtls_harness.h tests/dtls_handshake_test.c \
	tests/dtls_endpoint_test.c tests/dtls_mtu_test.c tests/dtls_loss_test.c tests/dtls_idle_test.c tests/dtls_probe_test.c
tests_unit_SOURCES += tests/dtls_policy_test.c tests/dtls_p384_test.c tests/dtls_psk_test.c tests/dtls_trust_file_test.c
# secure renegotiation (issue #21 item 9, helper "reneg")
tests_unit_SOURCES += tests/dtls_reneg_test.c
tests_unit_SOURCES += tests/dtls_attack_test.c tests/dtls_recv_timeout_test.c tests/dtls_packing_test.c
tests_unit_SOURCES += tests/dtls_ticket_test.c
# keepalive and dead-peer detection (issue #21 item 7, helper "keepalive")
tests_unit_SOURCES += tests/dtls_keepalive_test.c
# RFC 9146 Connection IDs on sessions and the endpoint (NAT rebinding).
tests_unit_SOURCES += tests/dtls_cid_test.c
tests_unit_SOURCES += tests/dtls_transcript_test.c
endif
# Real kernel path MTU through network namespaces (root; skips otherwise).
check_PROGRAMS += tests/netns_peer
tests_netns_peer_SOURCES = tests/netns_peer.c
tests_netns_peer_LDADD = libpetrel.la
TESTS += tests/netns_mtu.sh
EXTRA_DIST += tests/netns_mtu.sh
# Black hole without ICMP through namespaces (root; skips otherwise).
TESTS += tests/netns_blackhole.sh
EXTRA_DIST += tests/netns_blackhole.sh

# Test vectors: copied from ../shared/vectors (recorded DTLS sessions and the
# Wycheproof files the crypto tests use, with its LICENSE) so a clean clone
# tests without the shared folder.
EXTRA_DIST += tests/vectors
# make install into a staging root, then pkg-config and link against it.
TESTS += tests/install_test.sh
EXTRA_DIST += tests/install_test.sh
# SDP fingerprint lines and pinning by them (RFC 8122, issue #21 item 2).
if HAVE_CRITERION
tests_unit_SOURCES += tests/x509_fingerprint_sdp_test.c
endif
# petrel tunnel and petrel server --forward end to end, through a UDP echo.
check_PROGRAMS += tests/udp_echo
tests_udp_echo_SOURCES = tests/udp_echo.c
TESTS += tests/tunnel.sh
EXTRA_DIST += tests/tunnel.sh
# petrel client/tunnel --keepalive against a killed server (issue #21 item 7).
TESTS += tests/keepalive_cli.sh
EXTRA_DIST += tests/keepalive_cli.sh
# Leaks 1,234 and 4,321 bytes on purpose: scripts/hardening builds it under
# the sanitizers and asserts LeakSanitizer reports both with tests/lsan.supp
# in force. Built on request only, never run by make check.
if HAVE_CRITERION
EXTRA_PROGRAMS += tests/leak_canary
tests_leak_canary_SOURCES = tests/leak_canary.c
tests_leak_canary_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_leak_canary_LDADD = $(CRITERION_LIBS)
endif
EXTRA_DIST += tests/lsan.supp
# petrel server --workers N on one SO_REUSEPORT port (issue #19 item 4)
TESTS += tests/workers.sh
EXTRA_DIST += tests/workers.sh
# DTLS-SRTP (RFC 5764) and raw public keys (RFC 7250) (helper "webrtc").
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_srtp_test.c tests/dtls_rpk_test.c
endif
# ServerHello answers only offered extensions (issue #18)
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_ext_answer_test.c tests/dtls_outq_test.c
endif
# no new call cycles among dtls/ and dtls12/ object files (issue #18)
TESTS += tests/dtls_callgraph.sh
EXTRA_DIST += tests/dtls_callgraph.sh scripts/dtls-callgraph scripts/dtls-callgraph.known
# Shared by the record and vector tests: the reader of the recorded sessions in
# tests/vectors, every AEAD and deterministic keys (tests/record_testutil.h).
if HAVE_CRITERION
tests_unit_SOURCES += tests/vector_reader.c tests/vector_reader.h tests/record_testutil.h
endif
# ClientHellos fragmented before the cookie (issue #20 item 4, helper "bigch")
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_first_hello_test.c
endif
TESTS += tests/first_hello_cli.sh
EXTRA_DIST += tests/first_hello_cli.sh
# unauthenticated input that fails is dropped (helper "policy")
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_hs_drop_test.c
endif
# protocol version API (issue #20 item 3, helper "ver")
if HAVE_CRITERION
tests_unit_SOURCES += tests/version_api_test.c
endif
# DTLS 1.3 sessions end to end (issue #20)
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_engine_test.c
endif
# cycle13: petrel_rehandshake refused on DTLS 1.3 sessions (RFC 8446 4.1.2)
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_reneg_guard_test.c
endif
# the DTLS 1.3 front door: stateless HelloRetryRequest, fragmented 1.3
# ClientHellos (issue #20 items 1 and 4, helper "front13")
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_front_test.c
endif
# DTLS 1.3 tickets and resumption (issue #20)
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_resume_test.c
endif
# DTLS 1.3 exporter, DTLS-SRTP and PSK key exchange modes (helper "export13")
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_export_test.c
endif
# --psk-ke and --srtp on DTLS 1.3, petrel to petrel (helper "export13")
TESTS += tests/export13_cli.sh
EXTRA_DIST += tests/export13_cli.sh
# DTLS 1.3 Connection IDs (RFC 9147 9, helper "cid13")
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_cid_test.c
endif
# DTLS 1.3 Connection IDs against wolfSSL 5.5.4 (helper "cid13"; skips without the peers)
TESTS += tests/interop/dtls13-wolfssl-cid.sh
EXTRA_DIST += tests/interop/dtls13-wolfssl-cid.sh
# perf13: an idle DTLS 1.3 session holds raw keys only, <= 4 KiB (issue #20)
if HAVE_CRITERION
tests_unit_SOURCES += tests/perf13_idle_test.c
endif
# ext13: DTLS 1.3 server_name and ALPN
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_ext13_test.c
endif
# a lone session's output queue: the engine queues, the transport drains (helper "outq")
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_outq_session_test.c
endif
# the shared start of the petrel command test scripts
EXTRA_DIST += tests/cli_lib.sh
# DTLS 1.3 state-machine table: every state x input x epoch (issue #20, helper "sm13")
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_state_machine_test.c
endif
# endpoint + hand client at two NAT addresses, shared by the 1.2 and 1.3
# Connection ID tests (helper "dedup")
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_nat_harness.c tests/dtls_nat_harness.h
endif
# hand-fed sessions and endpoint on a test clock, shared by the 1.2 and
# 1.3 front door tests (helper "dedup")
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_front_harness.c tests/dtls_front_harness.h
endif
# pmtu13: DTLS 1.3 flights and a path MTU that drops (EMSGSIZE, black hole)
if HAVE_CRITERION
tests_unit_SOURCES += tests/pmtu13_test.c
endif
# speed13: the key schedule's shortcuts equal the plain computation (issue #20)
if HAVE_CRITERION
tests_unit_SOURCES += tests/speed13_ks_test.c
endif
# tkt13: DTLS 1.3 tickets bound to SNI/ALPN, NewConnectionId we send, ALPN alert
if HAVE_CRITERION
tests_unit_SOURCES += tests/tkt13_test.c
endif
# DTLS 1.3 timers after a loss in the cookie exchange (helper "loss13", issue #20)
if HAVE_CRITERION
tests_unit_SOURCES += tests/loss13_test.c
endif
# rec13: petrel_aead_seal_gather (DTLS 1.3 record seal without the copy)
if HAVE_CRITERION
tests_unit_SOURCES += tests/rec13_seal_gather_test.c
endif
# Client default versions (issue #20 item 3, vdefault)
if HAVE_CRITERION
tests_unit_SOURCES += tests/vdefault_test.c
endif
# srtp400: the DTLS-SRTP initial retransmission timer of 400 ms (RFC 9147 5.8.2)
if HAVE_CRITERION
tests_unit_SOURCES += tests/srtp400_test.c
endif
# sni12: DTLS 1.2 tickets and session-cache entries bound to the server name (RFC 6066 3)
if HAVE_CRITERION
tests_unit_SOURCES += tests/sni12_test.c
endif
# DTLS 1.3 suites in cipher lists (issue #20 item 2, suites13)
if HAVE_CRITERION
tests_unit_SOURCES += tests/suites13_test.c
endif
# credentials from tests/fixtures/x509 shared by the unit tests (duplicates review)
if HAVE_CRITERION
tests_unit_SOURCES += tests/fixture_creds.c tests/fixture_creds.h
endif
# probe13: path MTU probes after a DTLS 1.3 handshake (padded KeyUpdate, RFC 8899; issue #20)
if HAVE_CRITERION
tests_unit_SOURCES += tests/probe13_test.c
endif
# cid13: the peer's spare CIDs kept and rotated, our issued CIDs retired (RFC 9147 9)
if HAVE_CRITERION
tests_unit_SOURCES += tests/cid13_spare_test.c
endif
# hrrperf: ext_find fast path, keyed cookie MAC
if HAVE_CRITERION
tests_unit_SOURCES += tests/hrrperf_ext_test.c
endif
# endpoint harness of the tkt13 and cid13 endpoint tests (duplicates review)
if HAVE_CRITERION
tests_unit_SOURCES += tests/ep13_harness.c tests/ep13_harness.h
endif
# rpk13: raw public keys (RFC 7250) on DTLS 1.3 sessions
if HAVE_CRITERION
tests_unit_SOURCES += tests/rpk13_test.c
endif
# rpk13: `petrel client --rpk` against `petrel server --rpk` on DTLS 1.3
TESTS += tests/rpk13_cli.sh
EXTRA_DIST += tests/rpk13_cli.sh
# ka13: keepalive on DTLS 1.3 (KeyUpdate pings), heartbeats after a fallback to 1.2 (issue #20)
if HAVE_CRITERION
tests_unit_SOURCES += tests/ka13_test.c
endif
# rcidtest: a RequestConnectionId we cannot answer ends nothing (RFC 9147 9), the
# shared DTLS 1.3 CID test prologue (duplicates review)
if HAVE_CRITERION
tests_unit_SOURCES += tests/cid13_dup.c tests/cid13_dup.h tests/cid13_rcid_test.c
endif
# rcidtest: DTLS 1.3 epoch slots start clean over a poisoned heap and on reuse
if HAVE_CRITERION
tests_unit_SOURCES += tests/rcidtest_rl13_slots_test.c
endif
# rcidtest: the simulated-network pump of the 1.2 and 1.3 probe tests (duplicates review)
if HAVE_CRITERION
tests_unit_SOURCES += tests/harness_pump_dup.c tests/harness_pump_dup.h
endif
# peer13: the peer's X.509 chain on DTLS 1.3 sessions (issue #20)
if HAVE_CRITERION
tests_unit_SOURCES += tests/peer13_test.c
endif
# peer13: `petrel client --verbose` against `petrel server` reports the peer's chain on DTLS 1.3 as on 1.2
TESTS += tests/peer13_cli.sh
EXTRA_DIST += tests/peer13_cli.sh
