/* Replays a recorded wolfSSL DTLS 1.3 session (see tests/dtls13_replay.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtls/hs_header.h"
#include "petrel/petrel.h"
#include "record/record.h"
#include "tests/dtls13_replay.h"

/* The key log's four traffic secrets and the CIDs, from the '#' lines. */
static void on_comment(const char *line, void *ctx)
{
	static const char *labels[4] = {"CLIENT_HANDSHAKE_TRAFFIC_SECRET ",
					"SERVER_HANDSHAKE_TRAFFIC_SECRET ",
					"CLIENT_TRAFFIC_SECRET_0 ", "SERVER_TRAFFIC_SECRET_0 "};
	struct session *s = ctx;
	for (int i = 0; i < 4; i++) {
		const char *at = strstr(line, labels[i]);
		if (at == NULL)
			continue;
		at += strlen(labels[i]);
		at += strcspn(at, " ") + 1; /* skip the client random */
		long n = vector_unhex(at, s->secret[i], sizeof s->secret[i]);
		cr_assert(n == 32 || n == 48, "secret %d", i);
		s->secret_len[i] = (size_t)n;
	}
	if (vector_cid(line, s->cid[C2S], s->cid[S2C], sizeof s->cid[0], s->cid_len))
		cr_assert_gt(s->cid_len[S2C], 0);
}

static void load(const char *name, struct session *s)
{
	memset(s, 0, sizeof *s);
	s->count = vector_load(s->dg, MAX_DATAGRAMS, on_comment, s, "dtls13/%s.txt", name);
	for (int i = 0; i < 4; i++)
		cr_assert_gt(s->secret_len[i], 0, "%s: key log line %d missing", name, i);
}

/* RFC 8446 4.1.3: the random of a HelloRetryRequest, SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

static void install(struct replay *rp, int dir, uint64_t epoch, const uint8_t *secret)
{
	struct epoch_keys *e = &rp->ep[dir][epoch];
	size_t hl = petrel_hash_len(rp->hash);
	memcpy(e->secret, secret, hl);
	cr_assert_eq(petrel_dtls13_traffic_keys(rp->hash, PETREL_DTLS13_LABEL_PREFIX, rp->aead,
						secret, &e->tk),
		     0);
	e->aead = malloc(petrel_aead_ctx_size());
	cr_assert_eq(petrel_aead_init(e->aead, rp->aead, e->tk.key), 0);
	cr_assert_eq(petrel_rn_key_init(&e->sn, rp->aead, e->tk.sn_key), 0);
	e->rk.aead = e->aead;
	e->rk.alg = rp->aead;
	memcpy(e->rk.iv, e->tk.iv, sizeof e->rk.iv);
	e->rk.sn = &e->sn;
	e->rk.counter_order = rp->order;
	e->next_seq = 0;
	e->have = true;
}

/* The cipher suite from the (last, non-HRR) ServerHello in the plaintext records. */
static uint16_t find_suite(const struct session *s)
{
	uint16_t suite = 0;
	for (size_t i = 0; i < s->count; i++) {
		if (s->dg[i].dir != S2C || petrel_record_kind(s->dg[i].data[0]) != PETREL_REC_PLAINTEXT)
			continue;
		struct petrel_reader r;
		struct petrel_record_header h;
		const uint8_t *body, *frag, *random, *sid;
		size_t sid_len;
		petrel_reader_init(&r, s->dg[i].data, s->dg[i].len);
		if (!petrel_record_header_read(&r, &h) || h.content_type != PETREL_CT_HANDSHAKE ||
		    !petrel_get_bytes(&r, h.length, &body))
			continue;
		struct petrel_reader rec;
		struct petrel_hs_header hh;
		petrel_reader_init(&rec, body, h.length);
		if (petrel_hs_header_read(&rec, &hh, &frag) != 0 || hh.msg_type != PETREL_HS_SERVER_HELLO)
			continue;
		struct petrel_reader sh;
		uint16_t legacy_version, cs;
		petrel_reader_init(&sh, frag, hh.fragment_length);
		cr_assert(petrel_get_u16(&sh, &legacy_version) && petrel_get_bytes(&sh, 32, &random) &&
			  petrel_get_opaque8(&sh, &sid, &sid_len) && petrel_get_u16(&sh, &cs));
		/* RFC 9147 5.3: legacy_version is DTLS 1.2. */
		cr_assert_eq(legacy_version, PETREL_DTLS12_VERSION);
		if (memcmp(random, hrr_random, 32) != 0)
			suite = cs;
	}
	return suite;
}

