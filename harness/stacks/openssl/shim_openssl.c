/* shim_openssl.c — the OpenSSL 3.0 shim, and, compiled a second time against
 * BoringSSL's headers (OPENSSL_IS_BORINGSSL), the BoringSSL shim. Each
 * executable links exactly one of the two libraries (see ../README.md for the
 * contract; NOTES.md here and in ../boringssl for the source references).
 *
 * Setting the list (server):
 *   explicit     SSL_set_client_CA_list() with one X509_NAME per DN of
 *                the list file, each from d2i_X509_NAME() (a DN that does not
 *                parse, or leaves trailing bytes, is an observation error and
 *                no handshake is run). Both libraries keep the parsed name's
 *                original encoding and write it back unchanged, in order,
 *                duplicates included. The list is the connection's (the
 *                context is cached across cases); the server reads it the
 *                same way as a context's: OpenSSL's get_ca_names
 *                (ssl/statem/statem_lib.c) takes SSL_get_client_CA_list, the
 *                SSL's list before the SSL_CTX's (ssl/ssl_cert.c), and
 *                BoringSSL's ssl_add_client_CA_list (ssl/ssl_cert.cc)
 *                config->client_CA before ctx->client_CA.
 *   trust-store  SSL_load_client_CA_file(calist_pem), as s_server -CAfile and
 *                most servers do; the same file is the verify store
 *                (SSL_CTX_load_verify_locations). Both libraries drop
 *                duplicate subjects and keep file order.
 *   raw          (BoringSSL only) SSL_set0_client_CAs() with one
 *                CRYPTO_BUFFER per DN holding its bytes unchecked: BoringSSL
 *                copies them to the wire as they are.
 *   none         nothing: OpenSSL and BoringSSL then send an empty list in
 *                TLS 1.2 and omit certificate_authorities in TLS 1.3.
 *
 * Reading the list (client):
 *   native       the first credential is configured with
 *                SSL_CTX_use_certificate_chain_file/SSL_CTX_use_PrivateKey_file
 *                and the library sends it whatever the list says (neither
 *                library picks by issuer unless OpenSSL's non-default strict
 *                mode is on, or the application does it in a callback). A
 *                certificate callback (SSL_CTX_set_cert_cb), which does not
 *                change the selection, snapshots the list.
 *   by-issuer    OpenSSL: SSL_CTX_set_client_cert_cb; the callback reads
 *                SSL_get_client_CA_list() (the names parse_ca_names decoded,
 *                re-encoded with i2d_X509_NAME, which returns their original
 *                bytes). BoringSSL: SSL_CTX_set_cert_cb; the callback reads
 *                SSL_get0_server_requested_CAs(), the exact bytes received.
 *                shim_pick_by_issuer() on each credential's issuer DER.
 *
 * Observation: alerts from the info callback (SSL_CB_ALERT), the key log
 * from SSL_CTX_set_keylog_callback, the certificate sent (client) and
 * received (server) from the message callback's Certificate message. Every
 * size limit stays at the library default; nothing here calls
 * SSL_CTX_set_max_cert_list. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#ifdef OPENSSL_IS_BORINGSSL
#include <openssl/pool.h>
#endif

#include "shim.h"

#ifdef OPENSSL_IS_BORINGSSL
#define STACK_NAME "boringssl"
#else
#define STACK_NAME "openssl"
#endif

#define CACHE_SLOTS 8
#define HS_CERTIFICATE 11

/* One client credential, loaded once per cached context. */
struct cred {
    X509 *x;
    EVP_PKEY *key;
    uint8_t *der; /* the leaf, to recognise it in the Certificate message */
    size_t der_len;
    uint8_t *issuer; /* i2d_X509_NAME(X509_get_issuer_name(leaf)) */
    size_t issuer_len;
};

/* A configured SSL_CTX, cached by the identity of everything it was built
 * from (request fields and the files' path, inode, size, mtime): loading
 * hundreds of trust anchors per case would dominate the run time. */
struct ctx_entry {
    char *id;
    SSL_CTX *ctx;
    struct cred *creds;
    size_t ncreds;
};

static struct ctx_entry *cache[CACHE_SLOTS];
static size_t cache_next;

