/* bearssl_shim.h — what the BearSSL shim's files share (shim_bearssl.c runs
 * a case; bearssl_pem.c reads PEM files into certificates, keys, anchors and
 * credentials, once per file). */
#ifndef CABOUND_BEARSSL_SHIM_H
#define CABOUND_BEARSSL_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "shim.h"

struct blob {
    uint8_t *p;
    size_t n;
};

/* One PEM file: its certificates (DER, in file order), its key (if any),
 * and the trust anchors made from its certificates (on first use). */
struct pemfile {
    char *id;
    struct blob *certs;
    size_t ncerts;
    br_x509_certificate *chain; /* the same certificates, for the engine */
    struct blob key;            /* PKCS#8 or SEC1/PKCS#1 key, DER */
    br_skey_decoder_context skey;
    bool skey_ok;
    br_x509_trust_anchor *tas;
    size_t ntas;
    bool tas_done;
    char err[200];
};

/* A credential: chain and key from two PEM files. */
struct cred {
    struct pemfile *cert, *key;
    const uint8_t *issuer; /* the leaf's issuer DN, inside cert->certs[0] */
    size_t issuer_len;
};

int bs_blob_add(struct blob *b, const void *p, size_t n);
void bs_pem_cleanup(void);
struct pemfile *bs_load_pem(const char *path, const char *what, struct shim_obs *obs);
int bs_anchors_of(const char *path, const char *what, const br_x509_trust_anchor **tas, size_t *n,
                  struct shim_obs *obs);
int bs_load_cred(struct cred *cr, const char *cert, const char *key, struct shim_obs *obs);

#endif
