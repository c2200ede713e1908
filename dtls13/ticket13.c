/* DTLS 1.3 tickets and resumption (see ticket13.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/name_fold.h"
#include "dtls/session.h"
#include "dtls/ticket.h"
#include "dtls13/client13.h"
#include "dtls13/ext13_names.h"
#include "dtls13/ticket13.h"

#define MAX_LIFETIME_S 604800u /* RFC 8446 4.6.1: seven days */
#define DEFAULT_LIFETIME_S 7200u

int64_t petrel_ticket13_now_s(const struct petrel_hs13_config *cfg)
{
	return cfg->verifier.now_s > 0 ? cfg->verifier.now_s : (int64_t)time(NULL);
}

int64_t petrel_ticket13_client_now_ms(const petrel_session *s)
{
	if (s->wall_clock)
		return s->wall_clock() * 1000;
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (int64_t)time(NULL) * 1000;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- server ---- */

void petrel_ticket13_binding(const struct petrel_ext13_names *n,
			     uint8_t out[PETREL_TICKET13_BINDING_LEN])
{
	static const char label[] = "petrel dtls13 ticket binding";
	if (n->host_unbound) {
		/* A name we could not keep (RFC 6066 3, as the 1.2 server's
		 * sni_unbound): a fresh random value, equal to no ticket's
		 * binding, so nothing resumes across it either way. */
		petrel_random(out, PETREL_TICKET13_BINDING_LEN);
		return;
	}
	const char *host = n->has_host ? n->host : "";
	const char *alpn = n->has_alpn ? n->alpn : "";
	size_t host_len = strnlen(host, PETREL_EXT13_HOST_MAX), alpn_len = strlen(alpn);
	/* The name in lower case: DNS names compare without ASCII case
	 * (RFC 4343 3), so "A.Example" resumes "a.example". ALPN protocol
	 * names are opaque bytes (RFC 7301 3.1): compared exactly. */
	uint8_t folded[PETREL_EXT13_HOST_MAX];
	petrel_host_name_fold((const uint8_t *)host, host_len, folded);
	uint8_t buf[sizeof label + 2 + PETREL_EXT13_HOST_MAX + 2 + sizeof n->alpn];
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	petrel_put_bytes(&w, (const uint8_t *)label, sizeof label);
	petrel_put_opaque16(&w, folded, host_len);
	petrel_put_opaque16(&w, (const uint8_t *)alpn, alpn_len);
	petrel_hash(PETREL_HASH_SHA256, buf, petrel_writer_len(&w), out);
}

int petrel_ticket13_issue(const struct petrel_hs13_config *cfg, uint16_t suite,
			  enum petrel_hash_alg hash, const uint8_t *resumption_master,
			  const uint8_t binding[PETREL_TICKET13_BINDING_LEN], uint64_t index,
			  struct petrel_hs13_output *out)
{
	if (cfg->ticket_keys == NULL)
		return PETREL_E_INVALID_REQUEST;
	struct petrel_ticket13_state st = {.suite = suite, .psk_len = petrel_hash_len(hash)};
	memcpy(st.binding, binding, sizeof st.binding);
	uint8_t aead_nonce[12], ticket[PETREL_TICKET13_LEN];
	uint8_t *nonce = st.nonce;
	petrel_store_u64(nonce, index); /* unique per connection (4.6.1) */
	int64_t now_s = petrel_ticket13_now_s(cfg);
	st.issued_s = now_s;
	st.lifetime_s = cfg->ticket_lifetime_s ? cfg->ticket_lifetime_s : DEFAULT_LIFETIME_S;
	if (st.lifetime_s > MAX_LIFETIME_S)
		st.lifetime_s = MAX_LIFETIME_S;
	petrel_random(&st.age_add, sizeof st.age_add);
	petrel_random(aead_nonce, sizeof aead_nonce);
	memcpy(st.psk, resumption_master, st.psk_len);
	int rc = petrel_ticket13_seal_at(cfg->ticket_keys, now_s, aead_nonce, &st, ticket);
	struct petrel_new_session_ticket13 t = {
		.lifetime_s = st.lifetime_s,
		.age_add = st.age_add,
		.nonce = nonce,
		.nonce_len = sizeof st.nonce,
		.ticket = ticket,
		.ticket_len = sizeof ticket,
	};
	struct petrel_writer w;
	if (rc == 0)
		rc = petrel_hs13_out_begin(out, 32 + sizeof ticket, &w);
	if (rc == 0) {
		rc = petrel_new_session_ticket13_write(&w, &t);
		if (rc < 0)
			free(w.start);
	}
	if (rc == 0)
		rc = petrel_hs13_out_commit(out, PETREL_HT13_NEW_SESSION_TICKET,
					    PETREL_EPOCH13_APPLICATION, &w);
	petrel_wipe(&st, sizeof st);
	return rc;
}

int petrel_ticket13_accept(const struct petrel_hs13_config *cfg, const uint8_t *identity,
			   size_t identity_len, uint32_t obfuscated_age, uint8_t *psk,
			   uint8_t *psk_tls13_label, size_t *psk_len, enum petrel_hash_alg *hash,
			   uint16_t *suite, uint8_t binding[PETREL_TICKET13_BINDING_LEN])
{
	if (cfg->ticket_keys == NULL || identity_len != PETREL_TICKET13_LEN)
		return 0;
	struct petrel_ticket13_state st;
	int64_t now_s = petrel_ticket13_now_s(cfg);
	if (petrel_ticket13_open_at(cfg->ticket_keys, now_s, identity, identity_len, &st) < 0)
		return 0;
	enum petrel_aead_alg aead;
	bool ok = petrel_tls13_suite_params(st.suite, hash, &aead) == 0 &&
		  petrel_hash_len(*hash) == st.psk_len;
	/* Its age as we see it and as the client says (4.2.11.1: the
	 * obfuscated age minus age_add, mod 2^32); past its lifetime or out
	 * of the window: not resumed (4.6.1, 8.3). */
	uint64_t ours_ms = now_s >= st.issued_s ? (uint64_t)(now_s - st.issued_s) * 1000u : 0;
	uint32_t theirs_ms = obfuscated_age - st.age_add;
	if (now_s + 1 < st.issued_s || ours_ms > (uint64_t)st.lifetime_s * 1000u)
		ok = false;
	uint64_t diff = ours_ms > theirs_ms ? ours_ms - theirs_ms : theirs_ms - ours_ms;
	if (diff > PETREL_TICKET13_AGE_WINDOW_MS)
		ok = false;
	/* PSK = HKDF-Expand-Label(resumption_master, "resumption", nonce)
	 * with RFC 9147 5.9's "dtls13" prefix; wolfSSL 5.5.4 clients use
	 * "tls13 " for this one label, so that PSK is the second guess. */
	if (ok && (petrel_dtls13_ticket_psk(*hash, PETREL_DTLS13_LABEL_PREFIX, st.psk, st.nonce,
					     sizeof st.nonce, psk) < 0 ||
		   petrel_dtls13_ticket_psk(*hash, PETREL_TLS13_LABEL_PREFIX, st.psk, st.nonce,
					     sizeof st.nonce, psk_tls13_label) < 0))
		ok = false;
	if (ok) {
		*psk_len = st.psk_len;
		*suite = st.suite;
		memcpy(binding, st.binding, sizeof st.binding);
	}
	petrel_wipe(&st, sizeof st);
	return ok ? 1 : 0;
}

/* ---- client ---- */

void petrel_ticket13_keep_from(struct petrel_ticket13_keep *k, const struct petrel_dtls13_client *c)
{
	memset(k, 0, sizeof *k);
	k->suite = c->suite;
	k->hash = c->hash;
	k->len = c->ks.hash_len;
	memcpy(k->resumption_master, c->ks.resumption_master, k->len);
	k->set = k->len > 0;
}

int petrel_ticket13_blob_parse(const uint8_t *blob, size_t len, struct petrel_ticket13_blob *out)
{
	struct petrel_reader r;
	uint8_t version;
	uint64_t received;
	enum petrel_aead_alg aead;
	petrel_reader_init(&r, blob, len);
	memset(out, 0, sizeof *out);
	if (blob == NULL || !petrel_get_u8(&r, &version) ||
	    version != PETREL_TICKET13_BLOB_VERSION || !petrel_get_u16(&r, &out->suite) ||
	    !petrel_get_opaque8(&r, &out->psk, &out->psk_len) ||
	    !petrel_get_opaque16(&r, &out->ticket, &out->ticket_len) ||
	    !petrel_get_u32(&r, &out->age_add) || !petrel_get_u32(&r, &out->lifetime_s) ||
	    !petrel_get_u64(&r, &received) ||
	    !petrel_get_opaque8(&r, &out->server_name, &out->server_name_len) ||
	    !petrel_reader_done(&r))
		return PETREL_E_INVALID_REQUEST;
	if (petrel_tls13_suite_params(out->suite, &out->hash, &aead) < 0 ||
	    out->psk_len != petrel_hash_len(out->hash) || out->ticket_len == 0 ||
	    out->ticket_len > PETREL_TICKET13_CLIENT_MAX || received > (uint64_t)INT64_MAX)
		return PETREL_E_INVALID_REQUEST;
	out->received_ms = (int64_t)received;
	return 0;
}

bool petrel_ticket13_is_blob(const uint8_t *blob, size_t len)
{
	struct petrel_ticket13_blob b;
	/* An old-format blob (no server name) is still one of ours: taken,
	 * never offered. */
	return petrel_ticket13_blob_parse(blob, len, &b) == 0 ||
	       (blob != NULL && len > 1 + 2 && blob[0] == PETREL_TICKET13_BLOB_VERSION_OLD);
}

int petrel_ticket13_blob_from_nst(const struct petrel_ticket13_keep *k, const uint8_t *body,
				  size_t len, const char *server_name, int64_t now_ms,
				  uint8_t **blob, size_t *blob_len)
{
	struct petrel_new_session_ticket13 t;
	int rc = petrel_new_session_ticket13_parse(body, len, &t);
	if (rc < 0)
		return rc;
	size_t name_len = server_name ? strlen(server_name) : 0;
	/* 4.6.1: lifetime 0 means "do not use"; too big for us: ignored. */
	if (!k->set || t.lifetime_s == 0 || t.ticket_len > PETREL_TICKET13_CLIENT_MAX ||
	    name_len > 255)
		return 1;
	uint8_t psk[PETREL_MAX_HASH_LEN];
	rc = petrel_dtls13_ticket_psk(k->hash, PETREL_DTLS13_LABEL_PREFIX, k->resumption_master,
				      t.nonce, t.nonce_len, psk);
	size_t cap = 1 + 2 + 1 + k->len + 2 + t.ticket_len + 4 + 4 + 8 + 1 + name_len;
	uint8_t *p = rc == 0 ? malloc(cap) : NULL;
	if (rc == 0 && p == NULL)
		rc = PETREL_E_MEMORY;
	if (rc == 0) {
		struct petrel_writer w;
		petrel_writer_init(&w, p, cap);
		petrel_put_u8(&w, PETREL_TICKET13_BLOB_VERSION);
		petrel_put_u16(&w, k->suite);
		petrel_put_opaque8(&w, psk, k->len);
		petrel_put_opaque16(&w, t.ticket, t.ticket_len);
		petrel_put_u32(&w, t.age_add);
		petrel_put_u32(&w, t.lifetime_s);
		petrel_put_u64(&w, now_ms > 0 ? (uint64_t)now_ms : 0);
		petrel_put_opaque8(&w, (const uint8_t *)server_name, name_len);
		if (!petrel_writer_ok(&w) || petrel_writer_len(&w) != cap) {
			petrel_wipe(p, cap);
			free(p);
			rc = PETREL_E_INTERNAL;
		} else {
			*blob = p;
			*blob_len = cap;
		}
	}
	petrel_wipe(psk, sizeof psk);
	return rc;
}

int petrel_ticket13_client_offer(const uint8_t *blob, size_t len, int64_t now_ms,
				 struct petrel_hs13_config *cfg)
{
	struct petrel_ticket13_blob b;
	int rc = petrel_ticket13_blob_parse(blob, len, &b);
	if (rc < 0)
		return rc;
	int64_t age_ms = now_ms - b.received_ms;
	if (age_ms < 0)
		age_ms = 0;
	if (age_ms > (int64_t)b.lifetime_s * 1000) /* 4.6.1: not used past its lifetime */
		return 1;
	/* RFC 8446 4.6.1, RFC 6066 3: a ticket goes only to the server name
	 * it was obtained for. */
	const char *name = cfg->server_name ? cfg->server_name : "";
	if (!petrel_host_name_equal((const uint8_t *)name, strlen(name), b.server_name,
				    b.server_name_len))
		return 1; /* the same name without ASCII case (RFC 4343 3) */
	cfg->psk = b.psk;
	cfg->psk_len = b.psk_len;
	cfg->psk_hash = b.hash;
	cfg->psk_identity = b.ticket;
	cfg->psk_identity_len = b.ticket_len;
	cfg->psk_resumption = true;
	/* 4.2.11.1: the age in milliseconds plus age_add, mod 2^32. */
	cfg->psk_obfuscated_age = (uint32_t)age_ms + b.age_add;
	cfg->psk_only = false; /* psk_dhe_ke: forward secrecy (4.2.9) */
	return 0;
}

/* ---- session glue ---- */

int petrel_ticket13_session_data(const petrel_session *s, uint8_t *buf, size_t *len)
{
	const uint8_t *blob = NULL;
	size_t blob_len = 0;
	if (len == NULL || !s->established)
		return PETREL_E_INVALID_REQUEST;
	if (s->ticket != NULL && petrel_ticket13_is_blob(s->ticket, s->ticket_len)) {
		blob = s->ticket;
		blob_len = s->ticket_len;
	} else if (s->resumed && s->resume_blob != NULL &&
		   petrel_ticket13_is_blob(s->resume_blob, s->resume_blob_len)) {
		blob = s->resume_blob;
		blob_len = s->resume_blob_len;
	}
	if (blob == NULL)
		return PETREL_E_INVALID_REQUEST; /* no ticket (yet) */
	if (buf == NULL) {
		*len = blob_len;
		return 0;
	}
	if (*len < blob_len) {
		*len = blob_len;
		return PETREL_E_SHORT_BUFFER;
	}
	memcpy(buf, blob, blob_len);
	*len = blob_len;
	return 0;
}

int petrel_ticket13_on_ticket(petrel_session *s, const struct petrel_ticket13_keep *k,
			      const uint8_t *body, size_t len)
{
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	int rc = petrel_ticket13_blob_from_nst(k, body, len, s->server_name,
					       petrel_ticket13_client_now_ms(s), &blob, &blob_len);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	/* A 1.3 client session keeps its resumption blob where a 1.2 one
	 * keeps its ticket: the latest ticket replaces the one before. */
	if (s->ticket != NULL) {
		petrel_wipe(s->ticket, s->ticket_len);
		free(s->ticket);
	}
	s->ticket = blob;
	s->ticket_len = blob_len;
	return 0;
}
