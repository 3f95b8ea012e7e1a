/* shim_wolfssl.c — the wolfSSL 5.5 shim (see ../README.md and NOTES.md).
 *
 * Links wolfSSL only and uses its native wolfSSL_* names (the OpenSSL
 * compatibility layer is compiled in, OPENSSL_EXTRA/OPENSSL_ALL, but we call
 * the wolfSSL_ spellings so that nothing here can bind to another SSL_*).
 *
 * Setting the list (server):
 *   explicit     wolfSSL_set_client_CA_list() with one WOLFSSL_X509_NAME
 *                per DN, each from wolfSSL_d2i_X509_NAME(), on the connection
 *                (the context is cached across cases): SendCertificateRequest
 *                takes SSL_CA_NAMES (wolfssl/internal.h), the connection's
 *                names before the context's. TLS 1.2 sends
 *                them in the CertificateRequest (src/internal.c
 *                SendCertificateRequest, under OPENSSL_ALL); TLS 1.3 sends
 *                nothing (5.5.4 has no certificate_authorities extension).
 *                wolfSSL's stack push prepends, and SendCertificateRequest
 *                walks from the head, so we push in reverse to put the DNs
 *                on the wire in calist order.
 *   trust-store  calist_pem is only loaded as verify locations: wolfSSL
 *                never derives a list from its trust store, so the
 *                CertificateRequest carries an empty list.
 *   none         nothing configured: an empty list.
 * Reading the list (client): wolfSSL_get_client_CA_list() on the client
 * returns the names DoCertificateRequest parsed (TLS 1.2 only; 1.3 ignores
 * certificate_authorities), read from the certificate-setup callback
 * (wolfSSL_CTX_set_cert_cb), which 1.2 calls right after parsing the
 * CertificateRequest. Those names keep only their one-line text
 * (CopyDecodedName copies no entries), so wolfSSL_i2d_X509_NAME returns an
 * empty SEQUENCE (30 00) for each: `received` reports exactly that, and
 * by-issuer compares with wolfSSL_X509_NAME_cmp (see NOTES.md).
 */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/kdf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "push_order.h"
#include "shim.h"

#define CACHE_SLOTS 8

/* The case in flight. One handshake at a time per process, so the callbacks
 * (the HKDF one carries no WOLFSSL*) find their case here. */
struct wcase {
    const struct shim_case *c;
    struct shim_obs *obs;
    WOLFSSL *ssl;
    WOLFSSL_X509 **cred; /* by-issuer: each credential's certificate (the context entry's) */
    bool load_failed;
};
static struct wcase *g_cur;

static const char *w_version(void)
{
    return wolfSSL_lib_version();
}

static void cleanup(void);
static int probe_push_order(void);

static int w_init(void)
{
    if (wolfSSL_Init() != WOLFSSL_SUCCESS) {
        fprintf(stderr, "shim-wolfssl: wolfSSL_Init failed\n");
        return -1;
    }
    if (probe_push_order() != 0)
        return -1;
    atexit(cleanup); /* the cached contexts, for leak checkers */
    return 0;
}

/* g_push_appends: where wolfSSL_sk_X509_NAME_push puts a name
 * (push_order.h). Both the explicit list the shim builds and the names the
 * client's parser pushes follow it. */
static int g_push_appends;

static int probe_push_order(void)
{
    if (cb_wolfssl_push_appends(&g_push_appends) == 0)
        return 0;
    fprintf(stderr, "shim-wolfssl: probing wolfSSL_sk_X509_NAME_push failed\n");
    return -1;
}

static void set_wolf_error(struct shim_obs *obs, int code, const char *prefix)
{
    char buf[WOLFSSL_MAX_ERROR_SZ + 1];
    memset(buf, 0, sizeof(buf));
    /* wolfSSL_get_error converts three internal codes to OpenSSL's small
     * numbers, for which wolfSSL_ERR_error_string has no text: take the
     * text of the internal code (a blocking read that hit SO_RCVTIMEO
     * surfaces as WANT_READ). */
    int text_code = code == WOLFSSL_ERROR_WANT_READ     ? WANT_READ
                    : code == WOLFSSL_ERROR_WANT_WRITE  ? WANT_WRITE
                    : code == WOLFSSL_ERROR_ZERO_RETURN ? ZERO_RETURN
                                                        : code;
    wolfSSL_ERR_error_string_n((unsigned long)(long)text_code, buf, sizeof(buf));
    if (prefix) {
        char text[512];
        snprintf(text, sizeof(text), "%s: %s", prefix, buf);
        shim_set_error(obs, code, text);
    } else {
        shim_set_error(obs, code, buf);
    }
}

