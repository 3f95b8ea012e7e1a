#include "pki.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "der.h"
#include "errmsg.h"

/* Bumped whenever what the cache holds changes shape, so that old caches are
 * never mistaken for new ones. */
#define PKI_FORMAT "cabound-pki 2"

/* The server's two serial numbers are fixed (there is one server PKI per
 * directory); every other certificate gets random_serial(). */
enum {
    SERIAL_SERVER_CA = 1,
    SERIAL_SERVER = 2,
};

/* fail is the one error form (errmsg.h), named "pki". */
#define fail(err, errlen, ...) cb_fail_at((err), (errlen), "pki", 0, __VA_ARGS__)

/* libcrypto keeps its reasons on a thread-local queue; report the last one
 * and empty the queue so it cannot leak into a later, unrelated failure. */
static int ossl_fail(char *err, size_t errlen, const char *what)
{
    char reason[256] = "no libcrypto error";
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, reason, sizeof(reason));
    ERR_clear_error();
    return fail(err, errlen, "%s: %s", what, reason);
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int mkdir_p(const char *path, char *err, size_t errlen)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return fail(err, errlen, "bad directory name \"%s\"", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0)
            continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return fail(err, errlen, "mkdir %s: %s", buf, strerror(errno));
        buf[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(err, errlen, "%s: not a directory", path);
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A temporary directory of ours holds only plain files. */
static void remove_flat_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *f = join(path, e->d_name);
            if (f)
                unlink(f);
            free(f);
        }
        closedir(d);
    }
    rmdir(path);
}

/* publish_dir makes a finished temporary directory visible under its final
 * name in one step. Losing the race to another worker is success: its copy
 * is as good as ours. */
static int publish_dir(const char *tmp, const char *final, char *err, size_t errlen)
{
    if (chmod(tmp, 0755) != 0) {
        int e = errno;
        remove_flat_dir(tmp);
        return fail(err, errlen, "chmod %s: %s", tmp, strerror(e));
    }
    if (rename(tmp, final) == 0)
        return 0;
    int e = errno;
    remove_flat_dir(tmp);
    if ((e == EEXIST || e == ENOTEMPTY) && is_dir(final))
        return 0;
    return fail(err, errlen, "rename %s to %s: %s", tmp, final, strerror(e));
}

/* ---- hashing: cache names ---- */

typedef struct hasher {
    EVP_MD_CTX *md;
    int ok;
} hasher;

static void h_init(hasher *h, const char *what)
{
    h->md = EVP_MD_CTX_new();
    h->ok = h->md && EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) == 1;
    if (h->ok)
        h->ok = EVP_DigestUpdate(h->md, what, strlen(what) + 1) == 1;
}

static void h_bytes(hasher *h, const void *p, size_t n)
{
    if (h->ok && n)
        h->ok = EVP_DigestUpdate(h->md, p, n) == 1;
}

/* Lengths are hashed before data so that no two inputs share a stream. */
static void h_u64(hasher *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    h_bytes(h, b, 8);
}

static void h_blob(hasher *h, const void *p, size_t n)
{
    h_u64(h, n);
    h_bytes(h, p, n);
}

/* h_final writes 32 hex digits (128 bits: plenty to name cache entries). */
static int h_final(hasher *h, char hex[33])
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    int ok = h->ok && EVP_DigestFinal_ex(h->md, d, &dl) == 1 && dl >= 16;
    EVP_MD_CTX_free(h->md);
    h->md = NULL;
    if (!ok)
        return -1;
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return 0;
}

/* ---- certificates ---- */

typedef struct validity {
    ASN1_TIME *not_before, *not_after;
} validity;

static int validity_init(validity *v, char *err, size_t errlen)
{
    v->not_before = ASN1_TIME_new();
    v->not_after = ASN1_TIME_new();
    /* The X509 variant picks UTCTime for years before 2050, as RFC 5280
     * requires; 2049-12-31 is the last day UTCTime can express. */
    if (!v->not_before || !v->not_after ||
        ASN1_TIME_set_string_X509(v->not_before, "20200101000000Z") != 1 ||
        ASN1_TIME_set_string_X509(v->not_after, "20491231235959Z") != 1)
        return ossl_fail(err, errlen, "validity");
    return 0;
}

