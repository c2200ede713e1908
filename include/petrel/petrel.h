/* Petrel: a DTLS library for UDP. This header is the whole public API. */
#ifndef PETREL_PETREL_H
#define PETREL_PETREL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PETREL_VERSION_MAJOR 0
#define PETREL_VERSION_MINOR 1
#define PETREL_VERSION_PATCH 0
#define PETREL_VERSION "0.1.0"
#define PETREL_VERSION_NUMBER \
	((PETREL_VERSION_MAJOR << 16) | (PETREL_VERSION_MINOR << 8) | PETREL_VERSION_PATCH)

#if defined(__GNUC__)
#define PETREL_API __attribute__((visibility("default")))
#else
#define PETREL_API
#endif

/* Error codes: every call returns >= 0 on success or one of these.
 * The first five are non-fatal: the caller calls again. */
enum {
	PETREL_E_SUCCESS = 0,
	PETREL_E_AGAIN = -1,
	PETREL_E_INTERRUPTED = -2,
	PETREL_E_WARNING_ALERT_RECEIVED = -3,
	PETREL_E_LARGE_PACKET = -4,
	PETREL_E_GOT_APPLICATION_DATA = -5,

	PETREL_E_FATAL_ALERT_RECEIVED = -10,
	PETREL_E_TIMEDOUT = -11,
	PETREL_E_DECRYPTION_FAILED = -12,
	PETREL_E_UNEXPECTED_MESSAGE = -13,
	PETREL_E_MEMORY = -14,
	PETREL_E_INVALID_REQUEST = -15,
	PETREL_E_SHORT_BUFFER = -16,
	PETREL_E_DECODE_ERROR = -17,
	PETREL_E_ILLEGAL_PARAMETER = -18,
	PETREL_E_HANDSHAKE_FAILURE = -19,
	PETREL_E_NO_COMMON_CIPHER = -20,
	PETREL_E_NO_COMMON_GROUP = -21,
	PETREL_E_CRYPTO = -22,
	PETREL_E_INVALID_KEY = -23,
	PETREL_E_SIGNATURE_INVALID = -24,
	PETREL_E_SEQ_EXHAUSTED = -25,
	PETREL_E_REPLAYED = -26,
	PETREL_E_TOO_MANY_BAD_RECORDS = -27,
	PETREL_E_PUSH_ERROR = -28,
	PETREL_E_PULL_ERROR = -29,
	PETREL_E_SESSION_CLOSED = -30,
	PETREL_E_RECORD_OVERFLOW = -31,
	PETREL_E_LIMIT_EXCEEDED = -32,
	PETREL_E_UNSUPPORTED = -33,
	PETREL_E_NO_RENEGOTIATION = -34,
	PETREL_E_EMS_REQUIRED = -35,
	PETREL_E_BAD_COOKIE = -36,
	PETREL_E_FILE_ERROR = -37,
	PETREL_E_INTERNAL = -38,
	PETREL_E_UNKNOWN_PSK_IDENTITY = -39,
	PETREL_E_NO_CERTIFICATE = -40,
	PETREL_E_BAD_CERTIFICATE = -41,
	PETREL_E_ALPN_MISMATCH = -42,

	/* Certificate validation: each failure has its own code. */
	PETREL_E_CERT_PARSE = -60,
	PETREL_E_CERT_EXPIRED = -61,
	PETREL_E_CERT_NOT_YET_VALID = -62,
	PETREL_E_CERT_BAD_SIGNATURE = -63,
	PETREL_E_CERT_UNKNOWN_ISSUER = -64,
	PETREL_E_CERT_NOT_CA = -65,
	PETREL_E_CERT_PATHLEN_EXCEEDED = -66,
	PETREL_E_CERT_NAME_MISMATCH = -67,
	PETREL_E_CERT_UNKNOWN_CRITICAL_EXTENSION = -68,
	PETREL_E_CERT_CHAIN_TOO_LONG = -69,
	PETREL_E_CERT_KEY_USAGE = -70,
	PETREL_E_CERT_PIN_MISMATCH = -71,
	PETREL_E_CERT_UNSUPPORTED_ALGORITHM = -72,
	PETREL_E_CERT_UNTRUSTED = -73,
};

/* Short, stable name and description of an error code ("PETREL_E_AGAIN: ..."). */
PETREL_API const char *petrel_strerror(int code);
/* The constant's name, e.g. "PETREL_E_AGAIN"; "PETREL_E_UNKNOWN" for others. */
PETREL_API const char *petrel_strerror_name(int code);
/* 1 if the code ends the session, 0 if the caller may call again. */
PETREL_API int petrel_error_is_fatal(int code);

/* The library's version string, and a check that it is at least `req`. */
PETREL_API const char *petrel_check_version(const char *req);

#ifdef __cplusplus
}
#endif
#endif
