/* Protocol version settings and queries (RFC 8446 4.2.1 as RFC 9147 5.3
 * uses it): the session's range, the negotiated version, and what this
 * build speaks, read from the dispatcher's table (dtls/dispatch.h) so the
 * answer cannot drift from the handshake operations actually present. */
#include "dtls/version.h"

#include "dtls/dispatch.h"

bool petrel_version_built(unsigned version)
{
	if (version >= PETREL_V_COUNT)
		return false;
	/* petrel_hs_ops_of reads only role and version; a zeroed session on
	 * the stack asks the table without touching any real one. */
	petrel_session probe = {.version = version, .role = PETREL_CLIENT};
	bool client = petrel_hs_ops_of(&probe) != NULL;
	probe.role = PETREL_SERVER;
	return client && petrel_hs_ops_of(&probe) != NULL;
}

bool petrel_session_version_allowed(const petrel_session *s, unsigned version)
{
	return version >= s->version_min && version <= s->version_max &&
	       petrel_version_built(version);
}

int petrel_version_public(unsigned version)
{
	switch (version) {
	case PETREL_V_DTLS12: return PETREL_DTLS1_2;
	case PETREL_V_DTLS13: return PETREL_DTLS1_3;
	default: return 0;
	}
}

/* enum petrel_version -> enum petrel_dtls_version; false for others. */
static bool internal_of(int version, unsigned *out)
{
	switch (version) {
	case PETREL_DTLS1_2: *out = PETREL_V_DTLS12; return true;
	case PETREL_DTLS1_3: *out = PETREL_V_DTLS13; return true;
	default: return false;
	}
}

int petrel_session_set_versions(petrel_session *s, int min, int max)
{
	unsigned lo, hi;
	if (s == NULL || !internal_of(min, &lo) || !internal_of(max, &hi) || lo > hi)
		return PETREL_E_INVALID_REQUEST;
	/* The range shapes the first flight (supported_versions): fixed once
	 * the handshake has begun. */
	if (s->hs != NULL || s->established || s->fatal_error)
		return PETREL_E_INVALID_REQUEST;
	bool any = false;
	for (unsigned v = lo; v <= hi; v++)
		any = any || petrel_version_built(v);
	if (!any)
		return PETREL_E_UNSUPPORTED;
	s->version_min = (uint8_t)lo;
	s->version_max = (uint8_t)hi;
	s->versions_set = true; /* no default settling at handshake start */
	return 0;
}

int petrel_session_get_version(const petrel_session *s)
{
	/* Only a completed handshake fixes the version: a client offering
	 * 1.3 and 1.2 learns the answer from the ServerHello, and a server
	 * may still fall back until then. */
	if (s == NULL || !s->established)
		return PETREL_E_INVALID_REQUEST;
	int v = petrel_version_public(s->version);
	return v ? v : PETREL_E_INTERNAL;
}

int petrel_version_supported(int version)
{
	unsigned v;
	return internal_of(version, &v) && petrel_version_built(v) ? 1 : 0;
}

const char *petrel_version_name(int version)
{
	switch (version) {
	case PETREL_DTLS1_2: return "DTLS 1.2";
	case PETREL_DTLS1_3: return "DTLS 1.3";
	default: return NULL;
	}
}