void dtls13_replay_transcript_hash(const struct replay *rp, size_t upto, uint8_t *out)
{
	struct petrel_hash_ctx ctx;
	petrel_hash_init(&ctx, rp->hash);
	for (size_t i = 0; i < upto; i++) {
		const struct message *m = &rp->msg[i];
		if (i == 0 && rp->saw_hrr) {
			/* RFC 8446 4.4.1: ClientHello1 becomes message_hash. */
			uint8_t mh[4 + PETREL_MAX_HASH_LEN];
			size_t hl = petrel_hash_len(rp->hash);
			mh[0] = 254;
			mh[1] = 0;
			mh[2] = 0;
			mh[3] = (uint8_t)hl;
			petrel_hash(rp->hash, m->tls, 4 + m->len, mh + 4);
			petrel_hash_update(&ctx, mh, 4 + hl);
			continue;
		}
		petrel_hash_update(&ctx, m->tls, 4 + m->len);
	}
	petrel_hash_peek(&ctx, out);
}

/* A complete handshake message of the handshake (not post-handshake). */
static void on_message(struct replay *rp, size_t index)
{
	struct message *m = &rp->msg[index];
	const uint8_t *body = m->tls + 4;
	if (m->type == PETREL_HS_SERVER_HELLO && m->len >= 34 && memcmp(body + 2, hrr_random, 32) == 0)
		rp->saw_hrr = true;
	if (m->type == 8) {
		/* EncryptedExtensions (RFC 8446 4.3.1): extensions<0..2^16-1>,
		 * each type + opaque16, nothing after. */
		struct petrel_reader r, exts;
		petrel_reader_init(&r, body, m->len);
		cr_assert(petrel_get_sub16(&r, &exts) && petrel_reader_done(&r),
			  "EncryptedExtensions malformed");
		while (petrel_reader_left(&exts) > 0) {
			uint16_t type;
			const uint8_t *data;
			size_t len;
			cr_assert(petrel_get_u16(&exts, &type) && petrel_get_opaque16(&exts, &data, &len));
			rp->ee_extensions++;
		}
		cr_assert(petrel_reader_done(&exts));
		rp->saw_ee = true;
	}
	if (m->type == PETREL_HS_FINISHED) {
		uint8_t th[PETREL_MAX_HASH_LEN];
		dtls13_replay_transcript_hash(rp, index, th);
		const uint8_t *base = m->dir == S2C ? rp->s.secret[SHTS] : rp->s.secret[CHTS];
		int rc = petrel_dtls13_finished_check(rp->hash, PETREL_DTLS13_LABEL_PREFIX, base, th,
						      body, m->len);
		rp->finished_ok[m->dir] = rc == 0 ? 1 : -1;
	}
}

/* Adds one handshake fragment (epoch 0 or 2) to its message. */
static void add_fragment(struct replay *rp, int dir, const struct petrel_hs_header *hh,
			 const uint8_t *frag)
{
	struct message *m = NULL;
	for (size_t i = 0; i < rp->msg_count; i++)
		if (rp->msg[i].dir == dir && rp->msg[i].seq == hh->message_seq)
			m = &rp->msg[i];
	if (m == NULL) {
		cr_assert_lt(rp->msg_count, MAX_MESSAGES);
		cr_assert_leq(hh->length, MAX_MESSAGE_LEN);
		m = &rp->msg[rp->msg_count++];
		m->dir = dir;
		m->type = hh->msg_type;
		m->seq = hh->message_seq;
		m->len = hh->length;
		m->tls = calloc(1, 4 + m->len);
		m->have = calloc(1, m->len + 1);
		m->tls[0] = m->type;
		petrel_store_u24(m->tls + 1, (uint32_t)m->len);
	}
	if (m->complete)
		return; /* retransmission */
	cr_assert_eq(hh->length, m->len);
	memcpy(m->tls + 4 + hh->fragment_offset, frag, hh->fragment_length);
	for (size_t i = 0; i < hh->fragment_length; i++)
		m->have[hh->fragment_offset + i] = true;
	for (size_t i = 0; i < m->len; i++)
		if (!m->have[i])
			return;
	m->complete = true;
	on_message(rp, (size_t)(m - rp->msg));
}