/* Per-connection state, reachable from the callbacks via SSL_get_app_data. */
struct conn {
    const struct shim_case *c;
    struct shim_obs *obs;
    struct ctx_entry *e;
    bool list_seen;    /* the certificate callback snapshotted the list */
    bool close_sent;   /* a close_notify went out */
    bool close_rcvd;   /* a close_notify came in */
    bool cb_failed;    /* a callback ran out of memory */
};

/* ---- errors ------------------------------------------------------------- */

/* lib_error records the first error of the library's queue (the root cause;
 * later entries are consequences), prefixed by |what|, then empties the
 * queue. Returns false when the queue was empty. */
static bool lib_error(struct shim_obs *obs, const char *what)
{
    unsigned long e = ERR_get_error();
    if (e == 0)
        return false;
    char buf[256], text[512];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (what)
        snprintf(text, sizeof(text), "%s: %s", what, buf);
    else
        snprintf(text, sizeof(text), "%s", buf);
    shim_set_error(obs, (long)e, text);
    ERR_clear_error();
    return true;
}

static void setup_error(struct shim_obs *obs, const char *what, const char *path)
{
    char text[512];
    snprintf(text, sizeof(text), "%s %s", what, path ? path : "(none)");
    if (!lib_error(obs, text))
        shim_set_error(obs, 0, text);
}

/* io_error records why SSL_accept/SSL_connect/SSL_read/SSL_write returned
 * |ret|: the library's error code and text when it queued one, else the
 * SSL_get_error class (the code is then the SSL_ERROR_* value). A failed
 * verification adds the verifier's reason. */
static void io_error(SSL *ssl, int ret, int saved_errno, struct shim_obs *obs, const char *op)
{
    int err = SSL_get_error(ssl, ret);
    unsigned long e = ERR_get_error();
    char buf[256] = "", text[512];
    const char *why = NULL;
    if (e) {
        ERR_error_string_n(e, buf, sizeof(buf));
        why = buf;
    } else if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        why = "timed out waiting for the peer";
    } else if (err == SSL_ERROR_ZERO_RETURN) {
        why = "the peer sent close_notify";
    } else if (err == SSL_ERROR_SYSCALL && saved_errno) {
        why = strerror(saved_errno);
    } else if (err == SSL_ERROR_SYSCALL && ret == 0) {
        why = "unexpected EOF from the peer";
    } else if (err == SSL_ERROR_SYSCALL) {
        why = "SSL_ERROR_SYSCALL with no error queued and errno 0";
    } else {
        why = "no error queued";
    }
    /* BoringSSL reports X509_V_ERR_INVALID_CALL until a chain was verified. */
    long vr = SSL_get_verify_result(ssl);
    if (vr != X509_V_OK && vr != X509_V_ERR_INVALID_CALL)
        snprintf(text, sizeof(text), "%s: %s (verify: %s)", op, why,
                 X509_verify_cert_error_string(vr));
    else
        snprintf(text, sizeof(text), "%s: %s", op, why);
    shim_set_error(obs, e ? (long)e : err, text);
    ERR_clear_error();
}

/* ---- the cache ---------------------------------------------------------- */

static void free_entry(struct ctx_entry *e)
{
    if (!e)
        return;
    SSL_CTX_free(e->ctx);
    for (size_t i = 0; i < e->ncreds; i++) {
        X509_free(e->creds[i].x);
        EVP_PKEY_free(e->creds[i].key);
        OPENSSL_free(e->creds[i].der);
        OPENSSL_free(e->creds[i].issuer);
    }
    free(e->creds);
    free(e->id);
    free(e);
}

static struct ctx_entry *cache_find(const char *id)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (cache[i] && strcmp(cache[i]->id, id) == 0)
            return cache[i];
    return NULL;
}

static void cache_put(struct ctx_entry *e)
{
    free_entry(cache[cache_next]);
    cache[cache_next] = e;
    cache_next = (cache_next + 1) % CACHE_SLOTS;
}

static void cleanup(void)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        free_entry(cache[i]);
        cache[i] = NULL;
    }
}

/* verify_file is the verify store: the trust-store mode's calist_pem, else
 * the request's trust bundle. */
