/* The TLS 1.3 key schedule (RFC 8446 7) against RFC 8448 section 3 (the
 * "tls13 " prefix of TLS), then the "dtls13" prefix's own properties.
 * The recorded wolfSSL sessions (dtls13_vectors_test.c) check the DTLS
 * labels against a real peer. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dtls13/keyschedule.h"
#include "petrel/petrel.h"

static size_t hex(const char *s, uint8_t *out)
{
	size_t n = 0;
	for (; s[2 * n]; n++) {
		unsigned v;
		cr_assert_eq(sscanf(s + 2 * n, "%2x", &v), 1);
		out[n] = (uint8_t)v;
	}
	return n;
}

static void assert_hex(const uint8_t *got, const char *want, const char *what)
{
	uint8_t w[64];
	size_t n = hex(want, w);
	cr_assert_arr_eq(got, w, n, "%s", what);
}

#define TLS PETREL_TLS13_LABEL_PREFIX
#define SHA256 PETREL_HASH_SHA256

/* RFC 8448 3: simple 1-RTT handshake, X25519, TLS_AES_128_GCM_SHA256. */
static const char *rfc8448_ecdhe = "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d";
static const char *rfc8448_th_ch_sh = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8";
static const char *rfc8448_th_ch_sf = "9608102a0f1ccc6db6250b7b7e417b1a000eaada3daae4777a7686c9ff83df13";
static const char *rfc8448_th_ch_cf = "209145a96ee8e2a122ff810047cc952684658d6049e86429426db87c54ad143d";

static void rfc8448_schedule(struct petrel_dtls13_ks *ks, bool through_master)
{
	uint8_t ecdhe[32], th[32];
	cr_assert_eq(petrel_dtls13_ks_init_prefix(ks, SHA256, TLS, NULL, 0), 0);
	assert_hex(ks->early_secret, "33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a",
		   "early secret");
	hex(rfc8448_ecdhe, ecdhe);
	hex(rfc8448_th_ch_sh, th);
	cr_assert_eq(petrel_dtls13_ks_handshake(ks, ecdhe, 32, th), 0);
	if (!through_master)
		return;
	hex(rfc8448_th_ch_sf, th);
	cr_assert_eq(petrel_dtls13_ks_master(ks, th), 0);
}

Test(dtls13_keyschedule, rfc8448_handshake_secrets)
{
	struct petrel_dtls13_ks ks;
	rfc8448_schedule(&ks, false);
	assert_hex(ks.handshake_secret,
		   "1dc826e93606aa6fdc0aadc12f741b01046aa6b99f691ed221a9f0ca043fbeac", "hs secret");
	assert_hex(ks.client_handshake_traffic,
		   "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", "c hs traffic");
	assert_hex(ks.server_handshake_traffic,
		   "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", "s hs traffic");
	petrel_dtls13_ks_wipe(&ks);
}

Test(dtls13_keyschedule, rfc8448_handshake_traffic_keys)
{
	struct petrel_dtls13_ks ks;
	struct petrel_dtls13_traffic_keys k;
	rfc8448_schedule(&ks, false);
	cr_assert_eq(petrel_dtls13_traffic_keys(SHA256, TLS, PETREL_AEAD_AES128_GCM,
						ks.server_handshake_traffic, &k),
		     0);
	assert_hex(k.key, "3fce516009c21727d0f2e4e86ee403bc", "server hs key");
	assert_hex(k.iv, "5d313eb2671276ee13000b30", "server hs iv");
	cr_assert_eq(petrel_dtls13_traffic_keys(SHA256, TLS, PETREL_AEAD_AES128_GCM,
						ks.client_handshake_traffic, &k),
		     0);
	assert_hex(k.key, "dbfaa693d1762c5b666af5d950258d01", "client hs key");
	assert_hex(k.iv, "5bd3c71b836e0b76bb73265f", "client hs iv");
	petrel_dtls13_traffic_keys_wipe(&k);
	petrel_dtls13_ks_wipe(&ks);
}

Test(dtls13_keyschedule, rfc8448_master_application_and_exporter_secrets)
{
	struct petrel_dtls13_ks ks;
	rfc8448_schedule(&ks, true);
	assert_hex(ks.master_secret,
		   "18df06843d13a08bf2a449844c5f8a478001bc4d4c627984d5a41da8d0402919", "master");
	assert_hex(ks.client_application_traffic,
		   "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5", "c ap traffic");
	assert_hex(ks.server_application_traffic,
		   "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", "s ap traffic");
	assert_hex(ks.exporter_master,
		   "fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50", "exp master");
	static const uint8_t zero[48];
	cr_assert_arr_eq(ks.early_secret, zero, 48, "early secret wiped after use");
	cr_assert_arr_eq(ks.handshake_secret, zero, 48, "handshake secret wiped after use");
	struct petrel_dtls13_traffic_keys k;
	cr_assert_eq(petrel_dtls13_traffic_keys(SHA256, TLS, PETREL_AEAD_AES128_GCM,
						ks.server_application_traffic, &k),
		     0);
	assert_hex(k.key, "9f02283b6c9c07efc26bb9f2ac92e356", "server ap key");
	assert_hex(k.iv, "cf782b88dd83549aadf1e984", "server ap iv");
	cr_assert_eq(petrel_dtls13_traffic_keys(SHA256, TLS, PETREL_AEAD_AES128_GCM,
						ks.client_application_traffic, &k),
		     0);
	assert_hex(k.key, "17422dda596ed5d9acd890e3c63f5051", "client ap key");
	assert_hex(k.iv, "5b78923dee08579033e523d9", "client ap iv");
	petrel_dtls13_ks_wipe(&ks);
}

