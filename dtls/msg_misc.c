/* Finished and NewSessionTicket bodies (RFC 5246 7.4.9, RFC 5077 3.3). */
#include <string.h>

#include "dtls/messages.h"
#include "dtls/msg_internal.h"
#include "petrel/petrel.h"

/* verify_data_length is 12 for every cipher suite Petrel negotiates
 * (RFC 5246 7.4.9: no suite of ours defines another length). */
int petrel_finished_parse(const uint8_t *body, size_t len, const uint8_t **verify_data)
{
	*verify_data = NULL;
	if (body == NULL || len != PETREL_FINISHED_LEN)
		return PETREL_E_DECODE_ERROR;
	*verify_data = body;
	return 0;
}

int petrel_finished_write(struct petrel_writer *w, const uint8_t verify_data[PETREL_FINISHED_LEN])
{
	if (!petrel_put_bytes(w, verify_data, PETREL_FINISHED_LEN))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}

int petrel_new_session_ticket_parse(const uint8_t *body, size_t len,
				    struct petrel_new_session_ticket *out)
{
	struct petrel_reader r;

	memset(out, 0, sizeof(*out));
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_u32(&r, &out->lifetime_hint_s) ||
	    !petrel_get_opaque16(&r, &out->ticket, &out->ticket_len) || !petrel_reader_done(&r))
		return PETREL_E_DECODE_ERROR;
	return 0;
}

int petrel_new_session_ticket_write(struct petrel_writer *w,
				    const struct petrel_new_session_ticket *nst)
{
	if (nst->ticket_len > 0xFFFF)
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_u32(w, nst->lifetime_hint_s) ||
	    !petrel_put_opaque16(w, nst->ticket, nst->ticket_len))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}