static void validity_free(validity *v)
{
    ASN1_TIME_free(v->not_before);
    ASN1_TIME_free(v->not_after);
}

static EVP_PKEY *new_key(char *err, size_t errlen)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    if (!k)
        ossl_fail(err, errlen, "P-256 key generation");
    return k;
}

/* name_from_der parses |der| as a Name and insists that libcrypto will write
 * it back byte for byte: a certificate whose subject differs by one byte from
 * the configured DN would measure something else. */
static X509_NAME *name_from_der(const uint8_t *der, size_t len)
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

static X509_NAME *name_from_text(const char *o, const char *cn)
{
    X509_NAME *n = X509_NAME_new();
    if (!n || X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)o, -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1) {
        X509_NAME_free(n);
        return NULL;
    }
    return n;
}

static int add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, v3, nid, value);
    int ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

typedef struct cert_spec {
    const X509_NAME *subject;
    EVP_PKEY *key;        /* the subject's key */
    X509 *issuer;         /* NULL: self-signed */
    EVP_PKEY *issuer_key; /* NULL: self-signed */
    long serial;
    const char *eku;      /* leaf only: "serverAuth" or "clientAuth" */
    const char *san;      /* leaf only, may be NULL */
} cert_spec;

/* make_cert builds and signs one certificate: a CA when |eku| is NULL, else
 * an end-entity certificate. */
static X509 *make_cert(const cert_spec *s, const validity *v, char *err, size_t errlen)
{
    X509 *x = X509_new();
    const X509_NAME *issuer_name = s->issuer ? X509_get_subject_name(s->issuer) : s->subject;
    if (!x || X509_set_version(x, X509_VERSION_3) != 1 ||
        ASN1_INTEGER_set(X509_get_serialNumber(x), s->serial) != 1 ||
        X509_set_subject_name(x, s->subject) != 1 || X509_set_issuer_name(x, issuer_name) != 1 ||
        X509_set1_notBefore(x, v->not_before) != 1 || X509_set1_notAfter(x, v->not_after) != 1 ||
        X509_set_pubkey(x, s->key) != 1) {
        X509_free(x);
        ossl_fail(err, errlen, "building a certificate");
        return NULL;
    }
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, s->issuer ? s->issuer : x, x, NULL, NULL, 0);
    int ok;
    if (!s->eku) {
        ok = add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, &v3, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(x, &v3, NID_subject_key_identifier, "hash");
    } else {
        ok = add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, &v3, NID_key_usage, "critical,digitalSignature") &&
             add_ext(x, &v3, NID_ext_key_usage, s->eku) &&
             add_ext(x, &v3, NID_subject_key_identifier, "hash") &&
             add_ext(x, &v3, NID_authority_key_identifier, "keyid:always") &&
             (!s->san || add_ext(x, &v3, NID_subject_alt_name, s->san));
    }
    if (!ok) {
        X509_free(x);
        ossl_fail(err, errlen, "certificate extensions");
        return NULL;
    }
    if (X509_sign(x, s->issuer_key ? s->issuer_key : s->key, EVP_sha256()) <= 0) {
        X509_free(x);
        ossl_fail(err, errlen, "X509_sign");
        return NULL;
    }
    return x;
}

/* subject_matches checks the signed certificate itself, not the name object
 * that went into it. */
static int subject_matches(X509 *x, const uint8_t *der, size_t len)
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

static int write_cert(const char *path, X509 *x, char *err, size_t errlen)
{
    BIO *b = BIO_new_file(path, "w");
    int ok = b && PEM_write_bio_X509(b, x) == 1;
    ok = BIO_free(b) == 1 && ok;
    if (!ok)
        return ossl_fail(err, errlen, path);
    return 0;
}

