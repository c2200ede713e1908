/* Alerts (RFC 5246 7.2, dtls/alert.c). */
#ifndef PETREL_DTLS_ALERT_H
#define PETREL_DTLS_ALERT_H

#include <stdint.h>

#include "petrel/petrel.h"

enum {
	PETREL_ALERT_WARNING = 1,
	PETREL_ALERT_FATAL = 2,
};
enum {
	ALERT_CLOSE_NOTIFY = 0,
	ALERT_UNEXPECTED_MESSAGE = 10,
	ALERT_BAD_RECORD_MAC = 20,
	ALERT_RECORD_OVERFLOW = 22,
	ALERT_HANDSHAKE_FAILURE = 40,
	ALERT_BAD_CERTIFICATE = 42,
	ALERT_UNSUPPORTED_CERTIFICATE = 43,
	ALERT_CERTIFICATE_EXPIRED = 45,
	ALERT_CERTIFICATE_UNKNOWN = 46,
	ALERT_ILLEGAL_PARAMETER = 47,
	ALERT_UNKNOWN_CA = 48,
	ALERT_DECODE_ERROR = 50,
	ALERT_DECRYPT_ERROR = 51,
	ALERT_PROTOCOL_VERSION = 70,
	ALERT_INSUFFICIENT_SECURITY = 71,
	ALERT_INTERNAL_ERROR = 80,
	ALERT_NO_RENEGOTIATION = 100,
	ALERT_UNSUPPORTED_EXTENSION = 110,
	ALERT_UNKNOWN_PSK_IDENTITY = 115,
	ALERT_NO_APPLICATION_PROTOCOL = 120,
};

/* The alert to send for an error code. */
uint8_t petrel_alert_for_error(int code);
/* One alert record in the current write epoch, through the one output
 * path (a transport that would block counts as loss). */
int petrel_send_alert(petrel_session *s, uint8_t level, uint8_t desc);
/* End the session on error code: a fatal alert (unless alert < 0), the
 * code sticky in fatal_error, the handshake state freed. Returns the
 * error the session holds. */
int petrel_session_fail(petrel_session *s, int code, int alert);

#endif
