/* ECDSA signatures as DER Ecdsa-Sig-Value (RFC 5480 2.2 / RFC 8422 5.4):
 *   SEQUENCE { r INTEGER, s INTEGER }   (crypto/ internal) */
#ifndef PETREL_CRYPTO_DER_SIG_H
#define PETREL_CRYPTO_DER_SIG_H

#include <stddef.h>
#include <stdint.h>

/* Strict DER: definite minimal lengths, minimal positive integers, nothing
 * after the SEQUENCE. r and s come out as big-endian coord_len bytes; zero or
 * longer than coord_len -> PETREL_E_DECODE_ERROR (as for any bad encoding). */
int petrel_ecdsa_sig_decode(const uint8_t *der, size_t der_len, size_t coord_len, uint8_t *r,
			    uint8_t *s);
/* Encodes big-endian coord_len-byte r and s; PETREL_E_SHORT_BUFFER if cap is too small. */
int petrel_ecdsa_sig_encode(const uint8_t *r, const uint8_t *s, size_t coord_len, uint8_t *out,
			    size_t cap, size_t *out_len);

#endif