static const char *verify_file(const struct shim_case *c)
{
    return c->role == SHIM_SERVER && c->source == SHIM_SRC_TRUST_STORE ? c->calist_pem : c->trust;
}

/* case_id builds the cache key of |c|; NULL (error recorded) on failure. */
static char *case_id(const struct shim_case *c, struct shim_obs *obs)
{
    char *id = NULL;
    size_t idlen = 0;
    FILE *f = open_memstream(&id, &idlen);
    if (!f) {
        shim_set_error(obs, 0, "open_memstream failed");
        return NULL;
    }
    const char *bad = NULL;
    fprintf(f, "tls=%d\n", c->tls);
    if (shim_id_add(f, "trust", verify_file(c)) != 0)
        bad = verify_file(c);
    if (c->role == SHIM_SERVER) {
        fprintf(f, "server source=%d require=%d\n", (int)c->source, (int)c->require_cert);
        if (!bad && shim_id_add(f, "cert", c->cert) != 0)
            bad = c->cert;
        if (!bad && shim_id_add(f, "key", c->key) != 0)
            bad = c->key;
    } else {
        fprintf(f, "client select=%d peer_verify=%d\n", (int)c->select, (int)!c->no_peer_verify);
        for (size_t i = 0; !bad && i < c->n_client_creds; i++) {
            if (shim_id_add(f, "cert", c->client_creds[i].cert) != 0)
                bad = c->client_creds[i].cert;
            else if (shim_id_add(f, "key", c->client_creds[i].key) != 0)
                bad = c->client_creds[i].key;
        }
    }
    int saved = errno;
    if (fclose(f) != 0 || !id) {
        free(id);
        shim_set_error(obs, 0, "open_memstream failed");
        return NULL;
    }
    if (bad) {
        char text[512];
        snprintf(text, sizeof(text), "cannot read %s: %s", bad, strerror(saved));
        shim_set_error(obs, saved, text);
        free(id);
        return NULL;
    }
    return id;
}

/* ---- callbacks ---------------------------------------------------------- */

static void keylog_cb(const SSL *ssl, const char *line)
{
    struct conn *k = SSL_get_app_data(ssl);
    if (k)
        shim_keylog(k->c, line);
}

/* info_cb records the first alert sent and received other than
 * close_notify; a close_notify counts only when nothing else was seen and
 * the handshake failed (see finish_alerts). |value| is level << 8 | desc. */
static void info_cb(const SSL *ssl, int where, int value)
{
    struct conn *k = SSL_get_app_data(ssl);
    if (!k || !(where & SSL_CB_ALERT))
        return;
    int desc = value & 0xff;
    if (where & SSL_CB_WRITE) {
        if (desc == 0)
            k->close_sent = true;
        else if (k->obs->alert_sent < 0)
            k->obs->alert_sent = desc;
    } else if (where & SSL_CB_READ) {
        if (desc == 0)
            k->close_rcvd = true;
        else if (k->obs->alert_received < 0)
            k->obs->alert_received = desc;
    }
}

static uint32_t get24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* cert_leaf finds the leaf in a Certificate message (with its 4-byte
 * header). Returns 1 with *leaf and *len set, 0 for an empty Certificate, -1 when
 * the message is malformed. */
static int cert_leaf(const uint8_t *p, size_t n, int tls, const uint8_t **leaf, size_t *len)
{
    if (n < 4)
        return -1;
    p += 4, n -= 4;
    if (tls == 13) { /* certificate_request_context<0..255> */
        if (n < 1 || n < 1u + p[0])
            return -1;
        n -= 1u + p[0];
        p += 1u + p[0];
    }
    if (n < 3)
        return -1;
    if (get24(p) == 0)
        return 0;
    if (n < 6 || get24(p + 3) > n - 6)
        return -1;
    *leaf = p + 6;
    *len = get24(p + 3);
    return 1;
}

