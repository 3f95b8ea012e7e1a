/* nss_material.c — the NSS shim's certificates and keys: PEM files read
 * into NSS objects, cached by content across cases (see shim_nss.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nssb64.h>
#include <pk11pub.h>

#include "nss_shim.h"

void nss_fatal(const char *fmt, ...)
{
    va_list ap;
    fputs("cabound-shim-nss: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(3);
}

const char *nss_err_name(PRErrorCode code)
{
    const char *n = PR_ErrorToName(code);
    return n ? n : "unknown error";
}

/* ------------------------------------------------------- material cache */

/* Files are cached by content (not by path alone, so that a regenerated
 * PKI at the same path is seen). Every NSS object here is released before
 * NSS_Shutdown. */
static struct cache_entry **g_cache; /* entries never move: callers keep pointers */
static size_t g_ncache, g_capcache;
unsigned long nss_case_no;

static void entry_free(struct cache_entry *e)
{
    for (size_t j = 0; j < e->ncerts; j++)
        CERT_DestroyCertificate(e->certs[j]);
    free(e->certs);
    if (e->key)
        SECKEY_DestroyPrivateKey(e->key);
    free(e->content);
    free(e->path);
    free(e);
}

void nss_cache_clear(void)
{
    for (size_t i = 0; i < g_ncache; i++)
        entry_free(g_cache[i]);
    free(g_cache);
    g_cache = NULL;
    g_ncache = g_capcache = 0;
}

/* nss_cache_trim drops what the last few cases did not use (a run's trust-store
 * lists would otherwise pile up); it runs between cases, when no pointer
 * into the cache is held. */
void nss_cache_trim(void)
{
    size_t kept = 0;
    for (size_t i = 0; i < g_ncache; i++) {
        if (nss_case_no - g_cache[i]->used > 4)
            entry_free(g_cache[i]);
        else
            g_cache[kept++] = g_cache[i];
    }
    g_ncache = kept;
}

static struct cache_entry *cache_find(enum entry_kind kind, const char *path, const uint8_t *content,
                                      size_t len)
{
    for (size_t i = 0; i < g_ncache; i++) {
        struct cache_entry *e = g_cache[i];
        if (e->kind == kind && e->len == len && strcmp(e->path, path) == 0 &&
            memcmp(e->content, content, len) == 0) {
            e->used = nss_case_no;
            return e;
        }
    }
    return NULL;
}

static struct cache_entry *cache_add(enum entry_kind kind, const char *path, uint8_t *content,
                                     size_t len)
{
    if (g_ncache == g_capcache) {
        size_t cap = g_capcache ? g_capcache * 2 : 16;
        struct cache_entry **n = realloc(g_cache, cap * sizeof(*n));
        if (!n)
            nss_fatal("out of memory");
        g_cache = n;
        g_capcache = cap;
    }
    struct cache_entry *e = calloc(1, sizeof(*e));
    if (!e)
        nss_fatal("out of memory");
    g_cache[g_ncache++] = e;
    e->kind = kind;
    e->used = nss_case_no;
    e->path = strdup(path);
    e->content = content;
    e->len = len;
    if (!e->path)
        nss_fatal("out of memory");
    return e;
}

/* nss_pem_next decodes the next PEM block at or after *pos into DER (caller
 * frees with SECITEM_FreeItem(item, PR_TRUE)) and its label. */
SECItem *nss_pem_next(const char *text, size_t *pos, char *label, size_t labellen)
{
    const char *b = strstr(text + *pos, "-----BEGIN ");
    if (!b)
        return NULL;
    const char *ls = b + 11;
    const char *le = strstr(ls, "-----");
    if (!le)
        return NULL;
    size_t ll = (size_t)(le - ls);
    if (ll >= labellen)
        ll = labellen - 1;
    memcpy(label, ls, ll);
    label[ll] = 0;
    const char *body = le + 5;
    const char *end = strstr(body, "-----END ");
    if (!end)
        return NULL;
    *pos = (size_t)(end - text) + 9;
    /* NSS's base64 decoder skips the line breaks. */
    SECItem *der = NSSBase64_DecodeBuffer(NULL, NULL, body, (PRUint32)(end - body));
    return der;
}

/* nss_load_certs returns the certificates of a PEM bundle as temporary NSS
 * certificates (CERT_NewTempCertificate), cached. */
struct cache_entry *nss_load_certs(const char *path)
{
    size_t len;
    uint8_t *content = shim_read_file(path, &len);
    if (!content)
        nss_fatal("%s: %s", path, strerror(errno));
    struct cache_entry *e = cache_find(ENT_CERTS, path, content, len);
    if (e) {
        free(content);
        return e;
    }
    e = cache_add(ENT_CERTS, path, content, len);
    size_t pos = 0, cap = 0;
    char label[64];
    SECItem *der;
    while ((der = nss_pem_next((const char *)content, &pos, label, sizeof(label))) != NULL) {
        if (strcmp(label, "CERTIFICATE") != 0 && strcmp(label, "TRUSTED CERTIFICATE") != 0) {
            SECITEM_FreeItem(der, PR_TRUE);
            continue;
        }
        CERTCertificate *cert =
            CERT_NewTempCertificate(CERT_GetDefaultCertDB(), der, NULL, PR_FALSE, PR_TRUE);
        SECITEM_FreeItem(der, PR_TRUE);
        if (!cert)
            nss_fatal("%s: certificate %zu: %s", path, e->ncerts, nss_err_name(PR_GetError()));
        if (e->ncerts == cap) {
            cap = cap ? cap * 2 : 8;
            CERTCertificate **n = realloc(e->certs, cap * sizeof(*n));
            if (!n)
                nss_fatal("out of memory");
            e->certs = n;
        }
        e->certs[e->ncerts++] = cert;
    }
    if (e->ncerts == 0)
        nss_fatal("%s: no PEM certificate", path);
    return e;
}

