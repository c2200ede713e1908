#include "tests/robust_pair.h"

#include <stdlib.h>
#include <string.h>

#include "dtls/session.h"

static uint64_t rp_clock(void *ptr)
{
	return ((struct rp_pair *)ptr)->now_ms;
}

static long rp_push(void *ptr, const uint8_t *data, size_t len)
{
	struct rp_end *end = ptr;
	end->datagrams_sent++;
	size_t pos = 0;
	while (pos + PETREL_RECORD_HEADER_LEN <= len) {
		size_t rec_len = PETREL_RECORD_HEADER_LEN + ((size_t)data[pos + 11] << 8 | data[pos + 12]);
		if (rec_len > len - pos || rec_len > RP_MAX_RECORD)
			break;
		if (end->on_record)
			end->on_record(end->on_record_ctx, data + pos, rec_len);
		if (end->count < RP_MAX_QUEUE) {
			struct rp_record *r = &end->queue[(end->head + end->count++) % RP_MAX_QUEUE];
			memcpy(r->bytes, data + pos, rec_len);
			r->len = rec_len;
		}
		pos += rec_len;
	}
	return (long)len;
}

static long rp_pull(void *ptr, uint8_t *buf, size_t cap)
{
	(void)ptr;
	(void)buf;
	(void)cap;
	return PETREL_E_AGAIN;
}

static void end_init(struct rp_pair *p, struct rp_end *end, unsigned flags, petrel_credentials *creds,
		     const char *ciphers)
{
	memset(end, 0, sizeof *end);
	end->pair = p;
	end->queue = calloc(RP_MAX_QUEUE, sizeof end->queue[0]);
	if (end->queue == NULL || petrel_session_new(&end->session, flags) < 0)
		abort();
	petrel_session_set_credentials(end->session, creds);
	if (ciphers && petrel_session_set_ciphers(end->session, ciphers) < 0)
		abort();
	petrel_session_set_verify(end->session, PETREL_VERIFY_NONE, NULL, 0);
	petrel_dtls_set_timeouts(end->session, 100, 20000);
	petrel_transport_set_ptr(end->session, end);
	petrel_transport_set_push_function(end->session, rp_push);
	petrel_transport_set_pull_function(end->session, rp_pull);
	petrel_transport_set_clock_function(end->session, rp_clock, p);
}

void rp_init(struct rp_pair *p, unsigned client_flags, unsigned server_flags,
	     petrel_credentials *client_creds, petrel_credentials *server_creds, const char *ciphers)
{
	memset(p, 0, sizeof *p);
	p->now_ms = 1000;
	end_init(p, &p->client, PETREL_CLIENT | client_flags, client_creds, ciphers);
	end_init(p, &p->server, PETREL_SERVER | server_flags, server_creds, ciphers);
}

void rp_free(struct rp_pair *p)
{
	petrel_session_free(p->client.session);
	petrel_session_free(p->server.session);
	free(p->client.queue);
	free(p->server.queue);
}

int rp_start(struct rp_pair *p)
{
	return petrel_handshake(p->client.session);
}

int rp_deliver(struct rp_pair *p, struct rp_end *from)
{
	if (from->count == 0)
		return 1;
	struct rp_record *r = &from->queue[from->head];
	from->head = (from->head + 1) % RP_MAX_QUEUE;
	from->count--;
	struct rp_end *to = from == &p->client ? &p->server : &p->client;
	uint8_t buf[RP_MAX_RECORD];
	memcpy(buf, r->bytes, r->len);
	return petrel_engine_feed(to->session, buf, r->len, p->now_ms);
}

int rp_step(struct rp_pair *p)
{
	if (p->client.count > 0)
		return rp_deliver(p, &p->client);
	return rp_deliver(p, &p->server);
}

static bool failed(const petrel_session *s)
{
	return rp_state(s) == -1;
}

int rp_run_to_completion(struct rp_pair *p, uint64_t limit_ms)
{
	uint64_t end_ms = p->now_ms + limit_ms;
	for (;;) {
		petrel_session *c = p->client.session, *s = p->server.session;
		if (petrel_handshake_is_complete(c) && petrel_handshake_is_complete(s))
			return 0;
		if (failed(c) || failed(s))
			return -1;
		if (rp_step(p) != 1)
			continue;
		uint64_t next = petrel_engine_next_deadline(c);
		uint64_t ns = petrel_engine_next_deadline(s);
		if (ns < next)
			next = ns;
		if (next == UINT64_MAX || next > end_ms)
			return -2;
		if (next > p->now_ms)
			p->now_ms = next;
		(void)petrel_engine_tick(c, p->now_ms);
		(void)petrel_engine_tick(s, p->now_ms);
	}
}

int rp_state(const petrel_session *s)
{
	if (s->fatal_error)
		return -1;
	if (s->established)
		return HS_DONE;
	return s->hs ? (int)s->hs->state : 0;
}

const char *rp_state_name(int state)
{
	switch (state) {
	case -1: return "FAILED";
	case 0: return "S_NO_STATE";
	case HS_C_START: return "C_START";
	case HS_C_WAIT_SH: return "C_WAIT_SH";
	case HS_C_WAIT_CERT: return "C_WAIT_CERT";
	case HS_C_WAIT_SKE: return "C_WAIT_SKE";
	case HS_C_WAIT_CR_OR_SHD: return "C_WAIT_CR_OR_SHD";
	case HS_C_WAIT_SHD: return "C_WAIT_SHD";
	case HS_C_WAIT_NST_OR_CCS: return "C_WAIT_NST_OR_CCS";
	case HS_C_WAIT_CCS: return "C_WAIT_CCS";
	case HS_C_WAIT_FINISHED: return "C_WAIT_FINISHED";
	case HS_S_WAIT_CH: return "S_WAIT_CH";
	case HS_S_WAIT_CERT: return "S_WAIT_CERT";
	case HS_S_WAIT_CKE: return "S_WAIT_CKE";
	case HS_S_WAIT_CV: return "S_WAIT_CV";
	case HS_S_WAIT_CCS: return "S_WAIT_CCS";
	case HS_S_WAIT_FINISHED: return "S_WAIT_FINISHED";
	case HS_DONE: return "DONE";
	default: return "?";
	}
}

size_t rp_hs_message(uint8_t *out, size_t cap, uint8_t type, uint16_t message_seq,
		     const uint8_t *body, size_t len)
{
	if (cap < PETREL_HS_HEADER_LEN + len)
		abort();
	petrel_hs_header_encode_full(out, type, message_seq, (uint32_t)len);
	if (len)
		memcpy(out + PETREL_HS_HEADER_LEN, body, len);
	return PETREL_HS_HEADER_LEN + len;
}

size_t rp_protected_record(petrel_session *writer, uint16_t epoch, uint8_t content_type,
			   const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	struct petrel_writer w;
	petrel_writer_init(&w, out, cap);
	if (petrel_rl_write(&writer->rl, epoch, content_type, payload, len, &w) < 0)
		return 0;
	return petrel_writer_len(&w);
}

size_t rp_raw_record(uint8_t content_type, uint16_t epoch, uint64_t seq, const uint8_t *payload,
		     size_t len, uint8_t *out, size_t cap)
{
	struct petrel_writer w;
	petrel_writer_init(&w, out, cap);
	struct petrel_record_header h = {content_type, PETREL_DTLS12_VERSION, epoch, seq, (uint16_t)len};
	if (!petrel_record_header_write(&w, &h) || !petrel_put_bytes(&w, payload, len))
		abort();
	return petrel_writer_len(&w);
}
