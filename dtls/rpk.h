/* Raw public keys (RFC 7250) in the DTLS 1.2 state machines: the
 * certificate-type extensions and the Certificate message with a bare
 * SubjectPublicKeyInfo. Used by client12.c and server12.c; the policy
 * (what a side offers, accepts and chooses) and the key check are shared
 * with DTLS 1.3 (dtls13/rpk13.h), so both versions decide alike. */
#ifndef PETREL_DTLS_RPK_H
#define PETREL_DTLS_RPK_H

#include "dtls/rpk_policy.h"
#include "dtls/session.h"
#include "x509/x509.h"

/* The policy of a session (dtls/rpk_policy.h). */
void petrel_rpk_policy_of(const petrel_session *s, struct petrel_rpk_policy *p);
/* Client: the type lists of our ClientHello (RFC 7250 4.1), none when we
 * take no raw key. */
void petrel_rpk_policy_offer(const struct petrel_rpk_policy *p, struct petrel_rpk_offer *offer,
			     struct petrel_extensions *ext);
/* Client: the server's answers (ServerHello in 1.2, EncryptedExtensions
 * in 1.3) against that offer; an absent answer means X.509.
 * server_certifies: the server will send a Certificate (not a PSK
 * handshake), so PETREL_RPK_ONLY without a raw answer fails here. */
int petrel_rpk_policy_check_answer(const struct petrel_rpk_policy *p,
				   const struct petrel_extensions *answer, bool server_certifies,
				   uint8_t *server_type, uint8_t *client_type);
/* Server: the types for the client's lists (only the has_*_cert_type
 * fields of ch are read); PETREL_E_CERT_UNSUPPORTED_ALGORITHM when none
 * fits (RFC 7250 4.2: unsupported_certificate). */
int petrel_rpk_policy_choose(const struct petrel_rpk_policy *p, const struct petrel_extensions *ch,
			     uint8_t *server_type, uint8_t *client_type);
/* A peer's raw key against the session's verify mode and pin (RFC 7250
 * 6: only a pin authenticates it). */
int petrel_rpk_verify(const struct petrel_rpk *rpk, int verify_mode, const uint8_t pin[32]);

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
