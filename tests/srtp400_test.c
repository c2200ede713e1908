/* The DTLS-SRTP initial retransmission timer (RFC 9147 5.8.2: "It is
 * RECOMMENDED that for DTLS-SRTP [RFC5764], a default timeout of 400 ms
 * be used"): a session with SRTP profiles and no explicit
 * petrel_dtls_set_timeouts resends a lost ClientHello after 400 ms, on
 * DTLS 1.2 and 1.3; an explicit initial timer wins whichever setter is
 * called first; without SRTP the default is the same 400 ms (dtls/rto.h),
 * and petrel_dtls_set_timeouts(s, 1000, ...) gives the RFC's 1 s. The simulated
 * network's virtual clock makes the times exact. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/dtls_harness.h"

#define PROFILES "SRTP_AEAD_AES_128_GCM,SRTP_AES128_CM_HMAC_SHA1_80"

enum timers { NONE, BEFORE, AFTER }; /* set_timeouts(1000) vs the SRTP setter */

/* The client's first datagram (ClientHello) is lost; resent_ms gets the
 * virtual time of its second one (the retransmission). */
static unsigned client_sent;
static uint64_t resent_ms;

static long drop_first_push(void *ptr, const uint8_t *data, size_t len)
{
	struct harness_end *end = ptr;
	if (end->id == 0) {
		unsigned i = client_sent++;
		if (i == 0)
			return (long)len;
		if (i == 1)
			resent_ms = simnet_now(end->h->net);
	}
	return simnet_send(end->h->net, end->id, data, len) < 0 ? PETREL_E_PUSH_ERROR : (long)len;
}

static uint64_t first_retransmission_ms(int version, bool srtp, enum timers t)
{
	client_sent = 0;
	resent_ms = 0;
	struct harness h;
	harness_init(&h, 1, 0, 0, harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	petrel_session *c = h.client.session;
	petrel_session_set_verify(c, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_session_set_versions(c, version, version), 0);
	if (t == BEFORE)
		petrel_dtls_set_timeouts(c, 1000, 60000);
	if (srtp) {
		cr_assert_eq(petrel_srtp_set_profiles(c, PROFILES), 0);
		cr_assert_eq(petrel_srtp_set_profiles(h.server.session, PROFILES), 0);
	}
	if (t == AFTER)
		petrel_dtls_set_timeouts(c, 1000, 60000);
	petrel_transport_set_push_function(c, drop_first_push);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(petrel_session_get_version(c), version);
	cr_assert_eq(petrel_srtp_get_selected_profile(c),
		     srtp ? PETREL_SRTP_AEAD_AES_128_GCM : 0);
	cr_assert_geq(client_sent, 2);
	harness_free_all(&h);
	return resent_ms;
}

static void expect(int version, bool srtp, enum timers t, uint64_t want)
{
	uint64_t ms = first_retransmission_ms(version, srtp, t);
	cr_assert_eq(ms, want, "DTLS 1.%d srtp=%d timers=%d: ClientHello resent at %llu ms",
		     version - 10, srtp, (int)t, (unsigned long long)ms);
}

Test(srtp400, srtp_default_is_400ms_dtls12) { expect(PETREL_DTLS1_2, true, NONE, 400); }
Test(srtp400, srtp_default_is_400ms_dtls13) { expect(PETREL_DTLS1_3, true, NONE, 400); }
Test(srtp400, explicit_before_wins_dtls12) { expect(PETREL_DTLS1_2, true, BEFORE, 1000); }
Test(srtp400, explicit_after_wins_dtls12) { expect(PETREL_DTLS1_2, true, AFTER, 1000); }
Test(srtp400, explicit_before_wins_dtls13) { expect(PETREL_DTLS1_3, true, BEFORE, 1000); }
Test(srtp400, explicit_after_wins_dtls13) { expect(PETREL_DTLS1_3, true, AFTER, 1000); }
Test(srtp400, no_srtp_default_is_400ms_dtls12) { expect(PETREL_DTLS1_2, false, NONE, 400); }
Test(srtp400, no_srtp_default_is_400ms_dtls13) { expect(PETREL_DTLS1_3, false, NONE, 400); }
Test(srtp400, no_srtp_explicit_1s_dtls12) { expect(PETREL_DTLS1_2, false, BEFORE, 1000); }
Test(srtp400, no_srtp_explicit_1s_dtls13) { expect(PETREL_DTLS1_3, false, BEFORE, 1000); }

Test(srtp400, profiles_cleared_keep_default)
{
	/* Profiles set then cleared with "": no use_srtp, the default. */
	struct harness h;
	harness_init(&h, 1, 0, 0, harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256),
		     harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256));
	petrel_session *c = h.client.session;
	petrel_session_set_verify(c, PETREL_VERIFY_NONE, NULL, 0);
	cr_assert_eq(petrel_srtp_set_profiles(c, PROFILES), 0);
	cr_assert_eq(petrel_srtp_set_profiles(c, ""), 0);
	client_sent = 0;
	resent_ms = 0;
	petrel_transport_set_push_function(c, drop_first_push);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(petrel_srtp_get_selected_profile(c), 0);
	cr_assert_eq(resent_ms, 400, "ClientHello resent at %llu ms", (unsigned long long)resent_ms);
	harness_free_all(&h);
}
