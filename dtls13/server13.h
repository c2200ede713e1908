/* The DTLS 1.3 server handshake at the message level (RFC 9147 5,
 * RFC 8446 4): ClientHello -> HelloRetryRequest with a stateless cookie,
 * or ServerHello, EncryptedExtensions, [CertificateRequest], Certificate,
 * CertificateVerify, Finished (or the PSK short form); then the client's
 * [Certificate, CertificateVerify], Finished; then NewSessionTicket. */
#ifndef PETREL_DTLS13_SERVER13_H
#define PETREL_DTLS13_SERVER13_H

#include "dtls13/hs13.h"
#include "dtls13/ext13_names.h"

enum petrel_s13_state {
	PETREL_S13_WAIT_CH = 0,
	PETREL_S13_WAIT_CH2,     /* after our HelloRetryRequest */
	PETREL_S13_WAIT_CERT,    /* client Certificate */
	PETREL_S13_WAIT_CV,      /* client CertificateVerify */
	PETREL_S13_WAIT_FINISHED,
	PETREL_S13_CONNECTED,
	PETREL_S13_FALLBACK, /* handed to the 1.2 server */
	PETREL_S13_FAILED,
};

struct petrel_dtls13_server {
	struct petrel_hs13_config cfg;
	enum petrel_s13_state state;
	uint16_t suite;
	enum petrel_hash_alg hash;
	enum petrel_aead_alg aead;
	uint16_t group; /* 0: psk_ke */
	struct petrel_dtls13_transcript transcript;
	bool transcript_started;
	struct petrel_dtls13_ks ks;
	bool psk_accepted;
	bool psk_resumed;
	uint16_t psk_index; /* selected_identity (RFC 8446 4.2.11) */
	uint16_t sig_scheme; /* our CertificateVerify scheme */
	bool cert_requested;
	struct petrel_hs13_peer_chain peer;
	uint64_t tickets_sent;
	bool res_master_ready; /* ks.resumption_master derived (tickets on) */
	struct petrel_srtp13 srtp; /* use_srtp outcome (dtls13/srtp13.h) */
	struct petrel_ext13_names names; /* the client's SNI, the ALPN choice */
	/* The refused ClientHello carried our valid cookie: the engine sends
	 * the alert unprotected (the address is proven, RFC 7301 3.2). */
	bool alert_in_clear;
	bool cookie_age_set;    /* ClientHello2 came with a valid cookie: */
	uint32_t cookie_age_ms; /* its age, our HRR's round trip (engine13.c) */
};

int petrel_dtls13_server_init(struct petrel_dtls13_server *s, const struct petrel_hs13_config *cfg);
/* One whole handshake message from the client, now_ms for the cookie's
 * age. 0 on progress (out->msgs, out->keys, out->event), <0 on failure
 * with out->alert set. */
int petrel_dtls13_server_handle(struct petrel_dtls13_server *s, uint8_t type, const uint8_t *body,
				size_t len, uint64_t now_ms, struct petrel_hs13_output *out);
/* Another NewSessionTicket (epoch 3) once connected (RFC 8446 4.6.1). */
int petrel_dtls13_server_send_ticket(struct petrel_dtls13_server *s,
				     struct petrel_hs13_output *out);
void petrel_dtls13_server_free(struct petrel_dtls13_server *s);

/* The stateless front door (RFC 9147 5.1, RFC 8446 4.2.2), for a server
 * that keeps nothing before the cookie: a whole ClientHello offering DTLS
 * 1.3 is answered with a HelloRetryRequest (out) whose cookie holds
 * Hash(ClientHello1), the suite and group, the time and a MAC over them
 * and cfg->peer_addr (dtls13/cookie13.h); the session made once a
 * ClientHello brings a valid cookie rebuilds its transcript from it.
 * 1: the ClientHello has a valid cookie for this address (make the
 * session); 0: HelloRetryRequest in out; <0: drop it (malformed, not
 * 1.3, nothing in common, PETREL_E_BAD_COOKIE). */
int petrel_dtls13_server_front(const struct petrel_hs13_config *cfg, const uint8_t *body,
			       size_t len, uint64_t now_ms, struct petrel_hs13_output *out);

#endif
