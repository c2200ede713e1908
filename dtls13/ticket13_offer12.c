/* A DTLS 1.2 session offered in the 1.3 ClientHello (see ticket13.h
 * petrel_ticket13_offer12). Apart from ticket13.c: this reads the 1.2
 * resumption data (dtls/hs_common.c), which itself calls ticket13.c. */
#include "dtls/session.h"
#include "dtls13/ticket13.h"

void petrel_ticket13_offer12(const petrel_session *s, struct petrel_hs13_config *cfg)
{
	struct petrel_resume_data data;
	cfg->offer_ticket12 = (s->flags & PETREL_FLAG_NO_TICKETS) == 0;
	/* RFC 7627 5.3: a session without extended master secret is never
	 * resumed; RFC 6066 3: nor offered to another server name (as
	 * dtls12/client12.c petrel_client_begin and the 1.3 ticket). */
	if (s->resume_blob == NULL ||
	    petrel_resume_parse(s->resume_blob, s->resume_blob_len, &data) < 0 ||
	    !petrel_resume_offerable(&data, s->server_name))
		return;
	if (cfg->offer_ticket12 && data.ticket_len > 0) {
		cfg->ticket12 = data.ticket;
		cfg->ticket12_len = data.ticket_len;
	} else {
		cfg->session_id12 = data.session_id;
		cfg->session_id12_len = data.session_id_len;
	}
}
