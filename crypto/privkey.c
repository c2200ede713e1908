/* Private keys: decoded and expanded once (scalar, libsodium secret key, or
 * RSA CRT parameters), kept on the heap and wiped on free. */
#include <stdlib.h>
#include <string.h>

#include <nettle/bignum.h>
#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/ec.h"
#include "crypto/internal.h"
#include "crypto/sig.h"
#include "petrel/petrel.h"

#define RSA_GENERATE_BITS 2048
#define RSA_PUBLIC_EXPONENT 65537

static struct petrel_privkey *privkey_alloc(enum petrel_key_type type)
{
	struct petrel_privkey *key = calloc(1, sizeof *key);

	if (key != NULL)
		key->type = type;
	return key;
}

/* Finishes an EC key whose scalar is set: caches the public point. */
static void ec_finish(struct petrel_privkey *key, const struct ecc_curve *curve)
{
	struct ecc_point q;

	key->u.ec.coord_len = petrel_ec_coord_len(curve);
	key->u.ec.point_len = 1 + 2 * key->u.ec.coord_len;
	ecc_point_init(&q, curve);
	ecc_point_mul_g(&q, &key->u.ec.d);
	petrel_ec_point_encode(&q, key->u.ec.coord_len, key->u.ec.point);
	ecc_point_clear(&q);
}

static int ec_from_scalar(enum petrel_key_type type, const uint8_t *d, struct petrel_privkey **out)
{
	const struct ecc_curve *curve = petrel_ec_curve(type);
	struct petrel_privkey *key;
	int rc;

	if (d == NULL || out == NULL)
		return PETREL_E_INVALID_REQUEST;
	key = privkey_alloc(type);
	if (key == NULL)
		return PETREL_E_MEMORY;
	ecc_scalar_init(&key->u.ec.d, curve);
	rc = petrel_ec_scalar_decode(d, petrel_ec_coord_len(curve), &key->u.ec.d);
	if (rc != 0) {
		petrel_privkey_free(key);
		return rc;
	}
	ec_finish(key, curve);
	*out = key;
	return 0;
}

int petrel_privkey_from_p256(const uint8_t d[32], struct petrel_privkey **out)
{
	return ec_from_scalar(PETREL_KEY_EC_P256, d, out);
}

int petrel_privkey_from_p384(const uint8_t d[48], struct petrel_privkey **out)
{
	return ec_from_scalar(PETREL_KEY_EC_P384, d, out);
}

int petrel_privkey_from_ed25519_seed(const uint8_t seed[32], struct petrel_privkey **out)
{
	struct petrel_privkey *key;

	if (seed == NULL || out == NULL)
		return PETREL_E_INVALID_REQUEST;
	petrel_crypto_init();
	key = privkey_alloc(PETREL_KEY_ED25519);
	if (key == NULL)
		return PETREL_E_MEMORY;
	if (crypto_sign_seed_keypair(key->u.ed25519.pk, key->u.ed25519.sk, seed) != 0) {
		petrel_privkey_free(key);
		return PETREL_E_CRYPTO;
	}
	*out = key;
	return 0;
}

static void rsa_init(struct petrel_privkey *key)
{
	rsa_public_key_init(&key->u.rsa.pub);
	rsa_private_key_init(&key->u.rsa.priv);
}

/* Caches n and e as minimal big-endian bytes for petrel_privkey_public. */
static int rsa_cache_public(struct petrel_privkey *key)
{
	size_t n_len = nettle_mpz_sizeinbase_256_u(key->u.rsa.pub.n);
	size_t e_len = nettle_mpz_sizeinbase_256_u(key->u.rsa.pub.e);

	if (n_len > sizeof key->u.rsa.n || e_len > sizeof key->u.rsa.e)
		return PETREL_E_INVALID_KEY;
	nettle_mpz_get_str_256(n_len, key->u.rsa.n, key->u.rsa.pub.n);
	nettle_mpz_get_str_256(e_len, key->u.rsa.e, key->u.rsa.pub.e);
	key->u.rsa.n_len = n_len;
	key->u.rsa.e_len = e_len;
	return 0;
}

