/* Ephemeral key exchange for (EC)DHE: X25519 (RFC 7748, via libsodium) and
 * secp256r1 / secp384r1 ECDH (RFC 8422 5.10 / RFC 8446 7.4.2, via hogweed). */
#include <string.h>

#include <nettle/bignum.h>
#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/ec.h"
#include "crypto/internal.h"
#include "petrel/petrel.h"

bool petrel_group_supported(uint16_t group)
{
	return group == PETREL_GROUP_X25519 || group == PETREL_GROUP_SECP256R1 ||
	       group == PETREL_GROUP_SECP384R1;
}

/* The NIST curve of a group, NULL for the others. */
static const struct ecc_curve *nist_curve(enum petrel_group group)
{
	switch (group) {
	case PETREL_GROUP_SECP256R1: return petrel_ec_curve(PETREL_KEY_EC_P256);
	case PETREL_GROUP_SECP384R1: return petrel_ec_curve(PETREL_KEY_EC_P384);
	default: return NULL;
	}
}

size_t petrel_kx_shared_len(enum petrel_group group)
{
	if (group == PETREL_GROUP_X25519)
		return crypto_scalarmult_BYTES;
	const struct ecc_curve *curve = nist_curve(group);
	return curve ? petrel_ec_coord_len(curve) : 0;
}

static int nist_keygen(const struct ecc_curve *curve, uint8_t *priv, uint8_t *pub,
		       size_t *pub_len)
{
	size_t coord_len = petrel_ec_coord_len(curve);
	struct ecc_scalar d;
	struct ecc_point q;

	ecc_scalar_init(&d, curve);
	ecc_point_init(&q, curve);
	ecc_scalar_random(&d, NULL, petrel_nettle_random);
	ecc_point_mul_g(&q, &d);
	petrel_ec_scalar_encode(&d, coord_len, priv);
	petrel_ec_point_encode(&q, coord_len, pub);
	*pub_len = 1 + 2 * coord_len;
	ecc_point_clear(&q);
	petrel_ec_scalar_wipe_clear(&d);
	return 0;
}

int petrel_kx_keygen(enum petrel_group group, uint8_t *priv, uint8_t *pub,
		     size_t *pub_len)
{
	if (priv == NULL || pub == NULL || pub_len == NULL)
		return PETREL_E_INVALID_REQUEST;
	switch (group) {
	case PETREL_GROUP_X25519:
		petrel_random(priv, crypto_scalarmult_SCALARBYTES);
		/* libsodium clamps the scalar itself (RFC 7748 5). */
		if (crypto_scalarmult_base(pub, priv) != 0) {
			petrel_wipe(priv, crypto_scalarmult_SCALARBYTES);
			return PETREL_E_CRYPTO;
		}
		*pub_len = crypto_scalarmult_BYTES;
		return 0;
	case PETREL_GROUP_SECP256R1:
	case PETREL_GROUP_SECP384R1:
		return nist_keygen(nist_curve(group), priv, pub, pub_len);
	}
	return PETREL_E_UNSUPPORTED;
}

static int nist_derive(const struct ecc_curve *curve, const uint8_t *priv,
		       const uint8_t *peer_pub, size_t peer_pub_len, uint8_t *shared)
{
	size_t coord_len = petrel_ec_coord_len(curve);
	struct ecc_point peer, product;
	struct ecc_scalar d;
	mpz_t x;
	int rc;

	ecc_point_init(&peer, curve);
	rc = petrel_ec_point_decode(curve, peer_pub, peer_pub_len, &peer);
	if (rc != 0) {
		ecc_point_clear(&peer);
		return rc;
	}
	ecc_scalar_init(&d, curve);
	rc = petrel_ec_scalar_decode(priv, coord_len, &d);
	if (rc != 0) {
		petrel_ec_scalar_wipe_clear(&d);
		ecc_point_clear(&peer);
		return rc;
	}
	ecc_point_init(&product, curve);
	/* The curve has prime order and the peer point is on it and not the
	 * identity, so d * Q (0 < d < n) is never the identity. */
	ecc_point_mul(&product, &d, &peer);
	mpz_init(x);
	ecc_point_get(&product, x, NULL);
	/* The shared secret is the x-coordinate, big-endian, field-size bytes. */
	nettle_mpz_get_str_256(coord_len, shared, x);
	petrel_mpz_wipe_clear(x);
	ecc_point_clear(&product);
	petrel_ec_scalar_wipe_clear(&d);
	ecc_point_clear(&peer);
	return 0;
}

int petrel_kx_derive(enum petrel_group group, const uint8_t *priv,
		     const uint8_t *peer_pub, size_t peer_pub_len,
		     uint8_t *shared)
{
	if (priv == NULL || shared == NULL)
		return PETREL_E_INVALID_REQUEST;
	switch (group) {
	case PETREL_GROUP_X25519:
		petrel_crypto_init();
		if (peer_pub == NULL || peer_pub_len != crypto_scalarmult_BYTES)
			return PETREL_E_ILLEGAL_PARAMETER;
		/* libsodium fails on an all-zero result, i.e. a small-order peer
		 * key; RFC 8446 7.4.2 / RFC 7748 6.1 require rejecting it. */
		if (crypto_scalarmult(shared, priv, peer_pub) != 0) {
			petrel_wipe(shared, PETREL_KX_SHARED_LEN);
			return PETREL_E_ILLEGAL_PARAMETER;
		}
		return 0;
	case PETREL_GROUP_SECP256R1:
	case PETREL_GROUP_SECP384R1:
		return nist_derive(nist_curve(group), priv, peer_pub, peer_pub_len, shared);
	}
	return PETREL_E_UNSUPPORTED;
}
