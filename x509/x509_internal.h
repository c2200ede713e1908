/* Helpers shared by the x509/ files only. */
#ifndef PETREL_X509_INTERNAL_H
#define PETREL_X509_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "x509/x509.h"

/* RSAPublicKey (RFC 8017 A.1.1) DER into key->rsa_n / rsa_e. */
int petrel_x509_rsa_pubkey_parse(const uint8_t *der, size_t len, struct petrel_pubkey *out);
/* A signature AlgorithmIdentifier's DER (tag included) to our enum;
 * PETREL_X509_SIG_UNKNOWN for well-formed but unsupported ones.
 * Malformed -> PETREL_E_CERT_PARSE. */
int petrel_x509_sig_alg_parse(const uint8_t *der, size_t len, enum petrel_x509_sig_alg *out);
/* Validates a Name (RFC 5280 4.1.2.4) body: SEQUENCE OF SET OF
 * SEQUENCE { OID, value }. */
int petrel_x509_name_check(const uint8_t *body, size_t len);

/* RFC 1034 3.5 / RFC 5280 4.2.1.6 dNSName syntax (LDH labels), with a
 * left-most "*" label if wildcard. */
bool petrel_x509_dns_syntax_ok(const uint8_t *name, size_t len, bool wildcard);
/* Validates NameConstraints contents (RFC 5280 4.2.1.10). */
int petrel_x509_nc_parse(const uint8_t *body, size_t len);
/* 0 if cert's subject and SAN names satisfy ca's name constraints, else
 * PETREL_E_CERT_NAME_MISMATCH. Each call spends names x constraints
 * comparisons from *work_left and refuses when they exceed it. */
int petrel_x509_nc_check(const struct petrel_x509_cert *ca, const struct petrel_x509_cert *cert,
			 size_t *work_left);

#endif
