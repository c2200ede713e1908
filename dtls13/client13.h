/* The DTLS 1.3 client handshake at the message level (RFC 9147 5,
 * RFC 8446 4): ClientHello (with HelloRetryRequest, cookie and PSK
 * binders), ServerHello, EncryptedExtensions, CertificateRequest,
 * Certificate, CertificateVerify, Finished, then our Certificate,
 * CertificateVerify and Finished, and NewSessionTicket afterwards.
 * Input: one whole reassembled handshake message; output: messages to
 * send, keys to install, an event, or an error with its alert. */
#ifndef PETREL_DTLS13_CLIENT13_H
#define PETREL_DTLS13_CLIENT13_H

#include "dtls13/hs13.h"
#include "dtls13/ext13_names.h"

enum petrel_c13_state {
	PETREL_C13_START = 0,
	PETREL_C13_WAIT_SH,
	PETREL_C13_WAIT_EE,
	PETREL_C13_WAIT_CERT_CR,
	PETREL_C13_WAIT_CERT,
	PETREL_C13_WAIT_CV,
	PETREL_C13_WAIT_FINISHED,
	PETREL_C13_CONNECTED,
	PETREL_C13_FALLBACK, /* handed to the 1.2 client */
	PETREL_C13_FAILED,
};

#define PETREL_DTLS13_TICKET_MAX 512

/* What a NewSessionTicket leaves for resumption (RFC 8446 4.6.1): offer
 * psk with identity ticket and obfuscated age (age_ms + age_add). */
struct petrel_dtls13_ticket {
	uint16_t suite;
	enum petrel_hash_alg hash;
	uint8_t psk[PETREL_MAX_HASH_LEN];
	size_t psk_len;
	uint8_t ticket[PETREL_DTLS13_TICKET_MAX];
	size_t ticket_len;
	uint32_t age_add;
	uint32_t lifetime_s;
	uint64_t received_ms;
};

struct petrel_dtls13_client {
	struct petrel_hs13_config cfg; /* copied; pointers stay the caller's */
	enum petrel_c13_state state;
	bool hrr_seen;
	uint8_t random[32];
	size_t share_count;
	uint16_t share_group[2];
	uint8_t share_priv[2][PETREL_KX_PRIV_LEN];
	uint8_t share_pub[2][PETREL_KX_MAX_PUB_LEN];
	size_t share_pub_len[2];
	uint8_t ch[PETREL_HS13_HELLO_MAX]; /* the last ClientHello body */
	size_t ch_len;
	uint8_t cookie[PETREL_HS13_COOKIE_MAX];
	size_t cookie_len;
	/* A DTLS 1.2 server's HelloVerifyRequest cookie (RFC 6347 4.2.1),
	 * echoed in legacy_cookie when we offer 1.2 too. */
	uint8_t legacy_cookie[255];
	size_t legacy_cookie_len;
	bool hvr_seen;
	bool hrr_suite_set;
	uint16_t hrr_suite;
	bool offer_psk;
	uint16_t suite;
	enum petrel_hash_alg hash;
	enum petrel_aead_alg aead;
	struct petrel_dtls13_transcript transcript;
	bool transcript_started;
	struct petrel_dtls13_ks ks;
	bool psk_accepted;
	bool offer_ext_psk;  /* the external PSK as a second identity (hs13.h) */
	uint16_t group;      /* the server's key_share group; 0: psk_ke */
	uint16_t sig_scheme; /* the server's CertificateVerify scheme */
	uint16_t psk_index;  /* the identity the server took */
	bool cert_requested;
	uint8_t cr_context[255];
	size_t cr_context_len;
	uint16_t cr_schemes[16];
	size_t cr_scheme_count;
	struct petrel_hs13_peer_chain peer;
	bool has_ticket;
	struct petrel_dtls13_ticket ticket;
	/* legacy_session_id: a 1.2 session's, to resume after a fallback */
	uint8_t legacy_sid[32];
	size_t legacy_sid_len;
	struct petrel_srtp13 srtp; /* use_srtp outcome (dtls13/srtp13.h) */
	struct petrel_ext13_names names; /* SNI / ALPN sent and agreed */
};

int petrel_dtls13_client_init(struct petrel_dtls13_client *c, const struct petrel_hs13_config *cfg);
/* ClientHello1 (epoch 0) into out. */
int petrel_dtls13_client_start(struct petrel_dtls13_client *c, struct petrel_hs13_output *out);
/* One whole handshake message from the server. 0 on progress (see
 * out->msgs, out->keys, out->event); <0 on failure, out->alert set. */
int petrel_dtls13_client_handle(struct petrel_dtls13_client *c, uint8_t type, const uint8_t *body,
				size_t len, uint64_t now_ms, struct petrel_hs13_output *out);
/* Wipes every secret and frees the peer chain. */
void petrel_dtls13_client_free(struct petrel_dtls13_client *c);

#endif
