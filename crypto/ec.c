/* SEC1 point and scalar encoding for P-256/P-384 (SEC 1 v2 2.3.3-2.3.4,
 * RFC 8446 4.2.8.2): the only place peer EC points are decoded. */
#include <nettle/bignum.h>

#include "crypto/ec.h"
#include "crypto/internal.h"
#include "petrel/petrel.h"

const struct ecc_curve *petrel_ec_curve(enum petrel_key_type type)
{
	switch (type) {
	case PETREL_KEY_EC_P256:
		return nettle_get_secp_256r1();
	case PETREL_KEY_EC_P384:
		return nettle_get_secp_384r1();
	default:
		return NULL;
	}
}

size_t petrel_ec_coord_len(const struct ecc_curve *curve)
{
	return (ecc_bit_size(curve) + 7) / 8;
}

int petrel_ec_point_decode(const struct ecc_curve *curve, const uint8_t *in, size_t in_len,
			   struct ecc_point *out)
{
	size_t coord_len = petrel_ec_coord_len(curve);
	mpz_t x, y;
	int ok;

	/* Only the uncompressed form: RFC 8446 4.2.8.2 for TLS 1.3 and RFC 8422
	 * 5.1.2 for 1.2 leave no other point format. */
	if (in == NULL || in_len != 1 + 2 * coord_len || in[0] != 0x04)
		return PETREL_E_ILLEGAL_PARAMETER;
	nettle_mpz_init_set_str_256_u(x, coord_len, in + 1);
	nettle_mpz_init_set_str_256_u(y, coord_len, in + 1 + coord_len);
	/* ecc_point_set rejects x or y >= p and points off the curve. */
	ok = ecc_point_set(out, x, y);
	mpz_clear(x);
	mpz_clear(y);
	return ok ? 0 : PETREL_E_ILLEGAL_PARAMETER;
}

void petrel_ec_point_encode(const struct ecc_point *p, size_t coord_len, uint8_t *out)
{
	mpz_t x, y;

	mpz_init(x);
	mpz_init(y);
	ecc_point_get(p, x, y);
	out[0] = 0x04;
	nettle_mpz_get_str_256(coord_len, out + 1, x);
	nettle_mpz_get_str_256(coord_len, out + 1 + coord_len, y);
	mpz_clear(x);
	mpz_clear(y);
}

int petrel_ec_scalar_decode(const uint8_t *in, size_t coord_len, struct ecc_scalar *out)
{
	mpz_t z;
	int ok;

	nettle_mpz_init_set_str_256_u(z, coord_len, in);
	ok = ecc_scalar_set(out, z); /* requires 0 < z < n */
	petrel_mpz_wipe_clear(z);
	return ok ? 0 : PETREL_E_INVALID_KEY;
}

void petrel_ec_scalar_encode(const struct ecc_scalar *s, size_t coord_len, uint8_t *out)
{
	mpz_t z;

	mpz_init(z);
	ecc_scalar_get(s, z);
	nettle_mpz_get_str_256(coord_len, out, z);
	petrel_mpz_wipe_clear(z);
}

void petrel_ec_scalar_wipe_clear(struct ecc_scalar *s)
{
	if (s->p != NULL)
		petrel_wipe(s->p, (size_t)ecc_size(s->ecc) * sizeof(mp_limb_t));
	ecc_scalar_clear(s);
}

void petrel_mpz_wipe_clear(mpz_t x)
{
	size_t n = mpz_size(x);

	if (n > 0)
		petrel_wipe(mpz_limbs_modify(x, (mp_size_t)n), n * sizeof(mp_limb_t));
	mpz_clear(x);
}
