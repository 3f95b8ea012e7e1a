/* The test PKI: every file loads back with libcrypto, certificates verify,
 * CA subjects are the configured DN bytes, list.pem follows the list, the
 * cache is reused and concurrent workers agree. */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "check.h"
#include "testutil.h"
#include "der.h"
#include "dn.h"
#include "listgen.h"
#include "pki.h"


/* load_certs reads every certificate of a PEM file. */
static STACK_OF(X509) *load_certs(const char *path)
{
    STACK_OF(X509) *sk = sk_X509_new_null();
    BIO *b = BIO_new_file(path, "r");
    X509 *x;
    while (b && sk && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
        sk_X509_push(sk, x);
    ERR_clear_error(); /* the end of the file reads as an error */
    BIO_free(b);
    return sk;
}

static X509 *load_cert(const char *path)
{
    BIO *b = BIO_new_file(path, "r");
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    return x;
}

static EVP_PKEY *load_key(const char *path)
{
    BIO *b = BIO_new_file(path, "r");
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    return k;
}

static int subject_is(X509 *x, const cb_dn *dn)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    const uint8_t *s;
    size_t sl;
    int ok = len > 0 && cb_der_cert_subject(der, (size_t)len, &s, &sl) == 0 && sl == dn->len &&
             memcmp(s, dn->der, sl) == 0;
    OPENSSL_free(der);
    return ok;
}

static int same_cert(X509 *a, X509 *b) { return X509_cmp(a, b) == 0; }

/* verify checks |leaf| against |anchors| for |purpose| at a time inside the
 * fixed validity; the reason is printed when the result is not |expect|. */
