/* What the tool prints about a session: handshake progress (--verbose),
 * failures, and the negotiated parameters. Diagnostics go to stderr so
 * stdout carries only data. */
#include <string.h>

#include "tools/cli.h"

void cli_hex(const uint8_t *data, size_t len, char sep, char *out, size_t cap)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t pos = 0;
	for (size_t i = 0; i < len && pos + 4 <= cap; i++) {
		if (i && sep)
			out[pos++] = sep;
		out[pos++] = digits[data[i] >> 4];
		out[pos++] = digits[data[i] & 15];
	}
	if (cap)
		out[pos < cap ? pos : cap - 1] = '\0';
}

/* Print only what changed since the last call, so a quiet handshake is a
 * few lines and a lossy one shows each retransmission. */
void cli_progress_update(struct cli_progress *p, const petrel_session *s, const char *who)
{
	struct petrel_stats st;
	if (petrel_session_get_stats(s, &st) < 0)
		return;
	unsigned mtu = petrel_dtls_get_mtu(s);
	if (p->started && st.flights_sent == p->last.flights_sent &&
	    st.retransmissions == p->last.retransmissions && st.timeouts == p->last.timeouts &&
	    st.rtt_ms == p->last.rtt_ms && st.rto_ms == p->last.rto_ms &&
	    st.mtu_changes == p->last.mtu_changes && mtu == p->mtu_bytes) {
		return; /* only byte counters moved: not worth a line */
	}
	fprintf(stderr,
		"%s: flights %llu, retransmissions %llu, timeouts %llu, rtt %u ms, rto %u ms, "
		"mtu %u (%u changes), datagrams %llu/%llu\n",
		who, (unsigned long long)st.flights_sent, (unsigned long long)st.retransmissions,
		(unsigned long long)st.timeouts, st.rtt_ms, st.rto_ms, mtu, st.mtu_changes,
		(unsigned long long)st.datagrams_sent, (unsigned long long)st.datagrams_received);
	p->last = st;
	p->mtu_bytes = mtu;
	p->started = true;
}

const char *cli_error(int rc)
{
	static char text[160];
	const char *name = petrel_strerror_name(rc), *desc = petrel_strerror(rc);
	/* petrel.h documents the name inside petrel_strerror(); add it if absent. */
	if (strncmp(desc, name, strlen(name)) == 0)
		return desc;
	snprintf(text, sizeof text, "%s: %s", name, desc);
	return text;
}

void cli_print_failure(const char *who, const petrel_session *s, int rc)
{
	int alert = s ? petrel_alert_get(s) : -1;
	fprintf(stderr, "petrel %s: %s (alert: %s)\n", who, cli_error(rc), petrel_alert_get_name(alert));
}

static const char *or_none(const char *name, const petrel_session *s)
{
	if (name && *name)
		return name;
	return petrel_session_is_resumed(s) ? "none (resumed session)" : "none";
}

