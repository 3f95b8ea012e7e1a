/* pki_x509.c — certificates and keys with libcrypto's X509 API: the pieces
 * pki.c assembles into a case's PKI. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "der.h"
#include "pki_internal.h"

/* libcrypto keeps its reasons on a thread-local queue; report the last one
 * and empty the queue so it cannot leak into a later, unrelated failure. */
int pki_ossl_fail(char *err, size_t errlen, const char *what)
{
    char reason[256] = "no libcrypto error";
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, reason, sizeof(reason));
    ERR_clear_error();
    return fail(err, errlen, "%s: %s", what, reason);
}

/* ---- certificates ---- */

int pki_validity_init(pki_validity *v, char *err, size_t errlen)
{
    v->not_before = ASN1_TIME_new();
    v->not_after = ASN1_TIME_new();
    /* The X509 variant picks UTCTime for years before 2050, as RFC 5280
     * requires; 2049-12-31 is the last day UTCTime can express. */
    if (!v->not_before || !v->not_after ||
        ASN1_TIME_set_string_X509(v->not_before, "20200101000000Z") != 1 ||
        ASN1_TIME_set_string_X509(v->not_after, "20491231235959Z") != 1)
        return pki_ossl_fail(err, errlen, "pki_validity");
    return 0;
}

void pki_validity_free(pki_validity *v)
{
    ASN1_TIME_free(v->not_before);
    ASN1_TIME_free(v->not_after);
}

EVP_PKEY *pki_new_key(char *err, size_t errlen)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    if (!k)
        pki_ossl_fail(err, errlen, "P-256 key generation");
    return k;
}

/* pki_name_from_der parses |der| as a Name and insists that libcrypto will write
 * it back byte for byte: a certificate whose subject differs by one byte from
 * the configured DN would measure something else. */
X509_NAME *pki_name_from_der(const uint8_t *der, size_t len)
{
    if (len == 0 || len > LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
    if (!n || p != der + len) {
        X509_NAME_free(n);
        ERR_clear_error();
        return NULL;
    }
    unsigned char *enc = NULL;
    int el = i2d_X509_NAME(n, &enc);
    int same = el >= 0 && (size_t)el == len && memcmp(enc, der, len) == 0;
    OPENSSL_free(enc);
    if (!same) {
        X509_NAME_free(n);
        ERR_clear_error();
        return NULL;
    }
    return n;
}

X509_NAME *pki_name_from_text(const char *o, const char *cn)
{
    X509_NAME *n = X509_NAME_new();
    if (!n || X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)o, -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1) {
        X509_NAME_free(n);
        return NULL;
    }
    return n;
}

static int pki_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, v3, nid, value);
    int ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

/* pki_make_cert builds and signs one certificate: a CA when |eku| is NULL, else
 * an end-entity certificate. */
X509 *pki_make_cert(const pki_cert_spec *s, const pki_validity *v, char *err, size_t errlen)
{
    X509 *x = X509_new();
    const X509_NAME *issuer_name = s->issuer ? X509_get_subject_name(s->issuer) : s->subject;
    if (!x || X509_set_version(x, X509_VERSION_3) != 1 ||
        ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial) != 1 ||
        X509_set_subject_name(x, s->subject) != 1 || X509_set_issuer_name(x, issuer_name) != 1 ||
        X509_set1_notBefore(x, v->not_before) != 1 || X509_set1_notAfter(x, v->not_after) != 1 ||
        X509_set_pubkey(x, s->key) != 1) {
        X509_free(x);
        pki_ossl_fail(err, errlen, "building a certificate");
        return NULL;
    }
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, s->issuer ? s->issuer : x, x, NULL, NULL, 0);
    int ok;
    if (!s->eku) {
        ok = pki_add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE") &&
             pki_add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             pki_add_ext(x, &v3, NID_subject_key_identifier, "hash");
    } else {
        ok = pki_add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") &&
             pki_add_ext(x, &v3, NID_key_usage, "critical,digitalSignature") &&
             pki_add_ext(x, &v3, NID_ext_key_usage, s->eku) &&
             pki_add_ext(x, &v3, NID_subject_key_identifier, "hash") &&
             pki_add_ext(x, &v3, NID_authority_key_identifier, "keyid:always") &&
             (!s->san || pki_add_ext(x, &v3, NID_subject_alt_name, s->san));
    }
    if (!ok) {
        X509_free(x);
        pki_ossl_fail(err, errlen, "certificate extensions");
        return NULL;
    }
    if (X509_sign(x, s->issuer_key ? s->issuer_key : s->key, EVP_sha256()) <= 0) {
        X509_free(x);
        pki_ossl_fail(err, errlen, "X509_sign");
        return NULL;
    }
    return x;
}

