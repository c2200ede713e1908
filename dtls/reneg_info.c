/* Secure renegotiation, the service half (RFC 5746): the verify_data a
 * finished handshake leaves, the renegotiation_info extension both roles
 * send and check, and the epoch of our messages while renegotiating.
 * Called by the role files, the transcript and hs_state; calls nothing
 * above it. Starting and refusing a renegotiation is dtls/reneg.c. */
#include <string.h>

#include "dtls/reneg.h"
#include "dtls/session.h"

void petrel_reneg_on_finish(petrel_session *s, const struct petrel_hs *hs)
{
	struct petrel_reneg *r = &s->reneg;
	/* The transcript holds both Finished messages: the client's first in
	 * a full handshake, the server's first in an abbreviated one (RFC
	 * 5246 7.3); a NewSessionTicket may sit between them. */
	const uint8_t *finished[2] = {NULL, NULL};
	unsigned count = 0;
	struct petrel_reader rd;
	petrel_reader_init(&rd, hs->transcript, hs->transcript_len);
	while (petrel_reader_left(&rd) > 0) {
		struct petrel_hs_header h;
		const uint8_t *body;
		if (petrel_hs_header_read(&rd, &h, &body) < 0)
			break;
		if (h.msg_type == PETREL_HS_FINISHED && h.length == PETREL_RENEG_VERIFY_LEN &&
		    count < 2)
			finished[count++] = body;
	}
	r->have_verify_data = count == 2;
	if (r->have_verify_data) {
		const uint8_t *client = hs->resuming ? finished[1] : finished[0];
		const uint8_t *server = hs->resuming ? finished[0] : finished[1];
		memcpy(r->verify_data, client, PETREL_RENEG_VERIFY_LEN);
		memcpy(r->verify_data + PETREL_RENEG_VERIFY_LEN, server, PETREL_RENEG_VERIFY_LEN);
	}
	if (r->active) {
		r->completed++;
		r->retire_pending = true;
	}
	r->active = false;
}

uint16_t petrel_reneg_message_epoch(const petrel_session *s, uint16_t epoch)
{
	if (epoch == 0 && s->reneg.active)
		return petrel_rl_write_epoch(&s->rl);
	return epoch;
}

void petrel_reneg_client_hello_ext(petrel_session *s, struct petrel_extensions *ext)
{
	/* RFC 5746 3.4: empty on the initial handshake; 3.5: our last
	 * verify_data when renegotiating. */
	ext->has_renegotiation_info = true;
	if (s->reneg.active) {
		ext->renegotiation_info = s->reneg.verify_data;
		ext->renegotiation_info_len = PETREL_RENEG_VERIFY_LEN;
	} else {
		ext->renegotiation_info = NULL;
		ext->renegotiation_info_len = 0;
	}
}

int petrel_reneg_check_server_hello(petrel_session *s, const struct petrel_extensions *ext)
{
	struct petrel_reneg *r = &s->reneg;
	if (!r->active) {
		/* RFC 5746 3.4: present and empty, or absent (a peer without
		 * RFC 5746: never renegotiated with). */
		if (ext->has_renegotiation_info && ext->renegotiation_info_len != 0)
			return PETREL_E_HANDSHAKE_FAILURE;
		r->peer_secure = ext->has_renegotiation_info;
		return 0;
	}
	/* RFC 5746 3.5: client_verify_data || server_verify_data. */
	if (!ext->has_renegotiation_info ||
	    ext->renegotiation_info_len != sizeof r->verify_data ||
	    !petrel_ct_equal(ext->renegotiation_info, r->verify_data, sizeof r->verify_data))
		return PETREL_E_HANDSHAKE_FAILURE;
	return 0;
}

int petrel_reneg_server_hello_ext(petrel_session *s, const struct petrel_client_hello *ch,
				  struct petrel_extensions *sh_ext)
{
	struct petrel_reneg *r = &s->reneg;
	bool scsv = petrel_u16_list_contains(ch->cipher_suites, ch->cipher_suites_len,
					     PETREL_CS_EMPTY_RENEGOTIATION_INFO_SCSV);
	if (!r->active) {
		/* RFC 5746 3.6: the extension, if any, must be empty. */
		if (ch->ext.has_renegotiation_info && ch->ext.renegotiation_info_len != 0)
			return PETREL_E_HANDSHAKE_FAILURE;
		r->peer_secure = ch->ext.has_renegotiation_info || scsv;
		sh_ext->has_renegotiation_info = r->peer_secure;
		sh_ext->renegotiation_info = NULL;
		sh_ext->renegotiation_info_len = 0;
		return 0;
	}
	/* RFC 5746 3.7: no SCSV, and the client's last verify_data. */
	if (scsv || !ch->ext.has_renegotiation_info ||
	    ch->ext.renegotiation_info_len != PETREL_RENEG_VERIFY_LEN ||
	    !petrel_ct_equal(ch->ext.renegotiation_info, r->verify_data, PETREL_RENEG_VERIFY_LEN))
		return PETREL_E_HANDSHAKE_FAILURE;
	sh_ext->has_renegotiation_info = true;
	sh_ext->renegotiation_info = r->verify_data;
	sh_ext->renegotiation_info_len = sizeof r->verify_data;
	return 0;
}
