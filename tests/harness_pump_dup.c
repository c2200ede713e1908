/* See tests/harness_pump_dup.h. */
#include "tests/harness_pump_dup.h"

void harness_pump(struct harness *h, uint64_t until_ms)
{
	uint8_t buf[2048];
	while (simnet_now(h->net) < until_ms) {
		while (petrel_record_recv(h->client.session, buf, sizeof buf) > 0)
			;
		while (petrel_record_recv(h->server.session, buf, sizeof buf) > 0)
			;
		uint64_t now = simnet_now(h->net);
		uint64_t next = simnet_next_event_ms(h->net);
		uint64_t dc = petrel_engine_next_deadline(h->client.session);
		uint64_t ds = petrel_engine_next_deadline(h->server.session);
		if (dc < next)
			next = dc;
		if (ds < next)
			next = ds;
		if (next <= now)
			next = now + 1;
		if (next > until_ms)
			next = until_ms;
		simnet_advance_to(h->net, next);
	}
}
