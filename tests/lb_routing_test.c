/* Simulation of the load-balancer rule of doc/load-balancing.md: a
 * balancer in front of several machines routes a datagram with a CID by
 * the server id in the CID bytes (as QUIC-LB routes QUIC connection IDs),
 * and anything else (ClientHellos, records without CID) by a rendezvous
 * hash of the source address over the servers in service. Sessions are
 * set up through the rule, servers come and go, peers change address (NAT
 * rebinding, RFC 9146 6): every session whose server is still there keeps
 * reaching it. */
#include <criterion/criterion.h>
#include <string.h>

#include "dtls/cid_route.h"
#include "petrel/petrel.h"

#define MAX_SERVERS 16
#define SESSIONS 400
#define CID_LEN 8

struct balancer {
	struct petrel_cid_route_config cfg; /* cid_len and server_id_len */
	bool in_service[MAX_SERVERS];       /* by server id */
};

struct sim_session {
	uint32_t addr;  /* source address and port, changes on rebinding */
	unsigned server;
	uint8_t cid[CID_LEN];
};

static uint64_t mix(uint64_t x)
{
	/* splitmix64 finaliser: a fixed, well-spread hash for the simulation. */
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

/* Rendezvous (highest random weight) hashing: adding or removing a server
 * moves only the addresses that go to or came from it. */
static unsigned route_by_address(const struct balancer *lb, uint32_t addr)
{
	unsigned best = MAX_SERVERS;
	uint64_t best_weight = 0;
	for (unsigned s = 0; s < MAX_SERVERS; s++) {
		if (!lb->in_service[s])
			continue;
		uint64_t w = mix(((uint64_t)addr << 8) ^ s);
		if (best == MAX_SERVERS || w > best_weight) {
			best = s;
			best_weight = w;
		}
	}
	cr_assert_neq(best, MAX_SERVERS, "no server in service");
	return best;
}

/* The rule: the server id in a routable CID if that server is in
 * service, else the address hash. */
static unsigned route(const struct balancer *lb, const uint8_t *d, size_t len, uint32_t addr)
{
	struct petrel_cid_route r;
	if (petrel_cid_route_from_datagram(&lb->cfg, d, len, &r) == 1 &&
	    r.config_id == lb->cfg.config_id && r.server_id[0] < MAX_SERVERS &&
	    lb->in_service[r.server_id[0]])
		return r.server_id[0];
	return route_by_address(lb, addr);
}

static size_t client_hello(uint8_t *d)
{
	const uint8_t hello[16] = {22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0};
	memcpy(d, hello, sizeof hello);
	return sizeof hello;
}

/* An application-data record of the session (tls12_cid, RFC 9146 4). */
static size_t cid_record(const uint8_t *cid, uint8_t *d)
{
	const uint8_t head[11] = {25, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 5};
	memcpy(d, head, sizeof head);
	memcpy(d + 11, cid, CID_LEN);
	d[11 + CID_LEN] = 0;
	d[12 + CID_LEN] = 2;
	d[13 + CID_LEN] = 0xaa;
	d[14 + CID_LEN] = 0xbb;
	return 15 + CID_LEN;
}

static uint32_t next_addr(uint64_t *state)
{
	*state = mix(*state);
	return (uint32_t)*state;
}

/* Each session starts with a ClientHello routed by address; the server
 * that answers issues a CID carrying its id. */
static void establish(const struct balancer *lb, struct sim_session *s, uint64_t *rng)
{
	uint8_t d[64];
	s->addr = next_addr(rng);
	s->server = route(lb, d, client_hello(d), s->addr);
	struct petrel_cid_route_config server_cfg = lb->cfg;
	server_cfg.server_id[0] = (uint8_t)s->server;
	cr_assert_eq(petrel_cid_route_issue(&server_cfg, 0, s->cid, sizeof s->cid), CID_LEN);
}

static void init_balancer(struct balancer *lb, unsigned servers)
{
	memset(lb, 0, sizeof *lb);
	lb->cfg = (struct petrel_cid_route_config){.config_id = 0, .cid_len = CID_LEN,
						   .server_id_len = 1};
	for (unsigned s = 0; s < servers; s++)
		lb->in_service[s] = true;
}

Test(lb_routing, cid_sessions_keep_their_server_when_servers_join_and_leave)
{
	struct balancer lb;
	init_balancer(&lb, 4);
	uint64_t rng = 19;
	static struct sim_session sessions[SESSIONS];
	unsigned per_server[MAX_SERVERS] = {0};
	for (unsigned i = 0; i < SESSIONS; i++) {
		establish(&lb, &sessions[i], &rng);
		per_server[sessions[i].server]++;
	}
	for (unsigned s = 0; s < 4; s++)
		cr_assert_gt(per_server[s], 0, "server %u got no handshakes", s);

	/* Two servers join, server 2 leaves; every peer rebinds (new
	 * address) between each step. */
	const struct {
		unsigned server;
		bool in_service;
	} steps[] = {{4, true}, {5, true}, {2, false}};
	for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
		lb.in_service[steps[k].server] = steps[k].in_service;
		for (unsigned i = 0; i < SESSIONS; i++) {
			struct sim_session *s = &sessions[i];
			s->addr = next_addr(&rng);
			uint8_t d[64];
			unsigned to = route(&lb, d, cid_record(s->cid, d), s->addr);
			if (lb.in_service[s->server])
				cr_assert_eq(to, s->server, "session %u moved after step %zu", i, k);
			else
				cr_assert(lb.in_service[to]);
		}
	}
	/* New handshakes reach the servers that joined. */
	unsigned on_new = 0;
	for (unsigned i = 0; i < SESSIONS; i++) {
		struct sim_session s;
		establish(&lb, &s, &rng);
		cr_assert(lb.in_service[s.server]);
		on_new += s.server >= 4;
	}
	cr_assert_gt(on_new, 0);
}

Test(lb_routing, address_routing_alone_loses_sessions_on_rebinding)
{
	/* The contrast that motivates the rule: without the CID, a rebound
	 * peer is hashed afresh and most land on a server without their
	 * session. */
	struct balancer lb;
	init_balancer(&lb, 4);
	uint64_t rng = 7;
	unsigned moved = 0;
	for (unsigned i = 0; i < SESSIONS; i++) {
		struct sim_session s;
		establish(&lb, &s, &rng);
		moved += route_by_address(&lb, next_addr(&rng)) != s.server;
	}
	cr_assert_gt(moved, SESSIONS / 2);
}

Test(lb_routing, cids_of_an_unknown_config_or_server_fall_back_to_the_address)
{
	struct balancer lb;
	init_balancer(&lb, 3);
	uint8_t cid[CID_LEN] = {0, 9, 1, 2, 3, 4, 5, 6}, d[64];
	/* Server 9 is not in service: the address decides, consistently. */
	size_t len = cid_record(cid, d);
	cr_assert_eq(route(&lb, d, len, 1234), route_by_address(&lb, 1234));
	cid[0] = (1u << 6); /* config 1: not the balancer's */
	cid[1] = 1;
	len = cid_record(cid, d);
	cr_assert_eq(route(&lb, d, len, 99), route_by_address(&lb, 99));
}
