/* The DTLS 1.3 session driver: datagrams demultiplexed by first byte (RFC
 * 9147 4.1), records opened through the epoch table (rl13.c), handshake
 * fragments reassembled (dtls/reassembly.c; the 1.3 handshake header is
 * the 1.2 one, RFC 9147 5.2) and handed whole to client13 / server13,
 * whose outputs (messages, keys, events) become flights (flight13.c).
 * After the handshake: application data, ACKs, KeyUpdate (8), alerts.
 * Time comes in as now_ms; datagrams leave through dtls/output.c. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dtls/alert.h"
#include "dtls/dispatch.h"
#include "dtls/hs_header.h"
#include "dtls/output.h"
#include "dtls/outq_session.h"
#include "dtls/session_cid.h"
#include "dtls13/cid13_issue.h"
#include "dtls13/cid13_record.h"
#include "dtls13/cid13_retire.h" /* cid13 */
#include "dtls13/cid13_update.h"
#include "dtls13/engine13_internal.h"
#include "dtls13/export13.h"
#include "dtls13/ka13.h" /* ka13 */
#include "dtls13/flight13_pmtu.h"
#include "dtls13/ku13_take.h"
#include "dtls13/ext13_session.h"
#include "dtls13/messages13.h"
#include "dtls12/take_over12.h"
#include "dtls13/perf13_idle.h"
#include "record/header13.h"

/* ---- configuration from the session ---- */

static int psk_lookup(void *ctx, const uint8_t *id, size_t id_len, uint8_t *psk, size_t *psk_len,
		      enum petrel_hash_alg *hash)
{
	petrel_session *s = ctx;
	const struct petrel_credentials *c = s->creds;
	if (c == NULL || id_len == 0 || id_len > PETREL_MAX_PSK_IDENTITY)
		return PETREL_E_UNKNOWN_PSK_IDENTITY;
	*hash = PETREL_HASH_SHA256;
	for (size_t i = 0; i < c->psk_count; i++) {
		const struct petrel_psk_entry *e = &c->psks[i];
		if (e->identity_len == id_len && memcmp(e->identity, id, id_len) == 0 &&
		    e->key_len <= PETREL_MAX_HASH_LEN) {
			memcpy(psk, e->key, e->key_len);
			*psk_len = e->key_len;
			goto found;
		}
	}
	if (c->psk_lookup) {
		long n = c->psk_lookup(c->psk_lookup_ptr, id, id_len, psk, PETREL_MAX_HASH_LEN);
		if (n > 0 && n <= PETREL_MAX_HASH_LEN) {
			*psk_len = (size_t)n;
			goto found;
		}
	}
	return PETREL_E_UNKNOWN_PSK_IDENTITY;
found:
	memcpy(s->psk_used.identity, id, id_len);
	s->psk_used.identity_len = id_len;
	s->psk_used_set = true;
	return 0;
}

static void build_config(petrel_session *s, struct petrel_d13 *d)
{
	struct petrel_hs13_config *cfg = &d->cfg;
	struct petrel_credentials *c = s->creds;
	memset(cfg, 0, sizeof *cfg);
	petrel_cid13_session_config(s, &cfg->cid); /* RFC 9147 9 */
	/* The cipher list's 1.3 suites, in its order (petrel_session_set_ciphers). */
	if (s->cipher13_count > 0) {
		cfg->suites = s->ciphers13;
		cfg->suite_count = s->cipher13_count;
	}
	if (s->group_count > 0) {
		cfg->groups = s->groups;
		cfg->group_count = s->group_count > PETREL_HS13_MAX_GROUPS ? PETREL_HS13_MAX_GROUPS
									  : s->group_count;
	}
	if (c && c->key && c->chain_count > 0) {
		/* The credentials' own arrays, as the key: no copy held for the
		 * session's life (the idle budget, README "DTLS 1.3 figures"). */
		cfg->key = c->key;
		cfg->chain = (const uint8_t *const *)c->chain_der;
		cfg->chain_lens = c->chain_len;
		cfg->chain_count = c->chain_count < PETREL_MAX_CHAIN ? c->chain_count : PETREL_MAX_CHAIN;
	}
	switch (s->verify_mode) {
	case PETREL_VERIFY_NONE: cfg->verifier.mode = PETREL_HS13_VERIFY_NONE; break;
	case PETREL_VERIFY_PIN: cfg->verifier.mode = PETREL_HS13_VERIFY_PIN_CERT; break;
	case PETREL_VERIFY_PIN_SPKI: cfg->verifier.mode = PETREL_HS13_VERIFY_PIN_SPKI; break;
	default: cfg->verifier.mode = PETREL_HS13_VERIFY_CHAIN; break;
	}
	memcpy(cfg->verifier.pin, s->pin, sizeof cfg->verifier.pin);
	cfg->verifier.store = c ? c->trust : NULL;
	cfg->verifier.host = s->server_name;
	cfg->verifier.now_s = s->wall_clock ? s->wall_clock() : (int64_t)time(NULL);
	cfg->server_name = s->role == PETREL_CLIENT ? s->server_name : NULL; /* ext13_names.h */
	cfg->alpn = s->alpn_offer;
	if (s->role == PETREL_CLIENT) {
		if (c && c->psk_count > 0) {
			cfg->psk = c->psks[0].key;
			cfg->psk_len = c->psks[0].key_len;
			cfg->psk_hash = PETREL_HASH_SHA256;
			cfg->psk_identity = c->psks[0].identity;
			cfg->psk_identity_len = c->psks[0].identity_len;
			memcpy(&s->psk_used, &c->psks[0], sizeof s->psk_used);
			petrel_wipe(s->psk_used.key, sizeof s->psk_used.key);
			s->psk_used_set = true;
		}
		/* A 1.3 session to resume: its ticket is the PSK offered
		 * (psk_dhe_ke, RFC 8446 2.2, 4.2.11). */
		if (s->resume_blob &&
		    petrel_ticket13_client_offer(s->resume_blob, s->resume_blob_len,
						 petrel_ticket13_client_now_ms(s), cfg) == 0) {
			s->psk_used_set = false;
			/* The external PSK after the ticket, for a server that
			 * cannot open it (another key): RFC 8446 4.2.11. */
			if (c && c->psk_count > 0) {
				cfg->ext_psk = c->psks[0].key;
				cfg->ext_psk_len = c->psks[0].key_len;
				cfg->ext_psk_identity = c->psks[0].identity;
				cfg->ext_psk_identity_len = c->psks[0].identity_len;
			}
		}
		/* Offer 1.2 too when allowed: the 1.2 client can take over
		 * from this ClientHello (dtls/dispatch.h take_over). A cipher
		 * list of 1.3 suites only rules 1.2 out; its 1.2 suites are
		 * the ones offered (as dtls12/client12.c offers them). */
		if (s->version_min <= PETREL_V_DTLS12 &&
		    (s->cipher13_count == 0 || s->cipher_count > 0)) {
			size_t count, n = 0;
			const struct petrel_suite *all = petrel_suite_list(&count);
			bool psk = c && (c->psk_count > 0 || c->psk_lookup);
			if (s->cipher_count > 0) {
				memcpy(d->suites12, s->ciphers, s->cipher_count * sizeof s->ciphers[0]);
				n = s->cipher_count;
				count = 0; /* the list replaces the defaults */
			}
			for (size_t i = 0; psk && i < count && n < PETREL_MAX_CIPHERS; i++)
				if (petrel_suite_uses_psk(&all[i]))
					d->suites12[n++] = all[i].id;
			for (size_t i = 0; i < count && n < PETREL_MAX_CIPHERS; i++)
				if (petrel_suite_uses_certificate(&all[i]))
					d->suites12[n++] = all[i].id;
			cfg->offer_dtls12 = true;
			cfg->suites12 = d->suites12;
			cfg->suite12_count = n;
			cfg->sig_schemes12 = d->schemes12;
			cfg->sig_scheme12_count = petrel_our_sig_schemes(d->schemes12, 16);
			petrel_ticket13_offer12(s, cfg); /* 1.2 resumption after a fallback */
		}
		return;
	}
	cfg->require_client_cert = (s->flags & PETREL_FLAG_REQUIRE_CLIENT_CERT) != 0;
	cfg->request_client_cert = (s->flags & PETREL_FLAG_REQUEST_CLIENT_CERT) != 0;
	/* The stateless cookie exchange unless turned off, as in 1.2. */
	cfg->force_hrr = (s->flags & PETREL_FLAG_NO_COOKIE) == 0;
	/* NewSessionTicket after the handshake (RFC 8446 4.6.1). */
	cfg->send_ticket = (s->flags & PETREL_FLAG_NO_TICKETS) == 0;
	if (c) {
		cfg->ticket_lifetime_s = petrel_ticket_lifetime_hint_s(c);
		cfg->cookie_secret = c->cookie_secret;
		cfg->cookie_secret_prev = c->cookie_secret_prev;
		cfg->ticket_keys = &c->ticket_keys;
		if (c->psk_count > 0 || c->psk_lookup) {
			cfg->psk_lookup = psk_lookup;
			cfg->psk_lookup_ctx = s;
		}
	}
	cfg->peer_addr = s->peer_addr;
	cfg->peer_addr_len = s->peer_addr_len;
}

