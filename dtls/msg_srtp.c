/* DTLS-SRTP profile table and the use_srtp negotiation rules (RFC 5764
 * 4.1.1-4.1.3), pure functions over parsed extensions so the rules are
 * tested without a handshake. The wire codec is in msg_extensions.c. */
#include <string.h>

#include "dtls/messages.h"
#include "petrel/petrel.h"

/* Master key and salt lengths: RFC 5764 4.1.2 (AES-CM: 128-bit key,
 * 112-bit salt) and RFC 7714 12 (AEAD_AES_*_GCM: 96-bit salt). */
static const struct petrel_srtp_profile_info profiles[] = {
	{PETREL_SRTP_AES128_CM_HMAC_SHA1_80, "SRTP_AES128_CM_HMAC_SHA1_80", "SRTP_AES128_CM_SHA1_80", 16, 14},
	{PETREL_SRTP_AES128_CM_HMAC_SHA1_32, "SRTP_AES128_CM_HMAC_SHA1_32", "SRTP_AES128_CM_SHA1_32", 16, 14},
	{PETREL_SRTP_AEAD_AES_128_GCM, "SRTP_AEAD_AES_128_GCM", NULL, 16, 12},
	{PETREL_SRTP_AEAD_AES_256_GCM, "SRTP_AEAD_AES_256_GCM", NULL, 32, 12},
};

const struct petrel_srtp_profile_info *petrel_srtp_profile_by_id(uint16_t id)
{
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (profiles[i].id == id)
			return &profiles[i];
	return NULL;
}

static bool name_is(const char *want, const char *name, size_t len)
{
	return want != NULL && strlen(want) == len && memcmp(want, name, len) == 0;
}

const struct petrel_srtp_profile_info *petrel_srtp_profile_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
		if (name_is(profiles[i].name, name, len) || name_is(profiles[i].alias, name, len))
			return &profiles[i];
	return NULL;
}

void petrel_srtp_server_select(const uint16_t *ours, size_t count, const uint8_t *our_mki,
			       size_t our_mki_len, const struct petrel_extensions *client,
			       uint16_t *profile, bool *echo_mki)
{
	*profile = 0;
	*echo_mki = false;
	if (!client->has_use_srtp)
		return;
	/* "The server MUST NOT select a value that the client has not
	 * offered": our preference, among the client's list. */
	for (size_t i = 0; i < count && *profile == 0; i++)
		if (petrel_u16_list_contains(client->srtp_profiles, client->srtp_profiles_len, ours[i]))
			*profile = ours[i];
	/* RFC 5764 4.1.1: a matching srtp_mki says we will use the client's
	 * MKI, an empty one that we cannot. We use it unless we were given
	 * a different MKI of our own. */
	*echo_mki = *profile != 0 && client->srtp_mki_len > 0 &&
		    (our_mki_len == 0 || (our_mki_len == client->srtp_mki_len &&
					  memcmp(our_mki, client->srtp_mki, our_mki_len) == 0));
}

int petrel_srtp_client_check(const uint16_t *offered, size_t count, const uint8_t *our_mki,
			     size_t our_mki_len, const struct petrel_extensions *server,
			     uint16_t *profile, bool *mki_used)
{
	uint16_t chosen;
	struct petrel_u16_iter it;

	*profile = 0;
	*mki_used = false;
	if (!server->has_use_srtp)
		return 0; /* no SRTP: the DTLS session goes on (RFC 5764 4.1.1) */
	/* RFC 5764 4.1.1: exactly one profile, and one we offered. */
	petrel_u16_iter_init(&it, server->srtp_profiles, server->srtp_profiles_len);
	if (server->srtp_profiles_len != 2 || !petrel_u16_iter_next(&it, &chosen))
		return PETREL_E_ILLEGAL_PARAMETER;
	bool was_offered = false;
	for (size_t i = 0; i < count; i++)
		was_offered |= offered[i] == chosen;
	if (!was_offered)
		return PETREL_E_ILLEGAL_PARAMETER;
	/* "If the client detects a nonzero-length MKI in the server's
	 * response that is different than the one the client offered, then
	 * the client MUST abort the handshake" (illegal_parameter). */
	if (server->srtp_mki_len > 0) {
		if (server->srtp_mki_len != our_mki_len ||
		    memcmp(server->srtp_mki, our_mki, our_mki_len) != 0)
			return PETREL_E_ILLEGAL_PARAMETER;
		*mki_used = true;
	}
	*profile = chosen;
	return 0;
}