/* msg_cb sees each complete handshake message: the client's outgoing
 * Certificate gives sent_cert, the server's incoming one peer_cert (the
 * bytes as received, also when the library then rejects them). */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    (void)version;
    (void)arg;
    struct conn *k = SSL_get_app_data(ssl);
    const uint8_t *p = buf;
    if (!k || content_type != SSL3_RT_HANDSHAKE || len < 4 || p[0] != HS_CERTIFICATE)
        return;
    const uint8_t *leaf = NULL;
    size_t leaf_len = 0;
    int r = cert_leaf(p, len, k->c->tls, &leaf, &leaf_len);
    if (k->c->role == SHIM_CLIENT && write_p) {
        k->obs->sent_cert = r == 0 ? -1 : -2;
        for (size_t i = 0; r == 1 && i < k->e->ncreds; i++)
            if (k->e->creds[i].der_len == leaf_len &&
                memcmp(k->e->creds[i].der, leaf, leaf_len) == 0) {
                k->obs->sent_cert = (int)i;
                break;
            }
    } else if (k->c->role == SHIM_SERVER && !write_p && r == 1 && !k->obs->peer_cert) {
        k->obs->peer_cert = malloc(leaf_len ? leaf_len : 1);
        if (k->obs->peer_cert) {
            memcpy(k->obs->peer_cert, leaf, leaf_len);
            k->obs->peer_cert_len = leaf_len;
        }
    }
}

/* snapshot_list copies the names the client API exposes into
 * obs->received, in order. BoringSSL: SSL_get0_server_requested_CAs, the
 * received bytes themselves. OpenSSL: SSL_get_client_CA_list, the names
 * parse_ca_names decoded; i2d_X509_NAME returns each one's cached original
 * encoding. In the certificate callback (|in_cb|) the list counts as exposed
 * even when empty; after a handshake that never reached the callback only
 * when the library still holds one (it holds none after rejecting the
 * CertificateRequest). Returns 0, or -1 when memory runs out. */
static int snapshot_list(const SSL *ssl, struct conn *k, bool in_cb)
{
    cb_calist *out = &k->obs->received;
    cb_calist_free(out);
    cb_calist_init(out);
#ifdef OPENSSL_IS_BORINGSSL
    const STACK_OF(CRYPTO_BUFFER) *l = SSL_get0_server_requested_CAs(ssl);
    k->obs->received_exposed = in_cb || l;
    size_t n = l ? sk_CRYPTO_BUFFER_num(l) : 0;
    for (size_t i = 0; i < n; i++) {
        const CRYPTO_BUFFER *b = sk_CRYPTO_BUFFER_value(l, i);
        if (cb_calist_push(out, CRYPTO_BUFFER_data(b), CRYPTO_BUFFER_len(b), NULL) != 0)
            return -1;
    }
#else
    STACK_OF(X509_NAME) *l = SSL_get_client_CA_list(ssl);
    k->obs->received_exposed = in_cb || l;
    int n = l ? sk_X509_NAME_num(l) : 0;
    for (int i = 0; i < n; i++) {
        unsigned char *der = NULL;
        int len = i2d_X509_NAME(sk_X509_NAME_value(l, i), &der);
        int rc = len < 0 ? -1 : cb_calist_push(out, der, (size_t)len, NULL);
        OPENSSL_free(der);
        if (rc != 0)
            return -1;
    }
#endif
    return 0;
}

/* pick returns the index of the credential to send (by-issuer), or -1. */
static int pick(const struct conn *k)
{
    size_t n = k->e->ncreds;
    const uint8_t **iss = calloc(n ? n : 1, sizeof(*iss));
    size_t *lens = calloc(n ? n : 1, sizeof(*lens));
    int r = -1;
    if (iss && lens) {
        for (size_t i = 0; i < n; i++) {
            iss[i] = k->e->creds[i].issuer;
            lens[i] = k->e->creds[i].issuer_len;
        }
        r = shim_pick_by_issuer(&k->obs->received, iss, lens, n);
    }
    free(iss);
    free(lens);
    return r;
}

/* cert_cb: native (both libraries) snapshots the list and leaves the
 * configured certificate alone; by-issuer on BoringSSL also installs the
 * pick (SSL_use_certificate/SSL_use_PrivateKey take their own references) or
 * nothing, which sends an empty Certificate. Returns 1, or 0 to abort. */
