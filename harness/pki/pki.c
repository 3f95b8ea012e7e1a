/* pki.c — a case's PKI: the server part, the client part and the list
 * part, each made once and cached by content (pki_cache.c). */
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
#include "pki_internal.h"

/* Bumped whenever what the cache holds changes shape, so that old caches are
 * never mistaken for new ones. */
#define PKI_FORMAT "cabound-pki 2"

/* The server's two serial numbers are fixed (there is one server PKI per
 * directory); every other certificate gets random_serial(). */
enum {
    SERIAL_SERVER_CA = 1,
    SERIAL_SERVER = 2,
};

/* ---- the server part ---- */

static int make_server_dir(const char *tmp, const pki_validity *v, char *err, size_t errlen)
{
    int rc = -1;
    EVP_PKEY *ca_key = NULL, *key = NULL;
    X509 *ca = NULL, *leaf = NULL;
    X509_NAME *ca_name = pki_name_from_text("cabound test", "cabound server CA");
    X509_NAME *name = pki_name_from_text("cabound test", "localhost");
    char *p[4] = {pki_join(tmp, "server-ca.pem"), pki_join(tmp, "server-ca.key"), pki_join(tmp, "server.pem"),
                  pki_join(tmp, "server.key")};
    if (!ca_name || !name || !p[0] || !p[1] || !p[2] || !p[3]) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    if (!(ca_key = pki_new_key(err, errlen)) || !(key = pki_new_key(err, errlen)))
        goto out;
    pki_cert_spec cs = {ca_name, ca_key, NULL, NULL, SERIAL_SERVER_CA, NULL, NULL};
    if (!(ca = pki_make_cert(&cs, v, err, errlen)))
        goto out;
    pki_cert_spec ls = {name, key, ca, ca_key, SERIAL_SERVER, "serverAuth", "DNS:localhost"};
    if (!(leaf = pki_make_cert(&ls, v, err, errlen)))
        goto out;
    if (pki_write_cert(p[0], ca, err, errlen) || pki_write_key(p[1], ca_key, err, errlen) ||
        pki_write_cert(p[2], leaf, err, errlen) || pki_write_key(p[3], key, err, errlen))
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
                       int (*fill)(const char *tmp, const void *arg, const pki_validity *v, char *err, size_t errlen),
                       const void *arg, const pki_validity *v, char *err, size_t errlen)
{
    if (pki_is_dir(final))
        return 0;
    char tmpl[PATH_MAX];
    if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/.tmp-%s-XXXXXX", absdir, tag) >= sizeof(tmpl))
        return fail(err, errlen, "path too long under %s", absdir);
    if (!mkdtemp(tmpl))
        return fail(err, errlen, "mkdtemp %s: %s", tmpl, strerror(errno));
    if (fill(tmpl, arg, v, err, errlen) != 0) {
        pki_remove_flat_dir(tmpl);
        return -1;
    }
    return pki_publish_dir(tmpl, final, err, errlen);
}

static int fill_server(const char *tmp, const void *arg, const pki_validity *v, char *err, size_t errlen)
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

