/* Object identifiers Petrel recognises, as DER contents (no tag/length). */
#ifndef PETREL_X509_OID_H
#define PETREL_X509_OID_H

#include <stdint.h>

/* Key algorithms (RFC 5480, RFC 8410, RFC 8017). */
extern const uint8_t petrel_oid_ec_public_key[7];
extern const uint8_t petrel_oid_prime256v1[8];
extern const uint8_t petrel_oid_secp384r1[5];
extern const uint8_t petrel_oid_ed25519[3];
extern const uint8_t petrel_oid_rsa_encryption[9];
extern const uint8_t petrel_oid_rsassa_pss[9];
extern const uint8_t petrel_oid_mgf1[9];

/* Signature algorithms (RFC 5758 3.2, RFC 4055 5, RFC 8410 3). */
extern const uint8_t petrel_oid_sha256_with_rsa[9];
extern const uint8_t petrel_oid_sha384_with_rsa[9];
extern const uint8_t petrel_oid_ecdsa_sha256[8];
extern const uint8_t petrel_oid_ecdsa_sha384[8];
extern const uint8_t petrel_oid_sha256[9];
extern const uint8_t petrel_oid_sha384[9];

/* Attributes and extensions (RFC 5280 4.1.2.4, 4.2). */
extern const uint8_t petrel_oid_common_name[3];
extern const uint8_t petrel_oid_subject_key_id[3];
extern const uint8_t petrel_oid_key_usage[3];
extern const uint8_t petrel_oid_subject_alt_name[3];
extern const uint8_t petrel_oid_basic_constraints[3];
extern const uint8_t petrel_oid_certificate_policies[3];
extern const uint8_t petrel_oid_authority_key_id[3];
extern const uint8_t petrel_oid_ext_key_usage[3];
extern const uint8_t petrel_oid_name_constraints[3];
extern const uint8_t petrel_oid_policy_constraints[3];
extern const uint8_t petrel_oid_any_ext_key_usage[4];
extern const uint8_t petrel_oid_kp_server_auth[8];
extern const uint8_t petrel_oid_kp_client_auth[8];

#endif
