/* Session tickets (RFC 5077 4): the server's session state sealed under
 * a ticket key, handed to the client (NewSessionTicket) or to the
 * application's session cache, and opened on resumption.
 *
 * Keys come from a master secret: key(g) = HKDF-Expand(HKDF-Extract(
 * master), "petrel ticket key" || g) for generation g = the number of the
 * current period plus the manual rotations. Workers and machines sharing
 * the master and the period agree on every key without talking to each
 * other; a retired key is gone for good once the period has passed, so a
 * stolen ticket is useless after at most two periods. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "dtls/session.h"
#include "dtls/ticket.h"

static const uint8_t ticket_ad_label[] = "petrel-ticket-v2";
static const uint8_t key_info_label[] = "petrel ticket key";
static const uint8_t master_salt[] = "petrel ticket master";

#define TICKET_NONCE_OFF PETREL_TICKET_KEY_NAME_LEN
#define TICKET_BODY_OFF (TICKET_NONCE_OFF + 12)
#define TICKET_PLAIN_LEN (1 + 2 + 1 + PETREL_MASTER_SECRET_LEN + PETREL_TICKET13_BINDING_LEN)
#define TICKET_VERSION 3 /* 2: before the server_name binding (RFC 6066 3) */

static void extract_master(struct petrel_ticket_keys *keys, const uint8_t *master, size_t len)
{
	petrel_hkdf_extract(PETREL_HASH_SHA256, master_salt, sizeof master_salt - 1, master, len,
			    keys->prk);
}

void petrel_ticket_keys_init_random(struct petrel_ticket_keys *keys)
{
	uint8_t master[PETREL_TICKET_KEY_LEN];
	petrel_random(master, sizeof master);
	extract_master(keys, master, sizeof master);
	petrel_wipe(master, sizeof master);
	keys->period_s = PETREL_TICKET_DEFAULT_PERIOD_S;
	keys->rotations = 0;
}

uint64_t petrel_ticket_generation(const struct petrel_ticket_keys *keys, int64_t now_s)
{
	uint64_t period = 0;
	if (keys->period_s != 0 && now_s > 0)
		period = (uint64_t)now_s / keys->period_s;
	return period + keys->rotations;
}

uint32_t petrel_ticket_lifetime_hint_s(const struct petrel_credentials *creds)
{
	return creds->ticket_keys.period_s;
}

/* The key of generation gen and the check half of its key_name. */
static int derive_key(const struct petrel_ticket_keys *keys, uint64_t gen, uint8_t key[32],
		      uint8_t name[PETREL_TICKET_KEY_NAME_LEN])
{
	uint8_t info[sizeof key_info_label - 1 + 8];
	memcpy(info, key_info_label, sizeof key_info_label - 1);
	petrel_store_u64(info + sizeof key_info_label - 1, gen);
	uint8_t okm[32 + 8];
	int rc = petrel_hkdf_expand(PETREL_HASH_SHA256, keys->prk, sizeof keys->prk, info, sizeof info,
				    okm, sizeof okm);
	if (rc == 0) {
		memcpy(key, okm, 32);
		petrel_store_u64(name, gen);
		memcpy(name + 8, okm + 32, 8);
	}
	petrel_wipe(okm, sizeof okm);
	return rc;
}

/* AEAD under key with AD = label || key_name (binds the name to the body). */
static int ticket_aead(const uint8_t key[32], const uint8_t *name, const uint8_t nonce[12],
		       uint8_t *buf, size_t len, bool seal)
{
	_Alignas(max_align_t) uint8_t ctx_mem[8192]; /* holds a struct: aligned for any */
	if (petrel_aead_ctx_size() > sizeof ctx_mem)
		return PETREL_E_INTERNAL;
	struct petrel_aead_ctx *ctx = (struct petrel_aead_ctx *)(void *)ctx_mem;
	int rc = petrel_aead_init(ctx, PETREL_AEAD_CHACHA20_POLY1305, key);
	if (rc < 0)
		return rc;
	uint8_t ad[sizeof ticket_ad_label - 1 + PETREL_TICKET_KEY_NAME_LEN];
	memcpy(ad, ticket_ad_label, sizeof ticket_ad_label - 1);
	memcpy(ad + sizeof ticket_ad_label - 1, name, PETREL_TICKET_KEY_NAME_LEN);
	if (seal)
		rc = petrel_aead_seal(ctx, nonce, ad, sizeof ad, buf, len);
	else
		rc = petrel_aead_open(ctx, nonce, ad, sizeof ad, buf, len);
	petrel_aead_wipe(ctx);
	return rc;
}

