/* TLS 1.3 extensions as DTLS 1.3 uses them (RFC 8446 4.2): the block
 * walker, supported_versions, key_share, cookie, psk_key_exchange_modes,
 * pre_shared_key and use_srtp. */
#include <string.h>

#include "dtls/messages.h"
#include "dtls/msg_internal.h"
#include "dtls13/messages13.h"
#include "petrel/petrel.h"

#define DECODE PETREL_E_DECODE_ERROR

void petrel_ext_iter_init(struct petrel_ext_iter *it, const uint8_t *block, size_t len)
{
	petrel_msg_reader_init(&it->r, block, len);
}

int petrel_ext_iter_next(struct petrel_ext_iter *it, uint16_t *type, const uint8_t **body,
			 size_t *len)
{
	if (!petrel_reader_ok(&it->r))
		return DECODE;
	if (petrel_reader_left(&it->r) == 0)
		return 0;
	if (!petrel_get_u16(&it->r, type) || !petrel_get_opaque16(&it->r, body, len))
		return DECODE;
	return 1;
}

/* hrrperf: petrel_ext_find's common case without the 8 KiB bitmap: a
 * 256-bit one over (type ^ type >> 8) & 255. Distinct types that share a
 * bit (or a real duplicate) give 2: the caller does the exact check. */
static int ext_find_small(const uint8_t *block, size_t len, uint16_t type, const uint8_t **body,
			  size_t *body_len)
{
	uint64_t seen[4] = {0};
	struct petrel_ext_iter it;
	uint16_t t;
	const uint8_t *b;
	size_t n;
	int found = 0, rc;
	petrel_ext_iter_init(&it, block, len);
	while ((rc = petrel_ext_iter_next(&it, &t, &b, &n)) == 1) {
		unsigned slot = (t ^ t >> 8) & 255u;
		uint64_t bit = UINT64_C(1) << (slot % 64);
		if (seen[slot / 64] & bit)
			return 2;
		seen[slot / 64] |= bit;
		if (t == type) {
			*body = b;
			*body_len = n;
			found = 1;
		}
	}
	return rc < 0 ? rc : found;
}

int petrel_ext_find(const uint8_t *block, size_t len, uint16_t type, const uint8_t **body,
		    size_t *body_len)
{
	int fast = ext_find_small(block, len, type, body, body_len);
	if (fast != 2)
		return fast;
	/* Duplicates are found with a bitmap of the 2^16 types (8 KiB). */
	uint64_t seen[65536 / 64];
	memset(seen, 0, sizeof seen);
	struct petrel_ext_iter it;
	uint16_t t;
	const uint8_t *b;
	size_t n;
	int found = 0, rc;
	petrel_ext_iter_init(&it, block, len);
	while ((rc = petrel_ext_iter_next(&it, &t, &b, &n)) == 1) {
		uint64_t bit = UINT64_C(1) << (t % 64);
		if (seen[t / 64] & bit)
			return PETREL_E_ILLEGAL_PARAMETER; /* RFC 8446 4.2 */
		seen[t / 64] |= bit;
		if (t == type) {
			*body = b;
			*body_len = n;
			found = 1;
		}
	}
	return rc < 0 ? rc : found;
}

/* ---- supported_versions ---- */

int petrel_ext13_versions_parse(const uint8_t *body, size_t len, const uint8_t **versions,
				size_t *count)
{
	struct petrel_reader r;
	size_t n;
	petrel_msg_reader_init(&r, body, len);
	/* ProtocolVersion versions<2..254> */
	if (!petrel_get_opaque8(&r, versions, &n) || !petrel_reader_done(&r) || n < 2 || n % 2)
		return DECODE;
	*count = n / 2;
	return 0;
}

bool petrel_ext13_versions_contains(const uint8_t *versions, size_t count, uint16_t version)
{
	struct petrel_reader r;
	uint16_t v;
	petrel_msg_reader_init(&r, versions, count * 2);
	while (petrel_get_u16(&r, &v))
		if (v == version)
			return true;
	return false;
}

int petrel_ext13_versions_write(struct petrel_writer *w, const uint16_t *versions, size_t count)
{
	struct petrel_len_scope scope;
	if (count < 1 || count > 127 || versions == NULL)
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_len_open(w, 1, &scope))
		return PETREL_E_SHORT_BUFFER;
	for (size_t i = 0; i < count; i++)
		if (!petrel_put_u16(w, versions[i]))
			return PETREL_E_SHORT_BUFFER;
	return petrel_put_len_close(w, &scope) ? 0 : PETREL_E_SHORT_BUFFER;
}

