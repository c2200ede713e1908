/* Keepalive pings on DTLS 1.3 sessions (see ka13.h).
 *
 * Why KeyUpdate, as for the path MTU probes (probe13.c): after the
 * handshake it is the one message every peer must accept and acknowledge
 * in either role (RFC 9147 7: only handshake records elicit an ACK; 8:
 * a KeyUpdate must be acknowledged). update_not_requested asks the peer
 * for one key derivation and nothing else; our sending keys move one
 * epoch on once it is acknowledged, which the AEAD limits (RFC 9147
 * 4.5.3) only welcome. The KeyUpdate is its own flight (flight13.c): the
 * retransmission timer resends it until the ACK; unacknowledged for the
 * total timeout, it ends the session (engine13.c tick).
 *
 * A ping never starts while a KeyUpdate, a probe or any other flight of
 * ours is out, or while an ACK of ours is deferred (RFC 9147 8: one
 * KeyUpdate at a time, nothing of ours unacknowledged before the new
 * keys): that flight is a ping already, its ACK counts as life, and the
 * deadline waits for the engine's timers. Silence is judged on its own
 * clock regardless: dead_after_ms without a record is PETREL_E_PEER_DEAD,
 * even with a KeyUpdate still being retransmitted. */
#include "dtls13/ka13.h"

#include "dtls/keepalive.h"
#include "dtls/outq_session.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/ku13_take.h"

void petrel_ka13_config(const petrel_session *s, struct petrel_hs13_config *cfg)
{
	if (s->role == PETREL_CLIENT)
		cfg->offer_heartbeat = petrel_keepalive_offers_heartbeat(s);
}

static bool wants_keepalive(const petrel_session *s)
{
	const struct petrel_d13 *d = s->d13;
	return d != NULL && d->done && petrel_keepalive_active(s);
}

void petrel_ka13_on_record(petrel_session *s, uint64_t now_ms)
{
	if (wants_keepalive(s))
		petrel_keepalive_heard(s, now_ms);
}

/* A zero-length application_data record in the current epoch (RFC 8446
 * 5.4: "Zero-length fragments of Application Data MAY be sent"). */
static int send_empty_record(petrel_session *s)
{
	struct petrel_d13 *d = s->d13;
	uint8_t dg[128];
	struct petrel_writer w;
	petrel_writer_init(&w, dg, sizeof dg);
	int rc = petrel_rl13_seal(d, d->wr_epoch, PETREL_CT_APPLICATION_DATA, dg, 0, &w, NULL);
	if (rc < 0)
		return rc;
	long r = petrel_outq_session_drain(s, dg, petrel_writer_len(&w), NULL);
	if (r < 0)
		return (int)r;
	s->keepalive->empty_records_sent++;
	return 0;
}

static int send_key_update(petrel_session *s, uint64_t now_ms)
{
	int rc = petrel_ku13_take(s, false, now_ms);
	if (rc == 0)
		rc = petrel_flight13_send(s, now_ms, false);
	if (rc == 0)
		s->keepalive->key_update_pings++;
	return rc;
}

int petrel_ka13_tick(petrel_session *s, uint64_t now_ms)
{
	if (!wants_keepalive(s) || s->push == NULL)
		return 0;
	struct petrel_keepalive *ka = s->keepalive;
	int due = petrel_keepalive_check(s, now_ms);
	if (due != 1)
		return due; /* 0, or PETREL_E_PEER_DEAD */
	if (!ka->empty_records && !petrel_ku13_can_start(s->d13))
		return 0; /* what is out is a ping already (see above) */
	petrel_keepalive_pinged(s, now_ms);
	int rc = ka->empty_records ? send_empty_record(s) : send_key_update(s, now_ms);
	/* A ping the socket would not take is a lost ping (a KeyUpdate's
	 * timer resends it); only a broken transport is fatal. */
	if (rc == PETREL_E_AGAIN || rc == PETREL_E_INTERRUPTED || rc == PETREL_E_LARGE_PACKET)
		return 0;
	return rc;
}

int petrel_ka13_unanswered_key_update(const petrel_session *s)
{
	return petrel_keepalive_active(s) ? PETREL_E_PEER_DEAD : PETREL_E_TIMEDOUT;
}

uint64_t petrel_ka13_deadline(const petrel_session *s, uint64_t next)
{
	if (!wants_keepalive(s) || s->push == NULL)
		return next;
	bool pings = s->keepalive->empty_records || petrel_ku13_can_start(s->d13);
	uint64_t due = petrel_keepalive_deadline_for(s, pings);
	return due < next ? due : next;
}