void cli_print_session(FILE *out, const petrel_session *s, const char *indent)
{
	struct petrel_stats st;
	petrel_session_get_stats(s, &st);
	fprintf(out, "%sversion          %s\n", indent, cli_version_text(s));
	fprintf(out, "%ssuite            %s\n", indent, or_none(petrel_session_get_cipher_name(s), s));
	fprintf(out, "%skey exchange     %s\n", indent, or_none(petrel_session_get_group_name(s), s));
	fprintf(out, "%ssignature        %s\n", indent, or_none(petrel_session_get_signature_name(s), s));
	if (petrel_session_get_psk_identity(s))
		fprintf(out, "%spsk identity     %s\n", indent, petrel_session_get_psk_identity(s));
	size_t chain = 0;
	if (!petrel_session_peer_uses_raw_key(s) &&
	    petrel_session_get_peer_certificates(s, NULL, NULL, &chain) == PETREL_E_SHORT_BUFFER)
		fprintf(out, "%speer chain       %zu certificate%s\n", indent, chain, chain == 1 ? "" : "s");
	const uint8_t *peer_der;
	size_t peer_len;
	if (petrel_session_peer_uses_raw_key(s) &&
	    petrel_session_get_peer_certificate(s, 0, &peer_der, &peer_len) == 0) {
		fprintf(out, "%speer key         raw public key (RFC 7250), %zu-byte SPKI\n", indent,
			peer_len);
	}
	if (petrel_session_get_alpn(s))
		fprintf(out, "%salpn             %s\n", indent, petrel_session_get_alpn(s));
	fprintf(out, "%shandshake time   %llu ms, %u round trips\n", indent,
		(unsigned long long)st.handshake_ms, st.round_trips);
	fprintf(out, "%sflights          %llu sent, %llu retransmitted, %llu timeouts\n", indent,
		(unsigned long long)st.flights_sent, (unsigned long long)st.retransmissions,
		(unsigned long long)st.timeouts);
	fprintf(out, "%srtt              %u ms smoothed, retransmission timeout %u ms\n", indent,
		st.rtt_ms, st.rto_ms);
	fprintf(out, "%smtu              %u bytes, %u bytes of data per record\n", indent,
		petrel_dtls_get_mtu(s), petrel_dtls_get_data_mtu(s));
	fprintf(out, "%son the wire      sent %llu datagrams / %llu bytes, received %llu / %llu\n",
		indent, (unsigned long long)st.datagrams_sent, (unsigned long long)st.bytes_sent,
		(unsigned long long)st.datagrams_received, (unsigned long long)st.bytes_received);
	size_t cid_len;
	if (petrel_session_get_cid(s, PETREL_CID_OURS, NULL, &cid_len) == 0)
		cli_print_cid(out, s, indent);
	fprintf(out, "%sresumed          %s\n", indent, petrel_session_is_resumed(s) ? "yes" : "no");
	if (petrel_session_get_version(s) == PETREL_DTLS1_3) /* its key schedule binds the transcript */
		fprintf(out, "%sextended master  n/a (DTLS 1.3)\n", indent);
	else
		fprintf(out, "%sextended master  %s\n", indent,
			petrel_session_ems_negotiated(s) ? "yes (RFC 7627)"
							 : "no (peer without RFC 7627; not resumable)");
}

void cli_print_srtp(FILE *out, petrel_session *s, bool verbose, const char *indent)
{
	uint16_t profile = petrel_srtp_get_selected_profile(s);
	if (profile == 0)
		return;
	fprintf(out, "%ssrtp profile     %s\n", indent, petrel_srtp_get_profile_name(profile));
	const uint8_t *mki;
	size_t mki_len = 0;
	char hex[2 * 2 * (PETREL_SRTP_MAX_KEY_LEN + PETREL_SRTP_MAX_SALT_LEN) + 4];
	if (petrel_srtp_get_mki(s, &mki, &mki_len) == 0 && mki_len > 0) {
		char mki_hex[2 * 255 + 4];
		cli_hex(mki, mki_len, 0, mki_hex, sizeof mki_hex);
		fprintf(out, "%ssrtp mki         %s\n", indent, mki_hex);
	}
	if (!verbose)
		return;
	/* RFC 5764 4.2: the exporter output, then its split. */
	uint8_t material[2 * (PETREL_SRTP_MAX_KEY_LEN + PETREL_SRTP_MAX_SALT_LEN)];
	size_t len;
	struct petrel_srtp_keys keys;
	if (petrel_srtp_get_keying_material(s, material, sizeof material, &len) < 0 ||
	    petrel_srtp_get_keys(s, &keys) < 0)
		return;
	cli_hex(material, len, 0, hex, sizeof hex);
	fprintf(out, "%ssrtp keying      %s (%zu bytes)\n", indent, hex, len);
	cli_hex(keys.client_key, keys.key_len, 0, hex, sizeof hex);
	fprintf(out, "%ssrtp client key  %s\n", indent, hex);
	cli_hex(keys.client_salt, keys.salt_len, 0, hex, sizeof hex);
	fprintf(out, "%ssrtp client salt %s\n", indent, hex);
	cli_hex(keys.server_key, keys.key_len, 0, hex, sizeof hex);
	fprintf(out, "%ssrtp server key  %s\n", indent, hex);
	cli_hex(keys.server_salt, keys.salt_len, 0, hex, sizeof hex);
	fprintf(out, "%ssrtp server salt %s\n", indent, hex);
	memset(material, 0, sizeof material);
	memset(&keys, 0, sizeof keys);
}