int petrel_privkey_from_rsa(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len,
			    const uint8_t *d, size_t d_len, const uint8_t *p, size_t p_len,
			    const uint8_t *q, size_t q_len, const uint8_t *dp, size_t dp_len,
			    const uint8_t *dq, size_t dq_len, const uint8_t *qinv, size_t qinv_len,
			    struct petrel_privkey **out)
{
	struct rsa_private_key *priv;
	struct petrel_privkey *key;
	mpz_t product;
	int rc, consistent;

	if (out == NULL || d == NULL || p == NULL || q == NULL || dp == NULL || dq == NULL ||
	    qinv == NULL || d_len == 0 || p_len == 0 || q_len == 0 || dp_len == 0 || dq_len == 0 ||
	    qinv_len == 0)
		return PETREL_E_INVALID_REQUEST;
	if (n_len > PETREL_RSA_MAX_SIGN_BITS / 8 + 1 || d_len > n_len || p_len > n_len ||
	    q_len > n_len || dp_len > n_len || dq_len > n_len || qinv_len > n_len)
		return PETREL_E_INVALID_KEY;
	key = privkey_alloc(PETREL_KEY_RSA);
	if (key == NULL)
		return PETREL_E_MEMORY;
	rsa_init(key);
	rc = petrel_rsa_public_import(&key->u.rsa.pub, n, n_len, e, e_len);
	if (rc != 0)
		goto fail;
	priv = &key->u.rsa.priv;
	nettle_mpz_set_str_256_u(priv->d, d_len, d);
	nettle_mpz_set_str_256_u(priv->p, p_len, p);
	nettle_mpz_set_str_256_u(priv->q, q_len, q);
	nettle_mpz_set_str_256_u(priv->a, dp_len, dp);
	nettle_mpz_set_str_256_u(priv->b, dq_len, dq);
	nettle_mpz_set_str_256_u(priv->c, qinv_len, qinv);
	/* A key whose factors do not multiply to n would sign garbage. */
	mpz_init(product);
	mpz_mul(product, priv->p, priv->q);
	consistent = mpz_cmp(product, key->u.rsa.pub.n) == 0;
	mpz_clear(product);
	rc = PETREL_E_INVALID_KEY;
	if (!consistent || !rsa_private_key_prepare(priv) || priv->size != key->u.rsa.pub.size)
		goto fail;
	rc = rsa_cache_public(key);
	if (rc != 0)
		goto fail;
	*out = key;
	return 0;
fail:
	petrel_privkey_free(key);
	return rc;
}

static int rsa_generate(struct petrel_privkey **out)
{
	struct petrel_privkey *key = privkey_alloc(PETREL_KEY_RSA);
	int rc;

	if (key == NULL)
		return PETREL_E_MEMORY;
	rsa_init(key);
	mpz_set_ui(key->u.rsa.pub.e, RSA_PUBLIC_EXPONENT);
	if (!rsa_generate_keypair(&key->u.rsa.pub, &key->u.rsa.priv, NULL, petrel_nettle_random,
				  NULL, NULL, RSA_GENERATE_BITS, 0)) {
		petrel_privkey_free(key);
		return PETREL_E_CRYPTO;
	}
	rc = rsa_cache_public(key);
	if (rc != 0) {
		petrel_privkey_free(key);
		return rc;
	}
	*out = key;
	return 0;
}

int petrel_privkey_generate(enum petrel_key_type type, struct petrel_privkey **out)
{
	uint8_t seed[32];
	struct petrel_privkey *key;
	int rc;

	if (out == NULL)
		return PETREL_E_INVALID_REQUEST;
	switch (type) {
	case PETREL_KEY_EC_P256:
	case PETREL_KEY_EC_P384:
		key = privkey_alloc(type);
		if (key == NULL)
			return PETREL_E_MEMORY;
		ecc_scalar_init(&key->u.ec.d, petrel_ec_curve(type));
		ecc_scalar_random(&key->u.ec.d, NULL, petrel_nettle_random);
		ec_finish(key, petrel_ec_curve(type));
		*out = key;
		return 0;
	case PETREL_KEY_ED25519:
		petrel_random(seed, sizeof seed);
		rc = petrel_privkey_from_ed25519_seed(seed, out);
		petrel_wipe(seed, sizeof seed);
		return rc;
	case PETREL_KEY_RSA:
		return rsa_generate(out);
	default:
		return PETREL_E_UNSUPPORTED;
	}
}

