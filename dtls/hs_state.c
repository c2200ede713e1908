/* A handshake's lifetime: its state allocated, keys installed per
 * direction, the peer's ChangeCipherSpec taken, and the hand-over to the
 * established association when it ends. A service for the role files. */
#include "dtls/hs_state.h"

#include <stdlib.h>
#include <string.h>

#include "dtls/session.h"

int petrel_hs_start(petrel_session *s, uint64_t now_ms)
{
	struct petrel_hs *hs = calloc(1, sizeof *hs);
	if (hs == NULL)
		return PETREL_E_MEMORY;
	petrel_reasm_init(&hs->rx);
	/* Buffered fragments count against the endpoint's budget too. */
	petrel_reasm_set_budget(&hs->rx, s->frag_budget);
	petrel_flight_init(&hs->flight);
	petrel_outq_init(&hs->outq, PETREL_OUTQ_SESSION_MAX_BYTES);
	petrel_rto_init(&hs->rto, s->retrans_initial_ms, s->rto_floor_ms, s->rto_cap_ms);
	hs->version = s->version;
	hs->start_ms = now_ms;
	hs->deadline_total_ms = s->total_timeout_ms ? now_ms + s->total_timeout_ms : UINT64_MAX;
	s->hs = hs;
	return 0;
}

void petrel_hs_free(petrel_session *s)
{
	struct petrel_hs *hs = s->hs;
	if (hs == NULL)
		return;
	/* What the engine queued leaves before the queue goes (normally
	 * nothing: a flight drains at its end, dtls/hs_output.c). */
	if (!petrel_outq_empty(&hs->outq))
		(void)petrel_outq_session_drain(s, NULL, 0, NULL);
	petrel_outq_free(&hs->outq);
	petrel_reasm_clear(&hs->rx);
	petrel_flight_reset(&hs->flight);
	if (hs->transcript) {
		petrel_wipe(hs->transcript, hs->transcript_cap);
		free(hs->transcript);
	}
	for (size_t i = 0; i < hs->peer_chain_count; i++)
		free(hs->peer_chain[i]);
	free(hs->ticket);
	petrel_wipe(hs, sizeof *hs);
	free(hs);
	s->hs = NULL;
}

void petrel_hs_free_final(petrel_session *s)
{
	if (s->final == NULL)
		return;
	petrel_flight_reset(&s->final->flight);
	free(s->final);
	s->final = NULL;
}

int petrel_hs_accept_ccs(petrel_session *s, enum petrel_hs_state expect, enum petrel_hs_state next)
{
	struct petrel_hs *hs = s->hs;
	if (hs->state != expect)
		return 0; /* not now: dropped */
	int rc = petrel_install_keys(s, false);
	if (rc < 0)
		return rc;
	/* The peer's handshake goes on in the new epoch: what epoch 0 left
	 * in the reassembler is forged or stale (issue #17 item 10). */
	petrel_reasm_set_epoch(&hs->rx, petrel_rl_read_epoch(&s->rl));
	hs->peer_ccs_taken = true;
	hs->bad_mac_at_peer_ccs = petrel_rl_stats(&s->rl)->dropped_bad_mac;
	hs->state = next;
	return 1;
}

int petrel_install_keys(petrel_session *s, bool write_side)
{
	struct petrel_hs *hs = s->hs;
	bool client = s->role == PETREL_CLIENT;
	const struct petrel_epoch_keys *keys;
	if (write_side) {
		keys = client ? &hs->client_write : &hs->server_write;
		return petrel_rl_set_write_keys(&s->rl, (uint16_t)(petrel_rl_write_epoch(&s->rl) + 1), keys);
	}
	keys = client ? &hs->server_write : &hs->client_write;
	return petrel_rl_set_read_keys(&s->rl, (uint16_t)(petrel_rl_read_epoch(&s->rl) + 1), keys);
}

/* The handshake is over: keep what the association needs, drop the rest.
 * A server keeps its final flight (CCS + Finished) to answer a client that
 * did not get it (RFC 6347 4.2.4); so does a client after an abbreviated
 * handshake, where it sends the last flight. */
int petrel_hs_finish(petrel_session *s, uint64_t now_ms)
{
	struct petrel_hs *hs = s->hs;
	bool sent_last = (s->role == PETREL_SERVER) != hs->resuming;
	s->established = true;
	s->idle_check_ms = now_ms + PETREL_IDLE_RELEASE_MS;
	s->app_activity = false;
	s->suite = hs->suite;
	s->group = hs->group;
	s->sig_scheme = hs->peer_sig_scheme;
	s->resumed = hs->resuming;
	s->ems = hs->ems;
	memcpy(s->master, hs->master, sizeof s->master);
	memcpy(s->client_random, hs->client_random, PETREL_RANDOM_LEN);
	memcpy(s->server_random, hs->server_random, PETREL_RANDOM_LEN);
	s->stats.handshake_ms = now_ms - hs->start_ms;
	s->stats.rtt_ms = hs->rto.stats.srtt_ms;
	if (hs->peer_chain_count > 0) {
		free(s->peer_cert);
		s->peer_cert = hs->peer_chain[0];
		s->peer_cert_len = hs->peer_chain_len[0];
		hs->peer_chain[0] = NULL;
		for (size_t i = 1; i < hs->peer_chain_count; i++) {
			free(hs->peer_chain[i]);
			hs->peer_chain[i] = NULL;
		}
		hs->peer_chain_count = 0;
	}
	if (s->role == PETREL_CLIENT) {
		/* What petrel_session_get_data hands out for the next resumption. */
		if (hs->ticket) {
			free(s->ticket);
			s->ticket = hs->ticket;
			s->ticket_len = hs->ticket_len;
			hs->ticket = NULL;
		}
		memcpy(s->session_id, hs->session_id, hs->session_id_len);
		s->session_id_len = hs->session_id_len;
	}
	petrel_reneg_on_finish(s, hs);
	petrel_hs_free_final(s);
	if (sent_last) {
		struct petrel_final_flight *fin = calloc(1, sizeof *fin);
		if (fin != NULL) {
			fin->flight = hs->flight; /* moves the heap buffers */
			petrel_flight_init(&hs->flight);
			/* Idle sessions stay small (issue #19 item 2): keep the
			 * bytes, not the plan and its scratch; a retransmission
			 * plans again. */
			fin->wire_bytes = petrel_flight_wire_bytes(&fin->flight);
			petrel_flight_compact(&fin->flight);
			fin->expires_ms = now_ms + PETREL_FINAL_FLIGHT_KEEP_MS;
			fin->last_tx_ms = hs->last_tx_ms;
			s->final = fin;
		}
	}
	petrel_hs_free(s);
	petrel_probe_start(s, now_ms);
	return 0;
}