/* ---- state ---- */

static struct petrel_d13 *d13_new(petrel_session *s, uint64_t now_ms)
{
	struct petrel_d13 *d = calloc(1, sizeof *d);
	if (d == NULL)
		return NULL;
	build_config(s, d);
	petrel_export13_config(s, &d->cfg); /* use_srtp, PSK modes */
	petrel_ka13_config(s, &d->cfg); /* ka13: heartbeat offered for a 1.2 server */
	(void)petrel_rto_init(&d->rto, s->retrans_initial_ms, s->rto_floor_ms, s->rto_cap_ms);
	d->counter_order = PETREL_RN_COUNTER_LE;
	d->start_ms = now_ms;
	d->deadline_total_ms = now_ms + s->total_timeout_ms;
	int rc;
	if (s->role == PETREL_CLIENT) {
		d->cl = calloc(1, sizeof *d->cl);
		rc = d->cl ? petrel_dtls13_client_init(d->cl, &d->cfg) : PETREL_E_MEMORY;
	} else {
		d->sv = calloc(1, sizeof *d->sv);
		rc = d->sv ? petrel_dtls13_server_init(d->sv, &d->cfg) : PETREL_E_MEMORY;
	}
	s->d13 = d;
	if (rc < 0) {
		petrel_engine13_free(s);
		return NULL;
	}
	return d;
}

static void free_cores(struct petrel_d13 *d)
{
	if (d->cl) {
		petrel_dtls13_client_free(d->cl);
		free(d->cl);
		d->cl = NULL;
	}
	if (d->sv) {
		petrel_dtls13_server_free(d->sv);
		free(d->sv);
		d->sv = NULL;
	}
}

void petrel_engine13_free(petrel_session *s)
{
	struct petrel_d13 *d = s->d13;
	if (d == NULL)
		return;
	free_cores(d);
	petrel_flight13_clear(d);
	petrel_flight13_free_rcvd(d);
	petrel_perf13_rx_free(d);
	petrel_rl13_clear(d);
	petrel_dtls13_key_update_wipe(&d->ku);
	petrel_wipe(d, sizeof *d);
	free(d);
	s->d13 = NULL;
}

bool petrel_engine13_active(const petrel_session *s)
{
	return s->version == PETREL_V_DTLS13;
}

uint64_t petrel_engine13_write_epoch(const petrel_session *s)
{
	return s->d13 ? s->d13->wr_epoch : 0;
}

uint64_t petrel_engine13_read_epoch(const petrel_session *s)
{
	return s->d13 ? s->d13->rd_epoch : 0;
}

/* ---- failing ---- */

static int send_alert13(petrel_session *s, uint8_t level, uint8_t desc)
{
	struct petrel_d13 *d = s->d13;
	if (d == NULL)
		return 0;
	uint8_t body[2] = {level, desc};
	uint8_t dg[64];
	struct petrel_writer w;
	petrel_writer_init(&w, dg, sizeof dg);
	int rc = petrel_rl13_seal(d, d->wr_epoch, PETREL_CT_ALERT, body, 2, &w, NULL);
	if (rc < 0)
		return rc;
	return petrel_outq_session_drain_lossy(s, dg, petrel_writer_len(&w));
}

static int fail13(petrel_session *s, int code, int alert)
{
	if (s->fatal_error)
		return s->fatal_error;
	if (alert > 0)
		(void)send_alert13(s, PETREL_ALERT_FATAL, (uint8_t)alert);
	s->fatal_error = code;
	if (s->d13) {
		free_cores(s->d13);
		petrel_flight13_clear(s->d13);
	}
	return code;
}

/* ---- core outputs ---- */