void petrel_privkey_free(struct petrel_privkey *key)
{
	if (key == NULL)
		return;
	switch (key->type) {
	case PETREL_KEY_EC_P256:
	case PETREL_KEY_EC_P384:
		if (key->u.ec.d.p != NULL)
			petrel_ec_scalar_wipe_clear(&key->u.ec.d);
		break;
	case PETREL_KEY_RSA:
		petrel_mpz_wipe_clear(key->u.rsa.priv.d);
		petrel_mpz_wipe_clear(key->u.rsa.priv.p);
		petrel_mpz_wipe_clear(key->u.rsa.priv.q);
		petrel_mpz_wipe_clear(key->u.rsa.priv.a);
		petrel_mpz_wipe_clear(key->u.rsa.priv.b);
		petrel_mpz_wipe_clear(key->u.rsa.priv.c);
		rsa_public_key_clear(&key->u.rsa.pub);
		break;
	default:
		break;
	}
	petrel_wipe(key, sizeof *key);
	free(key);
}

enum petrel_key_type petrel_privkey_type(const struct petrel_privkey *key)
{
	return key != NULL ? key->type : PETREL_KEY_NONE;
}

void petrel_privkey_public(const struct petrel_privkey *key, struct petrel_pubkey *pub)
{
	memset(pub, 0, sizeof *pub);
	if (key == NULL)
		return;
	pub->type = key->type;
	switch (key->type) {
	case PETREL_KEY_EC_P256:
	case PETREL_KEY_EC_P384:
		pub->point = key->u.ec.point;
		pub->point_len = key->u.ec.point_len;
		break;
	case PETREL_KEY_ED25519:
		pub->point = key->u.ed25519.pk;
		pub->point_len = sizeof key->u.ed25519.pk;
		break;
	case PETREL_KEY_RSA:
		pub->rsa_n = key->u.rsa.n;
		pub->rsa_n_len = key->u.rsa.n_len;
		pub->rsa_e = key->u.rsa.e;
		pub->rsa_e_len = key->u.rsa.e_len;
		break;
	default:
		pub->type = PETREL_KEY_NONE;
		break;
	}
}

int petrel_privkey_export_raw(const struct petrel_privkey *key, uint8_t out[32])
{
	if (key == NULL || out == NULL)
		return PETREL_E_INVALID_REQUEST;
	switch (key->type) {
	case PETREL_KEY_EC_P256:
		petrel_ec_scalar_encode(&key->u.ec.d, 32, out);
		return 0;
	case PETREL_KEY_ED25519:
		/* libsodium's secret key starts with the RFC 8032 seed. */
		memcpy(out, key->u.ed25519.sk, 32);
		return 0;
	default:
		return PETREL_E_UNSUPPORTED;
	}
}

size_t petrel_privkey_schemes(const struct petrel_privkey *key, uint16_t *schemes, size_t cap)
{
	static const uint16_t p256[] = {PETREL_SIG_ECDSA_SECP256R1_SHA256};
	static const uint16_t p384[] = {PETREL_SIG_ECDSA_SECP384R1_SHA384};
	static const uint16_t ed25519[] = {PETREL_SIG_ED25519};
	/* PSS first: TLS 1.3 allows only PSS for handshake signatures (RFC 8446 4.2.3). */
	static const uint16_t rsa[] = {PETREL_SIG_RSA_PSS_RSAE_SHA256, PETREL_SIG_RSA_PSS_RSAE_SHA384,
				       PETREL_SIG_RSA_PKCS1_SHA256, PETREL_SIG_RSA_PKCS1_SHA384};
	const uint16_t *list;
	size_t n, i;

	if (key == NULL)
		return 0;
	switch (key->type) {
	case PETREL_KEY_EC_P256:
		list = p256;
		n = 1;
		break;
	case PETREL_KEY_EC_P384:
		list = p384;
		n = 1;
		break;
	case PETREL_KEY_ED25519:
		list = ed25519;
		n = 1;
		break;
	case PETREL_KEY_RSA:
		list = rsa;
		n = sizeof rsa / sizeof rsa[0];
		break;
	default:
		return 0;
	}
	for (i = 0; i < n && i < cap; i++)
		schemes[i] = list[i];
	return i;
}
