/* Version choice at the start of a handshake (RFC 9147 5.3, RFC 8446
 * 4.2.1): a server answers each ClientHello in the highest version both
 * sides allow, looking at its supported_versions before keeping any
 * state; a client starts the handshake of the highest version its
 * session allows. A service of the dispatcher (dtls/dispatch.c), which
 * then calls that version's operations: it calls no role or engine and
 * holds no protocol state of its own. */
#include "dtls/first_record.h"

#include "dtls/dispatch.h"
#include "dtls/first_hello.h"
#include "dtls/hs_header.h"
#include "record/record.h"
#include "dtls13/messages13.h"

/* Whether a ClientHello body lists DTLS 1.3 in supported_versions. */
bool petrel_client_hello_offers_dtls13(const uint8_t *body, size_t len)
{
	struct petrel_reader r;
	const uint8_t *p;
	size_t n;
	petrel_reader_init(&r, body, len);
	if (!petrel_skip(&r, 2 + 32) || !petrel_get_opaque8(&r, &p, &n) ||
	    !petrel_get_opaque8(&r, &p, &n) || !petrel_get_opaque16(&r, &p, &n) ||
	    !petrel_get_opaque8(&r, &p, &n) || !petrel_get_opaque16(&r, &p, &n))
		return false;
	const uint8_t *b, *versions;
	size_t bl, count;
	if (petrel_ext_find(p, n, PETREL_EXT13_SUPPORTED_VERSIONS, &b, &bl) != 1)
		return false;
	if (petrel_ext13_versions_parse(b, bl, &versions, &count) < 0)
		return false;
	return petrel_ext13_versions_contains(versions, count, PETREL_WIRE_DTLS13);
}

/* A cipher list (petrel_session_set_ciphers) with only DTLS 1.2 names
 * makes a 1.2 session, one with only 1.3 names a 1.3 session; with both,
 * or none, the version range decides. */
bool petrel_session_allows_dtls13(const petrel_session *s)
{
	return s->version_max >= PETREL_V_DTLS13 && (s->cipher_count == 0 || s->cipher13_count > 0);
}

bool petrel_session_allows_dtls12(const petrel_session *s)
{
	return s->version_min <= PETREL_V_DTLS12 && (s->cipher13_count == 0 || s->cipher_count > 0);
}

int petrel_first_record_version(const petrel_session *s, const struct petrel_record *rec)
{
	if (s->role != PETREL_SERVER)
		return (int)s->version;
	struct petrel_reader r;
	struct petrel_hs_header h;
	const uint8_t *frag;
	petrel_reader_init(&r, rec->fragment, rec->length);
	/* A whole ClientHello in this record offering 1.3, and 1.3 allowed:
	 * the 1.3 server (stateless HelloRetryRequest with a cookie). */
	if (petrel_session_allows_dtls13(s) && petrel_hs_header_read(&r, &h, &frag) == 0 &&
	    h.msg_type == PETREL_HS_CLIENT_HELLO && h.fragment_offset == 0 &&
	    h.fragment_length == h.length &&
	    petrel_client_hello_offers_dtls13(frag, h.fragment_length))
		return PETREL_V_DTLS13;
	if (!petrel_session_allows_dtls12(s))
		return -1; /* 1.3 only: a 1.2 ClientHello is dropped */
	return PETREL_V_DTLS12;
}

bool petrel_dgram_offers_dtls13(const uint8_t *dgram, size_t len)
{
	struct petrel_reader r, body;
	struct petrel_record_header rh;
	struct petrel_hs_header h;
	const uint8_t *frag;
	/* RFC 9147 4.1 demux: a DTLSPlaintext handshake record in epoch 0. */
	petrel_reader_init(&r, dgram, len);
	if (!petrel_record_header_read(&r, &rh) || rh.content_type != PETREL_CT_HANDSHAKE ||
	    rh.epoch != 0 || !petrel_get_sub(&r, rh.length, &body))
		return false;
	return petrel_hs_header_read(&body, &h, &frag) == 0 && h.msg_type == PETREL_HS_CLIENT_HELLO &&
	       h.fragment_offset == 0 && h.fragment_length == h.length &&
	       petrel_client_hello_offers_dtls13(frag, h.length);
}

/* Whether a session uses something only DTLS 1.2 has, which a DTLS 1.3
 * handshake would silently drop: a cipher list of 1.2 suites only
 * (petrel_session_set_ciphers), renegotiation (RFC 5746; none in 1.3,
 * RFC 8446 4.1.2), or the test flag that leaves out extended master
 * secret (RFC 7627). Not keepalive or PETREL_FLAG_PMTU_PROBE: 1.3
 * sessions ping and probe with KeyUpdates (dtls13/ka13.h,
 * dtls13/probe13.h), and the 1.3+1.2 ClientHello offers the heartbeat
 * extension too (dtls13/ka13_ext.h), so a session that falls back to a
 * 1.2 server gets its heartbeats. Not raw public keys (RFC 7250): the
 * 1.3 handshake carries them (dtls13/rpk13.h), and its ClientHello
 * offers the certificate types a 1.2 server answers after a fallback. */
static bool needs_dtls12(const petrel_session *s)
{
	return (s->cipher_count > 0 && s->cipher13_count == 0) ||
	       s->reneg.enabled || (s->flags & PETREL_FLAG_TEST_OMIT_EMS);
}

void petrel_client_default_versions(petrel_session *s)
{
	/* A range the application chose stays as it is (a 1.3-only range
	 * with a 1.2 feature is its choice). Otherwise the default range,
	 * 1.2 to 1.3 (dtls/session.c): 1.3 and 1.2 in supported_versions,
	 * falling back to 1.2 against 1.2 servers (RFC 8446 4.1.3 sentinels
	 * checked by dtls13/client13.c), or 1.2 only when the configuration
	 * needs it, so nothing configured is lost. Decided here, when the
	 * first handshake starts, so the settings may come in any order. */
	if (s->role == PETREL_CLIENT && !s->versions_set && s->version_min <= PETREL_V_DTLS12 &&
	    needs_dtls12(s))
		s->version_max = PETREL_V_DTLS12;
}

unsigned petrel_client_begin_version(petrel_session *s)
{
	petrel_client_default_versions(s);
	/* A client allowed 1.3 starts the 1.3 client; when 1.2 is allowed
	 * too its ClientHello also suits a 1.2 server, whose answer hands
	 * the handshake to the 1.2 client (dtls13/engine13.c fall_back).
	 * A 1.2 session to resume goes in that ClientHello too
	 * (dtls13/ticket13.h petrel_ticket13_offer12). */
	if (petrel_session_allows_dtls13(s))
		return PETREL_V_DTLS13;
	return PETREL_V_DTLS12;
}