/* --- key log ------------------------------------------------------------
 * Debian's build has no HAVE_SECRET_CALLBACK, so neither
 * wolfSSL_CTX_set_keylog_callback nor wolfSSL_set_tls13_secret_cb exists.
 * TLS 1.3: the PK-callback hook wolfSSL_CTX_SetHKDFExpandLabelCb (HAVE_PK_
 * CALLBACKS) sees every HKDF-Expand-Label of the key schedule; ours computes
 * exactly what wolfSSL would (wc_Tls13_HKDF_Expand_Label, the function its
 * src/tls13.c calls otherwise) and logs the traffic secrets by label.
 * TLS 1.2: wolfSSL_KeepArrays + wolfSSL_get_keys (master secret and client
 * random) after the handshake → CLIENT_RANDOM. */
static int hkdf_expand_label_cb(byte *okm, word32 okmLen, const byte *prk, word32 prkLen,
                                const byte *protocol, word32 protocolLen, const byte *label,
                                word32 labelLen, const byte *info, word32 infoLen, int digest,
                                int side)
{
    static const struct {
        const char *label, *nss;
    } names[] = {
        {"c e traffic", "CLIENT_EARLY_TRAFFIC_SECRET"},
        {"c hs traffic", "CLIENT_HANDSHAKE_TRAFFIC_SECRET"},
        {"s hs traffic", "SERVER_HANDSHAKE_TRAFFIC_SECRET"},
        {"c ap traffic", "CLIENT_TRAFFIC_SECRET_0"},
        {"s ap traffic", "SERVER_TRAFFIC_SECRET_0"},
        {"exp master", "EXPORTER_SECRET"},
    };
    (void)side;
    int ret = wc_Tls13_HKDF_Expand_Label(okm, okmLen, prk, prkLen, protocol, protocolLen, label,
                                         labelLen, info, infoLen, digest);
    if (ret != 0 || !g_cur || !g_cur->c->keylog || !g_cur->ssl)
        return ret;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i].label) == labelLen && memcmp(names[i].label, label, labelLen) == 0) {
            unsigned char cr[32];
            size_t crlen = wolfSSL_get_client_random(g_cur->ssl, cr, sizeof(cr));
            if (crlen == sizeof(cr))
                shim_keylog_secret(g_cur->c, names[i].nss, cr, crlen, okm, okmLen);
            break;
        }
    }
    return ret;
}

static void keylog_tls12(const struct shim_case *c, WOLFSSL *ssl)
{
    unsigned char *ms = NULL, *sr = NULL, *cr = NULL;
    unsigned int msLen = 0, srLen = 0, crLen = 0;
    if (!c->keylog || wolfSSL_get_keys(ssl, &ms, &msLen, &sr, &srLen, &cr, &crLen) != WOLFSSL_SUCCESS)
        return;
    if (!ms || !cr || msLen == 0 || crLen == 0)
        return;
    unsigned char any = 0;
    for (unsigned int i = 0; i < msLen; i++)
        any |= ms[i];
    if (any) /* all zero: the handshake died before the master secret existed */
        shim_keylog_secret(c, "CLIENT_RANDOM", cr, crLen, ms, msLen);
}

/* --- client callbacks ----------------------------------------------------- */

/* received_snapshot copies what the API gives for the names wolfSSL parsed
 * from the CertificateRequest: their count, order and wolfSSL_i2d_X509_NAME
 * encoding, which is 30 00 for every one of them in 5.5.4 (the names carry
 * no entries; see NOTES.md). Reported in the API's own order, index 0 first:
 * wolfSSL_sk_X509_NAME_push prepends (src/ssl.c wolfSSL_sk_push: "push new
 * x509 onto head of stack"), so the API gives the wire's last DN first; the
 * shim reports that as it is and API-WIRE judges it. Only a callback that
 * ran makes the list exposed: a message rejected before it shows nothing. */