static int write_key(const char *path, EVP_PKEY *k, char *err, size_t errlen)
{
    BIO *b = BIO_new_file(path, "w");
    int ok = b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1;
    ok = BIO_free(b) == 1 && ok;
    if (!ok)
        return ossl_fail(err, errlen, path);
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
        return ossl_fail(err, errlen, path);
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

/* read_cert_der loads the first certificate of a PEM file as DER (a copy
 * the caller frees with OPENSSL_free). */
static int read_cert_der(const char *path, uint8_t **der, size_t *len, char *err, size_t errlen)
{
    const uint8_t *d;
    if (cb_pki_cert_der(path, &d, len, err, errlen) != 0)
        return -1;
    if (!(*der = OPENSSL_memdup(d, *len)))
        return fail(err, errlen, "out of memory");
    return 0;
}

/* ---- the server part ---- */

static int make_server_dir(const char *tmp, const validity *v, char *err, size_t errlen)
{
    int rc = -1;
    EVP_PKEY *ca_key = NULL, *key = NULL;
    X509 *ca = NULL, *leaf = NULL;
    X509_NAME *ca_name = name_from_text("cabound test", "cabound server CA");
    X509_NAME *name = name_from_text("cabound test", "localhost");
    char *p[4] = {join(tmp, "server-ca.pem"), join(tmp, "server-ca.key"), join(tmp, "server.pem"),
                  join(tmp, "server.key")};
    if (!ca_name || !name || !p[0] || !p[1] || !p[2] || !p[3]) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    if (!(ca_key = new_key(err, errlen)) || !(key = new_key(err, errlen)))
        goto out;
    cert_spec cs = {ca_name, ca_key, NULL, NULL, SERIAL_SERVER_CA, NULL, NULL};
    if (!(ca = make_cert(&cs, v, err, errlen)))
        goto out;
    cert_spec ls = {name, key, ca, ca_key, SERIAL_SERVER, "serverAuth", "DNS:localhost"};
    if (!(leaf = make_cert(&ls, v, err, errlen)))
        goto out;
    if (write_cert(p[0], ca, err, errlen) || write_key(p[1], ca_key, err, errlen) ||
        write_cert(p[2], leaf, err, errlen) || write_key(p[3], key, err, errlen))
        goto out;
    rc = 0;
out:
    for (int i = 0; i < 4; i++)
        free(p[i]);
    X509_NAME_free(ca_name);
    X509_NAME_free(name);
    X509_free(ca);
    X509_free(leaf);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    return rc;
}

/* ensure_part makes |final| with |fill| unless it exists already. */
static int ensure_part(const char *absdir, const char *final, const char *tag,
                       int (*fill)(const char *tmp, const void *arg, const validity *v, char *err, size_t errlen),
                       const void *arg, const validity *v, char *err, size_t errlen)
{
    if (is_dir(final))
        return 0;
    char tmpl[PATH_MAX];
    if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/.tmp-%s-XXXXXX", absdir, tag) >= sizeof(tmpl))
        return fail(err, errlen, "path too long under %s", absdir);
    if (!mkdtemp(tmpl))
        return fail(err, errlen, "mkdtemp %s: %s", tmpl, strerror(errno));
    if (fill(tmpl, arg, v, err, errlen) != 0) {
        remove_flat_dir(tmpl);
        return -1;
    }
    return publish_dir(tmpl, final, err, errlen);
}

static int fill_server(const char *tmp, const void *arg, const validity *v, char *err, size_t errlen)
{
    (void)arg;
    return make_server_dir(tmp, v, err, errlen);
}

/* ---- the client part ---- */

typedef struct clients_arg {
    const cb_calist *issuers;
    X509_NAME **names;
} clients_arg;

/* random_serial: two lists holding the same DN get two different
 * certificates for it, and so do two client directories whose issuers share
 * a DN; a store that outlives one case (NSS's) rejects a second certificate
 * with an issuer and serial it has seen (SEC_ERROR_REUSED_ISSUER_AND_SERIAL),
 * as RFC 5280 4.1.2.2 lets it. Above 2^32, so never one of the fixed ones. */
static long random_serial(void)
{
    uint64_t rnd = 0;
    RAND_bytes((unsigned char *)&rnd, sizeof(rnd));
    return (long)((rnd & 0x3fffffffffffffffull) | 0x100000000ull);
}

static int fill_clients(const char *tmp, const void *argp, const validity *v, char *err, size_t errlen)
{
    const clients_arg *a = argp;
    size_t n = a->issuers ? a->issuers->count : 0;
    char *bundle_path = join(tmp, "client-cas.pem");
    BIO *bundle = bundle_path ? BIO_new_file(bundle_path, "w") : NULL;
    free(bundle_path);
    if (!bundle)
        return ossl_fail(err, errlen, "client-cas.pem");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = -1;
        EVP_PKEY *ca_key = NULL, *key = NULL;
        X509 *ca = NULL, *leaf = NULL;
        X509_NAME *name = NULL;
        char fn[4][64], *p[4] = {NULL, NULL, NULL, NULL};
        snprintf(fn[0], sizeof(fn[0]), "client-ca-%zu.pem", i);
        snprintf(fn[1], sizeof(fn[1]), "client-ca-%zu.key", i);
        snprintf(fn[2], sizeof(fn[2]), "client-%zu.pem", i);
        snprintf(fn[3], sizeof(fn[3]), "client-%zu.key", i);
        char cn[64];
        snprintf(cn, sizeof(cn), "cabound client %zu", i);
        for (int k = 0; k < 4; k++)
            p[k] = join(tmp, fn[k]);
        if (!p[0] || !p[1] || !p[2] || !p[3] || !(name = name_from_text("cabound test", cn))) {
            fail(err, errlen, "out of memory");
            goto next;
        }
        if (!(ca_key = new_key(err, errlen)) || !(key = new_key(err, errlen)))
            goto next;
        cert_spec cs = {a->names[i], ca_key, NULL, NULL, random_serial(), NULL, NULL};
        if (!(ca = make_cert(&cs, v, err, errlen)))
            goto next;
        if (!subject_matches(ca, a->issuers->dns[i].der, a->issuers->dns[i].len)) {
            fail(err, errlen, "client issuer %zu: the CA certificate's subject differs from the DN", i);
            goto next;
        }
        cert_spec ls = {name, key, ca, ca_key, random_serial(), "clientAuth", NULL};
        if (!(leaf = make_cert(&ls, v, err, errlen)))
            goto next;
        if (write_cert(p[0], ca, err, errlen) || write_key(p[1], ca_key, err, errlen) ||
            write_cert(p[2], leaf, err, errlen) || write_key(p[3], key, err, errlen))
            goto next;
        if (PEM_write_bio_X509(bundle, ca) != 1) {
            ossl_fail(err, errlen, "client-cas.pem");
            goto next;
        }
        rc = 0;
    next:
        for (int k = 0; k < 4; k++)
            free(p[k]);
        X509_NAME_free(name);
        X509_free(ca);
        X509_free(leaf);
        EVP_PKEY_free(ca_key);
        EVP_PKEY_free(key);
    }
    if (BIO_free(bundle) != 1 && rc == 0)
        rc = ossl_fail(err, errlen, "client-cas.pem");
    return rc;
}

