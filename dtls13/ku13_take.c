#include "dtls13/ku13_take.h"

#include "dtls13/engine13_internal.h"
#include "dtls13/hs13.h"
#include "dtls13/keyupdate.h"

int petrel_ku13_take(petrel_session *s, bool update_requested, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	uint8_t body[1];
	size_t blen = 0;
	int rc = petrel_dtls13_key_update_request(&d->ku, update_requested, body, &blen);
	if (rc < 0)
		return rc;
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	struct petrel_writer w;
	rc = petrel_hs13_out_begin(&out, blen, &w);
	if (rc == 0) {
		petrel_put_bytes(&w, body, blen);
		rc = petrel_hs13_out_commit(&out, PETREL_HT13_KEY_UPDATE, (uint16_t)d->wr_epoch, &w);
	}
	if (rc == 0)
		rc = petrel_flight13_take(s, &out, 0, out.msg_count, now_ms);
	petrel_hs13_output_reset(&out);
	if (rc < 0)
		return rc;
	d->deadline_total_ms = now_ms + s->total_timeout_ms;
	d->flight_is_ku = true;
	d->key_updates_sent++;
	return 0;
}

/* ka13 */
bool petrel_ku13_can_start(const struct petrel_d13 *d)
{
	return d->ku_ready && !d->ku.pending && !d->flight_active && !d->ack_timer.armed;
}