int petrel_ticket_seal_bound_at(const struct petrel_credentials *creds, int64_t now_s,
				const uint8_t nonce[12], const struct petrel_suite *suite, bool ems,
				const uint8_t master[PETREL_MASTER_SECRET_LEN],
				const uint8_t binding[PETREL_TICKET13_BINDING_LEN],
				uint8_t out[PETREL_TICKET_LEN])
{
	uint8_t key[32];
	uint64_t gen = petrel_ticket_generation(&creds->ticket_keys, now_s);
	int rc = derive_key(&creds->ticket_keys, gen, key, out);
	if (rc < 0)
		return rc;
	memcpy(out + TICKET_NONCE_OFF, nonce, 12);
	uint8_t *pt = out + TICKET_BODY_OFF;
	pt[0] = TICKET_VERSION;
	petrel_store_u16(pt + 1, suite->id);
	pt[3] = ems ? 1 : 0;
	memcpy(pt + 4, master, PETREL_MASTER_SECRET_LEN);
	memcpy(pt + 4 + PETREL_MASTER_SECRET_LEN, binding, PETREL_TICKET13_BINDING_LEN);
	rc = ticket_aead(key, out, out + TICKET_NONCE_OFF, pt, TICKET_PLAIN_LEN, true);
	petrel_wipe(key, sizeof key);
	if (rc < 0)
		petrel_wipe(out, PETREL_TICKET_LEN);
	return rc;
}

/* The previous, current and next generations open: a ticket lives at
 * least one period, and machines whose clocks (or manual rotations)
 * differ by less than a period accept each other's tickets. */
static bool generation_accepted(uint64_t gen, uint64_t current)
{
	return gen == current || (current > 0 && gen == current - 1) ||
	       (current < UINT64_MAX && gen == current + 1);
}

/* The generation named by a ticket's key_name: its first 8 bytes. */
static bool ticket_generation_of(const uint8_t *ticket, size_t len, size_t want, uint64_t *gen)
{
	struct petrel_reader r;
	petrel_reader_init(&r, ticket, len);
	return len == want && petrel_get_u64(&r, gen);
}

static bool ticket_generation(const uint8_t *ticket, size_t len, uint64_t *gen)
{
	return ticket_generation_of(ticket, len, PETREL_TICKET_LEN, gen);
}