/* ---- the list ---- */

typedef struct list_job {
    const cb_calist *list;
    const long *real;         /* per list DN: client index, or -1 for a filler */
    uint8_t **ca_der;         /* per client: its CA certificate */
    size_t *ca_len;
} list_job;

/* set_pubkey_fast copies the encoded public key of |from| into |x|.
 * X509_set_pubkey would encode the key again through OpenSSL 3.0's encoder
 * machinery, which costs more than the signature itself. */
static int set_pubkey_fast(X509 *x, X509 *from)
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

/* Speed, measured on the development container (2 cores, OpenSSL 3.0.22,
 * RelWithDebInfo, one worker): a list.pem of 1500 DNs of 40..120 bytes takes
 * 56..59 ms, ~38 us a certificate, of which the ECDSA signature is ~14 us.
 * Encoding the public key once (set_pubkey_fast) instead of X509_set_pubkey
 * per certificate took it down from 270 ms; one shared filler key and
 * extensions built once do the rest. test_pki prints the figure for the
 * machine it runs on ("list.pem of N DNs: T ms"). */
static int write_list(const char *tmp_path, int fd, const list_job *j, const validity *v, char *err,
                      size_t errlen)
{
    int rc = -1;
    EVP_PKEY *key = NULL;
    X509 *proto = NULL;
    X509_EXTENSION *ext[3] = {NULL, NULL, NULL};
    BIO *mem = BIO_new(BIO_s_mem());
    if (!mem) {
        ossl_fail(err, errlen, "memory BIO");
        goto out;
    }
    if (!(key = new_key(err, errlen)))
        goto out;
    /* The subject key identifier depends only on the key, which every filler
     * shares, so one set of extensions serves them all. */
    proto = X509_new();
    if (!proto || X509_set_pubkey(proto, key) != 1) {
        ossl_fail(err, errlen, "filler template");
        goto out;
    }
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, proto, proto, NULL, NULL, 0);
    ext[0] = X509V3_EXT_nconf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
    ext[1] = X509V3_EXT_nconf_nid(NULL, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
    ext[2] = X509V3_EXT_nconf_nid(NULL, &v3, NID_subject_key_identifier, "hash");
    if (!ext[0] || !ext[1] || !ext[2]) {
        ossl_fail(err, errlen, "filler extensions");
        goto out;
    }
    for (size_t i = 0; i < j->list->count; i++) {
        const cb_dn *dn = &j->list->dns[i];
        if (j->real[i] >= 0) {
            size_t c = (size_t)j->real[i];
            if (PEM_write_bio(mem, "CERTIFICATE", "", j->ca_der[c], (long)j->ca_len[c]) <= 0) {
                ossl_fail(err, errlen, "PEM encoding");
                goto out;
            }
            continue;
        }
        X509_NAME *name = name_from_der(dn->der, dn->len);
        if (!name) {
            fail(err, errlen, "list DN %zu (%zu bytes) is not a DER Name that libcrypto reproduces exactly", i,
                 dn->len);
            goto out;
        }
        long serial = random_serial();
        X509 *x = X509_new();
        int ok = x && X509_set_version(x, X509_VERSION_3) == 1 &&
                 ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1 &&
                 X509_set_subject_name(x, name) == 1 && X509_set_issuer_name(x, name) == 1 &&
                 X509_set1_notBefore(x, v->not_before) == 1 && X509_set1_notAfter(x, v->not_after) == 1 &&
                 set_pubkey_fast(x, proto) == 0 && X509_add_ext(x, ext[0], -1) == 1 &&
                 X509_add_ext(x, ext[1], -1) == 1 && X509_add_ext(x, ext[2], -1) == 1 &&
                 X509_sign(x, key, EVP_sha256()) > 0;
        X509_NAME_free(name);
        unsigned char *der = NULL;
        int dl = ok ? i2d_X509(x, &der) : -1;
        X509_free(x);
        if (dl <= 0) {
            ossl_fail(err, errlen, "filler certificate");
            goto out;
        }
        const uint8_t *subj;
        size_t slen;
        ok = cb_der_cert_subject(der, (size_t)dl, &subj, &slen) == 0 && slen == dn->len &&
             memcmp(subj, dn->der, slen) == 0;
        if (!ok) {
            OPENSSL_free(der);
            fail(err, errlen, "list DN %zu: the certificate's subject differs from the DN", i);
            goto out;
        }
        ok = PEM_write_bio(mem, "CERTIFICATE", "", der, dl) > 0;
        OPENSSL_free(der);
        if (!ok) {
            ossl_fail(err, errlen, "PEM encoding");
            goto out;
        }
    }
    char *data;
    long len = BIO_get_mem_data(mem, &data);
    for (long off = 0; off < len;) {
        ssize_t w = write(fd, data + off, (size_t)(len - off));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fail(err, errlen, "write %s: %s", tmp_path, w < 0 ? strerror(errno) : "short write");
            goto out;
        }
        off += w;
    }
    rc = 0;