static int parse_u16_only(const uint8_t *body, size_t len, uint16_t *v)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	return petrel_get_u16(&r, v) && petrel_reader_done(&r) ? 0 : DECODE;
}

int petrel_ext13_selected_version_parse(const uint8_t *body, size_t len, uint16_t *version)
{
	return parse_u16_only(body, len, version);
}

int petrel_ext13_selected_version_write(struct petrel_writer *w, uint16_t version)
{
	return petrel_put_u16(w, version) ? 0 : PETREL_E_SHORT_BUFFER;
}

/* ---- key_share ---- */

static bool read_share(struct petrel_reader *r, struct petrel_key_share *out)
{
	/* KeyShareEntry: NamedGroup group; opaque key_exchange<1..2^16-1>; */
	return petrel_get_u16(r, &out->group) &&
	       petrel_get_opaque16(r, &out->key_exchange, &out->key_exchange_len) &&
	       out->key_exchange_len > 0;
}

int petrel_ext13_client_shares_parse(const uint8_t *body, size_t len,
				     struct petrel_key_share_iter *it, size_t *count)
{
	struct petrel_reader r, shares;
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_sub16(&r, &shares) || !petrel_reader_done(&r))
		return DECODE;
	it->r = shares;
	/* Check every entry now so next() cannot fail later; a group offered
	 * twice is illegal (RFC 8446 4.2.8). The list is short: quadratic is fine,
	 * but bounded by what fits in 2^16 bytes (5 bytes per entry). */
	size_t n = 0;
	struct petrel_reader scan = shares;
	struct petrel_key_share s;
	while (petrel_reader_left(&scan) > 0) {
		if (!read_share(&scan, &s))
			return DECODE;
		struct petrel_reader again = shares;
		struct petrel_key_share t;
		for (size_t i = 0; i < n; i++)
			if (read_share(&again, &t) && t.group == s.group)
				return PETREL_E_ILLEGAL_PARAMETER;
		n++;
		if (n > 64)
			return PETREL_E_LIMIT_EXCEEDED;
	}
	*count = n;
	return 0;
}

bool petrel_key_share_next(struct petrel_key_share_iter *it, struct petrel_key_share *out)
{
	return petrel_reader_left(&it->r) > 0 && read_share(&it->r, out);
}

static bool write_share(struct petrel_writer *w, const struct petrel_key_share *s)
{
	return petrel_put_u16(w, s->group) &&
	       petrel_put_opaque16(w, s->key_exchange, s->key_exchange_len);
}

static bool share_ok(const struct petrel_key_share *s)
{
	return s->key_exchange_len >= 1 && s->key_exchange_len <= UINT16_MAX &&
	       s->key_exchange != NULL;
}

int petrel_ext13_client_shares_write(struct petrel_writer *w, const struct petrel_key_share *shares,
				     size_t count)
{
	struct petrel_len_scope scope;
	for (size_t i = 0; i < count; i++)
		if (!share_ok(&shares[i]))
			return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_len_open(w, 2, &scope))
		return PETREL_E_SHORT_BUFFER;
	for (size_t i = 0; i < count; i++)
		if (!write_share(w, &shares[i]))
			return PETREL_E_SHORT_BUFFER;
	return petrel_put_len_close(w, &scope) ? 0 : PETREL_E_SHORT_BUFFER;
}

int petrel_ext13_server_share_parse(const uint8_t *body, size_t len, struct petrel_key_share *out)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	return read_share(&r, out) && petrel_reader_done(&r) ? 0 : DECODE;
}

int petrel_ext13_server_share_write(struct petrel_writer *w, const struct petrel_key_share *share)
{
	if (!share_ok(share))
		return PETREL_E_INVALID_REQUEST;
	return write_share(w, share) ? 0 : PETREL_E_SHORT_BUFFER;
}

int petrel_ext13_hrr_group_parse(const uint8_t *body, size_t len, uint16_t *group)
{
	return parse_u16_only(body, len, group);
}

int petrel_ext13_hrr_group_write(struct petrel_writer *w, uint16_t group)
{
	return petrel_put_u16(w, group) ? 0 : PETREL_E_SHORT_BUFFER;
}

/* ---- cookie ---- */

