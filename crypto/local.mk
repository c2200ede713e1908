# crypto/ build fragment (see top-level Makefile.am)
libpetrel_core_la_SOURCES += crypto/crypto.h crypto/internal.h crypto/util.c crypto/hash.c \
	crypto/hmac.c crypto/prf.c crypto/hkdf.c crypto/aead.c \
	crypto/ec.h crypto/ec.c crypto/kx.c \
	crypto/sig.h crypto/sig_scheme.c crypto/rsa_util.c crypto/der_sig.h crypto/der_sig.c \
	crypto/verify.c crypto/privkey.c crypto/sign.c
# hogweed's public EC/RSA API takes GMP mpz_t values, so we call GMP directly;
# hogweed.pc lists -lgmp only in Libs.private.
libpetrel_core_la_LIBADD += -lgmp

if HAVE_CRITERION
tests_unit_SOURCES += tests/crypto_testutil.h tests/crypto_kat_hash_test.c tests/crypto_kat_aead_test.c \
	tests/crypto_rsa_test_key.h tests/crypto_kat_pk_test.c \
	tests/crypto_json.h tests/crypto_json.c tests/crypto_wycheproof.h tests/crypto_wycheproof.c \
	tests/crypto_wycheproof_aead_test.c tests/crypto_wycheproof_mac_test.c \
	tests/crypto_wycheproof_kx_test.c tests/crypto_wycheproof_sig_test.c
endif
libpetrel_core_la_SOURCES += crypto/base64.h crypto/base64.c
# keyed hash for the endpoint's address and Connection ID tables (issue #19)
libpetrel_core_la_SOURCES += crypto/shorthash.c crypto/shorthash.h
# DTLS 1.3 record number encryption masks (helper "dtls13")
libpetrel_core_la_SOURCES += crypto/rn_mask.c crypto/rn_mask.h
# keyed HKDF-Expand (helper speed13, issue #20)
libpetrel_core_la_SOURCES += crypto/hkdf.h
