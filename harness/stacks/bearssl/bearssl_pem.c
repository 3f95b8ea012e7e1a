/* bearssl_pem.c — PEM files for the BearSSL shim: certificates and keys
 * decoded with br_pem_decoder and br_skey_decoder, trust anchors made with
 * BearSSL's x509 decoder, cached per file (see shim_bearssl.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bearssl_shim.h"
#include "der.h"

#define PEM_CACHE 16
static struct pemfile *pem_cache[PEM_CACHE];
static size_t pem_next;

int bs_blob_add(struct blob *b, const void *p, size_t n)
{
    uint8_t *q = realloc(b->p, b->n + n + 1);
    if (!q)
        return -1;
    memcpy(q + b->n, p, n);
    b->p = q;
    b->n += n;
    return 0;
}

static void pem_dest(void *ctx, const void *p, size_t n)
{
    if (bs_blob_add(ctx, p, n) != 0)
        abort(); /* out of memory while decoding a PEM file */
}

static void pemfile_free(struct pemfile *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->ncerts; i++)
        free(f->certs[i].p);
    for (size_t i = 0; i < f->ntas; i++) {
        free(f->tas[i].dn.data);
        if (f->tas[i].pkey.key_type == BR_KEYTYPE_RSA) {
            free(f->tas[i].pkey.key.rsa.n);
            free(f->tas[i].pkey.key.rsa.e);
        } else {
            free(f->tas[i].pkey.key.ec.q);
        }
    }
    free(f->tas);
    free(f->certs);
    free(f->chain);
    free(f->key.p);
    free(f->id);
    free(f);
}

void bs_pem_cleanup(void)
{
    for (size_t i = 0; i < PEM_CACHE; i++) {
        pemfile_free(pem_cache[i]);
        pem_cache[i] = NULL;
    }
}

/* pem_parse decodes every object of |data| with br_pem_decoder: the
 * CERTIFICATE objects in order, and the first private key. */
static int pem_parse(struct pemfile *f, const uint8_t *data, size_t len)
{
    br_pem_decoder_context pc;
    br_pem_decoder_init(&pc);
    struct blob cur = {0};
    bool in_obj = false, is_cert = false, is_key = false;
    while (len > 0) {
        size_t k = br_pem_decoder_push(&pc, data, len);
        data += k;
        len -= k;
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ: {
            const char *name = br_pem_decoder_name(&pc);
            is_cert = strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
            is_key = strstr(name, "PRIVATE KEY") != NULL;
            free(cur.p);
            cur.p = NULL;
            cur.n = 0;
            br_pem_decoder_setdest(&pc, pem_dest, &cur);
            in_obj = true;
            break;
        }
        case BR_PEM_END_OBJ:
            if (in_obj && is_cert) {
                struct blob *nc = realloc(f->certs, (f->ncerts + 1) * sizeof(*nc));
                if (!nc)
                    return snprintf(f->err, sizeof(f->err), "out of memory"), -1;
                f->certs = nc;
                f->certs[f->ncerts++] = cur;
                cur.p = NULL;
                cur.n = 0;
            } else if (in_obj && is_key && !f->key.p) {
                f->key = cur;
                cur.p = NULL;
                cur.n = 0;
            }
            in_obj = false;
            break;
        case BR_PEM_ERROR:
            free(cur.p);
            return snprintf(f->err, sizeof(f->err), "br_pem_decoder: malformed PEM"), -1;
        default:
            break;
        }
    }
    free(cur.p);
    if (in_obj)
        return snprintf(f->err, sizeof(f->err), "br_pem_decoder: unterminated PEM object"), -1;
    f->chain = calloc(f->ncerts ? f->ncerts : 1, sizeof(*f->chain));
    if (!f->chain)
        return snprintf(f->err, sizeof(f->err), "out of memory"), -1;
    for (size_t i = 0; i < f->ncerts; i++) {
        f->chain[i].data = f->certs[i].p;
        f->chain[i].data_len = f->certs[i].n;
    }
    if (f->key.p) {
        br_skey_decoder_init(&f->skey);
        br_skey_decoder_push(&f->skey, f->key.p, f->key.n);
        int e = br_skey_decoder_last_error(&f->skey);
        if (e != 0)
            return snprintf(f->err, sizeof(f->err), "br_skey_decoder: error %d", e), -1;
        f->skey_ok = true;
    }
    return 0;
}

/* bs_load_pem returns the parsed file |path|, from the cache when its identity
 * (path, inode, size, mtime) is unchanged; NULL with the error recorded. */
