# dtls13/ build fragment (see top-level Makefile.am): DTLS 1.3 (RFC 9147)
# building blocks, not yet wired into the engine.
libpetrel_core_la_SOURCES += dtls13/record13.c dtls13/record13.h \
	dtls13/keyschedule.c dtls13/keyschedule.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_record_test.c tests/dtls13_keyschedule_test.c \
	tests/dtls13_vectors_test.c tests/dtls13_replay.c tests/dtls13_replay.h
endif
# DTLS 1.3 message codecs: extensions, handshake bodies, ACK
libpetrel_core_la_SOURCES += dtls13/messages13.h dtls13/msg_ext13.c dtls13/msg_hs13.c \
	dtls13/msg_ack.c
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_msg_test.c tests/dtls13_robust_test.c
endif
# AEAD usage limits (RFC 9147 4.5.3)
libpetrel_core_la_SOURCES += dtls13/limits.c dtls13/limits.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_limits_test.c
endif
# one epoch of one direction: keys at rest, lazily expanded contexts, replay, limits
libpetrel_core_la_SOURCES += dtls13/epoch13.c dtls13/epoch13.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_epoch_test.c
endif
# the DTLS 1.3 handshake transcript (TLS-form headers, message_hash after HRR)
libpetrel_core_la_SOURCES += dtls13/transcript13.c dtls13/transcript13.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_transcript_test.c
endif
# the DTLS 1.3 handshake cores at the message level (engine-independent)
libpetrel_core_la_SOURCES += dtls13/hs13.c dtls13/hs13.h dtls13/client13.c dtls13/client13.h
libpetrel_core_la_SOURCES += dtls13/server13.c dtls13/server13.h dtls13/keyupdate.c \
	dtls13/keyupdate.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls13_handshake_test.c tests/dtls13_keyupdate_test.c
endif
libpetrel_core_la_SOURCES += dtls13/cookie13.c dtls13/cookie13.h
# the DTLS 1.3 session driver: epoch table, flights with ACKs, engine, ops (issue #20)
libpetrel_core_la_SOURCES += dtls13/engine13.c dtls13/engine13.h dtls13/engine13_internal.h \
	dtls13/rl13.c dtls13/flight13.c dtls13/hs13_ops.c dtls13/hs13_ops.h
# DTLS 1.3 tickets and resumption (RFC 8446 4.6.1, 4.2.11)
libpetrel_core_la_SOURCES += dtls13/ticket13.c dtls13/ticket13.h dtls13/ticket13_offer12.c
# DTLS 1.3 for WebRTC (export13): exporter (RFC 8446 7.5), use_srtp in
# ClientHello / EncryptedExtensions (RFC 5764), PSK key exchange modes
libpetrel_core_la_SOURCES += dtls13/export13.c dtls13/export13.h dtls13/export13_psk.c \
	dtls13/export13_psk.h dtls13/srtp13.c dtls13/srtp13.h
# DTLS 1.3 Connection IDs: connection_id in the hellos, the C bit in records (RFC 9147 9, helper "cid13")
libpetrel_core_la_SOURCES += dtls13/cid13_ext.c dtls13/cid13_ext.h dtls13/cid13_record.c \
	dtls13/cid13_record.h
# NewConnectionId / RequestConnectionId after the handshake (RFC 9147 9, helper "cid13")
libpetrel_core_la_SOURCES += dtls13/cid13_update.c dtls13/cid13_update.h
# perf13: DTLS 1.3 sessions at rest (issue #20 memory goal)
libpetrel_core_la_SOURCES += dtls13/perf13_idle.c dtls13/perf13_idle.h
# ext13: server_name (RFC 6066 3) and ALPN (RFC 7301) in DTLS 1.3
libpetrel_core_la_SOURCES += dtls13/ext13_names.c dtls13/ext13_names.h \
	dtls13/ext13_session.c dtls13/ext13_session.h
# pmtu13: DTLS 1.3 flights re-cut for a lowered path MTU, black-hole rule (issue #20)
libpetrel_core_la_SOURCES += dtls13/flight13_pmtu.h
# tkt13: CIDs issued after a DTLS 1.3 handshake (RFC 9147 9 NewConnectionId),
# made and routed by the endpoint
libpetrel_core_la_SOURCES += dtls13/cid13_issue.c dtls13/cid13_issue.h \
	dtls/endpoint_cid13.c dtls/endpoint_cid13.h
# probe13: path MTU probes after a DTLS 1.3 handshake (RFC 8899, padded KeyUpdate; issue #20)
libpetrel_core_la_SOURCES += dtls13/probe13.c dtls13/probe13.h
# cid13: the peer's spare CIDs kept and rotated, issued CIDs retired (RFC 9147 9)
libpetrel_core_la_SOURCES += dtls13/cid13_spare.c dtls13/cid13_spare.h \
	dtls13/cid13_retire.c dtls13/cid13_retire.h dtls13/cid13_rotate.c
# rec100: the per-record bodies of record13, inline for epoch13 (issue #20)
libpetrel_core_la_SOURCES += dtls13/record13_inline.h
# one KeyUpdate flight builder for the engine and the path MTU probe (duplicates review)
libpetrel_core_la_SOURCES += dtls13/ku13_take.c dtls13/ku13_take.h
# rpk13: raw public keys (RFC 7250) on DTLS 1.3 sessions (issue #20)
libpetrel_core_la_SOURCES += dtls13/rpk13.c dtls13/rpk13.h dtls13/rpk13_session.c \
	dtls13/rpk13_session.h dtls/rpk_policy.h
# ka13: keepalive on DTLS 1.3 (KeyUpdate pings) and the ClientHello's heartbeat offer (issue #20)
libpetrel_core_la_SOURCES += dtls13/ka13.c dtls13/ka13.h dtls13/ka13_ext.c dtls13/ka13_ext.h
# peer13: the peer's X.509 chain kept in DTLS 1.3 sessions (issue #20)
libpetrel_core_la_SOURCES += dtls13/peer13.c dtls13/peer13.h
