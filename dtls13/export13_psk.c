/* PSK key exchange modes (see export13_psk.h). */
#include "dtls13/export13_psk.h"

#include "petrel/petrel.h"

/* The modes in force: set ones, else what psk_only meant before modes
 * could be set (client: psk_ke alone; server: psk_ke allowed too). */
static unsigned modes_of(const struct petrel_hs13_config *cfg, bool server)
{
	if (cfg->psk_modes != 0)
		return cfg->psk_modes;
	if (!cfg->psk_only)
		return PETREL_PSK_MODE_DHE;
	return server ? PETREL_PSK_MODE_DHE | PETREL_PSK_MODE_PLAIN : PETREL_PSK_MODE_PLAIN;
}

void petrel_psk13_configure(struct petrel_hs13_config *cfg, bool server, unsigned modes)
{
	if (modes == 0)
		return;
	if (server) {
		cfg->psk_modes = (uint8_t)modes;
		cfg->psk_only = (modes & PETREL_PSK_MODE_PLAIN) != 0;
	} else if (cfg->psk != NULL) {
		cfg->psk_modes = (uint8_t)modes;
		cfg->psk_only = modes == PETREL_PSK_MODE_PLAIN;
	}
}

void petrel_psk13_client_offer(const struct petrel_hs13_config *cfg,
			       struct petrel_psk_modes *offer)
{
	unsigned m = modes_of(cfg, false);
	offer->psk_ke = (m & PETREL_PSK_MODE_PLAIN) != 0;
	/* Without a key_share (psk_only) psk_dhe_ke cannot be chosen. */
	offer->psk_dhe_ke = (m & PETREL_PSK_MODE_DHE) != 0 && !cfg->psk_only;
}

bool petrel_psk13_client_accepts(const struct petrel_hs13_config *cfg, bool with_dhe)
{
	struct petrel_psk_modes offer;
	petrel_psk13_client_offer(cfg, &offer);
	return with_dhe ? offer.psk_dhe_ke : offer.psk_ke;
}

void petrel_psk13_server_pick(const struct petrel_hs13_config *cfg, bool found, bool dhe_ke,
			      bool ke, bool have_group, bool *use_psk, bool *need_dhe)
{
	unsigned m = modes_of(cfg, true);
	*use_psk = false;
	*need_dhe = true;
	if (!found)
		return;
	if ((m & PETREL_PSK_MODE_DHE) && dhe_ke && have_group) {
		*use_psk = true;
	} else if ((m & PETREL_PSK_MODE_PLAIN) && ke) {
		*use_psk = true;
		*need_dhe = false;
	}
}