static void received_snapshot(WOLFSSL *ssl, struct shim_obs *obs)
{
    WOLF_STACK_OF(WOLFSSL_X509_NAME) *sk = wolfSSL_get_client_CA_list(ssl);
    cb_calist_free(&obs->received);
    cb_calist_init(&obs->received);
    obs->received_exposed = true;
    int n = sk ? wolfSSL_sk_X509_NAME_num(sk) : 0;
    for (int i = 0; i < n; i++) {
        WOLFSSL_X509_NAME *name = wolfSSL_sk_X509_NAME_value(sk, i);
        unsigned char *der = NULL;
        int len = name ? wolfSSL_i2d_X509_NAME(name, &der) : -1;
        if (len < 0 || !der) {
            /* i2d failed outright: keep the position, as a zero-length DN. */
            cb_calist_push(&obs->received, (const uint8_t *)"", 0, "unencodable");
        } else {
            cb_calist_push(&obs->received, der, (size_t)len, NULL);
        }
        if (der)
            XFREE(der, NULL, DYNAMIC_TYPE_OPENSSL);
    }
}

/* cert_setup_cb: wolfSSL_CTX_set_cert_cb. TLS 1.2 calls it from
 * DoCertificateRequest after parsing the names (always); TLS 1.3 from
 * SendTls13Certificate, only when a certificate is loaded. */
static int cert_setup_cb(WOLFSSL *ssl, void *arg)
{
    (void)arg; /* the context is cached across cases: the case is g_cur */
    struct wcase *w = g_cur;
    if (!w)
        return 1;
    const struct shim_case *c = w->c;
    if (c->tls == 12)
        received_snapshot(ssl, w->obs);
    if (c->select == SHIM_SEL_NATIVE) {
        w->obs->sent_cert = c->n_client_creds ? 0 : -1;
        return 1;
    }
    /* by-issuer (TLS 1.2 only: run() refuses 1.3). The received names carry
     * no DER (see received_snapshot), so byte equality is impossible; we
     * compare the way wolfSSL does (wolfSSL_X509_NAME_cmp, as its own
     * tests/api.c test_wolfSSL_CTX_set_client_CA_list via sk_X509_NAME_find):
     * the one-line text GetName() made of each DN. */
    WOLF_STACK_OF(WOLFSSL_X509_NAME) *sk = wolfSSL_get_client_CA_list(ssl);
    int n = sk ? wolfSSL_sk_X509_NAME_num(sk) : 0;
    int pick = -1;
    for (size_t k = 0; pick < 0 && k < c->n_client_creds; k++) {
        WOLFSSL_X509_NAME *iss = w->cred[k] ? wolfSSL_X509_get_issuer_name(w->cred[k]) : NULL;
        for (int i = 0; iss && i < n; i++) {
            WOLFSSL_X509_NAME *r = wolfSSL_sk_X509_NAME_value(sk, i);
            if (r && wolfSSL_X509_NAME_cmp(r, iss) == 0) {
                pick = (int)k;
                break;
            }
        }
    }
    if (pick >= 0) {
        const struct shim_cred *cr = &c->client_creds[pick];
        if (wolfSSL_use_certificate_chain_file(ssl, cr->cert) != WOLFSSL_SUCCESS ||
            wolfSSL_use_PrivateKey_file(ssl, cr->key, WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
            w->load_failed = true;
            return 0; /* wolfSSL sends internal_error and fails */
        }
    }
    w->obs->sent_cert = pick;
    return 1;
}

/* --- one case ------------------------------------------------------------- */

/* A configured context, cached by the identity of everything it was built
 * from (request fields and the files' path, inode, size, mtime), with the
 * by-issuer credentials' certificates: loading them per case was most of a
 * case's cost in this shim. */
struct ctx_entry {
    char *id;
    WOLFSSL_CTX *ctx;
    WOLFSSL_X509 **cred;
    size_t ncred;
};
static struct ctx_entry *cache[CACHE_SLOTS];
static size_t cache_next;

static void free_entry(struct ctx_entry *e)
{
    if (!e)
        return;
    for (size_t i = 0; e->cred && i < e->ncred; i++)
        if (e->cred[i])
            wolfSSL_X509_free(e->cred[i]);
    free(e->cred);
    if (e->ctx)
        wolfSSL_CTX_free(e->ctx);
    free(e->id);
    free(e);
}

static void cleanup(void)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        free_entry(cache[i]);
        cache[i] = NULL;
    }
}

static int load_creds(struct ctx_entry *e, const struct shim_case *c, struct shim_obs *obs)
{
    e->cred = calloc(c->n_client_creds + 1, sizeof(*e->cred));
    if (!e->cred)
        return -1;
    e->ncred = c->n_client_creds;
    for (size_t i = 0; i < c->n_client_creds; i++) {
        e->cred[i] = wolfSSL_X509_load_certificate_file(c->client_creds[i].cert,
                                                        WOLFSSL_FILETYPE_PEM);
        if (!e->cred[i]) {
            shim_set_error(obs, 0, "setup: wolfSSL_X509_load_certificate_file failed");
            return -1;
        }
    }
    return 0;
}