static int cert_cb(SSL *ssl, void *arg)
{
    (void)arg;
    struct conn *k = SSL_get_app_data(ssl);
    if (!k)
        return 1;
    k->list_seen = true;
    if (snapshot_list(ssl, k, true) != 0) {
        k->cb_failed = true;
        return 0;
    }
    if (k->c->select != SHIM_SEL_BY_ISSUER)
        return 1;
    int i = pick(k);
    if (i < 0)
        return 1;
    return SSL_use_certificate(ssl, k->e->creds[i].x) == 1 &&
           SSL_use_PrivateKey(ssl, k->e->creds[i].key) == 1;
}

#ifndef OPENSSL_IS_BORINGSSL
/* client_cert_cb (OpenSSL by-issuer): called from
 * tls_prepare_client_certificate when no certificate is configured. Hands
 * over new references to the pick, or returns 0: no certificate. */
static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
    struct conn *k = SSL_get_app_data(ssl);
    if (!k)
        return 0;
    k->list_seen = true;
    if (snapshot_list(ssl, k, true) != 0) {
        k->cb_failed = true;
        return 0; /* no certificate; the failure is reported */
    }
    int i = pick(k);
    if (i < 0)
        return 0;
    if (!X509_up_ref(k->e->creds[i].x))
        return 0;
    if (!EVP_PKEY_up_ref(k->e->creds[i].key)) {
        X509_free(k->e->creds[i].x);
        return 0;
    }
    *x509 = k->e->creds[i].x;
    *pkey = k->e->creds[i].key;
    return 1;
}
#endif

/* ---- building a context ------------------------------------------------- */

/* load_cred reads a credential's leaf (the first certificate of |src->cert|)
 * and key. Returns 0, or -1 with the error recorded. */
static int load_cred(struct cred *cr, const struct shim_cred *src, struct shim_obs *obs)
{
    BIO *b = BIO_new_file(src->cert, "r");
    cr->x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!cr->x)
        return setup_error(obs, "loading client certificate", src->cert), -1;
    b = BIO_new_file(src->key, "r");
    cr->key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!cr->key)
        return setup_error(obs, "loading client key", src->key), -1;
    unsigned char *der = NULL;
    int len = i2d_X509(cr->x, &der);
    if (len < 0)
        return setup_error(obs, "encoding client certificate", src->cert), -1;
    cr->der = der;
    cr->der_len = (size_t)len;
    der = NULL;
    len = i2d_X509_NAME(X509_get_issuer_name(cr->x), &der);
    if (len < 0)
        return setup_error(obs, "encoding the issuer of", src->cert), -1;
    cr->issuer = der;
    cr->issuer_len = (size_t)len;
    return 0;
}

/* set_explicit installs the list file's DNs with SSL_set_client_CA_list.
 * Returns 0, or -1 (error recorded) when a DN does not parse. */
static int set_explicit(SSL *ssl, const cb_calist *l, struct shim_obs *obs)
{
    STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
    if (!sk)
        return setup_error(obs, "sk_X509_NAME_new_null", NULL), -1;
    for (size_t i = 0; i < l->count; i++) {
        const cb_dn *dn = &l->dns[i];
        const unsigned char *p = dn->der;
        X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)dn->len);
        if (!name || p != dn->der + dn->len) {
            char what[256];
            snprintf(what, sizeof(what), "calist DN %zu%s%s (%zu bytes) %s d2i_X509_NAME", i,
                     dn->label ? " " : "", dn->label ? dn->label : "", dn->len,
                     name ? "has trailing bytes after" : "does not parse with");
            X509_NAME_free(name);
            sk_X509_NAME_pop_free(sk, X509_NAME_free);
            if (!lib_error(obs, what))
                shim_set_error(obs, 0, what);
            return -1;
        }
        if (!sk_X509_NAME_push(sk, name)) {
            X509_NAME_free(name);
            sk_X509_NAME_pop_free(sk, X509_NAME_free);
            return setup_error(obs, "sk_X509_NAME_push", NULL), -1;
        }
    }
    SSL_set_client_CA_list(ssl, sk); /* takes ownership */
    return 0;
}

