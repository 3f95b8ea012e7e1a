/* mbedtls_cache.c — certificates and keys parsed once per file content
 * and kept across cases (see shim_mbedtls.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls_shim.h"

/* ---- parsed certificates and keys, cached by path and content ---------- */

static struct ent *g_cache;
static size_t g_cache_n;
unsigned long mb_case_no;

static void ent_free(struct ent *e)
{
    if (e->kind == ENT_CRT)
        mbedtls_x509_crt_free(&e->crt);
    else
        mbedtls_pk_free(&e->pk);
    free(e->path);
    free(e->data);
    free(e);
}

/* mb_cache_trim drops what the last few cases did not use (each case of a run
 * brings a new list); it runs between cases only, so no object in use is
 * ever freed. */
void mb_cache_trim(void)
{
    for (struct ent **pp = &g_cache; *pp;) {
        struct ent *e = *pp;
        if (mb_case_no - e->used > 4) {
            *pp = e->next;
            ent_free(e);
            g_cache_n--;
        } else {
            pp = &e->next;
        }
    }
}

/* mb_load returns the cached objects parsed from |path|, re-parsing when the
 * file changed; NULL with *ret/err set on failure. */
struct ent *mb_load(enum ent_kind kind, const char *path, int *ret, char *err, size_t errlen)
{
    size_t len;
    uint8_t *data = shim_read_file(path, &len);
    if (!data) {
        *ret = MBEDTLS_ERR_X509_FILE_IO_ERROR;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct ent **pp = &g_cache;
    for (; *pp; pp = &(*pp)->next) {
        struct ent *e = *pp;
        if (e->kind != kind || strcmp(e->path, path) != 0)
            continue;
        if (e->len == len && memcmp(e->data, data, len) == 0) {
            free(data);
            e->used = mb_case_no;
            return e;
        }
        *pp = e->next; /* stale: the file changed */
        ent_free(e);
        g_cache_n--;
        break;
    }
    struct ent *e = calloc(1, sizeof(*e));
    char *p = strdup(path);
    if (!e || !p) {
        free(e);
        free(p);
        free(data);
        *ret = MBEDTLS_ERR_X509_ALLOC_FAILED;
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->kind = kind;
    e->path = p;
    e->data = data;
    e->len = len;
    e->used = mb_case_no;
    /* PEM parsers want the terminating NUL counted (shim_read_file adds it). */
    size_t plen = len + (strstr((const char *)data, "-----BEGIN") ? 1 : 0);
    int r;
    if (kind == ENT_CRT) {
        mbedtls_x509_crt_init(&e->crt);
        r = mbedtls_x509_crt_parse(&e->crt, data, plen);
        if (r > 0) {
            /* Some certificates of a bundle did not parse: Mbed TLS keeps the
             * rest, and so does the list it derives from them. */
            e->failed = r;
            fprintf(stderr, "shim-mbedtls: %s: %d certificate(s) did not parse and are left out\n",
                    path, r);
            r = 0;
        }
    } else {
        mbedtls_pk_init(&e->pk);
#if CB_MBEDTLS3
        r = mbedtls_pk_parse_key(&e->pk, data, plen, NULL, 0, mbedtls_ctr_drbg_random, &mb_drbg);
#else
        r = mbedtls_pk_parse_key(&e->pk, data, plen, NULL, 0);
#endif
    }
    if (r != 0) {
        snprintf(err, errlen, "%s", path);
        *ret = r;
        ent_free(e);
        return NULL;
    }
    e->next = g_cache;
    g_cache = e;
    g_cache_n++;
    return e;
}