/* server_list gives the connection the explicit list: one
 * WOLFSSL_X509_NAME per DN. */
static int server_list(WOLFSSL *ssl, const struct shim_case *c, struct shim_obs *obs)
{
    WOLF_STACK_OF(WOLFSSL_X509_NAME) *sk = wolfSSL_sk_X509_NAME_new(NULL);
    if (!sk) {
        shim_set_error(obs, 0, "setup: wolfSSL_sk_X509_NAME_new failed");
        return -1;
    }
    /* The CertificateRequest is written head first: where push prepends
     * (g_push_appends 0), push the list backwards. Success is > 0 in both:
     * WOLFSSL_SUCCESS (1) in 5.5.4, the new count in 5.9.2. */
    for (size_t j = 0; j < c->calist.count; j++) {
        size_t k = g_push_appends ? j : c->calist.count - 1 - j;
        const cb_dn *dn = &c->calist.dns[k];
        unsigned char *p = dn->der;
        WOLFSSL_X509_NAME *name = dn->len ? wolfSSL_d2i_X509_NAME(NULL, &p, (long)dn->len) : NULL;
        if (!name || wolfSSL_sk_X509_NAME_push(sk, name) <= 0) {
            if (name)
                wolfSSL_X509_NAME_free(name);
            wolfSSL_sk_X509_NAME_pop_free(sk, NULL);
            shim_unsupported(obs, "wolfSSL_d2i_X509_NAME rejects DN %zu of the list (%zu bytes)", k,
                             dn->len);
            return -1;
        }
    }
    wolfSSL_set_client_CA_list(ssl, sk); /* the WOLFSSL owns sk now (freed in wolfSSL_free) */
    return 0;
}

static int setup_server(WOLFSSL_CTX *ctx, const struct shim_case *c, struct shim_obs *obs)
{
    int r;
    if ((r = wolfSSL_CTX_use_certificate_chain_file(ctx, c->cert)) != WOLFSSL_SUCCESS)
        return set_wolf_error(obs, r, "setup: server certificate"), -1;
    if ((r = wolfSSL_CTX_use_PrivateKey_file(ctx, c->key, WOLFSSL_FILETYPE_PEM)) != WOLFSSL_SUCCESS)
        return set_wolf_error(obs, r, "setup: server key"), -1;
    const char *store = c->source == SHIM_SRC_TRUST_STORE ? c->calist_pem : c->trust;
    if (store && (r = wolfSSL_CTX_load_verify_locations(ctx, store, NULL)) != WOLFSSL_SUCCESS)
        return set_wolf_error(obs, r, "setup: verify locations"), -1;
    wolfSSL_CTX_set_verify(ctx,
                           WOLFSSL_VERIFY_PEER |
                               (c->require_cert ? WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                           NULL);
    return 0; /* explicit: per connection (server_list); trust-store, none: no list to send */
}

static int setup_client(WOLFSSL_CTX *ctx, struct ctx_entry *e, const struct shim_case *c, struct shim_obs *obs)
{
    int r;
    if (c->trust && (r = wolfSSL_CTX_load_verify_locations(ctx, c->trust, NULL)) != WOLFSSL_SUCCESS)
        return set_wolf_error(obs, r, "setup: verify locations"), -1;
    wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL); /* no host name check */
    if (c->select == SHIM_SEL_NATIVE && c->n_client_creds) {
        /* wolfSSL holds one certificate per context and sends it whatever
         * the server's list says: native = the first credential. */
        if ((r = wolfSSL_CTX_use_certificate_chain_file(ctx, c->client_creds[0].cert)) !=
            WOLFSSL_SUCCESS)
            return set_wolf_error(obs, r, "setup: client certificate"), -1;
        if ((r = wolfSSL_CTX_use_PrivateKey_file(ctx, c->client_creds[0].key,
                                                 WOLFSSL_FILETYPE_PEM)) != WOLFSSL_SUCCESS)
            return set_wolf_error(obs, r, "setup: client key"), -1;
    }
    if (c->select == SHIM_SEL_BY_ISSUER && load_creds(e, c, obs) != 0)
        return -1;
    /* The callback tells us when (and, by-issuer, which) certificate goes
     * out. Not in TLS 1.3 without a certificate: DoTls13CertificateRequest
     * (src/tls13.c) treats any certSetupCb as a promise of a certificate
     * (sendVerify = SEND_CERT), and SendTls13Certificate then fails with
     * BUFFER_ERROR instead of sending an empty Certificate. */
    if (c->tls == 12 || c->n_client_creds)
        wolfSSL_CTX_set_cert_cb(ctx, cert_setup_cb, NULL);
    return 0;
}

