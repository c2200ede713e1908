#include "common/errors.h"

#include "petrel/petrel.h"

#define E(code, text, fatal) { PETREL_E_##code, "PETREL_E_" #code, text, fatal }

static const struct petrel_error_info error_table[] = {
	E(SUCCESS, "success", 0),
	E(AGAIN, "the transport would block; call again", 0),
	E(INTERRUPTED, "interrupted; call again", 0),
	E(WARNING_ALERT_RECEIVED, "the peer sent a warning alert", 0),
	E(LARGE_PACKET, "a datagram did not fit the path; the MTU was lowered", 0),
	E(GOT_APPLICATION_DATA, "application data arrived during a handshake", 0),
	E(FATAL_ALERT_RECEIVED, "the peer sent a fatal alert", 1),
	E(TIMEDOUT, "the handshake timed out", 1),
	E(DECRYPTION_FAILED, "decryption or authentication failed", 1),
	E(UNEXPECTED_MESSAGE, "unexpected message", 1),
	E(MEMORY, "out of memory", 1),
	E(INVALID_REQUEST, "invalid request", 1),
	E(SHORT_BUFFER, "buffer too small", 1),
	E(DECODE_ERROR, "malformed message", 1),
	E(ILLEGAL_PARAMETER, "illegal parameter", 1),
	E(HANDSHAKE_FAILURE, "handshake failure", 1),
	E(NO_COMMON_CIPHER, "no cipher suite in common", 1),
	E(NO_COMMON_GROUP, "no key exchange group in common", 1),
	E(CRYPTO, "cryptographic operation failed", 1),
	E(INVALID_KEY, "invalid key", 1),
	E(SIGNATURE_INVALID, "signature verification failed", 1),
	E(SEQ_EXHAUSTED, "record sequence numbers exhausted", 1),
	E(REPLAYED, "replayed record", 1),
	E(TOO_MANY_BAD_RECORDS, "too many invalid records", 1),
	E(PUSH_ERROR, "the transport failed to send", 1),
	E(PULL_ERROR, "the transport failed to receive", 1),
	E(SESSION_CLOSED, "the session was closed", 1),
	E(RECORD_OVERFLOW, "record too large", 1),
	E(LIMIT_EXCEEDED, "a configured limit was exceeded", 1),
	E(UNSUPPORTED, "unsupported feature or parameter", 1),
	E(NO_RENEGOTIATION, "renegotiation refused", 1),
	E(EMS_REQUIRED, "the peer does not support extended master secret", 1),
	E(BAD_COOKIE, "invalid cookie", 1),
	E(FILE_ERROR, "cannot read file", 1),
	E(INTERNAL, "internal error", 1),
	E(UNKNOWN_PSK_IDENTITY, "unknown PSK identity", 1),
	E(NO_CERTIFICATE, "no certificate", 1),
	E(BAD_CERTIFICATE, "bad certificate", 1),
	E(PROTOCOL_VERSION, "the peer's protocol version is not supported", 1),
	E(PEER_DEAD, "the peer stopped answering (keepalive): it is gone or lost the session", 1),
	E(PEER_KEY_MISMATCH, "records from the peer failed authentication: wrong PSK or key?", 1),
	E(ALPN_MISMATCH, "no application protocol in common", 1),
	E(CERT_PARSE, "certificate cannot be parsed", 1),
	E(CERT_EXPIRED, "certificate expired", 1),
	E(CERT_NOT_YET_VALID, "certificate not yet valid", 1),
	E(CERT_BAD_SIGNATURE, "certificate signature invalid", 1),
	E(CERT_UNKNOWN_ISSUER, "certificate issuer unknown", 1),
	E(CERT_NOT_CA, "issuer is not a CA", 1),
	E(CERT_PATHLEN_EXCEEDED, "certificate path length constraint exceeded", 1),
	E(CERT_NAME_MISMATCH, "certificate does not match the peer name", 1),
	E(CERT_UNKNOWN_CRITICAL_EXTENSION, "certificate has an unknown critical extension", 1),
	E(CERT_CHAIN_TOO_LONG, "certificate chain too long", 1),
	E(CERT_KEY_USAGE, "certificate key usage forbids this use", 1),
	E(CERT_PIN_MISMATCH, "certificate does not match the pinned fingerprint", 1),
	E(CERT_UNSUPPORTED_ALGORITHM, "certificate uses an unsupported algorithm", 1),
	E(CERT_UNTRUSTED, "certificate chain does not reach a trusted root", 1),
	E(UNSUPPORTED_EXTENSION, "the peer answered an extension that was not offered", 1),
};

const struct petrel_error_info *petrel_error_table(size_t *count)
{
	*count = sizeof error_table / sizeof error_table[0];
	return error_table;
}

static const struct petrel_error_info *find(int code)
{
	for (size_t i = 0; i < sizeof error_table / sizeof error_table[0]; i++)
		if (error_table[i].code == code)
			return &error_table[i];
	return NULL;
}

const char *petrel_strerror(int code)
{
	const struct petrel_error_info *e = find(code);
	return e ? e->text : "unknown error";
}

const char *petrel_strerror_name(int code)
{
	const struct petrel_error_info *e = find(code);
	return e ? e->name : "PETREL_E_UNKNOWN";
}

int petrel_error_is_fatal(int code)
{
	if (code >= 0)
		return 0;
	const struct petrel_error_info *e = find(code);
	return e ? e->fatal : 1;
}
