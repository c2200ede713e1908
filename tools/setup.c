/* Turn options into credentials and session settings. Problems with what
 * the user gave (unreadable file, unknown suite) are usage errors: one line
 * on stderr and CLI_EXIT_USAGE. */
#include <errno.h>
#include <string.h>

#include "tools/cli.h"

/* Check a file up front so the message names the file and the OS reason,
 * which the library's PETREL_E_FILE_ERROR cannot. */
static int check_readable(const struct cli_options *o, const char *option, const char *file)
{
	FILE *f = fopen(file, "r");
	if (f == NULL) {
		fprintf(stderr, "petrel %s: cannot read %s file '%s': %s\n", o->command, option, file,
			strerror(errno));
		return CLI_EXIT_USAGE;
	}
	fclose(f);
	return 0;
}

static int load_files(const struct cli_options *o, petrel_credentials *c)
{
	int rc;
	if (o->cert_file == NULL && o->key_file) {
		/* --rpk --key: a raw public key alone (RFC 7250). */
		if ((rc = check_readable(o, "--key", o->key_file)))
			return rc;
		rc = petrel_credentials_set_raw_key_file(c, o->key_file);
		if (rc < 0) {
			fprintf(stderr, "petrel %s: cannot load --key '%s': %s\n", o->command,
				o->key_file, cli_error(rc));
			return CLI_EXIT_USAGE;
		}
	}
	if (o->cert_file) {
		if ((rc = check_readable(o, "--cert", o->cert_file)) ||
		    (rc = check_readable(o, "--key", o->key_file)))
			return rc;
		rc = petrel_credentials_set_key_file(c, o->cert_file, o->key_file);
		if (rc < 0) {
			fprintf(stderr, "petrel %s: cannot load --cert '%s' / --key '%s': %s\n", o->command,
				o->cert_file, o->key_file, cli_error(rc));
			return CLI_EXIT_USAGE;
		}
	}
	if (o->ca_file) {
		if ((rc = check_readable(o, "--ca", o->ca_file)))
			return rc;
		rc = petrel_credentials_set_trust_file(c, o->ca_file);
		if (rc < 0) {
			fprintf(stderr, "petrel %s: cannot load --ca '%s': %s\n", o->command, o->ca_file,
				cli_error(rc));
			return CLI_EXIT_USAGE;
		}
	}
	return 0;
}

int cli_load_credentials(const struct cli_options *o, bool server, petrel_credentials **out)
{
	petrel_credentials *c;
	int rc = petrel_credentials_new(&c);
	if (rc < 0) {
		fprintf(stderr, "petrel %s: %s\n", o->command, cli_error(rc));
		return CLI_EXIT_FAIL;
	}
	if (o->psk_identity) {
		rc = petrel_credentials_set_psk(c, o->psk_identity, o->psk_key, o->psk_key_len);
		if (rc < 0) {
			fprintf(stderr, "petrel %s: --psk: %s\n", o->command, cli_error(rc));
			petrel_credentials_free(c);
			return CLI_EXIT_USAGE;
		}
	}
	if (o->psk_file && (rc = cli_load_psk_file(o, server, c))) {
		petrel_credentials_free(c);
		return rc;
	}
	if (server && o->ticket_key_file && (rc = cli_load_ticket_key_file(o, c))) {
		petrel_credentials_free(c);
		return rc;
	}
	if (o->psk_hint && (rc = petrel_credentials_set_psk_hint(c, o->psk_hint)) < 0) {
		fprintf(stderr, "petrel %s: --psk-hint: %s\n", o->command, cli_error(rc));
		petrel_credentials_free(c);
		return CLI_EXIT_USAGE;
	}
	if ((rc = load_files(o, c))) {
		petrel_credentials_free(c);
		return rc;
	}
	if (server && o->cert_file == NULL && o->key_file == NULL && o->psk_identity == NULL &&
	    o->psk_file == NULL) {
		/* Nothing given: a fresh self-signed certificate, as WebRTC does;
		 * clients pin the fingerprint printed by the server command. */
		rc = petrel_credentials_generate(c, PETREL_KEYTYPE_ECDSA_P256, "petrel-server");
		if (rc < 0) {
			fprintf(stderr, "petrel %s: generating a certificate: %s\n", o->command,
				cli_error(rc));
			petrel_credentials_free(c);
			return CLI_EXIT_FAIL;
		}
	}
	uint8_t spki_pin[32];
	if (server && o->rpk && !o->quiet && petrel_credentials_get_spki_sha256(c, spki_pin) == 0) {
		char hex[3 * 32];
		cli_hex(spki_pin, sizeof spki_pin, ':', hex, sizeof hex);
		fprintf(stderr, "petrel %s: raw public key (RFC 7250), clients can pin it with\n"
				"  --pin-spki-sha256 %s\n", o->command, hex);
	}
	*out = c;
	return 0;
}

static int setting_failed(const struct cli_options *o, const char *option, const char *arg, int rc)
{
	fprintf(stderr, "petrel %s: %s '%s': %s\n", o->command, option, arg, cli_error(rc));
	return CLI_EXIT_USAGE;
}