/* get_ctx returns the cached context for |c|, making it when needed; NULL
 * with the error recorded. */
static struct ctx_entry *get_ctx(const struct shim_case *c, struct shim_obs *obs)
{
    bool server = c->role == SHIM_SERVER;
    char *id = NULL;
    size_t idlen = 0;
    FILE *f = open_memstream(&id, &idlen);
    if (!f) {
        shim_set_error(obs, 0, "setup: open_memstream failed");
        return NULL;
    }
    const char *bad = NULL;
    fprintf(f, "role=%d tls=%d keylog=%d require=%d source=%d select=%d n=%zu\n", (int)c->role, c->tls,
            c->keylog != NULL, (int)c->require_cert, (int)c->source, (int)c->select, c->n_client_creds);
    if (server) {
        const char *store = c->source == SHIM_SRC_TRUST_STORE ? c->calist_pem : c->trust;
        if (shim_id_add(f, "cert", c->cert) != 0)
            bad = c->cert;
        else if (shim_id_add(f, "key", c->key) != 0)
            bad = c->key;
        else if (shim_id_add(f, "store", store) != 0)
            bad = store;
    } else {
        if (shim_id_add(f, "trust", c->trust) != 0)
            bad = c->trust;
        for (size_t i = 0; !bad && i < c->n_client_creds; i++)
            if (shim_id_add(f, "cert", c->client_creds[i].cert) != 0)
                bad = c->client_creds[i].cert;
            else if (shim_id_add(f, "key", c->client_creds[i].key) != 0)
                bad = c->client_creds[i].key;
    }
    if (fclose(f) != 0 || !id || bad) {
        char text[600];
        snprintf(text, sizeof(text), "setup: cannot read %s", bad ? bad : "(memory)");
        shim_set_error(obs, 0, text);
        free(id);
        return NULL;
    }
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (cache[i] && strcmp(cache[i]->id, id) == 0) {
            free(id);
            return cache[i];
        }
    struct ctx_entry *e = calloc(1, sizeof(*e));
    WOLFSSL_METHOD *method =
        server ? (c->tls == 12 ? wolfTLSv1_2_server_method() : wolfTLSv1_3_server_method())
               : (c->tls == 12 ? wolfTLSv1_2_client_method() : wolfTLSv1_3_client_method());
    if (!e || !method || !(e->ctx = wolfSSL_CTX_new(method))) {
        shim_set_error(obs, 0, "setup: wolfSSL_CTX_new failed");
        free(id);
        free_entry(e);
        return NULL;
    }
    e->id = id;
    /* Debian builds with OPENSSL_COMPATIBLE_DEFAULTS, so wolfSSL_CTX_new
     * turns on SSL_MODE_AUTO_RETRY (src/ssl.c), and Receive() (src/internal.c)
     * then retries a timed-out recv() up to WOLFSSL_MODE_AUTO_RETRY_ATTEMPTS
     * (10) times during the handshake. The contract wants one SO_RCVTIMEO to
     * end the case, so switch that retry off (no size limit is involved). */
    wolfSSL_CTX_clear_mode(e->ctx, SSL_MODE_AUTO_RETRY);
    if ((server ? setup_server(e->ctx, c, obs) : setup_client(e->ctx, e, c, obs)) != 0) {
        free_entry(e);
        return NULL;
    }
    if (c->keylog && c->tls == 13)
        wolfSSL_CTX_SetHKDFExpandLabelCb(e->ctx, hkdf_expand_label_cb);
    free_entry(cache[cache_next]);
    cache[cache_next] = e;
    cache_next = (cache_next + 1) % CACHE_SLOTS;
    return e;
}

static void record_alerts(WOLFSSL *ssl, struct shim_obs *obs)
{
    WOLFSSL_ALERT_HISTORY h;
    memset(&h, 0, sizeof(h));
    h.last_rx.code = h.last_tx.code = -1;
    wolfSSL_get_alert_history(ssl, &h);
    obs->alerts_exposed = true;
    obs->alert_sent = h.last_tx.code >= 0 ? h.last_tx.code : -1;
    obs->alert_received = h.last_rx.code >= 0 ? h.last_rx.code : -1;
}