static int fill_clients(const char *tmp, const void *argp, const pki_validity *v, char *err, size_t errlen)
{
    const clients_arg *a = argp;
    size_t n = a->issuers ? a->issuers->count : 0;
    char *bundle_path = pki_join(tmp, "client-cas.pem");
    BIO *bundle = bundle_path ? BIO_new_file(bundle_path, "w") : NULL;
    free(bundle_path);
    if (!bundle)
        return pki_ossl_fail(err, errlen, "client-cas.pem");
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
            p[k] = pki_join(tmp, fn[k]);
        if (!p[0] || !p[1] || !p[2] || !p[3] || !(name = pki_name_from_text("cabound test", cn))) {
            fail(err, errlen, "out of memory");
            goto next;
        }
        if (!(ca_key = pki_new_key(err, errlen)) || !(key = pki_new_key(err, errlen)))
            goto next;
        pki_cert_spec cs = {a->names[i], ca_key, NULL, NULL, random_serial(), NULL, NULL};
        if (!(ca = pki_make_cert(&cs, v, err, errlen)))
            goto next;
        if (!pki_subject_matches(ca, a->issuers->dns[i].der, a->issuers->dns[i].len)) {
            fail(err, errlen, "client issuer %zu: the CA certificate's subject differs from the DN", i);
            goto next;
        }
        pki_cert_spec ls = {name, key, ca, ca_key, random_serial(), "clientAuth", NULL};
        if (!(leaf = pki_make_cert(&ls, v, err, errlen)))
            goto next;
        if (pki_write_cert(p[0], ca, err, errlen) || pki_write_key(p[1], ca_key, err, errlen) ||
            pki_write_cert(p[2], leaf, err, errlen) || pki_write_key(p[3], key, err, errlen))
            goto next;
        if (PEM_write_bio_X509(bundle, ca) != 1) {
            pki_ossl_fail(err, errlen, "client-cas.pem");
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
        rc = pki_ossl_fail(err, errlen, "client-cas.pem");
    return rc;
}

/* ---- the list ---- */

typedef struct list_job {
    const cb_calist *list;
    const long *real;         /* per list DN: client index, or -1 for a filler */
    uint8_t **ca_der;         /* per client: its CA certificate */
    size_t *ca_len;
} list_job;

/* Speed, measured on the development container (2 cores, OpenSSL 3.0.22,
 * RelWithDebInfo, one worker): a list.pem of 1500 DNs of 40..120 bytes takes
 * 56..59 ms, ~38 us a certificate, of which the ECDSA signature is ~14 us.
 * Encoding the public key once (pki_set_pubkey_fast) instead of X509_set_pubkey
 * per certificate took it down from 270 ms; one shared filler key and
 * extensions built once do the rest. test_pki prints the figure for the
 * machine it runs on ("list.pem of N DNs: T ms"). */
static int write_list(const char *tmp_path, int fd, const list_job *j, const pki_validity *v, char *err,
                      size_t errlen)
{
    int rc = -1;
    EVP_PKEY *key = NULL;
    X509 *proto = NULL;
    X509_EXTENSION *ext[3] = {NULL, NULL, NULL};
    BIO *mem = BIO_new(BIO_s_mem());
    if (!mem) {
        pki_ossl_fail(err, errlen, "memory BIO");
        goto out;
    }
    if (!(key = pki_new_key(err, errlen)))
        goto out;
    /* The subject key identifier depends only on the key, which every filler
     * shares, so one set of extensions serves them all. */
    proto = X509_new();
    if (!proto || X509_set_pubkey(proto, key) != 1) {
        pki_ossl_fail(err, errlen, "filler template");
        goto out;
    }
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, proto, proto, NULL, NULL, 0);
    ext[0] = X509V3_EXT_nconf_nid(NULL, &v3, NID_basic_constraints, "critical,CA:TRUE");
    ext[1] = X509V3_EXT_nconf_nid(NULL, &v3, NID_key_usage, "critical,keyCertSign,cRLSign");
    ext[2] = X509V3_EXT_nconf_nid(NULL, &v3, NID_subject_key_identifier, "hash");
    if (!ext[0] || !ext[1] || !ext[2]) {
        pki_ossl_fail(err, errlen, "filler extensions");
        goto out;
    }
    for (size_t i = 0; i < j->list->count; i++) {
        const cb_dn *dn = &j->list->dns[i];
        if (j->real[i] >= 0) {
            size_t c = (size_t)j->real[i];
            if (PEM_write_bio(mem, "CERTIFICATE", "", j->ca_der[c], (long)j->ca_len[c]) <= 0) {
                pki_ossl_fail(err, errlen, "PEM encoding");
                goto out;
            }
            continue;
        }
        X509_NAME *name = pki_name_from_der(dn->der, dn->len);
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
                 pki_set_pubkey_fast(x, proto) == 0 && X509_add_ext(x, ext[0], -1) == 1 &&
                 X509_add_ext(x, ext[1], -1) == 1 && X509_add_ext(x, ext[2], -1) == 1 &&
                 X509_sign(x, key, EVP_sha256()) > 0;
        X509_NAME_free(name);
        unsigned char *der = NULL;
        int dl = ok ? i2d_X509(x, &der) : -1;
        X509_free(x);
        if (dl <= 0) {
            pki_ossl_fail(err, errlen, "filler certificate");
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
            pki_ossl_fail(err, errlen, "PEM encoding");
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
                       const pki_validity *v, char *err, size_t errlen)
{
    if (pki_is_file(final))
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
    pki_validity v = {NULL, NULL};

    if (pki_mkdir_p(spec->dir, err, errlen) != 0)
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
    if (pki_validity_init(&v, err, errlen) != 0)
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
        names[i] = pki_name_from_der(issuers->dns[i].der, issuers->dns[i].len);
        if (!names[i]) {
            fail(err, errlen, "client issuer %zu (%zu bytes) is not a DER Name that libcrypto reproduces exactly",
                 i, issuers->dns[i].len);
            goto out;
        }
    }

    /* The server part. */
    server_dir = pki_join(abs, "server-v1");
    if (!server_dir) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    if (ensure_part(abs, server_dir, "server", fill_server, NULL, &v, err, errlen) != 0)
        goto out;
    out->server_ca = pki_join(server_dir, "server-ca.pem");
    out->server_cert = pki_join(server_dir, "server.pem");
    out->server_key = pki_join(server_dir, "server.key");

    /* The client part, named by its issuers. */
    pki_hasher h;
    char hash[33];
    pki_hash_init(&h, PKI_FORMAT " clients");
    pki_hash_u64(&h, n);
    for (size_t i = 0; i < n; i++)
        pki_hash_blob(&h, issuers->dns[i].der, issuers->dns[i].len);
    if (pki_hash_final(&h, hash) != 0) {
        pki_ossl_fail(err, errlen, "SHA-256");
        goto out;
    }
    char leaf[64];
    snprintf(leaf, sizeof(leaf), "clients-%s", hash);
    clients_dir = pki_join(abs, leaf);
    if (!clients_dir) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    clients_arg ca = {issuers, names};
    if (ensure_part(abs, clients_dir, "clients", fill_clients, &ca, &v, err, errlen) != 0)
        goto out;
    out->client_cas = pki_join(clients_dir, "client-cas.pem");
    for (size_t i = 0; i < n; i++) {
        char fn[64];
        snprintf(fn, sizeof(fn), "client-%zu.pem", i);
        out->client_cert[i] = pki_join(clients_dir, fn);
        snprintf(fn, sizeof(fn), "client-%zu.key", i);
        out->client_key[i] = pki_join(clients_dir, fn);
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
            char *p = pki_join(clients_dir, fn);
            int r = p ? pki_read_cert_der(p, &ca_der[i], &ca_len[i], err, errlen) : fail(err, errlen, "out of memory");
            free(p);
            if (r != 0)
                goto out;
        }
        pki_hash_init(&h, PKI_FORMAT " list");
        pki_hash_u64(&h, list->count);
        for (size_t i = 0; i < list->count; i++) {
            pki_hash_blob(&h, list->dns[i].der, list->dns[i].len);
            pki_hash_u64(&h, (uint64_t)(real[i] + 1));
            if (real[i] >= 0)
                pki_hash_blob(&h, ca_der[real[i]], ca_len[real[i]]);
        }
        if (pki_hash_final(&h, hash) != 0) {
            pki_ossl_fail(err, errlen, "SHA-256");
            goto out;
        }
        snprintf(leaf, sizeof(leaf), "list-%s.pem", hash);
        out->list_pem = pki_join(abs, leaf);
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
    pki_validity_free(&v);
    return rc;
}
