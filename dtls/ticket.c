/* Session tickets (RFC 5077 4): the server's session state sealed under
 * the credentials' ticket key, handed to the client (NewSessionTicket)
 * or to the application's session cache, and opened on resumption. */
#include <string.h>

#include "dtls/session.h"
#include "dtls/ticket.h"

/* Ticket = nonce(12) || ChaCha20-Poly1305(ticket_key, version(1) || suite(2)
 * || ems(1) || master(48)) — the server keeps no state (RFC 5077 4). */
static const uint8_t ticket_ad[] = "petrel-ticket-v1";

int petrel_ticket_seal(const struct petrel_credentials *creds, const uint8_t nonce[12],
		       const struct petrel_suite *suite,
		       bool ems, const uint8_t master[PETREL_MASTER_SECRET_LEN], uint8_t out[PETREL_TICKET_LEN])
{
	uint8_t ctx_mem[8192];
	if (petrel_aead_ctx_size() > sizeof ctx_mem)
		return PETREL_E_INTERNAL;
	struct petrel_aead_ctx *ctx = (struct petrel_aead_ctx *)(void *)ctx_mem;
	int rc = petrel_aead_init(ctx, PETREL_AEAD_CHACHA20_POLY1305, creds->ticket_key);
	if (rc < 0)
		return rc;
	memcpy(out, nonce, 12);
	uint8_t *pt = out + 12;
	pt[0] = 1;
	petrel_store_u16(pt + 1, suite->id);
	pt[3] = ems ? 1 : 0;
	memcpy(pt + 4, master, PETREL_MASTER_SECRET_LEN);
	rc = petrel_aead_seal(ctx, out, ticket_ad, sizeof ticket_ad - 1, pt, 4 + PETREL_MASTER_SECRET_LEN);
	petrel_aead_wipe(ctx);
	return rc;
}

int petrel_ticket_open(const struct petrel_credentials *creds, const uint8_t *ticket, size_t len,
		       uint16_t *suite_id, bool *ems, uint8_t master[PETREL_MASTER_SECRET_LEN])
{
	if (len != PETREL_TICKET_LEN)
		return PETREL_E_DECRYPTION_FAILED;
	uint8_t buf[PETREL_TICKET_LEN];
	memcpy(buf, ticket, len);
	uint8_t ctx_mem[8192];
	struct petrel_aead_ctx *ctx = (struct petrel_aead_ctx *)(void *)ctx_mem;
	int rc = petrel_aead_init(ctx, PETREL_AEAD_CHACHA20_POLY1305, creds->ticket_key);
	if (rc < 0)
		return rc;
	rc = petrel_aead_open(ctx, buf, ticket_ad, sizeof ticket_ad - 1, buf + 12, len - 12);
	petrel_aead_wipe(ctx);
	if (rc < 0 || buf[12] != 1) {
		petrel_wipe(buf, sizeof buf);
		return PETREL_E_DECRYPTION_FAILED;
	}
	*suite_id = (uint16_t)(buf[13] << 8 | buf[14]);
	*ems = buf[15] != 0;
	memcpy(master, buf + 16, PETREL_MASTER_SECRET_LEN);
	petrel_wipe(buf, sizeof buf);
	return 0;
}