static void w_run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    bool server = c->role == SHIM_SERVER;
    if (!server && c->select == SHIM_SEL_BY_ISSUER && c->tls == 13) {
        /* 5.5.4 ignores the extension (DoTls13CertificateRequest); 5.9.2
         * parses it into peer_ca_names (src/tls.c TLSX_CA_Names_Parse), which
         * this shim does not read in TLS 1.3 yet. */
        shim_unsupported(obs, "the wolfSSL shim reads the received list in TLS 1.2 only (wolfSSL %s; "
                              "5.5.4 ignores the TLS 1.3 certificate_authorities extension, 5.9.2 "
                              "parses it in TLSX_CA_Names_Parse)",
                         wolfSSL_lib_version());
        return;
    }
    struct wcase w;
    memset(&w, 0, sizeof(w));
    w.c = c;
    w.obs = obs;
    WOLFSSL *ssl = NULL;
    struct ctx_entry *e = get_ctx(c, obs);
    if (!e)
        goto out;
    w.cred = e->cred;
    if (!(ssl = wolfSSL_new(e->ctx))) {
        shim_set_error(obs, 0, "setup: wolfSSL_new failed");
        goto out;
    }
    if (server && c->source == SHIM_SRC_EXPLICIT && server_list(ssl, c, obs) != 0)
        goto out;
    if (c->keylog && c->tls == 12)
        wolfSSL_KeepArrays(ssl);
    w.ssl = ssl;
    g_cur = &w;
    if (wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS) {
        shim_set_error(obs, 0, "setup: wolfSSL_set_fd failed");
        goto out;
    }

    /* Blocking socket with SO_RCVTIMEO: a timed-out recv() comes back as
     * WANT_READ, which we never retry. */
    int ret = server ? wolfSSL_accept(ssl) : wolfSSL_connect(ssl);
    bool hs = ret == WOLFSSL_SUCCESS;
    if (!hs) {
        set_wolf_error(obs, wolfSSL_get_error(ssl, ret), NULL);
    } else if (server) {
        int n = wolfSSL_write(ssl, "x", 1);
        if (n == 1)
            obs->handshake_ok = true;
        else
            set_wolf_error(obs, wolfSSL_get_error(ssl, n), NULL);
    } else {
        char b = 0;
        int n = wolfSSL_read(ssl, &b, 1);
        if (n == 1 && b == 'x')
            obs->handshake_ok = true;
        else if (n == 1)
            shim_set_error(obs, 0, "read a byte other than 'x'");
        else
            set_wolf_error(obs, wolfSSL_get_error(ssl, n), NULL);
    }
    record_alerts(ssl, obs); /* before close_notify overwrites last_tx */
    if (c->tls == 12)
        keylog_tls12(c, ssl);
    if (w.load_failed && !obs->has_error)
        shim_set_error(obs, 0, "setup: could not load the picked client credential");

    if (server) {
        WOLFSSL_X509 *peer = wolfSSL_get_peer_certificate(ssl);
        int dlen = 0;
        const unsigned char *der = peer ? wolfSSL_X509_get_der(peer, &dlen) : NULL;
        if (der && dlen > 0 && (obs->peer_cert = malloc((size_t)dlen)) != NULL) {
            memcpy(obs->peer_cert, der, (size_t)dlen);
            obs->peer_cert_len = (size_t)dlen;
        }
        if (peer)
            wolfSSL_X509_free(peer);
    }
    if (hs)
        wolfSSL_shutdown(ssl); /* one close_notify; we don't wait for the peer's */

out:
    g_cur = NULL;
    if (ssl)
        wolfSSL_free(ssl);
    wolfSSL_ERR_clear_error();
}

static const char *const w_tls[] = {"1.2", "1.3", NULL};
static const char *const w_sources[] = {"explicit", "trust-store", "none", NULL};
static const char *const w_selects[] = {"native", "by-issuer", NULL};

static const struct shim_stack wolfssl_stack = {
    .name = "wolfssl",
    .version = w_version,
    .library_symbol = (void (*)(void))wolfSSL_new,
    .tls = w_tls,
    .sources = w_sources,
    .selects = w_selects,
    .init = w_init,
    .run = w_run,
};

int main(int argc, char **argv)
{
    return shim_main(argc, argv, &wolfssl_stack);
}