const char *cli_version_text(const petrel_session *s)
{
	const char *name = petrel_version_name(petrel_session_get_version(s));
	return name ? name : "unknown";
}

/* What the library implements, from its own listings (IANA names), so
 * the text cannot drift from the code. */
void cli_print_algorithms(FILE *out)
{
	const char *name;
	uint16_t id;
	fprintf(out, "cipher suites (DTLS 1.2, AEAD only; preference order):\n");
	for (size_t i = 0; (name = petrel_cipher_suite_info(i, &id)) != NULL; i++)
		fprintf(out, "  %-46s 0x%04X\n", name, id);
	fprintf(out, "  (no CBC suites: asking for one gives PETREL_E_UNSUPPORTED; AEAD suites\n"
		     "  only, RFC 7525 / RFC 9325 recommendations)\n");
	fprintf(out, "cipher suites (DTLS 1.3; preference order; --ciphers takes both):\n");
	for (size_t i = 0; (name = petrel_cipher_suite13_info(i, &id)) != NULL; i++)
		fprintf(out, "  %-46s 0x%04X\n", name, id);
	fprintf(out, "groups (key exchange; --groups):\n");
	for (size_t i = 0; (name = petrel_group_info(i, &id)) != NULL; i++)
		fprintf(out, "  %-46s 0x%04X\n", name, id);
	fprintf(out, "signature algorithms:\n");
	for (size_t i = 0; (name = petrel_sign_algorithm_info(i, &id)) != NULL; i++)
		fprintf(out, "  %-46s 0x%04X\n", name, id);
	/* The IANA code points, named by the library. */
	static const uint16_t srtp[] = {PETREL_SRTP_AES128_CM_HMAC_SHA1_80, PETREL_SRTP_AES128_CM_HMAC_SHA1_32,
					PETREL_SRTP_AEAD_AES_128_GCM, PETREL_SRTP_AEAD_AES_256_GCM};
	fprintf(out, "DTLS-SRTP protection profiles (RFC 5764; --srtp):\n");
	for (size_t i = 0; i < sizeof srtp / sizeof srtp[0]; i++)
		fprintf(out, "  %-46s 0x%04X\n", petrel_srtp_get_profile_name(srtp[i]), srtp[i]);
}

/* The CIDs as hex, or "empty" for a zero-length one (plain records). */
static void cid_text(const petrel_session *s, int which, char *out, size_t cap)
{
	const uint8_t *cid = NULL;
	size_t len = 0;
	(void)petrel_session_get_cid(s, which, &cid, &len);
	if (len == 0) {
		snprintf(out, cap, "empty");
		return;
	}
	cli_hex(cid, len, 0, out, cap);
}

void cli_print_cid(FILE *out, const petrel_session *s, const char *indent)
{
	size_t len;
	if (petrel_session_get_cid(s, PETREL_CID_OURS, NULL, &len) < 0) {
		fprintf(out, "%sconnection id    none negotiated\n", indent);
		return;
	}
	char ours[2 * 255 + 8], peers[2 * 255 + 8];
	cid_text(s, PETREL_CID_OURS, ours, sizeof ours);
	cid_text(s, PETREL_CID_PEERS, peers, sizeof peers);
	fprintf(out, "%sconnection id    ours %s (in records we receive), peer's %s (in records we send)\n",
		indent, ours, peers);
}
