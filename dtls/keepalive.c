/* Keepalive and dead-peer detection (issue #21 item 7).
 *
 * What each kind of ping can tell:
 * - Heartbeats (RFC 6520), when negotiated and the peer allows requests:
 *   the peer must answer a HeartbeatRequest (RFC 6520 4), so silence
 *   after pings means the peer or the path is gone. Petrel clients offer
 *   the extension whenever a keepalive is set; Petrel servers accept it.
 * - On DTLS 1.3, which has no heartbeats: a KeyUpdate
 *   (update_not_requested), which the peer must acknowledge (RFC 9147
 *   8), so it proves the peer alive as a heartbeat does (dtls13/ka13.c).
 * - Otherwise no ping by default, and on request an empty
 *   application_data record: it refreshes NAT and firewall bindings, but
 *   nothing answers it, so it cannot prove the peer alive. Not the
 *   default because OpenSSL 3's DTLS SSL_read returns 0 for one, which
 *   its applications take for an error (s_server closes the connection);
 *   GnuTLS and Petrel skip them. Either way dead-peer detection rests on
 *   the peer's own traffic: a quiet peer is declared dead after
 *   dead_after_ms.
 * No I/O of its own: records leave through the session's push callback
 * and time comes in as now_ms, like the rest of the engine. */
#include <stdlib.h>
#include <string.h>

#include "dtls/keepalive.h"
#include "dtls/session.h"

bool petrel_keepalive_offers_heartbeat(const petrel_session *s)
{
	return (s->flags & PETREL_FLAG_PMTU_PROBE) ||
	       (s->keepalive != NULL && s->keepalive->interval_ms != 0);
}

bool petrel_keepalive_active(const petrel_session *s)
{
	const struct petrel_keepalive *ka = s->keepalive;
	return ka != NULL && (ka->interval_ms != 0 || ka->dead_after_ms != 0) && s->established &&
	       !s->closed;
}

/* The session's keepalive block, made on first configuration. */
static struct petrel_keepalive *keepalive_state(petrel_session *s)
{
	if (s->keepalive == NULL)
		s->keepalive = calloc(1, sizeof *s->keepalive);
	return s->keepalive;
}

void petrel_keepalive_free(petrel_session *s)
{
	free(s->keepalive);
	s->keepalive = NULL;
}

static void start(petrel_session *s, uint64_t now_ms)
{
	struct petrel_keepalive *ka = s->keepalive;
	ka->started = true;
	ka->last_rx_ms = now_ms;
	ka->next_ping_ms = now_ms + ka->interval_ms;
	ka->ping_outstanding = false;
}

int petrel_session_set_keepalive(petrel_session *s, unsigned interval_ms, unsigned dead_after_ms)
{
	if (s == NULL)
		return PETREL_E_INVALID_REQUEST;
	/* A client offers heartbeats in its ClientHello only when this was
	 * called before the handshake; later calls change the timers. */
	if (interval_ms == 0 && dead_after_ms == 0 && s->keepalive == NULL)
		return 0; /* off, as it already was */
	struct petrel_keepalive *ka = keepalive_state(s);
	if (ka == NULL)
		return PETREL_E_MEMORY;
	ka->interval_ms = interval_ms;
	ka->dead_after_ms = dead_after_ms;
	ka->started = false; /* re-armed on the next tick or record */
	return 0;
}