static void handshake_record(struct replay *rp, int dir, uint64_t epoch, const uint8_t *data,
			     size_t len)
{
	struct petrel_reader r;
	petrel_reader_init(&r, data, len);
	while (petrel_reader_left(&r) > 0) {
		struct petrel_hs_header hh;
		const uint8_t *frag;
		cr_assert_eq(petrel_hs_header_read(&r, &hh, &frag), 0);
		if (epoch <= 2) {
			add_fragment(rp, dir, &hh, frag);
			continue;
		}
		/* Post-handshake (RFC 9147 5.7): NewSessionTicket, KeyUpdate. */
		cr_assert_eq(hh.fragment_offset, 0);
		cr_assert_eq(hh.fragment_length, hh.length, "fragmented post-handshake message");
		cr_assert_lt(rp->post_count, MAX_MESSAGES);
		rp->post[rp->post_count].dir = dir;
		rp->post[rp->post_count].type = hh.msg_type;
		rp->post[rp->post_count].len = hh.length;
		rp->post[rp->post_count].body = malloc(hh.length + 1);
		memcpy(rp->post[rp->post_count].body, frag, hh.length);
		rp->post_count++;
		if (hh.msg_type == 24) {
			/* RFC 8446 4.6.3: the sender's next records use the next
			 * secret, in the next epoch (RFC 9147 8). */
			cr_assert_eq(hh.length, 1);
			struct epoch_keys *cur = &rp->ep[dir][3];
			uint8_t next[PETREL_MAX_HASH_LEN];
			memcpy(next, cur->secret, sizeof next);
			cr_assert_eq(petrel_dtls13_next_traffic_secret(rp->hash,
								       PETREL_DTLS13_LABEL_PREFIX, next),
				     0);
			install(rp, dir, 4, next);
			rp->key_update[dir] = true;
		}
	}
}

static void on_plaintext(struct replay *rp, int dir, uint64_t epoch, uint8_t type,
			 const uint8_t *data, size_t len)
{
	switch (type) {
	case PETREL_CT_HANDSHAKE:
		handshake_record(rp, dir, epoch, data, len);
		break;
	case PETREL_CT_APPLICATION_DATA:
		cr_assert_eq(epoch >= 3, true, "application data before epoch 3");
		cr_assert_lt(len, sizeof rp->app[dir]);
		memcpy(rp->app[dir], data, len);
		rp->app[dir][len] = '\0';
		break;
	case PETREL_CT_ALERT:
		cr_assert_eq(len, 2);
		if (data[0] == 1 && data[1] == 0)
			rp->close_notify[dir] = true;
		break;
	case 26: /* ack (RFC 9147 7): record_numbers<2..2^16-2>, 16 bytes each */
		cr_assert_eq(len >= 2 && (len - 2) % 16 == 0 && petrel_load_u16(data) == len - 2, true,
			     "ACK malformed");
		rp->acks++;
		if (rp->ack_count < MAX_MESSAGES) {
			rp->ack[rp->ack_count].dir = dir;
			rp->ack[rp->ack_count].type = type;
			rp->ack[rp->ack_count].len = len;
			rp->ack[rp->ack_count].body = malloc(len + 1);
			memcpy(rp->ack[rp->ack_count].body, data, len);
			rp->ack_count++;
		}
		break;
	default:
		cr_assert_fail("content type %u", type);
	}
}

