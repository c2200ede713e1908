/* AEAD usage limits (see dtls13/limits.h). */
#include "dtls13/limits.h"

struct petrel_aead_limits petrel_dtls13_aead_limits(enum petrel_aead_alg alg)
{
	struct petrel_aead_limits l = {0, 0};
	switch (alg) {
	case PETREL_AEAD_AES128_GCM:
	case PETREL_AEAD_AES256_GCM:
		/* RFC 8446 5.5: 2^24.5 full-size records; RFC 9147 4.5.3: 2^36
		 * failed authentications. */
		l.confidentiality = UINT64_C(23726566);
		l.integrity = UINT64_C(1) << 36;
		break;
	case PETREL_AEAD_CHACHA20_POLY1305:
		/* RFC 8446 5.5: no practical limit before the sequence numbers
		 * run out; kept within the 48 bits a DTLS record number fits. */
		l.confidentiality = (UINT64_C(1) << 48) - 1;
		l.integrity = UINT64_C(1) << 36;
		break;
	case PETREL_AEAD_AES128_CCM:
		/* RFC 9147 4.5.3 and its Appendix B: 2^23 records, 2^23.5
		 * failed authentications. */
		l.confidentiality = UINT64_C(1) << 23;
		l.integrity = UINT64_C(11863283);
		break;
	case PETREL_AEAD_AES128_CCM8:
		/* RFC 9147 4.5.3 leaves the integrity limit of the 8-byte tag to
		 * the implementation. Petrel's choice: 2^7 forgeries, which keeps
		 * an attacker's chance near 2^-57 (128 tries at 2^-64 each); the
		 * confidentiality limit is CCM's. */
		l.confidentiality = UINT64_C(1) << 23;
		l.integrity = UINT64_C(1) << 7;
		break;
	default:
		break;
	}
	return l;
}

bool petrel_dtls13_key_update_due(enum petrel_aead_alg alg, uint64_t records_protected,
				  uint64_t records_failed)
{
	struct petrel_aead_limits l = petrel_dtls13_aead_limits(alg);
	if (l.confidentiality == 0)
		return true; /* unknown AEAD: never keep using it */
	return records_protected >= l.confidentiality / 4 * 3 ||
	       records_failed >= l.integrity / 4 * 3;
}

bool petrel_dtls13_key_exhausted(enum petrel_aead_alg alg, uint64_t records_protected,
				 uint64_t records_failed)
{
	struct petrel_aead_limits l = petrel_dtls13_aead_limits(alg);
	if (l.confidentiality == 0)
		return true;
	return records_protected >= l.confidentiality || records_failed >= l.integrity;
}
