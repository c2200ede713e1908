/* Raw public keys (RFC 7250) in the DTLS 1.2 state machines: the
 * certificate-type extensions and the Certificate message with a bare
 * SubjectPublicKeyInfo. Used by client12.c and server12.c only. */
#ifndef PETREL_DTLS_RPK_H
#define PETREL_DTLS_RPK_H

#include "dtls/session.h"

/* Room for the CertificateType lists we send. */
struct petrel_rpk_offer {
	uint8_t server_types[2];
	uint8_t client_types[2];
};

/* Client: the extensions for our ClientHello (offer must outlive ext). */
void petrel_rpk_client_offer(const petrel_session *s, struct petrel_rpk_offer *offer,
			     struct petrel_extensions *ext);
/* Client: the server's answer; sets s->server_cert_type / client_cert_type. */
int petrel_rpk_client_on_server_hello(petrel_session *s, const struct petrel_extensions *sh);
/* Server, full handshake, before the suite is chosen: the type of our
 * own key (s->server_cert_type) and of the client's (s->client_cert_type). */
int petrel_rpk_server_choose(petrel_session *s, const struct petrel_client_hello *ch);
/* Server: our answers in the ServerHello (offer holds the bytes);
 * requesting_cert: we send a CertificateRequest (RFC 7250 4.2: otherwise
 * no client_certificate_type). */
void petrel_rpk_server_answer(const petrel_session *s, const struct petrel_client_hello *ch,
			      bool requesting_cert, struct petrel_rpk_offer *offer,
			      struct petrel_extensions *sh);
/* Our Certificate message as a raw public key (an empty one for a client
 * without a key), appended to the flight. *sent: a key was sent. */
int petrel_rpk_append_certificate(petrel_session *s, bool *sent);
/* The peer's raw-public-key Certificate: parse, keep, check against the
 * verify mode, fill hs->peer_key. *empty: a client sent none. */
int petrel_rpk_handle_certificate(petrel_session *s, const struct petrel_hs_message *m, bool *empty);

#endif