/* ---- minimal DER, only to wrap a SEC1 "EC PRIVATE KEY" into PKCS#8 ---- */

static int der_tlv(const uint8_t *p, size_t n, uint8_t *tag, size_t *hdr, size_t *clen)
{
    if (n < 2)
        return -1;
    *tag = p[0];
    size_t l = p[1], h = 2;
    if (l & 0x80) {
        size_t k = l & 0x7f;
        if (k == 0 || k > 3 || n < 2 + k)
            return -1;
        l = 0;
        for (size_t i = 0; i < k; i++)
            l = (l << 8) | p[2 + i];
        h += k;
    }
    if (h + l > n)
        return -1;
    *hdr = h;
    *clen = l;
    return 0;
}

static size_t der_put_hdr(uint8_t *out, uint8_t tag, size_t len)
{
    out[0] = tag;
    if (len < 0x80) {
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len < 0x100) {
        out[1] = 0x81;
        out[2] = (uint8_t)len;
        return 3;
    }
    out[1] = 0x82;
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    return 4;
}

static SECItem *sec1_to_pkcs8(const SECItem *sec1)
{
    static const uint8_t p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    static const uint8_t ecpk[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
    const uint8_t *curve = p256;
    size_t curvelen = sizeof(p256);
    uint8_t tag;
    size_t h, l;
    if (der_tlv(sec1->data, sec1->len, &tag, &h, &l) != 0 || tag != 0x30)
        return NULL;
    const uint8_t *p = sec1->data + h, *end = p + l;
    while (p < end) { /* version, privateKey, [0] parameters, [1] publicKey */
        uint8_t t;
        size_t hh, ll;
        if (der_tlv(p, (size_t)(end - p), &t, &hh, &ll) != 0)
            return NULL;
        if (t == 0xa0) {
            curve = p + hh;
            curvelen = ll;
        }
        p += hh + ll;
    }
    size_t alg = sizeof(ecpk) + curvelen;
    size_t body = 3 + 4 + alg + 4 + sec1->len;
    SECItem *out = SECITEM_AllocItem(NULL, NULL, (unsigned)(body + 4));
    if (!out)
        return NULL;
    uint8_t *o = out->data;
    size_t n = 0;
    uint8_t tmp[4];
    size_t inner = 3 + der_put_hdr(tmp, 0x30, alg) + alg + der_put_hdr(tmp, 0x04, sec1->len) + sec1->len;
    n += der_put_hdr(o + n, 0x30, inner);
    o[n++] = 0x02, o[n++] = 0x01, o[n++] = 0x00;
    n += der_put_hdr(o + n, 0x30, alg);
    memcpy(o + n, ecpk, sizeof(ecpk)), n += sizeof(ecpk);
    memcpy(o + n, curve, curvelen), n += curvelen;
    n += der_put_hdr(o + n, 0x04, sec1->len);
    memcpy(o + n, sec1->data, sec1->len), n += sec1->len;
    out->len = (unsigned)n;
    return out;
}

/* nss_read_key_der returns the PKCS#8 DER of the first private key in |path|. */
SECItem *nss_read_key_der(const char *path, const uint8_t *content)
{
    size_t pos = 0;
    char label[64];
    SECItem *der;
    while ((der = nss_pem_next((const char *)content, &pos, label, sizeof(label))) != NULL) {
        if (strcmp(label, "PRIVATE KEY") == 0)
            return der;
        if (strcmp(label, "EC PRIVATE KEY") == 0) {
            SECItem *p8 = sec1_to_pkcs8(der);
            SECITEM_FreeItem(der, PR_TRUE);
            if (!p8)
                nss_fatal("%s: malformed EC PRIVATE KEY", path);
            return p8;
        }
        SECITEM_FreeItem(der, PR_TRUE);
    }
    nss_fatal("%s: no PRIVATE KEY or EC PRIVATE KEY PEM block", path);
}

SECKEYPrivateKey *nss_import_key(const char *path, const SECItem *der, PRBool perm)
{
    PK11SlotInfo *slot = PK11_GetInternalKeySlot();
    SECKEYPrivateKey *key = NULL;
    SECStatus rv = PK11_ImportDERPrivateKeyInfoAndReturnKey(slot, (SECItem *)der, NULL, NULL, perm,
                                                            PR_TRUE, KU_ALL, &key, NULL);
    PK11_FreeSlot(slot);
    if (rv != SECSuccess || !key)
        nss_fatal("%s: PK11_ImportDERPrivateKeyInfoAndReturnKey: %s", path, nss_err_name(PR_GetError()));
    return key;
}

/* nss_load_key returns the private key of |path| as a session object, cached. */
SECKEYPrivateKey *nss_load_key(const char *path)
{
    size_t len;
    uint8_t *content = shim_read_file(path, &len);
    if (!content)
        nss_fatal("%s: %s", path, strerror(errno));
    struct cache_entry *e = cache_find(ENT_KEY, path, content, len);
    if (e) {
        free(content);
        return e->key;
    }
    e = cache_add(ENT_KEY, path, content, len);
    SECItem *der = nss_read_key_der(path, content);
    e->key = nss_import_key(path, der, PR_FALSE);
    SECITEM_FreeItem(der, PR_TRUE);
    return e->key;
}