int petrel_session_set_keepalive_empty_records(petrel_session *s, int enable)
{
	if (s == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (enable == 0 && s->keepalive == NULL)
		return 0;
	struct petrel_keepalive *ka = keepalive_state(s);
	if (ka == NULL)
		return PETREL_E_MEMORY;
	ka->empty_records = enable != 0;
	return 0;
}

int petrel_session_keepalive_uses_heartbeat(const petrel_session *s)
{
	return s->established && s->hb_negotiated && s->hb_peer_allows ? 1 : 0;
}

void petrel_keepalive_heard(petrel_session *s, uint64_t now_ms)
{
	if (!petrel_keepalive_active(s))
		return;
	struct petrel_keepalive *ka = s->keepalive;
	if (!ka->started)
		start(s, now_ms);
	ka->last_rx_ms = now_ms;
	/* Traffic from the peer is as good as an answer: ping again only
	 * after a full interval of silence. */
	ka->next_ping_ms = now_ms + ka->interval_ms;
}

void petrel_keepalive_on_record(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms)
{
	/* Only records under the current keys: anyone can forge an epoch-0
	 * record, nobody without the keys one that authenticates. */
	if (rec->epoch == 0 || rec->epoch != petrel_rl_read_epoch(&s->rl))
		return;
	petrel_keepalive_heard(s, now_ms);
}

/* An empty application_data record (zero-length records are legal, RFC
 * 5246 6.2.1; Petrel and GnuTLS skip them, OpenSSL 3 does not: opt-in). */
static int send_empty_record(petrel_session *s)
{
	uint8_t dgram[128];
	struct petrel_writer w;
	petrel_writer_init(&w, dgram, sizeof dgram);
	int rc = petrel_rl_write(&s->rl, petrel_rl_write_epoch(&s->rl), PETREL_CT_APPLICATION_DATA,
				 dgram, 0, &w);
	if (rc < 0)
		return rc;
	long r = petrel_outq_session_drain(s, dgram, petrel_writer_len(&w), NULL);
	if (r >= 0)
		s->keepalive->empty_records_sent++;
	return r < 0 ? (int)r : 0;
}

static int send_ping(petrel_session *s)
{
	struct petrel_keepalive *ka = s->keepalive;
	if (!petrel_session_keepalive_uses_heartbeat(s))
		return ka->empty_records ? send_empty_record(s) : 0;
	/* RFC 6520 3: one request in flight; an unanswered one is
	 * retransmitted (same payload) rather than joined by another. */
	if (!ka->ping_outstanding) {
		petrel_random((uint8_t *)&ka->ping_id, sizeof ka->ping_id);
		ka->ping_outstanding = true;
	}
	uint8_t payload[KA_PAYLOAD_LEN] = {0};
	struct petrel_writer pw;
	petrel_writer_init(&pw, payload, sizeof payload);
	(void)(petrel_put_u16(&pw, KA_MAGIC) && petrel_put_u32(&pw, ka->ping_id));
	int rc = petrel_heartbeat_send_request(s, payload, sizeof payload);
	if (rc == 0)
		ka->heartbeats_sent++;
	return rc;
}

int petrel_keepalive_check(petrel_session *s, uint64_t now_ms)
{
	if (!petrel_keepalive_active(s))
		return 0;
	struct petrel_keepalive *ka = s->keepalive;
	if (!ka->started)
		start(s, now_ms);
	if (ka->dead_after_ms && now_ms - ka->last_rx_ms >= ka->dead_after_ms)
		return PETREL_E_PEER_DEAD;
	return ka->interval_ms != 0 && now_ms >= ka->next_ping_ms ? 1 : 0;
}

void petrel_keepalive_pinged(petrel_session *s, uint64_t now_ms)
{
	if (s->keepalive != NULL)
		s->keepalive->next_ping_ms = now_ms + s->keepalive->interval_ms;
}

int petrel_keepalive_tick(petrel_session *s, uint64_t now_ms)
{
	if (s->push == NULL)
		return 0;
	int due = petrel_keepalive_check(s, now_ms);
	if (due == PETREL_E_PEER_DEAD) {
		/* No alert: the peer is not there to read it, and one that
		 * lost our session (a restart) would drop it anyway. */
		return petrel_session_fail(s, PETREL_E_PEER_DEAD, -1);
	}
	if (due != 1)
		return 0;
	petrel_keepalive_pinged(s, now_ms);
	int rc = send_ping(s);
	/* A ping the socket would not take is a lost ping: the next one
	 * follows an interval later. Only a broken transport is fatal. */
	if (rc == PETREL_E_AGAIN || rc == PETREL_E_INTERRUPTED || rc == PETREL_E_LARGE_PACKET)
		return 0;
	return rc < 0 ? petrel_session_fail(s, rc, -1) : 0;
}

uint64_t petrel_keepalive_deadline_for(const petrel_session *s, bool pings)
{
	if (!petrel_keepalive_active(s))
		return UINT64_MAX;
	const struct petrel_keepalive *ka = s->keepalive;
	if (!ka->started)
		return 0; /* start now */
	uint64_t next = ka->interval_ms && pings ? ka->next_ping_ms : UINT64_MAX;
	if (ka->dead_after_ms && ka->last_rx_ms + ka->dead_after_ms < next)
		next = ka->last_rx_ms + ka->dead_after_ms;
	return next;
}

uint64_t petrel_keepalive_deadline(const petrel_session *s)
{
	return petrel_keepalive_deadline_for(s, true);
}