Test(dtls13_keyschedule, rfc8448_client_finished_and_resumption)
{
	struct petrel_dtls13_ks ks;
	uint8_t th[32], verify[32], want[32];
	rfc8448_schedule(&ks, true);
	hex(rfc8448_th_ch_sf, th);
	cr_assert_eq(petrel_dtls13_finished(SHA256, TLS, ks.client_handshake_traffic, th, verify), 0);
	assert_hex(verify, "a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61",
		   "client Finished");
	hex("a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61", want);
	cr_assert_eq(petrel_dtls13_finished_check(SHA256, TLS, ks.client_handshake_traffic, th, want,
						  32),
		     0);
	want[31] ^= 1;
	cr_assert_eq(petrel_dtls13_finished_check(SHA256, TLS, ks.client_handshake_traffic, th, want,
						  32),
		     PETREL_E_DECRYPTION_FAILED);
	cr_assert_eq(petrel_dtls13_finished_check(SHA256, TLS, ks.client_handshake_traffic, th, want,
						  31),
		     PETREL_E_DECRYPTION_FAILED, "short verify_data");

	hex(rfc8448_th_ch_cf, th);
	cr_assert_eq(petrel_dtls13_ks_resumption(&ks, th), 0);
	assert_hex(ks.resumption_master,
		   "7df235f2031d2a051287d02b0241b0bfdaf86cc856231f2d5aba46c434ec196c", "res master");
	uint8_t psk[32];
	const uint8_t nonce[2] = {0, 0};
	cr_assert_eq(petrel_dtls13_ticket_psk(SHA256, TLS, ks.resumption_master, nonce, 2, psk), 0);
	assert_hex(psk, "4ecd0eb6ec3b4d87f5d6028f922ca4c5851a277fd41311c9e62d2c9492e1c4f3",
		   "resumption PSK");

	/* RFC 8448 4: the resumed handshake's early secret from that PSK. */
	struct petrel_dtls13_ks resumed;
	cr_assert_eq(petrel_dtls13_ks_init_prefix(&resumed, SHA256, TLS, psk, 32), 0);
	assert_hex(resumed.early_secret,
		   "9b2188e9b2fc6d64d71dc329900e20bb41915000f678aa839cbb797cb7d8332c",
		   "resumed early secret");
	petrel_dtls13_ks_wipe(&resumed);
	petrel_dtls13_ks_wipe(&ks);
}

Test(dtls13_keyschedule, stages_run_in_order_only)
{
	struct petrel_dtls13_ks ks;
	uint8_t th[48] = {0}, out[48];
	cr_assert_eq(petrel_dtls13_ks_init(&ks, PETREL_HASH_SHA384, NULL, 0), 0);
	cr_assert_str_eq(ks.prefix, PETREL_DTLS13_LABEL_PREFIX);
	cr_assert_eq(petrel_dtls13_ks_master(&ks, th), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_dtls13_ks_resumption(&ks, th), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_dtls13_binder_key(&ks, true, out), 0);
	cr_assert_eq(petrel_dtls13_ks_handshake(&ks, NULL, 0, th), 0, "psk_ke: no (EC)DHE");
	cr_assert_eq(petrel_dtls13_binder_key(&ks, true, out), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_dtls13_ks_handshake(&ks, NULL, 0, th), PETREL_E_INVALID_REQUEST);
	cr_assert_eq(petrel_dtls13_ks_master(&ks, th), 0);
	cr_assert_eq(petrel_dtls13_ks_resumption(&ks, th), 0);
	petrel_dtls13_ks_forget_handshake(&ks);
	static const uint8_t zero[48];
	cr_assert_arr_eq(ks.client_handshake_traffic, zero, 48);
	petrel_dtls13_ks_wipe(&ks);
	cr_assert_eq(petrel_dtls13_ks_init(&ks, (enum petrel_hash_alg)7, NULL, 0),
		     PETREL_E_INVALID_REQUEST);
}

