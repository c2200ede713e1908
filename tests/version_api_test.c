/* The protocol version API (issue #20 item 3): ranges and their errors,
 * what the build speaks (read from the dispatcher's table), and the
 * negotiated version after a real handshake over the simulated network. */
#include <criterion/criterion.h>

#include "dtls/dispatch.h"
#include "dtls/session.h"
#include "dtls/version.h"
#include "tests/dtls_harness.h"

/* The dispatcher's own answer, asked independently of dtls/version.c. */
static bool dispatcher_has(unsigned version)
{
	petrel_session *c, *s;
	cr_assert_eq(petrel_session_new(&c, PETREL_CLIENT), 0);
	cr_assert_eq(petrel_session_new(&s, PETREL_SERVER), 0);
	c->version = s->version = version;
	bool both = petrel_hs_ops_of(c) != NULL && petrel_hs_ops_of(s) != NULL;
	petrel_session_free(c);
	petrel_session_free(s);
	return both;
}

static petrel_session *new_client(void)
{
	petrel_session *s;
	cr_assert_eq(petrel_session_new(&s, PETREL_CLIENT), 0);
	return s;
}

Test(version_api, public_numbers_are_ordered_and_named)
{
	cr_assert_lt(PETREL_DTLS1_2, PETREL_DTLS1_3);
	cr_assert_str_eq(petrel_version_name(PETREL_DTLS1_2), "DTLS 1.2");
	cr_assert_str_eq(petrel_version_name(PETREL_DTLS1_3), "DTLS 1.3");
	cr_assert_null(petrel_version_name(0));
	cr_assert_null(petrel_version_name(0xFEFD)); /* a wire value is not a petrel_version */
	cr_assert_eq(petrel_version_public(PETREL_V_DTLS12), PETREL_DTLS1_2);
	cr_assert_eq(petrel_version_public(PETREL_V_DTLS13), PETREL_DTLS1_3);
	cr_assert_eq(petrel_version_public(PETREL_V_COUNT), 0);
}

Test(version_api, supported_follows_the_dispatcher_table)
{
	cr_assert_eq(petrel_version_supported(PETREL_DTLS1_2), 1);
	cr_assert_eq(petrel_version_supported(PETREL_DTLS1_3), dispatcher_has(PETREL_V_DTLS13) ? 1 : 0);
	cr_assert_eq(petrel_version_supported(0), 0);
	cr_assert_eq(petrel_version_supported(11), 0);
	cr_assert_eq(petrel_version_supported(14), 0);
	cr_assert_eq(petrel_version_supported(-1), 0);
	cr_assert_eq(petrel_version_supported(0xFEFC), 0);
}

Test(version_api, new_session_allows_dtls12_and_knows_no_version_yet)
{
	petrel_session *s = new_client();
	/* The default range starts at 1.2; where it ends is the engine's
	 * choice (1.3 once the build speaks it and can fall back). */
	cr_assert_eq(s->version_min, PETREL_V_DTLS12);
	cr_assert_geq(s->version_max, PETREL_V_DTLS12);
	cr_assert_leq(s->version_max, PETREL_V_DTLS13);
	cr_assert(petrel_session_version_allowed(s, PETREL_V_DTLS12));
	cr_assert_eq(petrel_session_get_version(s), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_3), 0);
	cr_assert_eq(petrel_session_version_allowed(s, PETREL_V_DTLS13),
		     petrel_version_supported(PETREL_DTLS1_3) == 1);
	cr_assert_eq(petrel_session_get_version(NULL), PETREL_E_INVALID_REQUEST);
	petrel_session_free(s);
}

Test(version_api, bad_ranges_are_refused_and_leave_the_session_unchanged)
{
	petrel_session *s = new_client();
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_2), 0);
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_2),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_set_versions(s, 0, PETREL_DTLS1_3), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_2, 14), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_set_versions(s, 11, PETREL_DTLS1_2), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_set_versions(s, 0xFEFD, 0xFEFC), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_set_versions(NULL, PETREL_DTLS1_2, PETREL_DTLS1_3),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(s->version_min, PETREL_V_DTLS12);
	cr_assert_eq(s->version_max, PETREL_V_DTLS12);
	cr_assert_not(petrel_session_version_allowed(s, PETREL_V_DTLS13));
	petrel_session_free(s);
}