/* --verbose: every MTU change as it happens, with its reason. */
static void print_mtu_change(void *ptr, unsigned old_mtu, unsigned new_mtu, int reason)
{
	const struct cli_options *o = ptr;
	static const char *const why[] = {"?", "configured", "EMSGSIZE from the kernel",
					   "black hole (unanswered large datagrams)",
					   "probe acknowledged"};
	fprintf(stderr, "petrel %s: MTU %u -> %u (%s)\n", o->command, old_mtu, new_mtu,
		reason > 0 && reason <= PETREL_MTU_PROBE ? why[reason] : why[0]);
}

/* --min-version / --max-version: the option naming a version this build
 * does not speak is named in the error (petrel info lists what it does). */
static int configure_versions(petrel_session *s, const struct cli_options *o)
{
	/* The demo shows a DTLS 1.2 handshake (its banner, its report's key
	 * exchange and EMS lines); client and server otherwise keep the
	 * library's default range (issue #20 item 3). */
	if (o->min_version == 0 && o->max_version == 0 && strcmp(o->command, "demo") == 0)
		return petrel_session_set_versions(s, PETREL_DTLS1_2, PETREL_DTLS1_2) < 0 ? CLI_EXIT_USAGE
											   : 0;
	if (o->min_version == 0 && o->max_version == 0)
		return 0;
	const int asked[2] = {o->min_version, o->max_version};
	static const char *const option[2] = {"--min-version", "--max-version"};
	for (int i = 0; i < 2; i++) {
		if (asked[i] && !petrel_version_supported(asked[i])) {
			fprintf(stderr, "petrel %s: %s %s: this build does not speak %s (`petrel info` lists "
					"the versions it does)\n",
				o->command, option[i], asked[i] == PETREL_DTLS1_3 ? "1.3" : "1.2",
				petrel_version_name(asked[i]));
			return CLI_EXIT_USAGE;
		}
	}
	int rc = petrel_session_set_versions(s, o->min_version ? o->min_version : PETREL_DTLS1_2,
					     o->max_version ? o->max_version : PETREL_DTLS1_3);
	if (rc < 0) {
		fprintf(stderr, "petrel %s: --min-version / --max-version: %s\n", o->command,
			cli_error(rc));
		return CLI_EXIT_USAGE;
	}
	return 0;
}

int cli_configure_session(petrel_session *s, const struct cli_options *o, bool server)
{
	if (o->verbose)
		petrel_dtls_set_mtu_callback(s, print_mtu_change, (void *)o);
	int rc;
	if ((rc = configure_versions(s, o)))
		return rc;
	if (o->ciphers && (rc = petrel_session_set_ciphers(s, o->ciphers)) < 0)
		return setting_failed(o, "--ciphers", o->ciphers, rc);
	if (o->groups && (rc = petrel_session_set_groups(s, o->groups)) < 0)
		return setting_failed(o, "--groups", o->groups, rc);
	if (o->alpn && (rc = petrel_session_set_alpn(s, o->alpn)) < 0)
		return setting_failed(o, "--alpn", o->alpn, rc);
	if (o->renegotiate)
		(void)petrel_session_set_renegotiation(s, 1);
	if (o->psk_modes && (rc = petrel_session_set_psk_modes(s, o->psk_modes)) < 0)
		return setting_failed(o, "--psk-ke", "", rc);
	if (o->srtp && (rc = petrel_srtp_set_profiles(s, o->srtp)) < 0)
		return setting_failed(o, "--srtp", o->srtp, rc);
	if (o->have_srtp_mki && (rc = petrel_srtp_set_mki(s, o->srtp_mki, o->srtp_mki_len)) < 0)
		return setting_failed(o, "--srtp-mki", "", rc);
	/* Like gnutls-cli: the host named on the command line is the name to
	 * verify (and send as SNI unless it is an IP literal). */
	const char *name = o->sni ? o->sni : o->host;
	if (!server && name && (rc = petrel_session_set_server_name(s, name)) < 0)
		return setting_failed(o, "--sni", name, rc);
	if (o->rpk && (rc = petrel_session_set_raw_public_keys(s, PETREL_RPK_SERVER | PETREL_RPK_CLIENT)) < 0)
		return setting_failed(o, "--rpk", "", rc);
	if (o->have_pin)
		rc = petrel_session_set_verify(s, PETREL_VERIFY_PIN, o->pin_sha256, sizeof o->pin_sha256);
	else if (o->have_spki_pin)
		rc = petrel_session_set_verify(s, PETREL_VERIFY_PIN_SPKI, o->pin_spki_sha256,
					       sizeof o->pin_spki_sha256);
	else if (o->insecure)
		rc = petrel_session_set_verify(s, PETREL_VERIFY_NONE, NULL, 0);
	else
		rc = 0;
	if (rc < 0)
		return setting_failed(o, "--pin-sha256", "", rc);
	if (o->mtu_bytes)
		petrel_dtls_set_mtu(s, o->mtu_bytes);
	petrel_dtls_set_timeouts(s, o->retrans_ms, o->timeout_ms);
	return 0;
}

int cli_check_session_options(const struct cli_options *o, bool server)
{
	petrel_session *s;
	int rc = petrel_session_new(&s, server ? PETREL_SERVER : PETREL_CLIENT);
	if (rc < 0) {
		fprintf(stderr, "petrel %s: %s\n", o->command, cli_error(rc));
		return CLI_EXIT_FAIL;
	}
	rc = cli_configure_session(s, o, server);
	petrel_session_free(s);
	return rc;
}
