/* Ephemeral key exchange for (EC)DHE: X25519 (RFC 7748, via libsodium) and
 * secp256r1 ECDH (RFC 8422 5.10 / RFC 8446 7.4.2, via hogweed). */
#include <string.h>

#include <nettle/bignum.h>
#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/ec.h"
#include "crypto/internal.h"
#include "petrel/petrel.h"

#define P256_COORD_LEN 32
#define P256_POINT_LEN (1 + 2 * P256_COORD_LEN)

bool petrel_group_supported(uint16_t group)
{
	return group == PETREL_GROUP_X25519 || group == PETREL_GROUP_SECP256R1;
}

static int p256_keygen(uint8_t priv[PETREL_KX_PRIV_LEN], uint8_t *pub)
{
	const struct ecc_curve *curve = nettle_get_secp_256r1();
	struct ecc_scalar d;
	struct ecc_point q;

	ecc_scalar_init(&d, curve);
	ecc_point_init(&q, curve);
	ecc_scalar_random(&d, NULL, petrel_nettle_random);
	ecc_point_mul_g(&q, &d);
	petrel_ec_scalar_encode(&d, P256_COORD_LEN, priv);
	petrel_ec_point_encode(&q, P256_COORD_LEN, pub);
	ecc_point_clear(&q);
	petrel_ec_scalar_wipe_clear(&d);
	return 0;
}

int petrel_kx_keygen(enum petrel_group group, uint8_t priv[PETREL_KX_PRIV_LEN], uint8_t *pub,
		     size_t *pub_len)
{
	if (priv == NULL || pub == NULL || pub_len == NULL)
		return PETREL_E_INVALID_REQUEST;
	switch (group) {
	case PETREL_GROUP_X25519:
		petrel_random(priv, PETREL_KX_PRIV_LEN);
		/* libsodium clamps the scalar itself (RFC 7748 5). */
		if (crypto_scalarmult_base(pub, priv) != 0) {
			petrel_wipe(priv, PETREL_KX_PRIV_LEN);
			return PETREL_E_CRYPTO;
		}
		*pub_len = crypto_scalarmult_BYTES;
		return 0;
	case PETREL_GROUP_SECP256R1:
		*pub_len = P256_POINT_LEN;
		return p256_keygen(priv, pub);
	}
	return PETREL_E_UNSUPPORTED;
}

static int p256_derive(const uint8_t priv[PETREL_KX_PRIV_LEN], const uint8_t *peer_pub,
		       size_t peer_pub_len, uint8_t shared[PETREL_KX_SHARED_LEN])
{
	const struct ecc_curve *curve = nettle_get_secp_256r1();
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
	rc = petrel_ec_scalar_decode(priv, P256_COORD_LEN, &d);
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
	nettle_mpz_get_str_256(PETREL_KX_SHARED_LEN, shared, x);
	petrel_mpz_wipe_clear(x);
	ecc_point_clear(&product);
	petrel_ec_scalar_wipe_clear(&d);
	ecc_point_clear(&peer);
	return 0;
}

int petrel_kx_derive(enum petrel_group group, const uint8_t priv[PETREL_KX_PRIV_LEN],
		     const uint8_t *peer_pub, size_t peer_pub_len,
		     uint8_t shared[PETREL_KX_SHARED_LEN])
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
		return p256_derive(priv, peer_pub, peer_pub_len, shared);
	}
	return PETREL_E_UNSUPPORTED;
}