Test(version_api, dtls13_only_needs_a_build_that_speaks_it)
{
	petrel_session *s = new_client();
	int rc = petrel_session_set_versions(s, PETREL_DTLS1_3, PETREL_DTLS1_3);
	if (petrel_version_supported(PETREL_DTLS1_3)) {
		cr_assert_eq(rc, 0);
		cr_assert_eq(s->version_min, PETREL_V_DTLS13);
		cr_assert_not(petrel_session_version_allowed(s, PETREL_V_DTLS12));
	} else {
		cr_assert_eq(rc, PETREL_E_UNSUPPORTED);
		cr_assert_eq(s->version_min, PETREL_V_DTLS12); /* unchanged */
		cr_assert_eq(s->version_max, PETREL_V_DTLS13);
	}
	/* A range reaching 1.2 is always possible. */
	cr_assert_eq(petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_3), 0);
	petrel_session_free(s);
}

Test(version_api, range_is_fixed_once_the_handshake_started)
{
	struct harness h;
	petrel_credentials *creds = harness_psk_creds();
	harness_init(&h, 7, 0, 0, creds, creds);
	cr_assert_eq(petrel_handshake(h.client.session), PETREL_E_AGAIN); /* ClientHello sent */
	cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_2, PETREL_DTLS1_2),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_get_version(h.client.session), PETREL_E_INVALID_REQUEST);
	harness_free(&h);
	petrel_credentials_free(creds);
}

static void handshake_and_expect(int client_max, int server_max, int expected)
{
	struct harness h;
	petrel_credentials *cc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	petrel_credentials *sc = harness_cert_creds(PETREL_KEYTYPE_ECDSA_P256);
	harness_init(&h, 11, 0, 0, cc, sc);
	petrel_session_set_verify(h.client.session, PETREL_VERIFY_NONE, NULL, 0);
	if (expected == 0) /* what the default ranges of both ends allow */
		expected = petrel_session_version_allowed(h.client.session, PETREL_V_DTLS13) &&
				   petrel_session_version_allowed(h.server.session, PETREL_V_DTLS13)
			   ? PETREL_DTLS1_3
			   : PETREL_DTLS1_2;
	if (client_max)
		cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_2, client_max), 0);
	if (server_max)
		cr_assert_eq(petrel_session_set_versions(h.server.session, PETREL_DTLS1_2, server_max), 0);
	cr_assert_eq(harness_run_handshake(&h, 60000), 0);
	cr_assert_eq(petrel_session_get_version(h.client.session), expected);
	cr_assert_eq(petrel_session_get_version(h.server.session), expected);
	cr_assert_eq(harness_echo(&h, "version", 60000), 0);
	/* Established: the range can no longer change, the version stays. */
	cr_assert_eq(petrel_session_set_versions(h.client.session, PETREL_DTLS1_2, PETREL_DTLS1_3),
		     PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_session_get_version(h.client.session), expected);
	harness_free(&h);
	petrel_credentials_free(cc);
	petrel_credentials_free(sc);
}

Test(version_api, dtls12_handshake_reports_dtls12)
{
	handshake_and_expect(PETREL_DTLS1_2, PETREL_DTLS1_2, PETREL_DTLS1_2);
}

Test(version_api, client_capped_at_dtls12_gets_dtls12)
{
	handshake_and_expect(PETREL_DTLS1_2, 0, PETREL_DTLS1_2);
}

Test(version_api, server_capped_at_dtls12_answers_in_dtls12)
{
	handshake_and_expect(0, PETREL_DTLS1_2, PETREL_DTLS1_2);
}

Test(version_api, default_handshake_uses_the_highest_version_both_defaults_allow)
{
	handshake_and_expect(0, 0, 0);
}

Test(version_api, both_ends_up_to_dtls13_use_the_highest_version_built)
{
	handshake_and_expect(PETREL_DTLS1_3, PETREL_DTLS1_3,
			     petrel_version_supported(PETREL_DTLS1_3) ? PETREL_DTLS1_3 : PETREL_DTLS1_2);
}
