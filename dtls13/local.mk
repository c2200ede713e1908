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
# ext13: server_name (RFC 6066 3) and ALPN (RFC 7301) in DTLS 1.3
libpetrel_core_la_SOURCES += dtls13/ext13_names.c dtls13/ext13_names.h \
	dtls13/ext13_session.c dtls13/ext13_session.h