static void core_suite(struct petrel_d13 *d)
{
	if (d->cl) {
		d->hash = d->cl->hash;
		d->aead = d->cl->aead;
	} else if (d->sv) {
		d->hash = d->sv->hash;
		d->aead = d->sv->aead;
	}
}

static int install(struct petrel_d13 *d, const struct petrel_hs13_key_change *kc)
{
	core_suite(d);
	if (kc->epoch == PETREL_EPOCH13_APPLICATION) {
		memcpy(kc->write ? d->app_wr : d->app_rd, kc->secret, kc->secret_len);
		d->app_len = kc->secret_len;
	}
	return petrel_rl13_install(d, kc->write, kc->epoch, kc->secret, kc->secret_len);
}

static void established(petrel_session *s, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	d->done = true;
	s->established = true;
	d->suite = d->cl ? d->cl->suite : d->sv ? d->sv->suite : 0;
	if (d->sv)
		s->group = d->sv->group;
	if (d->cl)
		s->group = d->cl->group;
	/* The server's signature: none when a PSK was used. */
	s->sig_scheme = d->cl ? d->cl->sig_scheme : d->sv ? d->sv->sig_scheme : 0;
	s->stats.handshake_ms = now_ms - d->start_ms;
	s->stats.rtt_ms = d->rto.stats.srtt_ms;
	s->stats.rto_ms = petrel_rto_current_ms(&d->rto);
	/* Flights from now on (tickets, KeyUpdate) need no public-key work. */
	petrel_rto_next_flight_needs_work(&d->rto, false);
	petrel_export13_established(s); /* exporter secret, SRTP outcome */
	if (petrel_dtls13_key_update_init(&d->ku, d->hash, d->app_wr, d->app_rd,
					  PETREL_EPOCH13_APPLICATION) == 0)
		d->ku_ready = true;
	petrel_wipe(d->app_wr, sizeof d->app_wr);
	petrel_wipe(d->app_rd, sizeof d->app_rd);
}

/* Keys and messages in the order the core gave them: a write key applies
 * to the messages after it (write_before). */
