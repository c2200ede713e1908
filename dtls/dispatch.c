/* The dispatcher: picks the handshake operations of the session's
 * version and role from one table and routes each event to them. It
 * holds no protocol logic of its own; the engine (records, timers) calls
 * it, and nothing it reaches calls back into it. */
#include "dtls/dispatch.h"

#include "dtls/first_hello.h"
#include "dtls/first_record.h"
#include "dtls/hs_header.h"
#include "dtls12/hs12.h"
#include "dtls13/hs13_ops.h"

/* [version][role]: PETREL_CLIENT and PETREL_SERVER are 1 and 2. */
static const struct petrel_hs_ops *const hs_ops_table[PETREL_V_COUNT][2] = {
	[PETREL_V_DTLS12] = {&petrel_hs12_client_ops, &petrel_hs12_server_ops},
	[PETREL_V_DTLS13] = {&petrel_hs13_client_ops, &petrel_hs13_server_ops}, /* RFC 9147 */
};

static const struct petrel_hs_ops *ops_for(unsigned version, unsigned role)
{
	if (version >= PETREL_V_COUNT)
		return NULL;
	return hs_ops_table[version][role == PETREL_SERVER ? 1 : 0];
}

const struct petrel_hs_ops *petrel_hs_ops_of(const petrel_session *s)
{
	return ops_for(s->version, s->role);
}

int petrel_dispatch_begin(petrel_session *s, uint64_t now_ms)
{
	/* A renegotiation stays in the version of the association. */
	if (s->role == PETREL_CLIENT && s->version == PETREL_V_DTLS12 && !s->established)
		s->version = petrel_client_begin_version(s);
	const struct petrel_hs_ops *ops = petrel_hs_ops_of(s);
	if (ops == NULL)
		return PETREL_E_UNSUPPORTED;
	return ops->begin ? ops->begin(s, now_ms) : 0;
}

int petrel_dispatch_message(petrel_session *s, const struct petrel_hs_message *m,
			    uint64_t record_seq, uint64_t now_ms)
{
	const struct petrel_hs_ops *ops = petrel_hs_ops_of(s);
	if (ops == NULL)
		return PETREL_E_UNSUPPORTED;
	if (ops->accepts && !ops->accepts(s, m, record_seq))
		return PETREL_E_UNEXPECTED_MESSAGE;
	return ops->handle(s, m, now_ms);
}

int petrel_dispatch_ccs(petrel_session *s)
{
	const struct petrel_hs_ops *ops = petrel_hs_ops_of(s);
	if (ops == NULL)
		return PETREL_E_UNSUPPORTED;
	return ops->on_ccs(s);
}

int petrel_dispatch_first_record(petrel_session *s, const struct petrel_record *rec,
				 uint64_t now_ms)
{
	/* A ClientHello offering 1.3 in fragments, assembled under the caps
	 * of dtls/first_hello.h (issue #20 item 4): the 1.3 server answers
	 * the whole hello. */
	struct petrel_record whole;
	if (s->role == PETREL_SERVER && petrel_session_allows_dtls13(s) &&
	    petrel_first_hello_record(s, rec, now_ms, &whole) == 1 &&
	    petrel_client_hello_offers_dtls13(whole.fragment + PETREL_HS_HEADER_LEN,
					      whole.length - PETREL_HS_HEADER_LEN)) {
		const struct petrel_hs_ops *ops13 = ops_for(PETREL_V_DTLS13, s->role);
		int rc = ops13 != NULL && ops13->first_record != NULL
				 ? ops13->first_record(s, &whole, now_ms)
				 : PETREL_E_UNSUPPORTED;
		petrel_first_hello_release(s);
		return rc;
	}
	/* The server of the version that answers this ClientHello; the
	 * session's version stays until that server keeps state. */
	int version = petrel_first_record_version(s, rec);
	if (version < 0)
		return 0; /* dropped */
	const struct petrel_hs_ops *ops = ops_for((unsigned)version, s->role);
	if (ops == NULL)
		return PETREL_E_UNSUPPORTED;
	return ops->first_record ? ops->first_record(s, rec, now_ms) : 0;
}
