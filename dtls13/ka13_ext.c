/* The heartbeat extension in the DTLS 1.3 ClientHello (see ka13_ext.h). */
#include "dtls13/ka13_ext.h"

#include "dtls/messages.h"
#include "petrel/petrel.h"

int petrel_ka13_heartbeat_offer_write(struct petrel_writer *w, bool offer)
{
	if (!offer)
		return 0;
	/* RFC 6520 2: struct { HeartbeatMode mode; }, peer_allowed_to_send
	 * (1): we answer the 1.2 server's requests, as the 1.2 client does
	 * (dtls12/client12.c). */
	struct petrel_len_scope e;
	bool ok = petrel_put_u16(w, PETREL_EXT_HEARTBEAT) && petrel_put_len_open(w, 2, &e) &&
		  petrel_put_u8(w, 1) && petrel_put_len_close(w, &e);
	return ok ? 0 : PETREL_E_SHORT_BUFFER;
}
