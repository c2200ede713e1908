/* The DTLS 1.3 client falling back to DTLS 1.2 (RFC 8446 4.1.3 and D,
 * RFC 9147 5.3): the server answered our ClientHello in 1.2, so the 1.2
 * client's operations (its entry of the dispatcher's table,
 * dtls12/hs12_ops.c) carry on the handshake. The 1.3 engine calls this
 * sideways, never the dispatcher above it (issue #18). */
#include "dtls12/take_over12.h"

#include "dtls/dispatch.h"
#include "dtls12/hs12.h"

int petrel_hs12_take_over(petrel_session *s, const uint8_t *ch, size_t ch_len,
			  const uint8_t *random, uint16_t ch_message_seq, const uint8_t *cookie,
			  size_t cookie_len, uint64_t next_plain_seq,
			  const struct petrel_hs_message *m, uint64_t record_seq, uint64_t now_ms)
{
	const struct petrel_hs_ops *ops = &petrel_hs12_client_ops;
	int rc = ops->take_over(s, ch, ch_len, random, ch_message_seq, cookie, cookie_len,
				next_plain_seq, now_ms);
	if (rc < 0)
		return rc;
	if (ops->accepts && !ops->accepts(s, m, record_seq))
		return PETREL_E_UNEXPECTED_MESSAGE;
	rc = ops->handle(s, m, now_ms);
	if (rc < 0)
		return rc;
	if (s->hs)
		petrel_reasm_set_next_seq(&s->hs->rx, (uint16_t)(m->message_seq + 1));
	return 0;
}