void dtls13_replay_session(const char *name, struct replay *rp,
			   enum petrel_rn_chacha_counter order)
{
	memset(rp, 0, sizeof *rp);
	load(name, &rp->s);
	rp->suite = find_suite(&rp->s);
	cr_assert_eq(petrel_tls13_suite_params(rp->suite, &rp->hash, &rp->aead), 0,
		     "%s: suite %04x", name, rp->suite);
	cr_assert_eq(rp->s.secret_len[0], petrel_hash_len(rp->hash));
	rp->order = order;
	install(rp, C2S, 2, rp->s.secret[CHTS]);
	install(rp, S2C, 2, rp->s.secret[SHTS]);
	install(rp, C2S, 3, rp->s.secret[CTS0]);
	install(rp, S2C, 3, rp->s.secret[STS0]);
	rp->current_epoch[C2S] = rp->current_epoch[S2C] = 2;

	for (size_t i = 0; i < rp->s.count; i++) {
		struct vector_datagram *d = &rp->s.dg[i];
		struct petrel_reader r;
		petrel_reader_init(&r, d->data, d->len);
		while (petrel_reader_left(&r) > 0) {
			const uint8_t *rec_start = r.p;
			enum petrel_record_kind kind = petrel_record_kind(*rec_start);
			cr_assert_neq(kind, PETREL_REC_INVALID);
			cr_assert_neq(kind, PETREL_REC_TLS12_CID, "no RFC 9146 records in DTLS 1.3");
			if (kind == PETREL_REC_PLAINTEXT) {
				struct petrel_record_header h;
				const uint8_t *body;
				cr_assert(petrel_record_header_read(&r, &h) &&
					  petrel_get_bytes(&r, h.length, &body));
				cr_assert_eq(h.epoch, 0);
				on_plaintext(rp, d->dir, 0, h.content_type, body, h.length);
				continue;
			}
			struct petrel_dtls13_header h;
			const uint8_t *body;
			cr_assert(petrel_dtls13_header_read(&r, rp->s.cid_len[d->dir], &h, &body),
				  "%s datagram %zu", name, i);
			/* 9146-style CIDs: each direction carries the CID its receiver chose. */
			if (h.cid_len > 0)
				cr_assert_arr_eq(h.cid, rp->s.cid[d->dir], h.cid_len);
			uint64_t epoch =
				petrel_dtls13_epoch_reconstruct(rp->current_epoch[d->dir], h.epoch_bits);
			struct epoch_keys *e = &rp->ep[d->dir][epoch < 5 ? epoch : 0];
			cr_assert(e->have, "%s: no keys for epoch %llu", name,
				  (unsigned long long)epoch);
			/* Open a copy: the datagram stays as recorded. */
			uint8_t copy[PETREL_DTLS13_HEADER_MAX + PETREL_DTLS13_MAX_ENCRYPTED];
			size_t rec_len = h.header_len + h.length;
			memcpy(copy, rec_start, rec_len);
			uint64_t seq;
			uint8_t type, *content;
			size_t clen;
			int rc = petrel_dtls13_open(&e->rk, copy, &h, e->next_seq, NULL, &seq, &type,
						    &content, &clen);
			if (rc != 0) {
				rp->failed++;
				continue;
			}
			rp->opened++;
			if (seq + 1 > e->next_seq)
				e->next_seq = seq + 1;
			if (epoch > rp->current_epoch[d->dir])
				rp->current_epoch[d->dir] = epoch;
			on_plaintext(rp, d->dir, epoch, type, content, clen);
		}
	}
}

void dtls13_replay_free(struct replay *rp)
{
	for (int d = 0; d < 2; d++)
		for (int e = 0; e < 5; e++)
			if (rp->ep[d][e].have) {
				petrel_aead_wipe(rp->ep[d][e].aead);
				free(rp->ep[d][e].aead);
				petrel_rn_key_wipe(&rp->ep[d][e].sn);
				petrel_dtls13_traffic_keys_wipe(&rp->ep[d][e].tk);
			}
	for (size_t i = 0; i < rp->post_count; i++)
		free(rp->post[i].body);
	for (size_t i = 0; i < rp->ack_count; i++)
		free(rp->ack[i].body);
	for (size_t i = 0; i < rp->msg_count; i++) {
		free(rp->msg[i].tls);
		free(rp->msg[i].have);
	}
	vector_unload(rp->s.dg, rp->s.count);
}