#ifdef OPENSSL_IS_BORINGSSL
/* set_raw installs the DN bytes unchecked, one CRYPTO_BUFFER each. */
static int set_raw(SSL *ssl, const cb_calist *l, struct shim_obs *obs)
{
    STACK_OF(CRYPTO_BUFFER) *sk = sk_CRYPTO_BUFFER_new_null();
    if (!sk)
        return setup_error(obs, "sk_CRYPTO_BUFFER_new_null", NULL), -1;
    for (size_t i = 0; i < l->count; i++) {
        static const uint8_t empty[1];
        const cb_dn *dn = &l->dns[i];
        CRYPTO_BUFFER *b = CRYPTO_BUFFER_new(dn->len ? dn->der : empty, dn->len, NULL);
        if (!b || !sk_CRYPTO_BUFFER_push(sk, b)) {
            CRYPTO_BUFFER_free(b);
            sk_CRYPTO_BUFFER_pop_free(sk, CRYPTO_BUFFER_free);
            return setup_error(obs, "CRYPTO_BUFFER_new", NULL), -1;
        }
    }
    SSL_set0_client_CAs(ssl, sk); /* takes ownership */
    return 0;
}
#endif

/* set_list gives a server connection the case's explicit or raw list. */
static int set_list(SSL *ssl, const struct shim_case *c, struct shim_obs *obs)
{
    switch (c->source) {
    case SHIM_SRC_EXPLICIT:
        return set_explicit(ssl, &c->calist, obs);
    case SHIM_SRC_RAW:
#ifdef OPENSSL_IS_BORINGSSL
        return set_raw(ssl, &c->calist, obs);
#else
        return shim_set_error(obs, 0, "raw: not an OpenSSL mode"), -1;
#endif
    default:
        return 0;
    }
}

static int setup_server(SSL_CTX *ctx, const struct shim_case *c, struct shim_obs *obs)
{
    /* No resumption in this harness: keep a cached context from piling up
     * sessions. (Tickets stay at the default; no client ever offers one.) */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1)
        return setup_error(obs, "loading server certificate", c->cert), -1;
    if (SSL_CTX_use_PrivateKey_file(ctx, c->key, SSL_FILETYPE_PEM) != 1)
        return setup_error(obs, "loading server key", c->key), -1;
    if (SSL_CTX_check_private_key(ctx) != 1)
        return setup_error(obs, "server key does not match", c->cert), -1;
    const char *vf = verify_file(c);
    if (vf && SSL_CTX_load_verify_locations(ctx, vf, NULL) != 1)
        return setup_error(obs, "loading verify locations", vf), -1;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (c->require_cert ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                       NULL);
    switch (c->source) {
    case SHIM_SRC_EXPLICIT:
    case SHIM_SRC_RAW:
        return 0; /* per connection: set_list */
    case SHIM_SRC_TRUST_STORE: {
        STACK_OF(X509_NAME) *sk = SSL_load_client_CA_file(c->calist_pem);
        if (!sk)
            return setup_error(obs, "SSL_load_client_CA_file found no certificate in", c->calist_pem),
                   -1;
        SSL_CTX_set_client_CA_list(ctx, sk);
        return 0;
    }
    case SHIM_SRC_NONE:
        return 0;
    }
    return -1;
}

