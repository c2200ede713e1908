/* See tests/cid13_dup.h. */
#include "tests/cid13_dup.h"

#include <criterion/criterion.h>

#include "dtls/session.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/perf13_idle.h"
#include "record/record.h"

void cid13_dup_only13(petrel_session *s)
{
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_3), 0);
}

void cid13_dup_pair(struct harness *h, uint64_t seed)
{
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(h, seed, 0, 0, cc, sc);
	cid13_dup_only13(h->client.session);
	petrel_session_set_verify(h->client.session, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_cid(h->client.session, (const uint8_t *)"cli-cid", 7), 0);
	cr_assert_eq(petrel_session_set_cid(h->server.session, (const uint8_t *)"srv-cid", 7), 0);
	cr_assert_eq(harness_run_handshake(h, 60000), 0);
	cr_assert_eq(harness_echo(h, "settle", 60000), 0);
	cr_assert_eq(harness_echo(h, "settled", 60000), 0);
	cr_assert_not(h->server.session->d13->flight_active, "the ticket was acknowledged");
}

int cid13_dup_send_message(petrel_session *from, petrel_session *to, uint8_t type,
			   const uint8_t *body, size_t len, uint64_t now)
{
	struct petrel_d13 *fd = from->d13, *td = to->d13;
	uint8_t msg[512];
	cr_assert_leq(len, 400);
	struct petrel_writer w;
	petrel_writer_init(&w, msg, sizeof msg);
	petrel_put_u8(&w, type);
	petrel_put_u24(&w, (uint32_t)len);
	petrel_put_u16(&w, petrel_perf13_rx_next_seq(td));
	petrel_put_u24(&w, 0);
	petrel_put_u24(&w, (uint32_t)len);
	petrel_put_bytes(&w, body, len);
	cr_assert(petrel_writer_ok(&w));
	uint8_t dg[768];
	struct petrel_writer out;
	petrel_writer_init(&out, dg, sizeof dg);
	cr_assert_eq(petrel_rl13_seal(fd, fd->wr_epoch, PETREL_CT_HANDSHAKE, msg,
				      petrel_writer_len(&w), &out, NULL), 0);
	return petrel_engine_feed(to, dg, petrel_writer_len(&out), now);
}