static int apply_output(petrel_session *s, struct petrel_hs13_output *out, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	size_t ki = 0;
	int rc = 0;
	for (; ki < out->key_count; ki++)
		if ((rc = install(d, &out->keys[ki])) < 0)
			return rc;
	if (out->msg_count > 0) {
		rc = petrel_flight13_take(s, out, 0, out->msg_count, now_ms);
		if (rc < 0)
			return rc;
		rc = petrel_flight13_send(s, now_ms, false);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int core_handle(petrel_session *s, uint8_t type, const uint8_t *body, size_t len,
		       uint64_t now_ms, struct petrel_hs13_output *out)
{
	struct petrel_d13 *d = s->d13;
	if (d->cl)
		return petrel_dtls13_client_handle(d->cl, type, body, len, now_ms, out);
	if (d->sv)
		return petrel_dtls13_server_handle(d->sv, type, body, len, now_ms, out);
	return PETREL_E_UNEXPECTED_MESSAGE;
}

/* Our KeyUpdate (RFC 9147 8): sent in the current epoch, the new write
 * epoch used once it is acknowledged. */
static int start_key_update(petrel_session *s, bool update_requested, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	if (!d->ku_ready || d->flight_active)
		return PETREL_E_AGAIN;
	int rc = petrel_ku13_take(s, update_requested, now_ms);
	return rc < 0 ? rc : petrel_flight13_send(s, now_ms, false);
}

/* RFC 8446 4.6.3: an update_requested is answered before our next
 * application data; with a flight of ours out (a NewSessionTicket, a
 * NewConnectionId) the answer waits for its ACK (RFC 9147 8: one
 * message in flight), then goes first. */
static int answer_owed_key_update(petrel_session *s, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	if (!d->ku_answer_owed || !d->done || d->flight_active)
		return 0;
	int rc = start_key_update(s, false, now_ms);
	if (rc == PETREL_E_AGAIN)
		return 0;
	d->ku_answer_owed = false;
	return rc;
}

static int on_key_update(petrel_session *s, const uint8_t *body, size_t len, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	uint8_t next[PETREL_MAX_HASH_LEN];
	uint64_t epoch = 0;
	bool answer = false;
	int rc = petrel_dtls13_key_update_received(&d->ku, body, len, next, &epoch, &answer);
	if (rc < 0)
		return rc;
	rc = petrel_rl13_install(d, false, epoch, next, d->ku.hash_len);
	petrel_wipe(next, sizeof next);
	if (rc < 0)
		return rc;
	d->key_updates_received++;
	rc = petrel_flight13_send_ack(s);
	d->rcvd_count = 0;
	if (rc < 0)
		return rc;
	if (answer && !d->flight_active)
		return start_key_update(s, false, now_ms);
	if (answer)
		d->ku_answer_owed = true;
	return 0;
}

/* The server speaks DTLS 1.2 (its ServerHello, or its
 * HelloVerifyRequest): the 1.2 client goes on from our ClientHello and
 * takes the message; the 1.3 state goes. 2: the session is 1.2 now. */
static int fall_back(petrel_session *s, const struct petrel_hs_message *m, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	struct petrel_dtls13_client *c = d->cl;
	s->version = PETREL_V_DTLS12;
	/* Our last ClientHello went out with the message_seq before the
	 * one we would send next. */
	int rc = petrel_hs12_take_over(s, c->ch, c->ch_len, c->random,
				       (uint16_t)(d->next_send_seq - 1), c->legacy_cookie,
				       c->legacy_cookie_len, d->plain_seq, m, m->record_seq, now_ms);
	petrel_engine13_free(s);
	if (rc < 0)
		return petrel_session_fail(s, rc, petrel_alert_for_error(rc));
	return 2;
}

/* RFC 9147 5.1: a HelloRetryRequest carries the record number of the
 * ClientHello it answers, so even after retransmissions it names the
 * transmission answered and its round trip is a clean RTT sample (Karn's
 * ambiguity, RFC 6298 3, does not arise). Without it, a lost ClientHello
 * or HRR left the initial second as the timeout of every later flight
 * (bench/loss through the proxy). Only our latest transmission's time is
 * kept (last_tx_ms): an HRR answering an earlier one gives no sample. */
static void hrr_names_transmission(struct petrel_d13 *d, uint64_t record_seq)
{
	if (d->sent == NULL || !d->rto.flight_outstanding || !d->rto.flight_retransmitted)
		return;
	const struct d13_sent *e = &d->sent[(d->sent_next + D13_MAX_SENT - 1) % D13_MAX_SENT];
	if (!e->used || e->epoch != 0 || e->seq != record_seq)
		return;
	d->rto.flight_retransmitted = false;
	d->rto.flight_sent_ms = d->last_tx_ms;
}

/* One whole handshake message of epoch mep. */
static int on_message(petrel_session *s, const struct petrel_hs_message *m, uint16_t mep,
		      uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	bool hello = m->msg_type == PETREL_HT13_CLIENT_HELLO || m->msg_type == PETREL_HT13_SERVER_HELLO ||
		     m->msg_type == 3 /* hello_verify_request (1.2 server) */;
	/* Hellos come unprotected, everything else protected (RFC 9147 5):
	 * a plaintext "EncryptedExtensions" is a forgery. */
	if (hello != (mep == 0))
		/* Unprotected: dropped, its message_seq expected again (a forgery
		 * must not take the genuine message's place, issue #17 item 21).
		 * Protected: the peer sent it (RFC 8446 4: unexpected_message). */
		return mep == 0 ? 1
				: fail13(s, PETREL_E_UNEXPECTED_MESSAGE, PETREL_ALERT13_UNEXPECTED_MESSAGE);
	if (d->done) {
		if (mep == 0)
			return 1; /* unauthenticated: dropped as above */
		if (mep < PETREL_EPOCH13_APPLICATION) /* nothing new follows Finished in epoch 2 */
			return fail13(s, PETREL_E_UNEXPECTED_MESSAGE, PETREL_ALERT13_UNEXPECTED_MESSAGE);
		if (m->msg_type == PETREL_HT13_KEY_UPDATE)
			return on_key_update(s, m->body, m->length, now_ms);
		if (petrel_cid13_is_cid_message(m->msg_type)) { /* RFC 9147 9 */
			uint8_t requested = 0;
			int rc = petrel_cid13_on_message_req(&d->cfg.cid, m->msg_type, m->body, m->length,
							     &requested);
			if (rc < 0)
				return fail13(s, rc, petrel_hs13_alert_for(rc));
			(void)petrel_flight13_send_ack(s);
			d->rcvd_count = 0;
			return petrel_cid13_on_request(s, requested, now_ms); /* tkt13 */
		}
		if (m->msg_type == PETREL_HT13_NEW_SESSION_TICKET && s->role == PETREL_CLIENT) {
			/* Kept as the session's resumption data (ticket13.c) and
			 * acknowledged (RFC 9147 5.8.4); a bad one is dropped. */
			(void)petrel_ticket13_on_ticket(s, &d->ticket_keep, m->body, m->length);
			(void)petrel_flight13_send_ack(s);
			d->rcvd_count = 0;
			return 0;
		}
		/* RFC 8446 4.1.2 (no renegotiation), 4.6.1 (NewSessionTicket is
		 * the server's): any other post-handshake message. */
		return fail13(s, PETREL_E_UNEXPECTED_MESSAGE, PETREL_ALERT13_UNEXPECTED_MESSAGE);
	}
	/* An unprotected message anyone could have sent: if the core refuses
	 * it, the core goes back to where it was and the message is dropped
	 * like an invalid record (RFC 6347 4.1.2.7): one forged datagram
	 * must not end the handshake (issue #17 item 21). Before any
	 * protected message the cores hold no heap memory that handling a
	 * hello could change, so a byte copy restores them. */
	size_t core_size = d->cl ? sizeof *d->cl : sizeof *d->sv;
	void *core = d->cl ? (void *)d->cl : (void *)d->sv;
	void *backup = NULL;
	if (mep == 0) {
		backup = malloc(core_size);
		if (backup == NULL)
			return PETREL_E_MEMORY;
		memcpy(backup, core, core_size);
	}
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	bool hrr_before = d->cl != NULL && d->cl->hrr_seen;
	int rc = core_handle(s, m->msg_type, m->body, m->length, now_ms, &out);
	if (backup != NULL && rc == 0 && out.event == PETREL_HS13_EV_FALLBACK_12 &&
	    d->cfg.offer_dtls12) {
		petrel_wipe(backup, core_size);
		free(backup);
		petrel_hs13_output_reset(&out);
		return fall_back(s, m, now_ms);
	}
	if (backup != NULL) {
		bool refused = rc < 0 || out.event == PETREL_HS13_EV_FALLBACK_12;
		/* tkt13: refused, but from an address our cookie proved: the
		 * alert goes out in the clear (server13.h alert_in_clear). */
		bool in_clear = refused && rc < 0 && d->sv != NULL && d->sv->alert_in_clear;
		if (refused)
			memcpy(core, backup, core_size);
		petrel_wipe(backup, core_size);
		free(backup);
		if (refused) {
			uint8_t clear_alert = out.alert;
			petrel_hs13_output_reset(&out);
			if (in_clear)
				return fail13(s, rc, clear_alert);
			return 1; /* dropped: expect this message again */
		}
	}
	if (rc < 0) {
		uint8_t alert = out.alert ? out.alert : petrel_hs13_alert_for(rc);
		petrel_hs13_output_reset(&out);
		return fail13(s, rc, alert);
	}
	if (out.event == PETREL_HS13_EV_FALLBACK_12) {
		petrel_hs13_output_reset(&out);
		return fail13(s, PETREL_E_PROTOCOL_VERSION, PETREL_ALERT13_PROTOCOL_VERSION);
	}
	/* The peer's next flight answers ours: no more retransmissions of
	 * it (RFC 9147 5.8.1, 7: an implicit acknowledgment). */
	if (d->flight_active) {
		if (mep == 0 && !hrr_before && d->cl != NULL && d->cl->hrr_seen)
			hrr_names_transmission(d, m->record_seq);
		petrel_rto_flight_answered(&d->rto, now_ms);
		if (out.msg_count == 0)
			petrel_flight13_clear(d);
	}
	/* The client's last flight is acknowledged explicitly (RFC 9147
	 * 5.8.4) before our NewSessionTicket, which answers nothing. */
	if (d->sv && out.event == PETREL_HS13_EV_DONE && out.msg_count > 0)
		(void)petrel_flight13_send_ack(s);
	rc = apply_output(s, &out, now_ms);
	bool done = out.event == PETREL_HS13_EV_DONE;
	petrel_hs13_output_reset(&out);
	if (rc < 0)
		return fail13(s, rc, PETREL_ALERT13_INTERNAL_ERROR);
	if (done) {
		if ((rc = petrel_ext13_names_publish(s, d->cl ? &d->cl->names : &d->sv->names)) < 0)
			return fail13(s, rc, PETREL_ALERT13_INTERNAL_ERROR);
		if (s->stats.flights_sent > 0)
			s->stats.round_trips++;
		established(s, now_ms);
		if (d->cl)
			petrel_ticket13_keep_from(&d->ticket_keep, d->cl);
		s->resumed = d->cl ? d->cl->psk_accepted && d->cl->cfg.psk_resumption &&
					     d->cl->psk_index == 0
				   : d->sv != NULL && d->sv->psk_resumed;
		/* The ticket refused, the external PSK taken (build_config). */
		if (d->cl && d->cl->psk_accepted && d->cl->psk_index == 1)
			s->psk_used_set = true;
		/* RFC 9147 5.8.4: the server acknowledges the client's last
		 * flight (the client retransmits it until then). */
		if (d->sv)
			(void)petrel_flight13_send_ack(s);
		/* The cores are done: idle sessions keep only the epoch table,
		 * the KeyUpdate secrets and the flight still unacknowledged. */
		free_cores(d);
	}
	return 0;
}

/* The peer repeated an old message: our answer (or ACK) was lost. Answer
 * at most once per half RTT. */
static int peer_retransmitted(petrel_session *s, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	uint64_t guard = d->rto.stats.srtt_ms / 2;
	if (guard < 5)
		guard = 5;
	if (now_ms - d->last_tx_ms < guard)
		return 0;
	d->last_tx_ms = now_ms;
	/* After the handshake our flight (a NewSessionTicket) is no answer
	 * to the peer's: acknowledge what it repeated as well. */
	if (d->done && d->flight_active && d->rcvd_count > 0)
		(void)petrel_flight13_send_ack(s);
	if (d->flight_active)
		return petrel_flight13_send(s, now_ms, true);
	if (d->rcvd_count > 0)
		return petrel_flight13_send_ack(s);
	return 0;
}

static int on_handshake_record(petrel_session *s, uint64_t epoch, uint64_t seq, const uint8_t *p,
			       size_t len, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	if (d == NULL || (d->cl == NULL && d->sv == NULL && !d->done))
		return 0;
	if (epoch < petrel_perf13_rx_epoch(d)) {
		/* Older epoch than the peer's handshake is in now: only tells us
		 * it retransmitted. */
		if (petrel_hs_record_has_old_message(p, len, petrel_perf13_rx_next_seq(d)))
			return peer_retransmitted(s, now_ms);
		return 0;
	}
	struct petrel_reasm *rx = petrel_perf13_rx(s);
	if (rx == NULL)
		return PETREL_E_MEMORY;
	petrel_reasm_set_epoch(rx, (uint16_t)epoch);
	rx->record_seq = seq;
	struct petrel_reasm_record_result res;
	int rc = petrel_reasm_add_record(rx, p, len, &res);
	if (rc < 0)
		return rc;
	if (res.accepted > 0 || res.duplicate > 0 || res.old > 0)
		petrel_flight13_note_rcvd(d, epoch, seq);
	if (res.old > 0 && res.accepted == 0) {
		rc = peer_retransmitted(s, now_ms);
		if (rc < 0)
			return rc;
	}
	struct petrel_hs_message m;
	bool progressed = false;
	while (s->d13 && !s->fatal_error && petrel_reasm_pop(rx, &m) == 1) {
		progressed = true;
		rc = on_message(s, &m, rx->delivered.epoch, now_ms);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			petrel_reasm_unpop(rx);
			break;
		}
		if (rc == 2)
			return 2; /* DTLS 1.2 from now on: d is gone */
	}
	/* Part of the peer's flight came and we have nothing to say yet:
	 * acknowledge it a little later, so a loss costs the peer only the
	 * missing records (RFC 9147 7.1). */
	if (!d->done && res.accepted > 0 && !d->ack_timer.armed && d->rcvd_count > 0 &&
	    (d->cl != NULL || d->sv != NULL)) {
		uint32_t t = petrel_rto_current_ms(&d->rto) / 4;
		petrel_timer_arm(&d->ack_timer, now_ms, t < 10 ? 10 : t);
	}
	(void)progressed;
	return 0;
}

static int on_alert(petrel_session *s, uint64_t epoch, const uint8_t *p, size_t len)
{
	struct petrel_d13 *d = s->d13;
	if (len != 2)
		return 0;
	/* Unprotected alerts count only before the peer has keys (a
	 * forged plaintext alert must not end a protected session). */
	if (epoch == 0 && d->rd_epoch > 0)
		return 0;
	/* tkt13: before that, an unprotected alert ends nothing either (one
	 * spoofed datagram must not end a handshake, as dtls/engine.c
	 * handle_alert): it is remembered (petrel_alert_get) and named by
	 * the handshake's timeout (petrel_engine13_tick). */
	if (epoch == 0) {
		if (!d->done && p[1] != 90 /* user_canceled */)
			s->last_alert = p[1];
		return 0;
	}
	s->last_alert = p[1];
	if (p[1] == ALERT_CLOSE_NOTIFY) {
		s->closed = true;
		return PETREL_E_SESSION_CLOSED;
	}
	if (p[0] == PETREL_ALERT_FATAL || epoch > 0) {
		/* RFC 8446 6: every alert but close_notify / user_canceled ends
		 * the connection in TLS 1.3. */
		if (p[1] == 90 /* user_canceled */)
			return PETREL_E_WARNING_ALERT_RECEIVED;
		s->fatal_error = PETREL_E_FATAL_ALERT_RECEIVED;
		free_cores(d);
		petrel_flight13_clear(d);
		return PETREL_E_FATAL_ALERT_RECEIVED;
	}
	return PETREL_E_WARNING_ALERT_RECEIVED;
}

static int on_app_data(petrel_session *s, uint64_t epoch, const uint8_t *p, size_t len)
{
	if (!s->established || epoch < PETREL_EPOCH13_APPLICATION)
		return 0;
	s->app_activity = true;
	if (len == 0 || s->rx_app_ready)
		return 0;
	if (s->rx_user_buf && len <= s->rx_user_cap) {
		memcpy(s->rx_user_buf, p, len);
		s->rx_app_len = len;
		s->rx_app_ready = true;
		s->rx_in_user = true;
		return 0;
	}
	uint8_t *q = realloc(s->rx_app, len);
	if (q == NULL)
		return PETREL_E_MEMORY;
	s->rx_app = q;
	memcpy(q, p, len);
	s->rx_app_len = len;
	s->rx_app_ready = true;
	return 0;
}

static int on_record(petrel_session *s, uint64_t epoch, uint64_t seq, uint8_t ct, uint8_t *p,
		     size_t len, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	switch (ct) {
	case PETREL_CT_HANDSHAKE:
		return on_handshake_record(s, epoch, seq, p, len, now_ms);
	case PETREL_CT_ACK: {
		/* Only protected ACKs count: a forged one could stop the
		 * retransmission of our ClientHello and stall the handshake. */
		if (epoch == 0)
			return 0;
		petrel_probe13_on_ack(s, p, len, now_ms); /* path MTU probe (probe13.h) */
		int rc = petrel_flight13_on_ack(s, p, len, now_ms);
		if (rc == 1 && d->flight_is_ku) {
			uint8_t next[PETREL_MAX_HASH_LEN];
			uint64_t ep;
			d->flight_is_ku = false;
			if (petrel_dtls13_key_update_acked(&d->ku, next, &ep) == 0) {
				rc = petrel_rl13_install(d, true, ep, next, d->ku.hash_len);
				petrel_wipe(next, sizeof next);
				if (rc < 0)
					return rc;
			}
		}
		if (rc == 1 && d->done) {
			petrel_flight13_clear(d);
			rc = answer_owed_key_update(s, now_ms);
		}
		return rc < 0 ? rc : 0;
	}
	case PETREL_CT_ALERT:
		return on_alert(s, epoch, p, len);
	case PETREL_CT_APPLICATION_DATA:
		return on_app_data(s, epoch, p, len);
	default:
		return 0; /* RFC 9147 4.5.2: dropped */
	}
}

/* ---- datagrams in ---- */

static void set_counter_order(struct petrel_d13 *d, enum petrel_rn_chacha_counter order)
{
	petrel_rl13_set_counter_order(d, order);
}

/* RFC 9147 4.2.3 leaves the byte order of the ChaCha20 counter taken from
 * the ciphertext open; wolfSSL 5.5 reads it big-endian, QUIC (RFC 9001
 * 5.4.4) and others little-endian. Until a ChaCha20 record has opened,
 * one that fails is tried again (on a copy) with the other order; the
 * order that opens is kept for both directions. */
static int open_record(struct petrel_d13 *d, struct petrel_dtls13_epoch *e, uint8_t *rec,
		       struct petrel_dtls13_header *hh, struct petrel_dtls13_record *out)
{
	if (e->keys.aead != PETREL_AEAD_CHACHA20_POLY1305 || d->counter_order_known) {
		int o = petrel_dtls13_epoch_open(e, rec, hh, out);
		return o;
	}
	size_t n = hh->header_len + hh->length;
	uint8_t *copy = malloc(n);
	if (copy == NULL)
		return 0;
	memcpy(copy, rec, n);
	struct petrel_dtls13_header h2 = *hh;
	int o = petrel_dtls13_epoch_open(e, rec, hh, out);
	if (o == 0) {
		enum petrel_rn_chacha_counter was = d->counter_order;
		set_counter_order(d, was == PETREL_RN_COUNTER_LE ? PETREL_RN_COUNTER_BE
								 : PETREL_RN_COUNTER_LE);
		memcpy(rec, copy, n);
		struct petrel_reader r;
		const uint8_t *body;
		petrel_reader_init(&r, rec, n);
		if (petrel_dtls13_header_read(&r, h2.cid_len, &h2, &body))
			o = petrel_dtls13_epoch_open(e, rec, &h2, out);
		if (o != 1)
			set_counter_order(d, was);
	}
	if (o == 1)
		d->counter_order_known = true;
	petrel_wipe(copy, n);
	free(copy);
	return o;
}

int petrel_engine13_feed(petrel_session *s, uint8_t *dgram, size_t len, size_t *used,
			 uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	if (s->fatal_error)
		return s->fatal_error;
	s->stats.datagrams_received++;
	s->stats.bytes_received += len;
	if (d == NULL)
		return 0;
	size_t off = 0;
	int result = 0;
	while (off < len && s->d13 && !s->fatal_error) {
		uint8_t first = dgram[off];
		enum petrel_record_kind kind = petrel_record_kind(first);
		int r = 0;
		if (kind == PETREL_REC_PLAINTEXT) {
			/* DTLSPlaintext (epoch 0 only in 1.3). */
			if (len - off < PETREL_RECORD_HEADER_LEN)
				break;
			uint8_t *h = dgram + off;
			uint16_t epoch = (uint16_t)(h[3] << 8 | h[4]);
			uint64_t seq = 0;
			for (int i = 5; i < 11; i++)
				seq = seq << 8 | h[i];
			size_t rlen = (size_t)(h[11] << 8 | h[12]);
			if (rlen > len - off - PETREL_RECORD_HEADER_LEN)
				break;
			off += PETREL_RECORD_HEADER_LEN + rlen;
			if (epoch != 0 || h[1] != 0xFE)
				continue;
			r = on_record(s, 0, seq, h[0], h + PETREL_RECORD_HEADER_LEN, rlen, now_ms);
		} else if (kind == PETREL_REC_UNIFIED) {
			struct petrel_reader rd;
			petrel_reader_init(&rd, dgram + off, len - off);
			struct petrel_dtls13_header hh;
			const uint8_t *body;
			if (!petrel_dtls13_header_read(&rd, petrel_cid13_rx_len(&d->cfg.cid), &hh, &body))
				break;
			uint8_t *rec = dgram + off;
			off += hh.header_len + hh.length;
			if (!petrel_cid13_rx_accept(&d->cfg.cid, &hh))
				continue; /* RFC 9147 9: not our CID (or none where one is due) */
			uint64_t epoch = petrel_dtls13_epoch_reconstruct(d->rd_epoch, hh.epoch_bits);
			struct petrel_dtls13_epoch *e = petrel_rl13_read(d, epoch);
			if (e == NULL)
				continue; /* no keys (yet): dropped, the peer retransmits */
			struct petrel_dtls13_record out;
			int o = open_record(d, e, rec, &hh, &out);
			if (o == PETREL_E_LIMIT_EXCEEDED)
				return fail13(s, o, ALERT_BAD_RECORD_MAC);
			if (o != 1)
				continue;
			if (!petrel_cid13_rx_opened(&d->cfg.cid, &hh, &out, d->rd_epoch))
				continue; /* cid13: on a CID the peer left (cid13_retire.h) */
			s->authenticated_records++; /* keeps it from the endpoint's idle timeout */
			petrel_ka13_on_record(s, now_ms); /* ka13: a sign of life */
			if (petrel_cid13_moves_peer(&hh, &out, d->rd_epoch))
				s->rl.cid_newest = true; /* RFC 9146 6: the endpoint may move us */
			r = on_record(s, out.epoch, out.seq, out.content_type, out.fragment, out.length,
				      now_ms);
		} else {
			break; /* RFC 9147 4.1: anything else ends the datagram */
		}
		if (r == 2) {
			/* Fell back to 1.2: the rest of the datagram is the 1.2
			 * engine's (dtls/engine.c reads it). */
			s->stats.datagrams_received--;
			s->stats.bytes_received -= len;
			*used = off;
			return PETREL_FEED_FELL_BACK;
		}
		if (r < 0 && (petrel_error_is_fatal(r) || r == PETREL_E_SESSION_CLOSED))
			return r;
		if (r < 0)
			result = r;
	}
	if (!s->fatal_error && s->d13 && s->d13->ack_timer.armed && s->d13->done)
		petrel_timer_stop(&s->d13->ack_timer);
	return result;
}

/* ---- starting ---- */

int petrel_engine13_begin(petrel_session *s, uint64_t now_ms)
{
	if (s->role != PETREL_CLIENT)
		return 0;
	if (s->d13)
		return 0; /* started already: petrel_handshake called again */
	struct petrel_d13 *d = d13_new(s, now_ms);
	if (d == NULL)
		return PETREL_E_MEMORY;
	struct petrel_hs13_output out;
	petrel_hs13_output_init(&out);
	int rc = petrel_dtls13_client_start(d->cl, &out);
	if (rc == 0)
		rc = apply_output(s, &out, now_ms);
	petrel_hs13_output_reset(&out);
	return rc;
}

/* RFC 9147 5.8.2: with outside knowledge of the RTT, time from it. The
 * cookie of our HelloRetryRequest holds the time it was made
 * (cookie13.c): ClientHello2 comes one round trip later (plus the
 * client's work), a sample for the timer of our first flight, which
 * otherwise waits the initial second per loss with nothing measured (the
 * HRR was stateless). An age above that initial timeout (a late
 * retransmission, another host's clock) is no estimate: ignored. The
 * client answers this flight only after public-key work (the chain, the
 * signature, the ECDHE secret), so it waits at least the peer-work floor
 * (dtls/rto.h, as 1.2's flights do): the client's own timers, from the
 * same round trip, resend its ClientHello2 or Finished first, and a lost
 * Finished costs that, not our whole flight again. */
static void cookie_rtt_sample(struct petrel_d13 *d, uint32_t age_ms)
{
	if (age_ms > d->rto.initial_ms)
		return;
	petrel_rto_on_sample(&d->rto, age_ms);
	petrel_rto_next_flight_needs_work(&d->rto, true);
}

int petrel_engine13_first_record(petrel_session *s, const struct petrel_record *rec,
				 uint64_t now_ms)
{
	if (s->d13 == NULL && d13_new(s, now_ms) == NULL)
		return PETREL_E_MEMORY;
	struct petrel_d13 *d = s->d13;
	s->version = PETREL_V_DTLS13;
	/* The ClientHello's message_seq: 0, or 1 after our HelloRetryRequest;
	 * our messages follow the same numbering (RFC 9147 5.2). */
	if (rec->length >= PETREL_HS_HEADER_LEN) {
		uint16_t mseq = (uint16_t)(rec->fragment[4] << 8 | rec->fragment[5]);
		d->rx_next_seq = mseq;
		if (d->rx != NULL)
			petrel_reasm_set_next_seq(d->rx, mseq);
		d->next_send_seq = mseq;
	}
	/* A HelloRetryRequest takes the ClientHello's record number (RFC
	 * 9147 5.1), so nothing is remembered between the two. */
	d->plain_seq = rec->seq;
	struct petrel_reasm_record_result res;
	struct petrel_reasm *rx = petrel_perf13_rx(s);
	if (rx == NULL)
		return PETREL_E_MEMORY;
	rx->record_seq = rec->seq;
	int rc = petrel_reasm_add_record(rx, rec->fragment, rec->length, &res);
	struct petrel_hs_message m;
	if (rc == 0 && petrel_reasm_pop(rx, &m) == 1) {
		struct petrel_hs13_output out;
		petrel_hs13_output_init(&out);
		rc = petrel_dtls13_server_handle(d->sv, m.msg_type, m.body, m.length, now_ms, &out);
		bool stateless = out.event == PETREL_HS13_EV_STATELESS_HRR;
		uint8_t clear_alert = out.alert;
		if (rc == 0 && !stateless && d->sv->cookie_age_set)
			cookie_rtt_sample(d, d->sv->cookie_age_ms);
		if (rc == 0)
			rc = apply_output(s, &out, now_ms);
		petrel_hs13_output_reset(&out);
		/* tkt13: refused from an address our cookie proved: the alert
		 * goes out in the clear (server13.h alert_in_clear). */
		if (rc < 0 && d->sv != NULL && d->sv->alert_in_clear)
			return fail13(s, rc, clear_alert);
		if (rc < 0 || stateless) {
			/* Nothing kept before the cookie: back to a bare session
			 * (a bad first ClientHello is dropped, RFC 6347 4.1.2.7). */
			petrel_engine13_free(s);
			s->version = PETREL_V_DTLS12;
			return 0;
		}
		return 0;
	}
	/* Not complete in one record: not taken (fragmented ClientHellos go
	 * the 1.2 way through the cookie exchange). */
	petrel_engine13_free(s);
	s->version = PETREL_V_DTLS12;
	return rc < 0 ? rc : 0;
}

/* ---- timers ---- */

int petrel_engine13_tick(petrel_session *s, uint64_t now_ms)
{
	struct petrel_d13 *d = s->d13;
	if (s->fatal_error)
		return s->fatal_error;
	if (d == NULL)
		return 0;
	petrel_perf13_idle_tick(s, now_ms); /* idle: raw keys only (perf13_idle.h) */
	if (d->ack_timer.armed && now_ms >= d->ack_timer.deadline_ms) {
		int rc = petrel_flight13_send_ack(s);
		if (rc < 0)
			return rc;
	}
	if (d->flight_active && now_ms >= d->deadline_total_ms && d->done) {
		/* RFC 9147 8: until our KeyUpdate is acknowledged we may neither
		 * send under its keys nor start another one (pings, probes and
		 * the AEAD limits' updates would wait for ever); a peer that
		 * acknowledged nothing for the whole timeout is gone (ka13.h
		 * names it). Other
		 * post-handshake flights (NewConnectionId) are just given up. */
		if (d->flight_is_ku)
			return fail13(s, petrel_ka13_unanswered_key_update(s), -1);
		petrel_flight13_clear(d); /* the peer stopped answering: give up the flight */
		return 0;
	}
	if (!d->done && now_ms >= d->deadline_total_ms && (d->cl || d->sv)) {
		/* tkt13: a remembered unprotected alert names the failure, as
		 * 1.2 does (dtls/hs_drop.c); nothing is sent back for it. */
		if (s->last_alert == ALERT_CLOSE_NOTIFY)
			return fail13(s, PETREL_E_SESSION_CLOSED, -1);
		if (s->last_alert >= 0)
			return fail13(s, PETREL_E_FATAL_ALERT_RECEIVED, -1);
		return fail13(s, PETREL_E_TIMEDOUT, ALERT_HANDSHAKE_FAILURE);
	}
	int krc = answer_owed_key_update(s, now_ms);
	if (krc < 0)
		return krc;
	if (!d->flight_active && d->done) { /* tkt13: a deferred RequestConnectionId answer */
		int rc = petrel_cid13_pending(s, now_ms);
		if (rc < 0)
			return rc;
	}
	int karc = petrel_ka13_tick(s, now_ms); /* ka13: keepalive pings (ka13.h) */
	if (karc < 0) /* PETREL_E_PEER_DEAD, a broken transport: no alert */
		return fail13(s, karc, -1);
	int prc = petrel_probe13_tick(s, now_ms); /* path MTU probes (probe13.h) */
	if (prc < 0)
		return prc;
	if (!petrel_timer_expired(&d->retransmit, now_ms))
		return 0;
	/* RFC 9147 5.8: double and resend what was not acknowledged. */
	petrel_rto_on_timeout(&d->rto);
	s->stats.timeouts++;
	petrel_probe13_on_timeout(s, now_ms); /* a lost probe: resent unpadded */
	return petrel_flight13_on_timeout(s, now_ms); /* black-hole rule, then resend */
}

uint64_t petrel_engine13_next_deadline(const petrel_session *s)
{
	const struct petrel_d13 *d = s->d13;
	if (d == NULL)
		return UINT64_MAX;
	uint64_t next = UINT64_MAX;
	if (d->retransmit.armed)
		next = d->retransmit.deadline_ms;
	if (d->ack_timer.armed && d->ack_timer.deadline_ms < next)
		next = d->ack_timer.deadline_ms;
	if ((!d->done || d->flight_active) && d->deadline_total_ms < next)
		next = d->deadline_total_ms;
	if (d->ku_answer_owed && d->ku_ready && !d->flight_active)
		next = 0; /* answer_owed_key_update: due now */
	next = petrel_perf13_idle_deadline(s, next);
	next = petrel_probe13_deadline(s, next);
	next = petrel_ka13_deadline(s, next); /* ka13 */
	return next;
}

/* ---- after the handshake ---- */

uint16_t petrel_engine13_cipher_id(const petrel_session *s)
{
	return s->d13 && s->d13->done ? s->d13->suite : 0;
}

const char *petrel_engine13_cipher_name(const petrel_session *s)
{
	switch (petrel_engine13_cipher_id(s)) {
	case 0x1301: return "TLS_AES_128_GCM_SHA256";
	case 0x1302: return "TLS_AES_256_GCM_SHA384";
	case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256";
	case 0x1304: return "TLS_AES_128_CCM_SHA256";
	case 0x1305: return "TLS_AES_128_CCM_8_SHA256";
	default: return NULL;
	}
}

size_t petrel_engine13_overhead(const petrel_session *s)
{
	const struct petrel_d13 *d = s->d13;
	if (d == NULL)
		return PETREL_RECORD_HEADER_LEN + 16 + 1;
	return petrel_rl13_overhead(d, d->wr_epoch) + 16; /* room for CCM-8's sample padding */
}

long petrel_engine13_send(petrel_session *s, const void *data, size_t len)
{
	struct petrel_d13 *d = s->d13;
	if (d == NULL || !d->done)
		return PETREL_E_INVALID_REQUEST;
	/* RFC 9147 4.5.3: update before the limit (one at a time). */
	struct petrel_dtls13_epoch *e = petrel_rl13_write(d, d->wr_epoch);
	if (e && petrel_dtls13_epoch_update_due(e) && !d->flight_active)
		(void)start_key_update(s, false, petrel_session_now(s));
	_Alignas(16) uint8_t buf[PETREL_MAX_DATAGRAM + 64 + 8];
	/* Start so the ciphertext after the unified header is 8-byte aligned
	 * (as received, dtls/transport.c): nettle's CTR skips its slow path. */
	size_t header_len = petrel_rl13_overhead(d, d->wr_epoch) - 1 - petrel_aead_tag_len(d->aead);
	uint8_t *at = buf + (8 - header_len % 8) % 8;
	struct petrel_writer w;
	petrel_writer_init(&w, at, PETREL_MAX_DATAGRAM + 64);
	int rc = petrel_rl13_seal(d, d->wr_epoch, PETREL_CT_APPLICATION_DATA, data, len, &w, NULL);
	if (rc < 0)
		return rc;
	long r = petrel_outq_session_drain(s, at, petrel_writer_len(&w), NULL);
	if (r == PETREL_E_LARGE_PACKET)
		(void)petrel_lower_mtu(s, PETREL_MTU_EMSGSIZE); /* as 1.2's record_send (pmtu13) */
	if (r < 0)
		return r;
	s->app_activity = true;
	return (long)len;
}

int petrel_engine13_bye(petrel_session *s)
{
	int rc = send_alert13(s, PETREL_ALERT_WARNING, ALERT_CLOSE_NOTIFY);
	s->closed = true;
	return rc < 0 ? rc : 0;
}

int petrel_engine13_rehandshake(petrel_session *s)
{
	struct petrel_d13 *d = s->d13;
	if (s->role != PETREL_CLIENT || d == NULL || !d->done)
		return 0;
	int rc = start_key_update(s, true, petrel_session_now(s));
	return rc == PETREL_E_AGAIN ? 0 : rc;
}
