/* The endpoint's stateless HelloRetryRequest (see front13_hrr.h). */
#include "dtls/front13_hrr.h"

#include <string.h>

#include "dtls13/server13.h"
#include "record/record.h"

int petrel_front13_answer(const struct petrel_credentials *creds, const uint8_t *peer,
			  size_t peer_len, const uint16_t *groups, size_t group_n,
			  const struct petrel_first_hello_msg *m, uint64_t now_ms, uint8_t *out,
			  size_t cap, size_t *out_len)
{
	return petrel_front13_answer_suites(creds, peer, peer_len, groups, group_n, NULL, 0, m,
					    now_ms, out, cap, out_len);
}

int petrel_front13_answer_suites(const struct petrel_credentials *creds, const uint8_t *peer,
				 size_t peer_len, const uint16_t *groups, size_t group_n,
				 const uint16_t *suites, size_t suite_n,
				 const struct petrel_first_hello_msg *m, uint64_t now_ms,
				 uint8_t *out, size_t cap, size_t *out_len)
{
	if (creds == NULL)
		return PETREL_E_AGAIN;
	struct petrel_hs13_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.suites = suite_n > 0 ? suites : NULL; /* petrel_endpoint_set_hello_ciphers */
	cfg.suite_count = suite_n;
	cfg.groups = group_n > 0 ? groups : NULL;
	cfg.group_count = group_n;
	cfg.cookie_secret = creds->cookie_secret;
	cfg.cookie_secret_prev = creds->cookie_secret_prev;
	cfg.peer_addr = peer;
	cfg.peer_addr_len = peer_len;
	struct petrel_hs13_output hs;
	petrel_hs13_output_init(&hs);
	int rc = petrel_dtls13_server_front(&cfg, m->body, m->h.length, now_ms, &hs);
	/* No amplification (as with the HelloVerifyRequest): an answer
	 * larger than the ClientHello is not sent. A real ClientHello,
	 * with its groups, signature schemes and key share, is larger. */
	if (rc == 0 && hs.msg_count == 1 && hs.msgs[0].len > m->h.length)
		rc = PETREL_E_AGAIN;
	if (rc == 0 && hs.msg_count == 1) {
		/* RFC 9147 5.1: in a record numbered as the ClientHello (its
		 * first fragment's), message_seq the ClientHello's (5.2). */
		const struct petrel_hs13_out_msg *msg = &hs.msgs[0];
		struct petrel_record_header rh = {PETREL_CT_HANDSHAKE, PETREL_DTLS12_VERSION, 0,
						  m->first_record_seq,
						  (uint16_t)(PETREL_HS_HEADER_LEN + msg->len)};
		uint8_t hh[PETREL_HS_HEADER_LEN];
		petrel_hs_header_encode_full(hh, msg->type, m->h.message_seq, (uint32_t)msg->len);
		struct petrel_writer w;
		petrel_writer_init(&w, out, cap);
		if (petrel_record_header_write(&w, &rh) && petrel_put_bytes(&w, hh, sizeof hh) &&
		    petrel_put_bytes(&w, msg->body, msg->len))
			*out_len = petrel_writer_len(&w);
		else
			rc = PETREL_E_AGAIN;
	} else if (rc == 0) {
		rc = PETREL_E_AGAIN;
	}
	petrel_hs13_output_reset(&hs);
	return rc < 0 ? PETREL_E_AGAIN : rc;
}
