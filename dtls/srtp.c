/* DTLS-SRTP public calls (RFC 5764): configuration of the use_srtp offer,
 * and the negotiated profile and SRTP keying material afterwards. The
 * negotiation itself is in client12.c / server12.c with the rules of
 * msg_srtp.c. */
#include <stdlib.h>
#include <string.h>

#include "dtls/session.h"

#define SRTP_LABEL "EXTRACTOR-dtls_srtp"
/* RFC 9147 5.8.2 recommends a 400 ms initial timer for DTLS-SRTP: the
 * default for every session (petrel_srtp_set_profiles relies on it). */
_Static_assert(PETREL_RTO_DEFAULT_INITIAL_MS <= 400u, "DTLS-SRTP initial timer");
/* The session's SRTP block, made on first configuration. */
static struct petrel_srtp_state *srtp_state(petrel_session *s)
{
	if (s->srtp == NULL)
		s->srtp = calloc(1, sizeof *s->srtp);
	return s->srtp;
}

void petrel_srtp_free(petrel_session *s)
{
	if (s->srtp == NULL)
		return;
	petrel_wipe(s->srtp, sizeof *s->srtp);
	free(s->srtp);
	s->srtp = NULL;
}

int petrel_srtp_set_profiles(petrel_session *s, const char *list)
{
	uint16_t ids[PETREL_SRTP_MAX_PROFILES];
	size_t count = 0;
	const char *p = list;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",:");
		if (n == 0)
			return PETREL_E_INVALID_REQUEST;
		const struct petrel_srtp_profile_info *info = petrel_srtp_profile_by_name(p, n);
		if (info == NULL)
			return PETREL_E_UNSUPPORTED;
		if (count == sizeof ids / sizeof ids[0])
			return PETREL_E_LIMIT_EXCEEDED;
		ids[count++] = info->id;
		p += n;
		if (*p != '\0' && *++p == '\0')
			return PETREL_E_INVALID_REQUEST; /* trailing separator */
	}
	if (count == 0 && s->srtp == NULL)
		return 0; /* "": no use_srtp, nothing to keep */
	struct petrel_srtp_state *st = srtp_state(s);
	if (st == NULL)
		return PETREL_E_MEMORY;
	memcpy(st->profiles, ids, count * sizeof ids[0]);
	st->profile_count = (uint8_t)count;
	/* RFC 9147 5.8.2: "It is RECOMMENDED that for DTLS-SRTP [RFC5764],
	 * a default timeout of 400 ms be used": Petrel's default initial
	 * timer (PETREL_RTO_DEFAULT_INITIAL_MS, dtls/rto.h) is that value for
	 * every session, so profiles leave it as it is, whether the user set
	 * it (petrel_dtls_set_timeouts) or not. */
	return 0;
}

int petrel_srtp_set_mki(petrel_session *s, const uint8_t *mki, size_t len)
{
	/* srtp_mki<0..255> (RFC 5764 4.1.1). */
	if (len > sizeof s->srtp->mki || (len > 0 && mki == NULL))
		return PETREL_E_INVALID_REQUEST;
	if (len == 0 && s->srtp == NULL)
		return 0;
	struct petrel_srtp_state *st = srtp_state(s);
	if (st == NULL)
		return PETREL_E_MEMORY;
	if (len > 0)
		memcpy(st->mki, mki, len);
	st->mki_len = (uint8_t)len;
	return 0;
}

uint16_t petrel_srtp_get_selected_profile(const petrel_session *s)
{
	return s->established && s->srtp != NULL ? s->srtp->selected : 0;
}

int petrel_srtp_get_mki(const petrel_session *s, const uint8_t **mki, size_t *len)
{
	if (petrel_srtp_get_selected_profile(s) == 0 || mki == NULL || len == NULL)
		return PETREL_E_INVALID_REQUEST;
	*mki = s->srtp->mki; /* a profile was selected: the block exists */
	*len = s->srtp->mki_used ? s->srtp->mki_len : 0;
	return 0;
}

const char *petrel_srtp_get_profile_name(uint16_t profile)
{
	const struct petrel_srtp_profile_info *info = petrel_srtp_profile_by_id(profile);
	return info ? info->name : NULL;
}

int petrel_srtp_get_keying_material(petrel_session *s, uint8_t *out, size_t cap, size_t *len)
{
	const struct petrel_srtp_profile_info *info =
		petrel_srtp_profile_by_id(petrel_srtp_get_selected_profile(s));
	if (info == NULL || len == NULL)
		return PETREL_E_INVALID_REQUEST;
	/* RFC 5764 4.2: 2 * (SRTPSecurityParams.master_key_len +
	 * master_salt_len) bytes, no context. */
	size_t need = 2u * ((size_t)info->key_len + info->salt_len);
	*len = need;
	if (out == NULL || cap < need)
		return PETREL_E_SHORT_BUFFER;
	return petrel_prf_export(s, SRTP_LABEL, NULL, 0, 0, out, need);
}

int petrel_srtp_get_keys(petrel_session *s, struct petrel_srtp_keys *keys)
{
	uint8_t material[2 * (PETREL_SRTP_MAX_KEY_LEN + PETREL_SRTP_MAX_SALT_LEN)];
	size_t len;

	if (keys == NULL)
		return PETREL_E_INVALID_REQUEST;
	memset(keys, 0, sizeof *keys);
	int rc = petrel_srtp_get_keying_material(s, material, sizeof material, &len);
	if (rc < 0)
		return rc;
	const struct petrel_srtp_profile_info *info = petrel_srtp_profile_by_id(s->srtp->selected);
	size_t k = info->key_len, salt = info->salt_len;
	/* RFC 5764 4.2: client_write_SRTP_master_key, server_write_..._key,
	 * client_write_SRTP_master_salt, server_write_..._salt. */
	keys->profile = info->id;
	keys->key_len = k;
	keys->salt_len = salt;
	memcpy(keys->client_key, material, k);
	memcpy(keys->server_key, material + k, k);
	memcpy(keys->client_salt, material + 2 * k, salt);
	memcpy(keys->server_salt, material + 2 * k + salt, salt);
	petrel_wipe(material, sizeof material);
	return 0;
}