static int setup_client(SSL_CTX *ctx, struct ctx_entry *e, const struct shim_case *c,
                        struct shim_obs *obs)
{
    /* chain only, no host name; cabound probe ("peer_verify": "none")
     * knows no live server's CA and measures what the server sends, not
     * whom it proves to be. */
    SSL_CTX_set_verify(ctx, c->no_peer_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
    if (c->trust && SSL_CTX_load_verify_locations(ctx, c->trust, NULL) != 1)
        return setup_error(obs, "loading verify locations", c->trust), -1;
    if (c->n_client_creds) {
        e->creds = calloc(c->n_client_creds, sizeof(*e->creds));
        if (!e->creds)
            return shim_set_error(obs, 0, "out of memory"), -1;
    }
    for (size_t i = 0; i < c->n_client_creds; i++) {
        e->ncreds = i + 1;
        if (load_cred(&e->creds[i], &c->client_creds[i], obs) != 0)
            return -1;
    }
    if (c->select == SHIM_SEL_NATIVE) {
        if (c->n_client_creds) {
            const struct shim_cred *first = &c->client_creds[0];
            if (SSL_CTX_use_certificate_chain_file(ctx, first->cert) != 1)
                return setup_error(obs, "loading client certificate", first->cert), -1;
            if (SSL_CTX_use_PrivateKey_file(ctx, first->key, SSL_FILETYPE_PEM) != 1)
                return setup_error(obs, "loading client key", first->key), -1;
        }
        SSL_CTX_set_cert_cb(ctx, cert_cb, NULL);
    } else {
#ifdef OPENSSL_IS_BORINGSSL
        SSL_CTX_set_cert_cb(ctx, cert_cb, NULL);
#else
        SSL_CTX_set_client_cert_cb(ctx, client_cert_cb);
#endif
    }
    return 0;
}

static struct ctx_entry *get_ctx(const struct shim_case *c, struct shim_obs *obs)
{
    char *id = case_id(c, obs);
    if (!id)
        return NULL;
    struct ctx_entry *e = cache_find(id);
    if (e) {
        free(id);
        return e;
    }
    e = calloc(1, sizeof(*e));
    if (!e) {
        free(id);
        shim_set_error(obs, 0, "out of memory");
        return NULL;
    }
    e->id = id;
    e->ctx = SSL_CTX_new(TLS_method());
    if (!e->ctx) {
        setup_error(obs, "SSL_CTX_new", NULL);
        goto fail;
    }
    int v = c->tls == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    if (SSL_CTX_set_min_proto_version(e->ctx, v) != 1 ||
        SSL_CTX_set_max_proto_version(e->ctx, v) != 1) {
        setup_error(obs, "setting the protocol version", NULL);
        goto fail;
    }
    SSL_CTX_set_keylog_callback(e->ctx, keylog_cb);
    SSL_CTX_set_info_callback(e->ctx, info_cb);
    SSL_CTX_set_msg_callback(e->ctx, msg_cb);
    if ((c->role == SHIM_SERVER ? setup_server(e->ctx, c, obs) : setup_client(e->ctx, e, c, obs)) !=
        0)
        goto fail;
    cache_put(e);
    return e;
fail:
    free_entry(e);
    ERR_clear_error();
    return NULL;
}

/* ---- the case ----------------------------------------------------------- */

/* finish_alerts: a close_notify is recorded only when no other alert was and
 * the handshake did not complete (a peer that ends a failed handshake with a
 * bare close_notify). */
static void finish_alerts(struct conn *k)
{
    if (k->obs->handshake_ok)
        return;
    if (k->obs->alert_sent < 0 && k->close_sent)
        k->obs->alert_sent = 0;
    if (k->obs->alert_received < 0 && k->close_rcvd)
        k->obs->alert_received = 0;
}

/* ssl_io runs one of the blocking calls, retrying on EINTR only: with
 * SO_RCVTIMEO a WANT_READ means the peer went quiet. */
static int ssl_io(SSL *ssl, int (*op)(SSL *), int *saved_errno)
{
    int r;
    for (;;) {
        errno = 0;
        r = op(ssl);
        *saved_errno = errno;
        if (r > 0)
            return r;
        int err = SSL_get_error(ssl, r);
        if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) && *saved_errno == EINTR &&
            ERR_peek_error() == 0)
            continue;
        return r;
    }
}

static int write_x(SSL *ssl)
{
    return SSL_write(ssl, "x", 1);
}

static const char *app_req;
static int write_app_request(SSL *ssl)
{
    return SSL_write(ssl, app_req, (int)strlen(app_req));
}

static unsigned char read_buf;
static int read_1(SSL *ssl)
{
    return SSL_read(ssl, &read_buf, 1);
}