int petrel_ext13_cookie_parse(const uint8_t *body, size_t len, const uint8_t **cookie,
			      size_t *cookie_len)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_opaque16(&r, cookie, cookie_len) || !petrel_reader_done(&r) ||
	    *cookie_len == 0)
		return DECODE;
	return 0;
}

int petrel_ext13_cookie_write(struct petrel_writer *w, const uint8_t *cookie, size_t cookie_len)
{
	if (cookie == NULL || cookie_len == 0 || cookie_len > UINT16_MAX)
		return PETREL_E_INVALID_REQUEST;
	return petrel_put_opaque16(w, cookie, cookie_len) ? 0 : PETREL_E_SHORT_BUFFER;
}

/* ---- psk_key_exchange_modes ---- */

int petrel_ext13_psk_modes_parse(const uint8_t *body, size_t len, struct petrel_psk_modes *out)
{
	struct petrel_reader r, modes;
	petrel_msg_reader_init(&r, body, len);
	if (!petrel_get_sub8(&r, &modes) || !petrel_reader_done(&r) ||
	    petrel_reader_left(&modes) == 0)
		return DECODE;
	out->psk_ke = out->psk_dhe_ke = false;
	uint8_t m;
	while (petrel_get_u8(&modes, &m)) {
		if (m == PETREL_PSK_KE)
			out->psk_ke = true;
		else if (m == PETREL_PSK_DHE_KE)
			out->psk_dhe_ke = true;
	}
	return 0;
}

int petrel_ext13_psk_modes_write(struct petrel_writer *w, const struct petrel_psk_modes *modes)
{
	struct petrel_len_scope scope;
	if (!modes->psk_ke && !modes->psk_dhe_ke)
		return PETREL_E_INVALID_REQUEST; /* ke_modes<1..255> */
	bool ok = petrel_put_len_open(w, 1, &scope);
	if (modes->psk_dhe_ke)
		ok = ok && petrel_put_u8(w, PETREL_PSK_DHE_KE);
	if (modes->psk_ke)
		ok = ok && petrel_put_u8(w, PETREL_PSK_KE);
	return ok && petrel_put_len_close(w, &scope) ? 0 : PETREL_E_SHORT_BUFFER;
}

/* ---- pre_shared_key ---- */

static bool read_identity(struct petrel_reader *r, struct petrel_psk_identity *out)
{
	/* PskIdentity: opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; */
	return petrel_get_opaque16(r, &out->identity, &out->identity_len) &&
	       out->identity_len > 0 && petrel_get_u32(r, &out->obfuscated_ticket_age);
}

static bool read_binder(struct petrel_reader *r, const uint8_t **binder, size_t *len)
{
	/* PskBinderEntry: opaque<32..255> */
	return petrel_get_opaque8(r, binder, len) && *len >= 32;
}

int petrel_ext13_offered_psks_parse(const uint8_t *body, size_t len,
				    struct petrel_offered_psks *out)
{
	struct petrel_reader r, ids, binders;
	petrel_msg_reader_init(&r, body, len);
	memset(out, 0, sizeof *out);
	/* identities<7..2^16-1> */
	if (!petrel_get_sub16(&r, &ids) || petrel_reader_left(&ids) < 7)
		return DECODE;
	out->identities = ids.p;
	out->identities_len = petrel_reader_left(&ids);
	/* identities' u16 length, then the list: the binders start after. */
	out->binders_offset = 2 + out->identities_len;
	/* binders<33..2^16-1> */
	if (!petrel_get_sub16(&r, &binders) || !petrel_reader_done(&r) ||
	    petrel_reader_left(&binders) < 33)
		return DECODE;
	out->binders = binders.p;
	out->binders_len = petrel_reader_left(&binders);
	size_t n_ids = 0, n_binders = 0;
	struct petrel_psk_identity id;
	while (petrel_reader_left(&ids) > 0) {
		if (!read_identity(&ids, &id))
			return DECODE;
		n_ids++;
	}
	const uint8_t *b;
	size_t blen;
	while (petrel_reader_left(&binders) > 0) {
		if (!read_binder(&binders, &b, &blen))
			return DECODE;
		n_binders++;
	}
	/* RFC 8446 4.2.11: one binder per identity. */
	if (n_ids != n_binders)
		return PETREL_E_ILLEGAL_PARAMETER;
	out->count = n_ids;
	return 0;
}

bool petrel_offered_psk_identity(const struct petrel_offered_psks *psks, size_t index,
				 struct petrel_psk_identity *out)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, psks->identities, psks->identities_len);
	for (size_t i = 0; i <= index; i++)
		if (petrel_reader_left(&r) == 0 || !read_identity(&r, out))
			return false;
	return true;
}