static int verify(X509 *leaf, STACK_OF(X509) *anchors, int purpose, const char *host, int expect)
{
    X509_STORE *st = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    for (int i = 0; i < sk_X509_num(anchors); i++)
        X509_STORE_add_cert(st, sk_X509_value(anchors, i));
    int ok = X509_STORE_CTX_init(ctx, st, leaf, NULL) == 1;
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(vp, (time_t)1700000000);
    X509_VERIFY_PARAM_set_purpose(vp, purpose);
    if (host)
        X509_VERIFY_PARAM_set1_host(vp, host, 0);
    ok = ok && X509_verify_cert(ctx) == 1;
    if (ok != expect)
        fprintf(stderr, "verify: %s\n", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(st);
    return ok;
}

static int file_id(const char *path, struct stat *st) { return stat(path, st); }

static int same_file_version(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int make_list(size_t list_bytes, size_t lo, size_t hi, const cb_calist *real, const cb_placement *where,
                     uint64_t seed, cb_calist *out)
{
    char err[256];
    cb_listgen g = {.list_bytes = list_bytes, .dn_min = lo, .dn_max = hi, .seed = seed, .real = real, .where = where};
    cb_calist_init(out);
    if (cb_listgen_build(&g, out, err, sizeof(err)) != 0) {
        fprintf(stderr, "listgen: %s\n", err);
        return -1;
    }
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    char base[] = "/tmp/cabound-test-pki-XXXXXX";
    if (!mkdtemp(base)) {
        perror("mkdtemp");
        return 1;
    }
    char dir[4200], err[512];
    snprintf(dir, sizeof(dir), "%s/pki/nested", base);

    /* Two issuers of different sizes, then a list of ~200 DNs holding them. */
    cb_calist issuers;
    cb_calist_init(&issuers);
    uint8_t dn[200];
    CHECK(cb_dn_build(dn, 60, 777, 0) == 0);
    cb_calist_push(&issuers, dn, 60, "real:client0");
    CHECK(cb_dn_build(dn, 143, 777, 1) == 0);
    cb_calist_push(&issuers, dn, 143, "real:client1");
    cb_placement where[2] = {{CB_POS_MIDDLE, 0}, {CB_POS_LAST, 0}};
    cb_calist list;
    CHECK(make_list(16000, 40, 120, &issuers, where, 5, &list) == 0);
    CHECK(list.count > 150 && list.count < 300);

    cb_pki pki;
    cb_pki_spec spec = {dir, &issuers, &list};
    int rc = cb_pki_make(&spec, &pki, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "cb_pki_make: %s\n", err);
    CHECK(rc == 0);
    CHECK_EQ(pki.n_clients, 2);
    CHECK(pki.server_cert && pki.server_cert[0] == '/');
    CHECK(pki.list_pem && pki.list_pem[0] == '/');

    /* The server side: the leaf verifies for localhost against the server CA. */
    X509 *server = load_cert(pki.server_cert), *server_ca = load_cert(pki.server_ca);
    EVP_PKEY *server_key = load_key(pki.server_key);
    CHECK(server && server_ca && server_key);
    CHECK(X509_check_private_key(server, server_key) == 1);
    STACK_OF(X509) *sca = sk_X509_new_null();
    sk_X509_push(sca, server_ca);
    CHECK(verify(server, sca, X509_PURPOSE_SSL_SERVER, "localhost", 1));
    CHECK(X509_check_host(server, "localhost", 0, 0, NULL) == 1);
    CHECK_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(server_ca)), 1);
    CHECK_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(server)), 2);
    /* The fixed validity, as UTCTime. */
    ASN1_TIME *nb = ASN1_TIME_new(), *na = ASN1_TIME_new();
    ASN1_TIME_set_string(nb, "200101000000Z");
    ASN1_TIME_set_string(na, "491231235959Z");
    CHECK(ASN1_TIME_compare(X509_get0_notBefore(server), nb) == 0);
    CHECK(ASN1_TIME_compare(X509_get0_notAfter(server), na) == 0);
    CHECK_EQ(ASN1_STRING_type(X509_get0_notAfter(server)), V_ASN1_UTCTIME);

    /* The client side: each CA's subject is the issuer DN byte for byte, each
     * leaf verifies against the bundle for client authentication. */
    STACK_OF(X509) *cas = load_certs(pki.client_cas);
    CHECK_EQ(sk_X509_num(cas), 2);
    for (size_t i = 0; i < 2 && sk_X509_num(cas) == 2; i++) {
        X509 *ca = sk_X509_value(cas, (int)i);
        CHECK(subject_is(ca, &issuers.dns[i]));
        CHECK(X509_check_ca(ca) >= 1);
        X509 *leaf = load_cert(pki.client_cert[i]);
        EVP_PKEY *key = load_key(pki.client_key[i]);
        CHECK(leaf && key);
        if (!leaf || !key)
            continue;
        CHECK(X509_check_private_key(leaf, key) == 1);
        CHECK(verify(leaf, cas, X509_PURPOSE_SSL_CLIENT, NULL, 1));
        CHECK(X509_verify(leaf, X509_get0_pubkey(ca)) == 1);
        /* The issuer field of the leaf is the configured DN too. */
        unsigned char *der = NULL;
        int len = i2d_X509(leaf, &der);
        const uint8_t *is;
        size_t il;
        CHECK(len > 0 && cb_der_cert_issuer(der, (size_t)len, &is, &il) == 0 && il == issuers.dns[i].len &&
              memcmp(is, issuers.dns[i].der, il) == 0);
        OPENSSL_free(der);
        char cn[64] = "";
        X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn, sizeof(cn));
        char want[64];
        snprintf(want, sizeof(want), "cabound client %zu", i);
        CHECK_STR(cn, want);
        CHECK(X509_check_purpose(leaf, X509_PURPOSE_SSL_CLIENT, 0) == 1);
        CHECK(X509_check_purpose(leaf, X509_PURPOSE_SSL_SERVER, 0) != 1);
        /* A client certificate does not verify against the other CA. */
        STACK_OF(X509) *other = sk_X509_new_null();
        sk_X509_push(other, sk_X509_value(cas, (int)(1 - i)));
        CHECK(!verify(leaf, other, X509_PURPOSE_SSL_CLIENT, NULL, 0));
        ERR_clear_error();
        sk_X509_free(other);
        X509_free(leaf);
        EVP_PKEY_free(key);
    }

    /* list.pem: one certificate per DN in order; the real DNs carry the real
     * CA certificates, the others self-signed CAs of exactly that subject. */
    STACK_OF(X509) *lp = load_certs(pki.list_pem);
    CHECK_EQ(sk_X509_num(lp), list.count);
    size_t subjects_ok = 0, real_ok = 0, self_ok = 0, fillers = 0;
    for (size_t i = 0; i < list.count && (size_t)sk_X509_num(lp) == list.count; i++) {
        X509 *x = sk_X509_value(lp, (int)i);
        subjects_ok += subject_is(x, &list.dns[i]);
        long c = cb_calist_find(&issuers, list.dns[i].der, list.dns[i].len);
        if (c >= 0) {
            real_ok += same_cert(x, sk_X509_value(cas, (int)c));
        } else {
            fillers++;
            self_ok += X509_verify(x, X509_get0_pubkey(x)) == 1 && X509_check_ca(x) >= 1 &&
                       X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0 &&
                       ASN1_INTEGER_get(X509_get0_serialNumber(x)) > 0xffffffffL; /* random, per list */
        }
    }
    CHECK_EQ(subjects_ok, list.count);
    CHECK_EQ(real_ok, 2);
    CHECK_EQ(fillers, list.count - 2);
    CHECK_EQ(self_ok, fillers);

    /* The cache: a second call rewrites nothing. */
    struct stat st_cert, st_list, st_server, st2;
    CHECK(file_id(pki.client_cert[1], &st_cert) == 0);
    CHECK(file_id(pki.list_pem, &st_list) == 0);
    CHECK(file_id(pki.server_cert, &st_server) == 0);
    cb_pki again;
    sleep(1); /* so that a rewrite would show in the mtime even on coarse clocks */
    CHECK(cb_pki_make(&spec, &again, err, sizeof(err)) == 0);
    CHECK_STR(again.list_pem, pki.list_pem);
    CHECK_STR(again.client_cert[1], pki.client_cert[1]);
    CHECK(file_id(again.client_cert[1], &st2) == 0 && same_file_version(&st_cert, &st2));
    CHECK(file_id(again.list_pem, &st2) == 0 && same_file_version(&st_list, &st2));
    CHECK(file_id(again.server_cert, &st2) == 0 && same_file_version(&st_server, &st2));
    cb_pki_free(&again);

    /* Another list beside it: a new list file, the same client files. */
    cb_calist list2;
    CHECK(make_list(3000, 40, 120, &issuers, where, 6, &list2) == 0);
    cb_pki_spec spec2 = {dir, &issuers, &list2};
    CHECK(cb_pki_make(&spec2, &again, err, sizeof(err)) == 0);
    CHECK(again.list_pem && strcmp(again.list_pem, pki.list_pem) != 0);
    CHECK_STR(again.client_cas, pki.client_cas);
    CHECK(file_id(again.client_cert[1], &st2) == 0 && same_file_version(&st_cert, &st2));
    cb_pki_free(&again);
    /* No list: no list file. */
    cb_pki_spec spec3 = {dir, &issuers, NULL};
    CHECK(cb_pki_make(&spec3, &again, err, sizeof(err)) == 0);
    CHECK(again.list_pem == NULL);
    cb_pki_free(&again);

    /* Errors name the DN. */
    cb_calist bad;
    cb_calist_init(&bad);
    cb_calist_copy_prefix(&bad, &list, 8);
    static const uint8_t not_name[] = {0x30, 0x03, 0x02, 0x01, 0x05}; /* SEQUENCE { INTEGER 5 } */
    cb_calist_insert(&bad, 5, not_name, sizeof(not_name), NULL);
    cb_pki_spec bs = {dir, &issuers, &bad};
    CHECK(cb_pki_make(&bs, &again, err, sizeof(err)) == -1);
    CHECK(strstr(err, "list DN 5 ") != NULL);
    CHECK(again.server_cert == NULL);
    cb_calist bad_issuers;
    cb_calist_init(&bad_issuers);
    cb_calist_push(&bad_issuers, issuers.dns[0].der, issuers.dns[0].len, NULL);
    cb_calist_push(&bad_issuers, not_name, sizeof(not_name), NULL);
    cb_pki_spec bi = {dir, &bad_issuers, NULL};
    CHECK(cb_pki_make(&bi, &again, err, sizeof(err)) == -1);
    CHECK(strstr(err, "client issuer 1 ") != NULL);
    /* A label that names the wrong client is refused, not silently used. */
    cb_calist lying;
    cb_calist_init(&lying);
    cb_calist_push(&lying, issuers.dns[0].der, issuers.dns[0].len, "real:client1");
    cb_pki_spec ls = {dir, &issuers, &lying};
    CHECK(cb_pki_make(&ls, &again, err, sizeof(err)) == -1);
    CHECK(strstr(err, "list DN 0 is labelled \"real:client1\"") != NULL);
    cb_calist_free(&lying);
    cb_calist_init(&lying);
    cb_calist_push(&lying, issuers.dns[0].der, issuers.dns[0].len, "real:client7");
    CHECK(cb_pki_make(&ls, &again, err, sizeof(err)) == -1);
    CHECK(strstr(err, "there are 2 client issuers") != NULL);

    /* Concurrent workers on an empty directory all succeed and all see the
     * same files. */
    char cdir[4200];
    snprintf(cdir, sizeof(cdir), "%s/concurrent", base);
    enum { WORKERS = 4 };
    pid_t pids[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            cb_pki p;
            cb_pki_spec s = {cdir, &issuers, &list};
            char e[512];
            int r = cb_pki_make(&s, &p, e, sizeof(e));
            if (r != 0)
                fprintf(stderr, "worker %d: %s\n", w, e);
            cb_pki_free(&p);
            _exit(r == 0 ? 0 : 1);
        }
    }
    int workers_ok = 0;
    for (int w = 0; w < WORKERS; w++) {
        int status;
        workers_ok += pids[w] > 0 && waitpid(pids[w], &status, 0) == pids[w] && WIFEXITED(status) &&
                      WEXITSTATUS(status) == 0;
    }
    CHECK_EQ(workers_ok, WORKERS);
    cb_pki_spec cs = {cdir, &issuers, &list};
    CHECK(cb_pki_make(&cs, &again, err, sizeof(err)) == 0);
    STACK_OF(X509) *clp = load_certs(again.list_pem), *ccas = load_certs(again.client_cas);
    CHECK_EQ(sk_X509_num(clp), list.count);
    /* Whichever worker's client directory won, the list carries its CAs. */
    long at0 = cb_calist_find(&list, issuers.dns[0].der, issuers.dns[0].len);
    CHECK(at0 >= 0 && sk_X509_num(clp) > at0 && sk_X509_num(ccas) == 2 &&
          same_cert(sk_X509_value(clp, (int)at0), sk_X509_value(ccas, 0)));
    DIR *d = opendir(cdir);
    size_t leftovers = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        leftovers += strncmp(e->d_name, ".tmp-", 5) == 0;
    if (d)
        closedir(d);
    CHECK_EQ(leftovers, 0);
    sk_X509_pop_free(clp, X509_free);
    sk_X509_pop_free(ccas, X509_free);
    cb_pki_free(&again);

    /* The speed of a big list.pem (the number quoted in pki.c). */
    cb_calist big;
    CHECK(make_list(1500 * 82, 40, 120, &issuers, where, 7, &big) == 0);
    char tdir[4200];
    snprintf(tdir, sizeof(tdir), "%s/timing", base);
    cb_pki_spec ts = {tdir, &issuers, NULL};
    CHECK(cb_pki_make(&ts, &again, err, sizeof(err)) == 0);
    cb_pki_free(&again);
    ts.list = &big;
    double t0 = now();
    CHECK(cb_pki_make(&ts, &again, err, sizeof(err)) == 0);
    double t1 = now();
    printf("list.pem of %zu DNs: %.1f ms\n", big.count, (t1 - t0) * 1e3);
    STACK_OF(X509) *bp = load_certs(again.list_pem);
    CHECK_EQ(sk_X509_num(bp), big.count);
    sk_X509_pop_free(bp, X509_free);
    cb_pki_free(&again);
    cb_calist_free(&big);

    sk_X509_pop_free(lp, X509_free);
    sk_X509_pop_free(cas, X509_free);
    sk_X509_pop_free(sca, X509_free);
    X509_free(server);
    EVP_PKEY_free(server_key);
    ASN1_TIME_free(nb);
    ASN1_TIME_free(na);
    cb_pki_free(&pki);
    cb_calist_free(&issuers);
    cb_calist_free(&list);
    cb_calist_free(&list2);
    cb_calist_free(&bad);
    cb_calist_free(&bad_issuers);
    cb_calist_free(&lying);
    rm_rf(base);
    CHECK_DONE();
}
