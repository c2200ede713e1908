/* Path MTU probing after the handshake (RFC 8899 with RFC 6520 heartbeats,
 * issue #6): a probe is a heartbeat request padded to the size being
 * tried; the peer's response (small, no amplification) proves that a
 * datagram of that size crossed the path. Opt-in (PETREL_FLAG_PMTU_PROBE)
 * because it needs a peer that negotiated heartbeats; Petrel peers always
 * answer. The search itself is mtu/pmtud.c. */
#include <string.h>

#include "dtls/keepalive.h"
#include "dtls/output.h"
#include "dtls/outq_session.h"
#include "dtls/session.h"
#include "mtu/mtu.h"

#define HB_REQUEST 1
#define HB_RESPONSE 2
#define HB_PAYLOAD_LEN 8
#define HB_MIN_PADDING 16 /* RFC 6520 4 */
#define HB_HEADER_LEN 3   /* type + payload_length */

static size_t ip_udp_overhead(const petrel_session *s)
{
	return petrel_output_ip_udp_overhead(s);
}

void petrel_probe_start(petrel_session *s, uint64_t now_ms)
{
	if (!(s->flags & PETREL_FLAG_PMTU_PROBE) || !s->hb_peer_allows)
		return;
	uint32_t first_id;
	petrel_random((uint8_t *)&first_id, sizeof first_id);
	petrel_pmtud_start(&s->pmtud, s->link_mtu, s->link_mtu, s->mtu_max, first_id, now_ms);
}

/* One heartbeat record: type, payload, padding to fill plaintext_len. */
static int send_heartbeat(petrel_session *s, uint8_t type, const uint8_t *payload, size_t payload_len,
			  size_t plaintext_len)
{
	uint8_t body[PETREL_MAX_PLAINTEXT];
	if (plaintext_len > sizeof body || plaintext_len < HB_HEADER_LEN + payload_len + HB_MIN_PADDING)
		return PETREL_E_INVALID_REQUEST;
	body[0] = type;
	petrel_store_u16(body + 1, (uint16_t)payload_len);
	memcpy(body + HB_HEADER_LEN, payload, payload_len);
	size_t pad = plaintext_len - HB_HEADER_LEN - payload_len;
	petrel_random(body + HB_HEADER_LEN + payload_len, pad);
	uint8_t dgram[PETREL_MAX_DATAGRAM];
	struct petrel_writer w;
	petrel_writer_init(&w, dgram, sizeof dgram);
	int rc = petrel_rl_write(&s->rl, petrel_rl_write_epoch(&s->rl), PETREL_CT_HEARTBEAT, body,
				 plaintext_len, &w);
	if (rc < 0)
		return rc;
	long r = petrel_outq_session_drain(s, dgram, petrel_writer_len(&w), NULL);
	return r < 0 ? (int)r : 0;
}

int petrel_heartbeat_send_request(petrel_session *s, const uint8_t *payload, size_t len)
{
	return send_heartbeat(s, HB_REQUEST, payload, len, HB_HEADER_LEN + len + HB_MIN_PADDING);
}

int petrel_probe_tick(petrel_session *s, uint64_t now_ms)
{
	if (s->pmtud.state == PETREL_PMTUD_OFF || !s->established || s->closed || s->push == NULL)
		return 0;
	uint32_t timeout = 4 * s->stats.rtt_ms;
	if (timeout < 500)
		timeout = 500;
	uint16_t size;
	uint32_t id;
	switch (petrel_pmtud_poll(&s->pmtud, s->link_mtu, now_ms, timeout, &size, &id)) {
	case PETREL_PMTUD_LOWER:
		petrel_set_mtu(s, size, PETREL_MTU_BLACK_HOLE);
		return 0;
	case PETREL_PMTUD_SEND: {
		size_t overhead = petrel_rl_write_overhead(&s->rl, petrel_rl_write_epoch(&s->rl));
		size_t dgram = size - ip_udp_overhead(s);
		if (size <= ip_udp_overhead(s) || dgram <= overhead)
			return 0;
		uint8_t payload[HB_PAYLOAD_LEN] = {0};
		struct petrel_writer pw;
		petrel_writer_init(&pw, payload, sizeof payload);
		(void)(petrel_put_u32(&pw, id) && petrel_put_u16(&pw, size));
		int rc = send_heartbeat(s, HB_REQUEST, payload, sizeof payload, dgram - overhead);
		if (rc == PETREL_E_LARGE_PACKET) {
			/* The local link refuses it: never try this size again. */
			s->pmtud.max = (uint16_t)(size - 1);
			return 0;
		}
		return rc == PETREL_E_PUSH_ERROR ? rc : 0;
	}
	default:
		return 0;
	}
}

int petrel_probe_on_record(petrel_session *s, const struct petrel_record *rec, uint64_t now_ms)
{
	/* Heartbeats only under the current keys, never during the handshake
	 * (RFC 6520 3), and only when negotiated. */
	if (!s->established || !s->hb_negotiated || rec->epoch == 0 ||
	    rec->epoch != petrel_rl_read_epoch(&s->rl))
		return 0;
	struct petrel_reader r;
	petrel_reader_init(&r, rec->fragment, rec->length);
	uint8_t type;
	uint16_t payload_len;
	const uint8_t *payload;
	if (!petrel_get_u8(&r, &type) || !petrel_get_u16(&r, &payload_len) ||
	    !petrel_get_bytes(&r, payload_len, &payload) || petrel_reader_left(&r) < HB_MIN_PADDING)
		return 0; /* RFC 6520 4: a length that does not fit is discarded silently */
	if (type == HB_REQUEST) {
		size_t plaintext = HB_HEADER_LEN + (size_t)payload_len + HB_MIN_PADDING;
		int rc = send_heartbeat(s, HB_RESPONSE, payload, payload_len, plaintext);
		return rc == PETREL_E_PUSH_ERROR ? rc : 0;
	}
	if (type == HB_RESPONSE && payload_len == HB_PAYLOAD_LEN) {
		struct petrel_reader pr;
		uint32_t id = 0;
		petrel_reader_init(&pr, payload, payload_len);
		(void)petrel_get_u32(&pr, &id); /* 8 bytes: cannot fail */
		uint16_t proven = petrel_pmtud_on_ack(&s->pmtud, s->link_mtu, id, now_ms);
		if (proven > s->link_mtu)
			petrel_set_mtu(s, proven, PETREL_MTU_PROBE);
	} else if (type == HB_RESPONSE) {
		petrel_keepalive_on_heartbeat_response(s, payload, payload_len);
	}
	return 0;
}

/* The keepalive's (dtls/keepalive.c) ping answered: matched here, where
 * every heartbeat record arrives, so keepalive.c, which sends its pings
 * through this file, is never called back. */
void petrel_keepalive_on_heartbeat_response(petrel_session *s, const uint8_t *payload, size_t len)
{
	struct petrel_keepalive *ka = s->keepalive;
	if (ka == NULL || len != KA_PAYLOAD_LEN || !ka->ping_outstanding)
		return;
	struct petrel_reader r;
	petrel_reader_init(&r, payload, len);
	uint16_t magic = 0;
	uint32_t id = 0;
	if (!petrel_get_u16(&r, &magic) || !petrel_get_u32(&r, &id) || magic != KA_MAGIC ||
	    id != ka->ping_id)
		return;
	ka->ping_outstanding = false;
	ka->heartbeat_responses++;
}