Test(dtls13_keyschedule, dtls13_prefix_gives_other_secrets_than_tls13)
{
	struct petrel_dtls13_ks tls, dtls;
	uint8_t th[32];
	hex(rfc8448_th_ch_sh, th);
	cr_assert_eq(petrel_dtls13_ks_init_prefix(&tls, SHA256, TLS, NULL, 0), 0);
	cr_assert_eq(petrel_dtls13_ks_init(&dtls, SHA256, NULL, 0), 0);
	cr_assert_arr_eq(tls.early_secret, dtls.early_secret, 32, "Extract has no label");
	cr_assert_eq(petrel_dtls13_ks_handshake(&tls, NULL, 0, th), 0);
	cr_assert_eq(petrel_dtls13_ks_handshake(&dtls, NULL, 0, th), 0);
	cr_assert(memcmp(tls.handshake_secret, dtls.handshake_secret, 32) != 0);
	cr_assert(memcmp(tls.client_handshake_traffic, dtls.client_handshake_traffic, 32) != 0);
	petrel_dtls13_ks_wipe(&tls);
	petrel_dtls13_ks_wipe(&dtls);
}

Test(dtls13_keyschedule, traffic_keys_include_an_sn_key_as_long_as_the_aead_key)
{
	uint8_t secret[48];
	for (int i = 0; i < 48; i++)
		secret[i] = (uint8_t)i;
	struct petrel_dtls13_traffic_keys k;
	cr_assert_eq(petrel_dtls13_traffic_keys(PETREL_HASH_SHA384, NULL, PETREL_AEAD_AES256_GCM,
						secret, &k),
		     0);
	uint8_t sn[32];
	cr_assert_eq(petrel_dtls13_expand_label(PETREL_HASH_SHA384, "dtls13", secret, "sn", NULL, 0,
						sn, 32),
		     0);
	cr_assert_arr_eq(k.sn_key, sn, 32);
	cr_assert(memcmp(k.sn_key, k.key, 32) != 0);
	cr_assert_eq(petrel_dtls13_traffic_keys(PETREL_HASH_SHA256, NULL, (enum petrel_aead_alg)0,
						secret, &k),
		     PETREL_E_INVALID_REQUEST);
}

Test(dtls13_keyschedule, key_update_chain_is_traffic_upd)
{
	uint8_t s[32], want[32];
	hex("9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5", s);
	cr_assert_eq(petrel_dtls13_expand_label(SHA256, "dtls13", s, "traffic upd", NULL, 0, want, 32),
		     0);
	cr_assert_eq(petrel_dtls13_next_traffic_secret(SHA256, NULL, s), 0);
	cr_assert_arr_eq(s, want, 32);
}

Test(dtls13_keyschedule, exporter_matches_rfc8446_7_5_and_separates_inputs)
{
	/* Expected values from an independent HKDF (Python hmac/hashlib) over
	 * RFC 8448 3's exporter master secret, "tls13 " labels. */
	uint8_t em[32], out[32], out2[32];
	hex("fe22f881176eda18eb8f44529e6792c50c9a3f89452f68d8ae311b4309d3cf50", em);
	cr_assert_eq(petrel_dtls13_export(SHA256, TLS, em, "EXPORTER-test", NULL, 0, out, 32), 0);
	assert_hex(out, "4451f6322284bad9d59028c38f3c1f0fc63b092726ce8223ee5cd645c6573fdf",
		   "no context");
	cr_assert_eq(petrel_dtls13_export(SHA256, TLS, em, "EXPORTER-test", (const uint8_t *)"", 0,
					  out2, 32),
		     0);
	cr_assert_arr_eq(out, out2, 32, "no context = empty context (RFC 8446 7.5)");
	cr_assert_eq(petrel_dtls13_export(SHA256, TLS, em, "EXPORTER-test", (const uint8_t *)"ctx",
					  3, out, 32),
		     0);
	assert_hex(out, "7a095ad3aaec53acbde1fdd09bedf7312cd31e21ef004c971348e6f148c0cac5",
		   "context");
	cr_assert_eq(petrel_dtls13_export(SHA256, TLS, em, "EXTRACTOR-dtls_srtp", NULL, 0, out, 32),
		     0);
	cr_assert(memcmp(out, out2, 32) != 0);
}

Test(dtls13_keyschedule, suites_map_to_their_hash_and_aead)
{
	enum petrel_hash_alg h;
	enum petrel_aead_alg a;
	cr_assert_eq(petrel_tls13_suite_params(0x1302, &h, &a), 0);
	cr_assert(h == PETREL_HASH_SHA384 && a == PETREL_AEAD_AES256_GCM);
	cr_assert_eq(petrel_tls13_suite_params(0x1305, &h, &a), 0);
	cr_assert(h == PETREL_HASH_SHA256 && a == PETREL_AEAD_AES128_CCM8);
	cr_assert_eq(petrel_tls13_suite_params(0xc02b, &h, &a), PETREL_E_UNSUPPORTED);
}
