/* How the session authenticates its peer: the verify mode and the pin.
 * Below dtls/session.c so that dtls/rpk.c (petrel_session_set_verify_spki),
 * a service of the role files, sets it without calling back up. */
#include <string.h>

#include "dtls/session.h"

int petrel_session_set_verify(petrel_session *s, int mode, const uint8_t *pin, size_t pin_len)
{
	if (mode < PETREL_VERIFY_CHAIN || mode > PETREL_VERIFY_NONE)
		return PETREL_E_INVALID_REQUEST;
	if (mode == PETREL_VERIFY_PIN || mode == PETREL_VERIFY_PIN_SPKI) {
		if (pin == NULL || pin_len != sizeof s->pin)
			return PETREL_E_INVALID_REQUEST;
		memcpy(s->pin, pin, sizeof s->pin);
	}
	s->verify_mode = mode;
	return 0;
}
