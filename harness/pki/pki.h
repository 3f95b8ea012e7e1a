/* pki.h — the test PKI of a case: a server credential, one client credential
 * per issuer DN, and the certificates behind a configured CA list, made with
 * libcrypto's X509 API (ECDSA P-256, SHA-256, valid 2020-01-01 00:00:00Z to
 * 2049-12-31 23:59:59Z; serial numbers 1 and 2 for the server CA and leaf,
 * random above 2^32 for every other certificate).
 *
 * Layout under spec->dir (every piece is cached and reused when present;
 * pieces appear by rename only, so concurrent workers never read a partial
 * file):
 *   server-v1/              server-ca.pem, server-ca.key, server.pem, server.key
 *   clients-<hash>/         client-ca-I.pem, client-ca-I.key, client-I.pem,
 *                           client-I.key, client-cas.pem; <hash> covers the
 *                           issuer DNs
 *   list-<hash>.pem         one certificate per list DN; <hash> covers the
 *                           list and the real client CA certificates in it
 *
 * Keys are written unencrypted as PKCS#8 ("BEGIN PRIVATE KEY"), which every
 * stack of the suite reads. */
#ifndef CABOUND_PKI_H
#define CABOUND_PKI_H

#include <stddef.h>

#include "calist.h"

typedef struct cb_pki_spec {
    const char *dir;                 /* output directory, created if missing */
    const cb_calist *client_issuers; /* one issuer DN per client credential, in order; may be NULL (no clients) */
    const cb_calist *list;           /* the configured CA list, may be NULL; its DNs labelled "real:clientN" are client N's issuer */
} cb_pki_spec;

typedef struct cb_pki { /* absolute paths, malloc'd */
    char *server_cert, *server_key;  /* leaf CN=localhost (SAN DNS:localhost) signed by the server CA */
    char *server_ca;                 /* the server CA cert: the client's trust anchor */
    char *client_cas;                /* PEM bundle of all client issuer CA certs (empty file when there are no clients) */
    size_t n_clients;
    char **client_cert, **client_key; /* client i: leaf (CN "cabound client i", EKU clientAuth) signed by a CA whose subject is client_issuers->dns[i] */
    char *list_pem;                  /* NULL if no list: one certificate per DN of the list, same order */
} cb_pki;

/* cb_pki_make makes (or finds in its cache) the PKI described by |spec| and
 * fills |out| with the paths of its files. A list DN gets the real CA
 * certificate of client N when it is labelled "real:clientN" (it must then
 * equal client N's issuer) or, unlabelled, when it equals some client's issuer
 * (the first such client); every other list DN gets a self-signed CA
 * certificate with exactly that subject. Returns 0 on success, with every file
 * of |out| complete on disk; on failure returns -1, leaves |out| zeroed and
 * writes one line into |err| (a DN that is not a Name is named by its index). */
int cb_pki_make(const cb_pki_spec *spec, cb_pki *out, char *err, size_t errlen);

/* cb_pki_cert_der gives the DER of the first certificate of the PEM file
 * |path|, remembered across calls while the file stays the same (the
 * pointer stays valid until 16 other files were read). 0, or -1 with |err|. */
int cb_pki_cert_der(const char *path, const uint8_t **der, size_t *len, char *err, size_t errlen);

/* cb_pki_free frees the paths of |p| (not the files) and zeroes it. */
void cb_pki_free(cb_pki *p);

#endif
