# dtls/ build fragment (see top-level Makefile.am)
# handshake message body codecs (helper "messages")
libpetrel_core_la_SOURCES += dtls/messages.h dtls/msg_internal.h dtls/msg_lists.c dtls/msg_extensions.c dtls/msg_hello.c dtls/msg_cert.c dtls/msg_kx.c dtls/msg_misc.c
# handshake plumbing (helper "handshake-plumbing"): header codec, reassembly, flights, timer
libpetrel_core_la_SOURCES += dtls/hs_header.c dtls/hs_header.h dtls/reassembly.c dtls/reassembly.h \
	dtls/flight.c dtls/flight.h dtls/flight_rl.c dtls/rto.c dtls/rto.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_msg_vectors_test.c tests/dtls_msg_codec_test.c tests/dtls_msg_ext_test.c
endif
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_hs_header_test.c tests/dtls_reassembly_test.c \
	tests/dtls_flight_test.c tests/dtls_rto_test.c
endif
# handshake state machines, session and public API (lead)
libpetrel_core_la_SOURCES += dtls/session.h dtls/session.c dtls/suites.c dtls/suites.h \
	dtls/keyschedule.c dtls/keyschedule.h dtls/engine.c dtls/hs_common.c dtls/cookie.c \
	dtls/credentials.c dtls/transport.c dtls/endpoint.c dtls/probe.c
# listings of suites, groups and signature algorithms (helper "hs")
libpetrel_core_la_SOURCES += dtls/algorithms.c
libpetrel_core_la_SOURCES += dtls/session_peer.c dtls/session_peer.h
# secure renegotiation, DTLS 1.2 (RFC 5746; issue #21 item 9, helper "reneg")
libpetrel_core_la_SOURCES += dtls/reneg.c dtls/reneg.h
# server endpoint: keyed peer table and timer heap (issues #17, #19)
libpetrel_core_la_SOURCES += dtls/peer_table.c dtls/peer_table.h dtls/timer_heap.c dtls/timer_heap.h
libpetrel_core_la_SOURCES += dtls/endpoint_internal.h dtls/endpoint_half_open.c dtls/endpoint_io.c
# RFC 9146 connection_id extension codec and negotiation (helper "dtls13")
libpetrel_core_la_SOURCES += dtls/msg_cid.c dtls/msg_cid.h
# keepalive and dead-peer detection (issue #21 item 7, helper "keepalive")
libpetrel_core_la_SOURCES += dtls/keepalive.c dtls/keepalive.h
libpetrel_core_la_SOURCES += dtls/session_cid.c dtls/session_cid.h
# the dispatcher, its table of handshake operations and the services they call (issue #18)
libpetrel_core_la_SOURCES += dtls/dispatch.c dtls/dispatch.h \
	dtls/output.c dtls/output.h dtls/hs_output.c dtls/hs_output.h dtls/hs_state.c dtls/hs_state.h \
	dtls/transcript.c dtls/transcript.h dtls/alert.c dtls/alert.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_msg_cid_test.c
endif
# CIDs that name their worker, SO_REUSEPORT steering by them (helper "workers", issue #19)
libpetrel_core_la_SOURCES += dtls/cid_route.c dtls/cid_route.h dtls/reuseport.c dtls/reuseport.h
if HAVE_CRITERION
tests_unit_SOURCES += tests/dtls_cid_route_test.c tests/dtls_reuseport_test.c tests/lb_routing_test.c
endif
# DTLS-SRTP (RFC 5764) and raw public keys (RFC 7250) (helper "webrtc")
libpetrel_core_la_SOURCES += dtls/msg_srtp.c dtls/srtp.c dtls/msg_certtype.c dtls/rpk.c dtls/rpk.h
# session tickets: sealing, shared keys with rotation (issue #19 item 5, helper "ticket")
libpetrel_core_la_SOURCES += dtls/ticket.c dtls/ticket.h
# a ServerHello answers only offered extensions (issue #18, RFC 5246 7.4.1.4)
libpetrel_core_la_SOURCES += dtls/ext_answer.c dtls/ext_answer.h
# the one buffered output queue; endpoint address keys (issue #18)
libpetrel_core_la_SOURCES += dtls/outq.c dtls/outq.h dtls/endpoint_addr.c
# ClientHellos fragmented before the cookie (issue #20 item 4, helper "bigch")
libpetrel_core_la_SOURCES += dtls/first_hello.c dtls/first_hello.h
# unauthenticated handshake input that fails is dropped, not fatal (helper "policy")
libpetrel_core_la_SOURCES += dtls/hs_drop.c dtls/hs_drop.h
# halves moved below their callers to end the handshake-core call cycle (issue #18)
libpetrel_core_la_SOURCES += dtls/reneg_info.c dtls/exporter.c dtls/session_verify.c
# protocol version range, negotiated version, what the build speaks (issue #20 item 3, helper "ver")
libpetrel_core_la_SOURCES += dtls/version.c dtls/version.h
# version routing at the start of a handshake (issue #20)
libpetrel_core_la_SOURCES += dtls/first_record.c dtls/first_record.h
# stateless HelloRetryRequest at the endpoint (issue #20 item 1, helper "front13")
libpetrel_core_la_SOURCES += dtls/front13_hrr.c dtls/front13_hrr.h
# a lone session's output queue on its handshake: the engine queues, the transport drains (issue #18, helper "outq")
libpetrel_core_la_SOURCES += dtls/outq_session.c dtls/outq_session.h
# sni12: DTLS 1.2 tickets and session-cache entries bound to the server name (RFC 6066 3)
libpetrel_core_la_SOURCES += dtls/sni12_ticket.c dtls/sni12_ticket.h
# TLS 1.3 suite names for cipher lists (issue #20 item 2, helper "suites13")
libpetrel_core_la_SOURCES += dtls/suites13.c dtls/suites13.h dtls/suites13_front.c
