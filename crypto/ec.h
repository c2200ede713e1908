/* NIST-curve helpers over hogweed's ecc_point/ecc_scalar, shared by key
 * exchange, ECDSA verify and signing (crypto/ internal). */
#ifndef PETREL_CRYPTO_EC_H
#define PETREL_CRYPTO_EC_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>

#include "crypto/crypto.h"

#define PETREL_EC_MAX_COORD_LEN 48 /* P-384 */
#define PETREL_EC_MAX_POINT_LEN (1 + 2 * PETREL_EC_MAX_COORD_LEN)

/* secp256r1 / secp384r1 for an EC key type, NULL for anything else. */
const struct ecc_curve *petrel_ec_curve(enum petrel_key_type type);
/* Bytes per field element / scalar: 32 for P-256, 48 for P-384. */
size_t petrel_ec_coord_len(const struct ecc_curve *curve);

/* Decodes an uncompressed SEC1 point (0x04 || x || y) into an initialised
 * ecc_point. Wrong length or prefix, coordinates >= p, or a point not on
 * the curve -> PETREL_E_ILLEGAL_PARAMETER. (The point at infinity has no
 * uncompressed encoding, so it cannot get through.) */
int petrel_ec_point_decode(const struct ecc_curve *curve, const uint8_t *in, size_t in_len,
			   struct ecc_point *out);
/* Writes 1 + 2 * coord_len bytes. */
void petrel_ec_point_encode(const struct ecc_point *p, size_t coord_len, uint8_t *out);
/* Big-endian scalar of coord_len bytes into an initialised ecc_scalar;
 * 0 or >= n -> PETREL_E_INVALID_KEY. */
int petrel_ec_scalar_decode(const uint8_t *in, size_t coord_len, struct ecc_scalar *out);
void petrel_ec_scalar_encode(const struct ecc_scalar *s, size_t coord_len, uint8_t *out);
/* Zero a scalar's limbs, then free them. */
void petrel_ec_scalar_wipe_clear(struct ecc_scalar *s);
/* Zero an mpz's limbs, then free them. */
void petrel_mpz_wipe_clear(mpz_t x);

#endif
