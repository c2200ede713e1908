/* The DTLS 1.2 entries of the dispatcher's table: the role files'
 * operations, plus the checks the 1.2 client makes before a message is
 * handled at all. */
#include "dtls12/hs12.h"

/* A HelloVerifyRequest is one record that echoes the record number of
 * the ClientHello it answers (RFC 6347 4.2.1). One buffered ahead of its
 * turn is not the server's. A second one (we have a cookie) is what a
 * server that rejected our cookie sends, but also what a forger guessing
 * our small record numbers sends while the server answers the genuine
 * ClientHello: taking it would make us restart with a forged cookie and
 * stall (issue #17 item 21). So it is taken only when it answers a
 * retransmission of the cookie-bearing ClientHello, which the timer
 * sends when no ServerHello came: a genuine rejection then costs one
 * timeout, a forgery nothing. */
static bool hello_verify_answers_us(const struct petrel_hs *hs, const struct petrel_hs_message *m,
				    uint64_t record_seq)
{
	if (m->record_seq != record_seq)
		return false;
	if (hs->cookie_len == 0)
		return true;
	unsigned n = hs->hello_tx_count < PETREL_HELLO_TX_TRACKED ? hs->hello_tx_count
								 : PETREL_HELLO_TX_TRACKED;
	for (unsigned i = 0; i < n; i++)
		if (hs->hello_tx_seq[i] == record_seq && hs->hello_tx_resent[i])
			return true;
	return false;
}

static bool client_accepts(const petrel_session *s, const struct petrel_hs_message *m,
			   uint64_t record_seq)
{
	if (m->msg_type != PETREL_HS_HELLO_VERIFY_REQUEST)
		return true;
	return hello_verify_answers_us(s->hs, m, record_seq);
}

const struct petrel_hs_ops petrel_hs12_client_ops = {
	.name = "DTLS 1.2 client",
	.begin = petrel_client_begin, /* the dispatcher picked 1.2 (dtls/first_record.c) */
	.handle = petrel_client_handle,
	.on_ccs = petrel_client_on_ccs,
	.first_record = NULL,
	.accepts = client_accepts,
	.renegotiation_msg_type = PETREL_HS_HELLO_REQUEST,
	.app_data_confirms_final = false,
	.take_over = petrel_client_take_over,
};

const struct petrel_hs_ops petrel_hs12_server_ops = {
	.name = "DTLS 1.2 server",
	.begin = NULL,
	.handle = petrel_server_handle,
	.on_ccs = petrel_server_on_ccs,
	.first_record = petrel_server_first_record, /* a 1.2 ClientHello (dtls/first_record.c) */
	.accepts = NULL,
	.renegotiation_msg_type = PETREL_HS_CLIENT_HELLO,
	.app_data_confirms_final = true,
};