/* pki_subject_matches checks the signed certificate itself, not the name object
 * that went into it. */
int pki_subject_matches(X509 *x, const uint8_t *der, size_t len)
{
    unsigned char *enc = NULL;
    int el = i2d_X509(x, &enc);
    const uint8_t *subj;
    size_t slen;
    int ok = el > 0 && cb_der_cert_subject(enc, (size_t)el, &subj, &slen) == 0 && slen == len &&
             memcmp(subj, der, len) == 0;
    OPENSSL_free(enc);
    return ok;
}

int pki_write_cert(const char *path, X509 *x, char *err, size_t errlen)
{
    BIO *b = BIO_new_file(path, "w");
    int ok = b && PEM_write_bio_X509(b, x) == 1;
    ok = BIO_free(b) == 1 && ok;
    if (!ok)
        return pki_ossl_fail(err, errlen, path);
    return 0;
}

int pki_write_key(const char *path, EVP_PKEY *k, char *err, size_t errlen)
{
    BIO *b = BIO_new_file(path, "w");
    int ok = b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1;
    ok = BIO_free(b) == 1 && ok;
    if (!ok)
        return pki_ossl_fail(err, errlen, path);
    return 0;
}

/* A run reads the same few client certificates for thousands of cases:
 * their DER is remembered by path and file identity (inode, size, mtime),
 * so a file made again is read again. */
#define DER_MEMO 16
static struct der_memo {
    char *path;
    struct stat st;
    uint8_t *der;
    size_t len;
} der_memo[DER_MEMO];
static size_t der_memo_next;

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int cb_pki_cert_der(const char *path, const uint8_t **der, size_t *len, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    for (size_t i = 0; i < DER_MEMO; i++)
        if (der_memo[i].path && strcmp(der_memo[i].path, path) == 0 && same_file(&der_memo[i].st, &st)) {
            *der = der_memo[i].der;
            *len = der_memo[i].len;
            return 0;
        }
    BIO *b = BIO_new_file(path, "r");
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    unsigned char *enc = NULL;
    int el = x ? i2d_X509(x, &enc) : -1;
    X509_free(x);
    char *copy = el > 0 ? strdup(path) : NULL;
    if (!copy) {
        OPENSSL_free(enc);
        return pki_ossl_fail(err, errlen, path);
    }
    struct der_memo *m = &der_memo[der_memo_next];
    der_memo_next = (der_memo_next + 1) % DER_MEMO;
    free(m->path);
    OPENSSL_free(m->der);
    *m = (struct der_memo){copy, st, enc, (size_t)el};
    *der = enc;
    *len = (size_t)el;
    return 0;
}

/* pki_read_cert_der loads the first certificate of a PEM file as DER (a copy
 * the caller frees with OPENSSL_free). */
int pki_read_cert_der(const char *path, uint8_t **der, size_t *len, char *err, size_t errlen)
{
    const uint8_t *d;
    if (cb_pki_cert_der(path, &d, len, err, errlen) != 0)
        return -1;
    if (!(*der = OPENSSL_memdup(d, *len)))
        return fail(err, errlen, "out of memory");
    return 0;
}

/* pki_set_pubkey_fast copies the encoded public key of |from| into |x|.
 * X509_set_pubkey would encode the key again through OpenSSL 3.0's encoder
 * machinery, which costs more than the signature itself. */
int pki_set_pubkey_fast(X509 *x, X509 *from)
{
    ASN1_OBJECT *alg;
    const unsigned char *pk;
    int pklen, ptype;
    X509_ALGOR *algor;
    const void *pval;
    const ASN1_OBJECT *aobj;
    if (X509_PUBKEY_get0_param(&alg, &pk, &pklen, &algor, X509_get_X509_PUBKEY(from)) != 1)
        return -1;
    X509_ALGOR_get0(&aobj, &ptype, &pval, algor);
    /* The curve parameter of an EC key is an OID. */
    if (ptype != V_ASN1_OBJECT)
        return -1;
    ASN1_OBJECT *curve = OBJ_dup(pval);
    ASN1_OBJECT *alg_copy = OBJ_dup(alg);
    unsigned char *copy = OPENSSL_memdup(pk, (size_t)pklen);
    if (!curve || !alg_copy || !copy ||
        X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), alg_copy, V_ASN1_OBJECT, curve, copy, pklen) != 1) {
        ASN1_OBJECT_free(curve);
        ASN1_OBJECT_free(alg_copy);
        OPENSSL_free(copy);
        return -1;
    }
    return 0;
}