int petrel_ticket_open_bound_at(const struct petrel_credentials *creds, int64_t now_s,
				const uint8_t *ticket, size_t len, uint16_t *suite_id, bool *ems,
				uint8_t master[PETREL_MASTER_SECRET_LEN],
				uint8_t binding[PETREL_TICKET13_BINDING_LEN])
{
	uint64_t gen;
	if (ticket == NULL || !ticket_generation(ticket, len, &gen) ||
	    !generation_accepted(gen, petrel_ticket_generation(&creds->ticket_keys, now_s)))
		return PETREL_E_DECRYPTION_FAILED; /* retired, not yet in use, or no ticket */
	uint8_t buf[PETREL_TICKET_LEN];
	memcpy(buf, ticket, len);
	uint8_t key[32], name[PETREL_TICKET_KEY_NAME_LEN];
	int rc = derive_key(&creds->ticket_keys, gen, key, name);
	/* A forged key_name is refused before any decryption. */
	if (rc == 0 && !petrel_ct_equal(name, buf, sizeof name))
		rc = PETREL_E_DECRYPTION_FAILED;
	if (rc == 0)
		rc = ticket_aead(key, buf, buf + TICKET_NONCE_OFF, buf + TICKET_BODY_OFF,
				 len - TICKET_BODY_OFF, false);
	petrel_wipe(key, sizeof key);
	uint8_t version = 0, ems_byte = 0;
	if (rc == 0) {
		struct petrel_reader r;
		petrel_reader_init(&r, buf + TICKET_BODY_OFF, TICKET_PLAIN_LEN);
		if (!petrel_get_u8(&r, &version) || version != TICKET_VERSION ||
		    !petrel_get_u16(&r, suite_id) || !petrel_get_u8(&r, &ems_byte) ||
		    !petrel_get_copy(&r, master, PETREL_MASTER_SECRET_LEN) ||
		    !petrel_get_copy(&r, binding, PETREL_TICKET13_BINDING_LEN) || !petrel_reader_done(&r))
			rc = PETREL_E_DECRYPTION_FAILED;
	}
	petrel_wipe(buf, sizeof buf);
	if (rc < 0) {
		petrel_wipe(master, PETREL_MASTER_SECRET_LEN);
		return PETREL_E_DECRYPTION_FAILED;
	}
	*ems = ems_byte != 0;
	return 0;
}

/* ---- DTLS 1.3 tickets ---- */

#define TICKET13_VERSION 0x14 /* 0x13: before the SNI/ALPN binding */

int petrel_ticket13_seal_at(const struct petrel_ticket_keys *keys, int64_t now_s,
			    const uint8_t nonce[12], const struct petrel_ticket13_state *st,
			    uint8_t out[PETREL_TICKET13_LEN])
{
	if (st->psk_len == 0 || st->psk_len > PETREL_MAX_HASH_LEN)
		return PETREL_E_INVALID_REQUEST;
	uint8_t key[32];
	int rc = derive_key(keys, petrel_ticket_generation(keys, now_s), key, out);
	if (rc < 0)
		return rc;
	memcpy(out + TICKET_NONCE_OFF, nonce, 12);
	struct petrel_writer w;
	uint8_t *pt = out + TICKET_BODY_OFF;
	petrel_writer_init(&w, pt, PETREL_TICKET13_PLAIN_LEN);
	uint8_t psk[PETREL_MAX_HASH_LEN] = {0};
	memcpy(psk, st->psk, st->psk_len);
	petrel_put_u8(&w, TICKET13_VERSION);
	petrel_put_u16(&w, st->suite);
	petrel_put_u8(&w, (uint8_t)st->psk_len);
	petrel_put_bytes(&w, psk, sizeof psk);
	petrel_put_bytes(&w, st->nonce, sizeof st->nonce);
	petrel_put_u64(&w, (uint64_t)st->issued_s);
	petrel_put_u32(&w, st->age_add);
	petrel_put_u32(&w, st->lifetime_s);
	petrel_put_bytes(&w, st->binding, sizeof st->binding);
	petrel_wipe(psk, sizeof psk);
	rc = petrel_writer_ok(&w) && petrel_writer_len(&w) == PETREL_TICKET13_PLAIN_LEN
		     ? ticket_aead(key, out, out + TICKET_NONCE_OFF, pt, PETREL_TICKET13_PLAIN_LEN,
				   true)
		     : PETREL_E_INTERNAL;
	petrel_wipe(key, sizeof key);
	if (rc < 0)
		petrel_wipe(out, PETREL_TICKET13_LEN);
	return rc;
}