out:
    for (int k = 0; k < 3; k++)
        X509_EXTENSION_free(ext[k]);
    X509_free(proto);
    EVP_PKEY_free(key);
    BIO_free(mem);
    return rc;
}

static int ensure_list(const char *absdir, const char *final, const char *hash, const list_job *j,
                       const validity *v, char *err, size_t errlen)
{
    if (is_file(final))
        return 0;
    char tmpl[PATH_MAX];
    if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/.tmp-list-%s-XXXXXX", absdir, hash) >= sizeof(tmpl))
        return fail(err, errlen, "path too long under %s", absdir);
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return fail(err, errlen, "mkstemp %s: %s", tmpl, strerror(errno));
    int rc = write_list(tmpl, fd, j, v, err, errlen);
    /* mkstemp makes the file private; a certificate list is not secret. */
    if (rc == 0 && fchmod(fd, 0644) != 0)
        rc = fail(err, errlen, "chmod %s: %s", tmpl, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = fail(err, errlen, "close %s: %s", tmpl, strerror(errno));
    if (rc != 0) {
        unlink(tmpl);
        return -1;
    }
    /* link() never replaces: a worker that got there first keeps its file,
     * so a path once handed out never changes under a running shim. Where
     * hard links are not supported, rename() still never shows a partial
     * file. */
    if (link(tmpl, final) == 0 || errno == EEXIST) {
        unlink(tmpl);
        return 0;
    }
    if (rename(tmpl, final) != 0) {
        int e = errno;
        unlink(tmpl);
        return fail(err, errlen, "rename %s to %s: %s", tmpl, final, strerror(e));
    }
    return 0;
}

/* ---- the whole ---- */

void cb_pki_free(cb_pki *p)
{
    if (!p)
        return;
    free(p->server_cert);
    free(p->server_key);
    free(p->server_ca);
    free(p->client_cas);
    for (size_t i = 0; i < p->n_clients; i++) {
        if (p->client_cert)
            free(p->client_cert[i]);
        if (p->client_key)
            free(p->client_key[i]);
    }
    free(p->client_cert);
    free(p->client_key);
    free(p->list_pem);
    memset(p, 0, sizeof(*p));
}

/* real_index maps list DN |i| to the client whose CA certificate it gets, or
 * -1 for a filler; -2 (with |err| set) for a label that lies. */
static long real_index(const cb_calist *list, size_t i, const cb_calist *issuers, size_t n, char *err,
                       size_t errlen)
{
    const cb_dn *dn = &list->dns[i];
    const char *prefix = "real:client";
    if (dn->label && strncmp(dn->label, prefix, strlen(prefix)) == 0) {
        const char *num = dn->label + strlen(prefix);
        char *end;
        errno = 0;
        unsigned long c = strtoul(num, &end, 10);
        if (*num < '0' || *num > '9' || *end || errno || c >= n) {
            fail(err, errlen, "list DN %zu is labelled \"%s\" but there are %zu client issuers", i, dn->label, n);
            return -2;
        }
        if (!cb_dn_equal(dn, &issuers->dns[c])) {
            fail(err, errlen, "list DN %zu is labelled \"%s\" but differs from client issuer %lu", i, dn->label, c);
            return -2;
        }
        return (long)c;
    }
    for (size_t c = 0; c < n; c++)
        if (cb_dn_equal(dn, &issuers->dns[c]))
            return (long)c;
    return -1;
}

int cb_pki_make(const cb_pki_spec *spec, cb_pki *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!spec || !spec->dir || !*spec->dir)
        return fail(err, errlen, "no output directory");
    const cb_calist *issuers = spec->client_issuers;
    size_t n = issuers ? issuers->count : 0;
    int rc = -1;
    char abs[PATH_MAX];
    char *server_dir = NULL, *clients_dir = NULL;
    X509_NAME **names = NULL;
    uint8_t **ca_der = NULL;
    size_t *ca_len = NULL;
    long *real = NULL;
    validity v = {NULL, NULL};

    if (mkdir_p(spec->dir, err, errlen) != 0)
        return -1;
    /* Shims run in other working directories: hand out absolute paths.
     * (realpath is outside strict POSIX mode; getcwd suffices.) */
    if (spec->dir[0] == '/') {
        if ((size_t)snprintf(abs, sizeof(abs), "%s", spec->dir) >= sizeof(abs))
            return fail(err, errlen, "path too long: %s", spec->dir);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)))
            return fail(err, errlen, "getcwd: %s", strerror(errno));
        if ((size_t)snprintf(abs, sizeof(abs), "%s/%s", cwd, spec->dir) >= sizeof(abs))
            return fail(err, errlen, "path too long: %s/%s", cwd, spec->dir);
    }
    for (size_t n = strlen(abs); n > 1 && abs[n - 1] == '/'; n--)
        abs[n - 1] = 0;
    if (validity_init(&v, err, errlen) != 0)
        goto out;

    names = calloc(n ? n : 1, sizeof(*names));
    ca_der = calloc(n ? n : 1, sizeof(*ca_der));
    ca_len = calloc(n ? n : 1, sizeof(*ca_len));
    out->client_cert = calloc(n ? n : 1, sizeof(char *));
    out->client_key = calloc(n ? n : 1, sizeof(char *));
    if (!names || !ca_der || !ca_len || !out->client_cert || !out->client_key) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    out->n_clients = n;
    for (size_t i = 0; i < n; i++) {
        names[i] = name_from_der(issuers->dns[i].der, issuers->dns[i].len);
        if (!names[i]) {
            fail(err, errlen, "client issuer %zu (%zu bytes) is not a DER Name that libcrypto reproduces exactly",
                 i, issuers->dns[i].len);
            goto out;
        }
    }

    /* The server part. */
    server_dir = join(abs, "server-v1");
    if (!server_dir) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    if (ensure_part(abs, server_dir, "server", fill_server, NULL, &v, err, errlen) != 0)
        goto out;
    out->server_ca = join(server_dir, "server-ca.pem");
    out->server_cert = join(server_dir, "server.pem");
    out->server_key = join(server_dir, "server.key");

    /* The client part, named by its issuers. */
    hasher h;
    char hash[33];
    h_init(&h, PKI_FORMAT " clients");
    h_u64(&h, n);
    for (size_t i = 0; i < n; i++)
        h_blob(&h, issuers->dns[i].der, issuers->dns[i].len);
    if (h_final(&h, hash) != 0) {
        ossl_fail(err, errlen, "SHA-256");
        goto out;
    }
    char leaf[64];
    snprintf(leaf, sizeof(leaf), "clients-%s", hash);
    clients_dir = join(abs, leaf);
    if (!clients_dir) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    clients_arg ca = {issuers, names};
    if (ensure_part(abs, clients_dir, "clients", fill_clients, &ca, &v, err, errlen) != 0)
        goto out;
    out->client_cas = join(clients_dir, "client-cas.pem");
    for (size_t i = 0; i < n; i++) {
        char fn[64];
        snprintf(fn, sizeof(fn), "client-%zu.pem", i);
        out->client_cert[i] = join(clients_dir, fn);
        snprintf(fn, sizeof(fn), "client-%zu.key", i);
        out->client_key[i] = join(clients_dir, fn);
        if (!out->client_cert[i] || !out->client_key[i]) {
            fail(err, errlen, "out of memory");
            goto out;
        }
    }
    if (!out->server_ca || !out->server_cert || !out->server_key || !out->client_cas) {
        fail(err, errlen, "out of memory");
        goto out;
    }

    if (spec->list) {
        const cb_calist *list = spec->list;
        real = calloc(list->count ? list->count : 1, sizeof(*real));
        if (!real) {
            fail(err, errlen, "out of memory");
            goto out;
        }
        int need_ca = 0;
        for (size_t i = 0; i < list->count; i++) {
            real[i] = real_index(list, i, issuers, n, err, errlen);
            if (real[i] == -2)
                goto out;
            need_ca |= real[i] >= 0;
        }
        /* The certificates actually on disk (this worker's or another's) are
         * the ones the list must carry, and they name the cache entry: a
         * regenerated client directory can never pair with a stale list. */
        for (size_t i = 0; i < n && need_ca; i++) {
            char fn[64];
            snprintf(fn, sizeof(fn), "client-ca-%zu.pem", i);
            char *p = join(clients_dir, fn);
            int r = p ? read_cert_der(p, &ca_der[i], &ca_len[i], err, errlen) : fail(err, errlen, "out of memory");
            free(p);
            if (r != 0)
                goto out;
        }
        h_init(&h, PKI_FORMAT " list");
        h_u64(&h, list->count);
        for (size_t i = 0; i < list->count; i++) {
            h_blob(&h, list->dns[i].der, list->dns[i].len);
            h_u64(&h, (uint64_t)(real[i] + 1));
            if (real[i] >= 0)
                h_blob(&h, ca_der[real[i]], ca_len[real[i]]);
        }
        if (h_final(&h, hash) != 0) {
            ossl_fail(err, errlen, "SHA-256");
            goto out;
        }
        snprintf(leaf, sizeof(leaf), "list-%s.pem", hash);
        out->list_pem = join(abs, leaf);
        if (!out->list_pem) {
            fail(err, errlen, "out of memory");
            goto out;
        }
        list_job j = {list, real, ca_der, ca_len};
        if (ensure_list(abs, out->list_pem, hash, &j, &v, err, errlen) != 0)
            goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        cb_pki_free(out);
    for (size_t i = 0; i < n; i++) {
        if (names)
            X509_NAME_free(names[i]);
        if (ca_der)
            OPENSSL_free(ca_der[i]);
    }
    free(names);
    free(ca_der);
    free(ca_len);
    free(real);
    free(server_dir);
    free(clients_dir);
    validity_free(&v);
    return rc;
}
