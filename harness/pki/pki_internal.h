/* pki_internal.h — what pki.c, pki_x509.c and pki_cache.c share; not part
 * of the PKI's interface (pki.h). */
#ifndef CABOUND_PKI_INTERNAL_H
#define CABOUND_PKI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "errmsg.h"
#include "pki.h"

/* fail is the one error form (errmsg.h), named "pki". */
#define fail(err, errlen, ...) cb_fail_at((err), (errlen), "pki", 0, __VA_ARGS__)

/* ---- pki_cache.c */
char *pki_join(const char *dir, const char *name);
int pki_mkdir_p(const char *path, char *err, size_t errlen);
int pki_is_dir(const char *path);
int pki_is_file(const char *path);
void pki_remove_flat_dir(const char *path);
int pki_publish_dir(const char *tmp, const char *final, char *err, size_t errlen);

typedef struct pki_hasher {
    EVP_MD_CTX *md;
    int ok;
} pki_hasher;
void pki_hash_init(pki_hasher *h, const char *what);
void pki_hash_bytes(pki_hasher *h, const void *p, size_t n);
void pki_hash_u64(pki_hasher *h, uint64_t v);
void pki_hash_blob(pki_hasher *h, const void *p, size_t n);
int pki_hash_final(pki_hasher *h, char hex[33]);

/* ---- pki_x509.c */
int pki_ossl_fail(char *err, size_t errlen, const char *what);
typedef struct pki_validity {
    ASN1_TIME *not_before, *not_after;
} pki_validity;
int pki_validity_init(pki_validity *v, char *err, size_t errlen);
void pki_validity_free(pki_validity *v);
EVP_PKEY *pki_new_key(char *err, size_t errlen);
X509_NAME *pki_name_from_der(const uint8_t *der, size_t len);
X509_NAME *pki_name_from_text(const char *o, const char *cn);
typedef struct pki_cert_spec {
    const X509_NAME *subject;
    EVP_PKEY *key;        /* the subject's key */
    X509 *issuer;         /* NULL: self-signed */
    EVP_PKEY *issuer_key; /* NULL: self-signed */
    long serial;
    const char *eku;      /* leaf only: "serverAuth" or "clientAuth" */
    const char *san;      /* leaf only, may be NULL */
} pki_cert_spec;
X509 *pki_make_cert(const pki_cert_spec *s, const pki_validity *v, char *err, size_t errlen);
int pki_subject_matches(X509 *x, const uint8_t *der, size_t len);
int pki_write_cert(const char *path, X509 *x, char *err, size_t errlen);
int pki_write_key(const char *path, EVP_PKEY *k, char *err, size_t errlen);
int pki_read_cert_der(const char *path, uint8_t **der, size_t *len, char *err, size_t errlen);
int pki_set_pubkey_fast(X509 *x, X509 *from);

#endif
