/* Alerts (RFC 5246 7.2): the alert for an error code, and sending one
 * through the one output path. A service: calls nothing above it. */
#include "dtls/alert.h"

#include "dtls/hs_state.h"
#include "dtls/output.h"
#include "dtls/session.h"

uint8_t petrel_alert_for_error(int code)
{
	switch (code) {
	case PETREL_E_UNEXPECTED_MESSAGE: return ALERT_UNEXPECTED_MESSAGE;
	case PETREL_E_DECODE_ERROR: return ALERT_DECODE_ERROR;
	case PETREL_E_ILLEGAL_PARAMETER: return ALERT_ILLEGAL_PARAMETER;
	case PETREL_E_DECRYPTION_FAILED: return ALERT_DECRYPT_ERROR;
	case PETREL_E_SIGNATURE_INVALID: return ALERT_DECRYPT_ERROR;
	case PETREL_E_NO_COMMON_CIPHER:
	case PETREL_E_NO_COMMON_GROUP:
	case PETREL_E_HANDSHAKE_FAILURE:
	case PETREL_E_EMS_REQUIRED: return ALERT_HANDSHAKE_FAILURE;
	case PETREL_E_UNKNOWN_PSK_IDENTITY: return ALERT_UNKNOWN_PSK_IDENTITY;
	case PETREL_E_RECORD_OVERFLOW: return ALERT_RECORD_OVERFLOW;
	case PETREL_E_ALPN_MISMATCH: return ALERT_NO_APPLICATION_PROTOCOL;
	case PETREL_E_CERT_EXPIRED:
	case PETREL_E_CERT_NOT_YET_VALID: return ALERT_CERTIFICATE_EXPIRED;
	case PETREL_E_CERT_UNKNOWN_ISSUER:
	case PETREL_E_CERT_UNTRUSTED: return ALERT_UNKNOWN_CA;
	case PETREL_E_CERT_UNSUPPORTED_ALGORITHM: return ALERT_UNSUPPORTED_CERTIFICATE;
	case PETREL_E_NO_CERTIFICATE:
	case PETREL_E_BAD_CERTIFICATE:
	case PETREL_E_CERT_PARSE:
	case PETREL_E_CERT_BAD_SIGNATURE:
	case PETREL_E_CERT_NOT_CA:
	case PETREL_E_CERT_PATHLEN_EXCEEDED:
	case PETREL_E_CERT_NAME_MISMATCH:
	case PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION:
	case PETREL_E_CERT_CHAIN_TOO_LONG:
	case PETREL_E_CERT_KEY_USAGE:
	case PETREL_E_CERT_PIN_MISMATCH: return ALERT_BAD_CERTIFICATE;
	case PETREL_E_UNSUPPORTED: return ALERT_HANDSHAKE_FAILURE;
	case PETREL_E_PROTOCOL_VERSION: return ALERT_PROTOCOL_VERSION;
	case PETREL_E_UNSUPPORTED_EXTENSION: return ALERT_UNSUPPORTED_EXTENSION;
	default: return ALERT_INTERNAL_ERROR;
	}
}

int petrel_send_alert(petrel_session *s, uint8_t level, uint8_t desc)
{
	uint8_t buf[64];
	uint8_t body[2] = {level, desc};
	struct petrel_writer w;
	petrel_writer_init(&w, buf, sizeof buf);
	int rc = petrel_rl_write(&s->rl, petrel_rl_write_epoch(&s->rl), PETREL_CT_ALERT, body, 2, &w);
	if (rc < 0)
		return rc;
	long r = petrel_outq_session_drain(s, buf, petrel_writer_len(&w), NULL);
	return r == PETREL_E_AGAIN || r == PETREL_E_INTERRUPTED || r >= 0 ? 0 : (int)r; /* loss: resent */
}


/* End the session on an error: a fatal alert (alert >= 0) to the peer,
 * the error sticky, the handshake state freed. */
int petrel_session_fail(petrel_session *s, int code, int alert)
{
	if (s->fatal_error)
		return s->fatal_error;
	if (alert >= 0)
		(void)petrel_send_alert(s, PETREL_ALERT_FATAL, (uint8_t)alert);
	s->fatal_error = code;
	petrel_hs_free(s);
	return code;
}