bool petrel_offered_psk_binder(const struct petrel_offered_psks *psks, size_t index,
			       const uint8_t **binder, size_t *binder_len)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, psks->binders, psks->binders_len);
	for (size_t i = 0; i <= index; i++)
		if (petrel_reader_left(&r) == 0 || !read_binder(&r, binder, binder_len))
			return false;
	return true;
}

int petrel_ext13_offered_psks_write(struct petrel_writer *w, const struct petrel_psk_identity *ids,
				    size_t count, size_t binder_len, uint8_t **binders_at)
{
	struct petrel_len_scope scope;
	if (count == 0 || ids == NULL || binder_len < 32 || binder_len > 255)
		return PETREL_E_INVALID_REQUEST;
	for (size_t i = 0; i < count; i++)
		if (ids[i].identity == NULL || ids[i].identity_len == 0 ||
		    ids[i].identity_len > UINT16_MAX)
			return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_len_open(w, 2, &scope))
		return PETREL_E_SHORT_BUFFER;
	for (size_t i = 0; i < count; i++)
		if (!petrel_put_opaque16(w, ids[i].identity, ids[i].identity_len) ||
		    !petrel_put_u32(w, ids[i].obfuscated_ticket_age))
			return PETREL_E_SHORT_BUFFER;
	if (!petrel_put_len_close(w, &scope))
		return PETREL_E_SHORT_BUFFER;
	uint8_t *at = w->p;
	if (!petrel_put_len_open(w, 2, &scope))
		return PETREL_E_SHORT_BUFFER;
	for (size_t i = 0; i < count; i++) {
		uint8_t *zeros;
		if (!petrel_put_u8(w, (uint8_t)binder_len) || !petrel_put_reserve(w, binder_len, &zeros))
			return PETREL_E_SHORT_BUFFER;
		memset(zeros, 0, binder_len);
	}
	if (!petrel_put_len_close(w, &scope))
		return PETREL_E_SHORT_BUFFER;
	if (binders_at != NULL)
		*binders_at = at;
	return 0;
}

int petrel_ext13_selected_identity_parse(const uint8_t *body, size_t len, uint16_t *index)
{
	return parse_u16_only(body, len, index);
}

int petrel_ext13_selected_identity_write(struct petrel_writer *w, uint16_t index)
{
	return petrel_put_u16(w, index) ? 0 : PETREL_E_SHORT_BUFFER;
}

/* ---- use_srtp (RFC 5764 4.1.1; in ClientHello and EncryptedExtensions,
 * RFC 8446 4.2) ---- */

int petrel_ext13_use_srtp_parse(const uint8_t *body, size_t len, bool from_server,
				struct petrel_extensions *out)
{
	struct petrel_reader r;
	petrel_msg_reader_init(&r, body, len);
	/* SRTPProtectionProfiles<2..2^16-1> of u16, srtp_mki<0..255>. */
	if (!petrel_get_opaque16(&r, &out->srtp_profiles, &out->srtp_profiles_len) ||
	    out->srtp_profiles_len < 2 || out->srtp_profiles_len % 2 != 0 ||
	    !petrel_get_opaque8(&r, &out->srtp_mki, &out->srtp_mki_len) || !petrel_reader_done(&r))
		return DECODE;
	/* The server answers with exactly one profile (4.1.1). */
	if (from_server && out->srtp_profiles_len != 2)
		return PETREL_E_ILLEGAL_PARAMETER;
	out->has_use_srtp = true;
	return 0;
}

int petrel_ext13_use_srtp_write(struct petrel_writer *w, const uint16_t *profiles, size_t count,
				const uint8_t *mki, size_t mki_len)
{
	struct petrel_len_scope scope;
	if (count == 0 || count > 32767 || mki_len > 255 || (mki_len > 0 && mki == NULL))
		return PETREL_E_INVALID_REQUEST;
	if (!petrel_put_len_open(w, 2, &scope))
		return PETREL_E_SHORT_BUFFER;
	for (size_t i = 0; i < count; i++)
		if (!petrel_put_u16(w, profiles[i]))
			return PETREL_E_SHORT_BUFFER;
	if (!petrel_put_len_close(w, &scope) || !petrel_put_opaque8(w, mki, mki_len))
		return PETREL_E_SHORT_BUFFER;
	return 0;
}
