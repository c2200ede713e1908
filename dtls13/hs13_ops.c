/* The DTLS 1.3 entries of the dispatcher's table (dtls/dispatch.c). The
 * 1.3 driver (engine13.c) takes whole datagrams and runs its own timers
 * once a session speaks 1.3 (feed, tick, next_deadline); besides those
 * the shared code calls only the client's start and the server's first
 * ClientHello. */
#include "dtls13/hs13_ops.h"

#include "dtls13/engine13.h"

/* Messages never come this way in 1.3: engine13 hands them to the cores. */
static int no_handle(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms)
{
	(void)s;
	(void)m;
	(void)now_ms;
	return PETREL_E_UNEXPECTED_MESSAGE;
}

/* RFC 9147 5: no ChangeCipherSpec in DTLS 1.3; one is dropped. */
static int no_ccs(petrel_session *s)
{
	(void)s;
	return 0;
}

const struct petrel_hs_ops petrel_hs13_client_ops = {
	.name = "DTLS 1.3 client",
	.begin = petrel_engine13_begin,
	.handle = no_handle,
	.on_ccs = no_ccs,
	.first_record = NULL,
	.accepts = NULL,
	.renegotiation_msg_type = 0xff, /* none: 1.3 has no renegotiation */
	.app_data_confirms_final = false,
	.feed = petrel_engine13_feed,
	.tick = petrel_engine13_tick,
	.next_deadline = petrel_engine13_next_deadline,
};

const struct petrel_hs_ops petrel_hs13_server_ops = {
	.name = "DTLS 1.3 server",
	.begin = NULL,
	.handle = no_handle,
	.on_ccs = no_ccs,
	.first_record = petrel_engine13_first_record,
	.accepts = NULL,
	.renegotiation_msg_type = 0xff,
	.app_data_confirms_final = false,
	.feed = petrel_engine13_feed,
	.tick = petrel_engine13_tick,
	.next_deadline = petrel_engine13_next_deadline,
};