static void o_run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    struct conn k;
    memset(&k, 0, sizeof(k));
    k.c = c;
    k.obs = obs;
    bool server = c->role == SHIM_SERVER;
    obs->alerts_exposed = true;
    ERR_clear_error();

    k.e = get_ctx(c, obs);
    if (!k.e)
        return;
    SSL *ssl = SSL_new(k.e->ctx);
    BIO *bio = ssl ? BIO_new_socket(fd, BIO_NOCLOSE) : NULL;
    if (!ssl || !bio) {
        setup_error(obs, ssl ? "BIO_new_socket" : "SSL_new", NULL);
        BIO_free(bio);
        SSL_free(ssl);
        return;
    }
    SSL_set_bio(ssl, bio, bio); /* ssl owns bio */
    SSL_set_app_data(ssl, &k);
    if (server && set_list(ssl, c, obs) != 0) {
        SSL_set_app_data(ssl, NULL);
        SSL_free(ssl);
        ERR_clear_error();
        return;
    }

    if (!server && c->server_name && SSL_set_tlsext_host_name(ssl, c->server_name) != 1) {
        setup_error(obs, "setting the server name (SNI)", c->server_name);
        SSL_set_app_data(ssl, NULL);
        SSL_free(ssl);
        ERR_clear_error();
        return;
    }
    int saved = 0;
    int r = ssl_io(ssl, server ? SSL_accept : SSL_connect, &saved);
    if (!server && !k.list_seen) {
        /* The callback never ran (the handshake failed first): what the
         * API still holds, if anything. */
        if (snapshot_list(ssl, &k, false) != 0)
            k.cb_failed = true;
    }
    if (!server && r == 1 && c->no_peer_verify) {
        /* A live server sends no 'x'; its answer to our empty Certificate
         * (TLS 1.3: an alert after our Finished) comes at once, so cabound
         * probe waits a second for it, not the whole timeout. */
        struct timeval tv = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    }
    if (r != 1) {
        io_error(ssl, r, saved, obs, server ? "SSL_accept" : "SSL_connect");
    } else if (server) {
        r = ssl_io(ssl, write_x, &saved);
        if (r == 1)
            obs->handshake_ok = true;
        else
            io_error(ssl, r, saved, obs, "SSL_write");
    } else {
        read_buf = 0;
        app_req = c->app_request;
        r = app_req ? ssl_io(ssl, write_app_request, &saved) : 1;
        if (r > 0)
            r = ssl_io(ssl, read_1, &saved);
        if (r == 1 && shim_app_byte_ok(c, read_buf))
            obs->handshake_ok = true;
        else if (r == 1)
            shim_set_error(obs, 0, "SSL_read: received an unexpected application byte");
        else
            io_error(ssl, r, saved, obs, "SSL_read");
    }
    if (k.cb_failed && !obs->has_error)
        shim_set_error(obs, 0, "out of memory copying the received list");
    if (obs->handshake_ok)
        SSL_shutdown(ssl); /* our close_notify; the peer's is not awaited */
    finish_alerts(&k);
    SSL_set_app_data(ssl, NULL);
    SSL_free(ssl);
    ERR_clear_error();
}

static int o_init(void)
{
#ifndef OPENSSL_IS_BORINGSSL
    /* Initialise first so that OpenSSL's own atexit cleanup is registered
     * before ours, and thus runs after it. */
    if (OPENSSL_init_ssl(0, NULL) != 1) {
        fprintf(stderr, "shim-openssl: OPENSSL_init_ssl failed\n");
        ERR_print_errors_fp(stderr);
        return -1;
    }
#endif
    atexit(cleanup);
    return 0;
}

static const char *o_version(void)
{
#ifdef OPENSSL_IS_BORINGSSL
    /* OpenSSL_version(OPENSSL_VERSION) says only "BoringSSL"; the API level
     * of the headers we built against is the one version number BoringSSL
     * defines (BORINGSSL_API_VERSION, base.h). */
    static char v[128];
    if (!v[0])
        snprintf(v, sizeof(v), "%s (BORINGSSL_API_VERSION %d)", OpenSSL_version(OPENSSL_VERSION),
                 BORINGSSL_API_VERSION);
    return v;
#else
    return OpenSSL_version(OPENSSL_VERSION);
#endif
}

static const char *const o_tls[] = {"1.2", "1.3", NULL};
#ifdef OPENSSL_IS_BORINGSSL
static const char *const o_sources[] = {"explicit", "trust-store", "raw", "none", NULL};
#else
static const char *const o_sources[] = {"explicit", "trust-store", "none", NULL};
#endif
static const char *const o_selects[] = {"native", "by-issuer", NULL};

static const struct shim_stack o_stack = {
    .name = STACK_NAME,
    .version = o_version,
    .library_symbol = (void (*)(void))SSL_new,
    .tls = o_tls,
    .sources = o_sources,
    .selects = o_selects,
    .init = o_init,
    .run = o_run,
    .probe_keys = true,
};

int main(int argc, char **argv)
{
    return shim_main(argc, argv, &o_stack);
}