struct pemfile *bs_load_pem(const char *path, const char *what, struct shim_obs *obs)
{
    char *id = NULL;
    size_t idlen = 0;
    FILE *m = open_memstream(&id, &idlen);
    if (!m)
        return shim_set_error(obs, 0, "open_memstream failed"), NULL;
    int bad = shim_id_add(m, "f", path);
    int saved = errno;
    fclose(m);
    if (bad || !id) {
        char text[512];
        snprintf(text, sizeof(text), "cannot read %s %s: %s", what, path ? path : "(none)",
                 strerror(saved));
        shim_set_error(obs, saved, text);
        free(id);
        return NULL;
    }
    for (size_t i = 0; i < PEM_CACHE; i++)
        if (pem_cache[i] && strcmp(pem_cache[i]->id, id) == 0) {
            free(id);
            return pem_cache[i];
        }
    struct pemfile *f = calloc(1, sizeof(*f));
    size_t len = 0;
    uint8_t *data = f ? shim_read_file(path, &len) : NULL;
    if (!f || !data) {
        char text[512];
        snprintf(text, sizeof(text), "cannot read %s %s", what, path);
        shim_set_error(obs, 0, text);
        free(data);
        free(f);
        free(id);
        return NULL;
    }
    f->id = id;
    int rc = pem_parse(f, data, len);
    free(data);
    if (rc != 0) {
        char text[512];
        snprintf(text, sizeof(text), "%s %s: %s", what, path, f->err);
        shim_set_error(obs, 0, text);
        pemfile_free(f);
        return NULL;
    }
    pemfile_free(pem_cache[pem_next]);
    pem_cache[pem_next] = f;
    pem_next = (pem_next + 1) % PEM_CACHE;
    return f;
}

static void *dup_mem(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

/* make_anchors turns each certificate of |f| into a trust anchor, as
 * BearSSL's tools do (tools/certs.c): the subject DN as the x509 decoder
 * delivers it, the public key, and BR_X509_TA_CA when the certificate is a
 * CA. Returns 0, or -1 with the error recorded. */
static int make_anchors(struct pemfile *f, const char *path, struct shim_obs *obs)
{
    if (f->tas_done)
        return 0;
    f->tas = calloc(f->ncerts ? f->ncerts : 1, sizeof(*f->tas));
    if (!f->tas)
        return shim_set_error(obs, 0, "out of memory"), -1;
    for (size_t i = 0; i < f->ncerts; i++) {
        struct blob dn = {0};
        br_x509_decoder_context dc;
        br_x509_decoder_init(&dc, pem_dest, &dn);
        br_x509_decoder_push(&dc, f->certs[i].p, f->certs[i].n);
        const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
        if (!pk) {
            char text[512];
            snprintf(text, sizeof(text), "certificate %zu of %s: br_x509_decoder error %d", i, path,
                     br_x509_decoder_last_error(&dc));
            free(dn.p);
            return shim_set_error(obs, br_x509_decoder_last_error(&dc), text), -1;
        }
        br_x509_trust_anchor *ta = &f->tas[f->ntas++];
        ta->dn.data = dn.p ? dn.p : dup_mem("", 0);
        ta->dn.len = dn.n;
        ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
        ta->pkey.key_type = pk->key_type;
        if (pk->key_type == BR_KEYTYPE_RSA) {
            ta->pkey.key.rsa.n = dup_mem(pk->key.rsa.n, pk->key.rsa.nlen);
            ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
            ta->pkey.key.rsa.e = dup_mem(pk->key.rsa.e, pk->key.rsa.elen);
            ta->pkey.key.rsa.elen = pk->key.rsa.elen;
        } else {
            ta->pkey.key.ec.curve = pk->key.ec.curve;
            ta->pkey.key.ec.q = dup_mem(pk->key.ec.q, pk->key.ec.qlen);
            ta->pkey.key.ec.qlen = pk->key.ec.qlen;
        }
    }
    f->tas_done = true;
    return 0;
}

/* bs_anchors_of loads |path| (NULL: none) as trust anchors. */
int bs_anchors_of(const char *path, const char *what, const br_x509_trust_anchor **tas, size_t *n,
                      struct shim_obs *obs)
{
    *tas = NULL;
    *n = 0;
    if (!path)
        return 0;
    struct pemfile *f = bs_load_pem(path, what, obs);
    if (!f || make_anchors(f, path, obs) != 0)
        return -1;
    *tas = f->tas;
    *n = f->ntas;
    return 0;
}

int bs_load_cred(struct cred *cr, const char *cert, const char *key, struct shim_obs *obs)
{
    cr->cert = bs_load_pem(cert, "certificate", obs);
    if (!cr->cert)
        return -1;
    if (cr->cert->ncerts == 0) {
        char text[512];
        snprintf(text, sizeof(text), "no certificate in %s", cert);
        return shim_set_error(obs, 0, text), -1;
    }
    cr->key = bs_load_pem(key, "key", obs);
    if (!cr->key)
        return -1;
    if (!cr->key->skey_ok) {
        char text[512];
        snprintf(text, sizeof(text), "no private key in %s", key);
        return shim_set_error(obs, 0, text), -1;
    }
    if (cb_der_cert_issuer(cr->cert->certs[0].p, cr->cert->certs[0].n, &cr->issuer, &cr->issuer_len) != 0)
        cr->issuer = NULL;
    return 0;
}