int petrel_ticket13_open_at(const struct petrel_ticket_keys *keys, int64_t now_s,
			    const uint8_t *ticket, size_t len, struct petrel_ticket13_state *st)
{
	uint64_t gen;
	if (ticket == NULL || !ticket_generation_of(ticket, len, PETREL_TICKET13_LEN, &gen) ||
	    !generation_accepted(gen, petrel_ticket_generation(keys, now_s)))
		return PETREL_E_DECRYPTION_FAILED;
	uint8_t buf[PETREL_TICKET13_LEN];
	memcpy(buf, ticket, len);
	uint8_t key[32], name[PETREL_TICKET_KEY_NAME_LEN];
	int rc = derive_key(keys, gen, key, name);
	if (rc == 0 && !petrel_ct_equal(name, buf, sizeof name))
		rc = PETREL_E_DECRYPTION_FAILED;
	if (rc == 0)
		rc = ticket_aead(key, buf, buf + TICKET_NONCE_OFF, buf + TICKET_BODY_OFF,
				 len - TICKET_BODY_OFF, false);
	petrel_wipe(key, sizeof key);
	memset(st, 0, sizeof *st);
	if (rc == 0) {
		struct petrel_reader r;
		uint8_t version = 0, psk_len = 0;
		uint64_t issued = 0;
		petrel_reader_init(&r, buf + TICKET_BODY_OFF, PETREL_TICKET13_PLAIN_LEN);
		if (!petrel_get_u8(&r, &version) || version != TICKET13_VERSION ||
		    !petrel_get_u16(&r, &st->suite) || !petrel_get_u8(&r, &psk_len) ||
		    psk_len == 0 || psk_len > PETREL_MAX_HASH_LEN ||
		    !petrel_get_copy(&r, st->psk, PETREL_MAX_HASH_LEN) ||
		    !petrel_get_copy(&r, st->nonce, sizeof st->nonce) || !petrel_get_u64(&r, &issued) ||
		    !petrel_get_u32(&r, &st->age_add) || !petrel_get_u32(&r, &st->lifetime_s) ||
		    !petrel_get_copy(&r, st->binding, sizeof st->binding) ||
		    !petrel_reader_done(&r) || issued > (uint64_t)INT64_MAX)
			rc = PETREL_E_DECRYPTION_FAILED;
		st->psk_len = psk_len;
		st->issued_s = (int64_t)issued;
	}
	petrel_wipe(buf, sizeof buf);
	if (rc < 0) {
		petrel_wipe(st, sizeof *st);
		return PETREL_E_DECRYPTION_FAILED;
	}
	return 0;
}

/* ---- public API ---- */

int petrel_ticket_key_generate(uint8_t key[PETREL_TICKET_KEY_LEN])
{
	if (key == NULL)
		return PETREL_E_INVALID_REQUEST;
	petrel_random(key, PETREL_TICKET_KEY_LEN);
	return 0;
}

int petrel_credentials_set_ticket_key(petrel_credentials *creds, const uint8_t *key, size_t len,
				      uint32_t period_s)
{
	if (creds == NULL || key == NULL || len < PETREL_TICKET_KEY_LEN || len > PETREL_TICKET_KEY_MAX_LEN)
		return PETREL_E_INVALID_REQUEST;
	extract_master(&creds->ticket_keys, key, len);
	creds->ticket_keys.period_s = period_s;
	creds->ticket_keys.rotations = 0;
	return 0;
}

void petrel_credentials_rotate_ticket_key(petrel_credentials *creds)
{
	if (creds != NULL)
		creds->ticket_keys.rotations++;
}

int64_t petrel_session_cache_entry_expiry(const petrel_credentials *creds, const uint8_t *data,
					  size_t len)
{
	if (creds == NULL || data == NULL)
		return PETREL_E_INVALID_REQUEST;
	const struct petrel_ticket_keys *keys = &creds->ticket_keys;
	uint64_t gen;
	if (!ticket_generation(data, len, &gen))
		return PETREL_E_INVALID_REQUEST;
	if (keys->period_s == 0)
		return INT64_MAX; /* until the second manual rotation */
	/* Opens while floor(now / period) + rotations <= gen + 1. */
	if (gen + 1 < keys->rotations || gen > UINT64_MAX - 2)
		return 0;
	uint64_t periods = gen + 2 - keys->rotations;
	if (periods > (uint64_t)INT64_MAX / keys->period_s)
		return INT64_MAX;
	return (int64_t)(periods * keys->period_s);
}
