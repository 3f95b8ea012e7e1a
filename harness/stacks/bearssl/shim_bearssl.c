/* shim_bearssl.c — the BearSSL 0.6 shim (Debian libbearssl-dev), see
 * ../README.md for the contract and NOTES.md for the source behind every
 * behaviour recorded here. BearSSL speaks TLS 1.0-1.2 only: TLS 1.3 cases are
 * answered "unsupported" by the common code.
 *
 * Setting the list (server):
 *   explicit, raw  br_ssl_server_set_trust_anchor_names() with one
 *                  br_x500_name per DN of the list file, pointing at its
 *                  bytes: BearSSL never parses them and copies them to the
 *                  wire as they are (copy-dn-chunk, ssl_hs_server.t0), so
 *                  the one API serves both modes.
 *   trust-store    br_ssl_server_set_trust_anchor_names_alt() with the
 *                  anchors made from calist_pem (the subject DN the x509
 *                  decoder gives), which are also the verification anchors,
 *                  as BearSSL's own tools/server.c does.
 *   none           no names: BearSSL then sends no CertificateRequest at
 *                  all (ta-names-total-length, ssl_hs_server.t0).
 *
 * Reading the list (client): a br_ssl_client_certificate_class of our own
 * whose start_name_list/start_name/append_name/end_name/end_name_list
 * collect each DN's bytes exactly as the engine streams them (unfiltered,
 * in order); choose/do_keyx/do_sign go to BearSSL's own single-certificate
 * handler (ssl_ccert_single_ec.c / _rsa.c), which ignores the names:
 *   native     that handler holds the first credential.
 *   by-issuer  choose() loads the credential shim_pick_by_issuer() finds
 *              into the handler first; no match sends an empty Certificate.
 *
 * The engine is driven over the fd with BearSSL's br_sslio (ssl_io.c), with
 * the buffer size the library documents for a full-duplex engine,
 * BR_SSL_BUFSIZE_BIDI; no other limit is set. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bearssl.h>

#include "bearssl_shim.h"
#include "der.h"

/* ---- errors ------------------------------------------------------------- */

/* The BR_ERR_* names of bearssl_ssl.h and bearssl_x509.h (BearSSL has no
 * error-string function). */
static const char *err_name(int e)
{
    static const struct {
        int code;
        const char *name;
    } t[] = {
        {0, "BR_ERR_OK"}, {1, "BR_ERR_BAD_PARAM"}, {2, "BR_ERR_BAD_STATE"},
        {3, "BR_ERR_UNSUPPORTED_VERSION"}, {4, "BR_ERR_BAD_VERSION"}, {5, "BR_ERR_BAD_LENGTH"},
        {6, "BR_ERR_TOO_LARGE"}, {7, "BR_ERR_BAD_MAC"}, {8, "BR_ERR_NO_RANDOM"},
        {9, "BR_ERR_UNKNOWN_TYPE"}, {10, "BR_ERR_UNEXPECTED"}, {12, "BR_ERR_BAD_CCS"},
        {13, "BR_ERR_BAD_ALERT"}, {14, "BR_ERR_BAD_HANDSHAKE"}, {15, "BR_ERR_OVERSIZED_ID"},
        {16, "BR_ERR_BAD_CIPHER_SUITE"}, {17, "BR_ERR_BAD_COMPRESSION"}, {18, "BR_ERR_BAD_FRAGLEN"},
        {19, "BR_ERR_BAD_SECRENEG"}, {20, "BR_ERR_EXTRA_EXTENSION"}, {21, "BR_ERR_BAD_SNI"},
        {22, "BR_ERR_BAD_HELLO_DONE"}, {23, "BR_ERR_LIMIT_EXCEEDED"}, {24, "BR_ERR_BAD_FINISHED"},
        {25, "BR_ERR_RESUME_MISMATCH"}, {26, "BR_ERR_INVALID_ALGORITHM"}, {27, "BR_ERR_BAD_SIGNATURE"},
        {28, "BR_ERR_WRONG_KEY_USAGE"}, {29, "BR_ERR_NO_CLIENT_AUTH"}, {31, "BR_ERR_IO"},
        {32, "BR_ERR_X509_OK"}, {33, "BR_ERR_X509_INVALID_VALUE"}, {34, "BR_ERR_X509_TRUNCATED"},
        {35, "BR_ERR_X509_EMPTY_CHAIN"}, {36, "BR_ERR_X509_INNER_TRUNC"},
        {37, "BR_ERR_X509_BAD_TAG_CLASS"}, {38, "BR_ERR_X509_BAD_TAG_VALUE"},
        {39, "BR_ERR_X509_INDEFINITE_LENGTH"}, {40, "BR_ERR_X509_EXTRA_ELEMENT"},
        {41, "BR_ERR_X509_UNEXPECTED"}, {42, "BR_ERR_X509_NOT_CONSTRUCTED"},
        {43, "BR_ERR_X509_NOT_PRIMITIVE"}, {44, "BR_ERR_X509_PARTIAL_BYTE"},
        {45, "BR_ERR_X509_BAD_BOOLEAN"}, {46, "BR_ERR_X509_OVERFLOW"}, {47, "BR_ERR_X509_BAD_DN"},
        {48, "BR_ERR_X509_BAD_TIME"}, {49, "BR_ERR_X509_UNSUPPORTED"},
        {50, "BR_ERR_X509_LIMIT_EXCEEDED"}, {51, "BR_ERR_X509_WRONG_KEY_TYPE"},
        {52, "BR_ERR_X509_BAD_SIGNATURE"}, {53, "BR_ERR_X509_TIME_UNKNOWN"},
        {54, "BR_ERR_X509_EXPIRED"}, {55, "BR_ERR_X509_DN_MISMATCH"},
        {56, "BR_ERR_X509_BAD_SERVER_NAME"}, {57, "BR_ERR_X509_CRITICAL_EXTENSION"},
        {58, "BR_ERR_X509_NOT_CA"}, {59, "BR_ERR_X509_FORBIDDEN_KEY_USAGE"},
        {60, "BR_ERR_X509_WEAK_PUBLIC_KEY"}, {62, "BR_ERR_X509_NOT_TRUSTED"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].code == e)
            return t[i].name;
    return NULL;
}

/* ---- per-connection state ----------------------------------------------- */

/* A br_x509_class that forwards to BearSSL's minimal validator and keeps
 * the first certificate of the chain as received (the server's peer_cert). */
struct tap_x509 {
    const br_x509_class *vtable;
    const br_x509_class **inner;
    int index; /* certificate being received */
    struct blob leaf;
    bool oom;
};

struct bconn {
    const struct shim_case *c;
    struct shim_obs *obs;
    int fd;
    int io_errno;    /* errno of the failed read/write */
    bool io_eof;     /* the peer closed the connection */
    /* client */
    struct cred *creds;
    size_t ncreds;
    br_ssl_client_context *cc;
    bool in_name;
    struct blob name;
    bool oom;
};

/* The client-certificate handler: the name callbacks collect, the rest is
 * BearSSL's single-certificate handler (|inner|). */
struct ccert {
    const br_ssl_client_certificate_class *vtable;
    struct bconn *k;
    const br_ssl_client_certificate_class **inner;
};

static void tap_start_chain(const br_x509_class **ctx, const char *server_name)
{
    struct tap_x509 *t = (struct tap_x509 *)ctx;
    t->index = -1;
    (*t->inner)->start_chain(t->inner, server_name);
}

static void tap_start_cert(const br_x509_class **ctx, uint32_t length)
{
    struct tap_x509 *t = (struct tap_x509 *)ctx;
    t->index++;
    (*t->inner)->start_cert(t->inner, length);
}

static void tap_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    struct tap_x509 *t = (struct tap_x509 *)ctx;
    if (t->index == 0 && bs_blob_add(&t->leaf, buf, len) != 0)
        t->oom = true;
    (*t->inner)->append(t->inner, buf, len);
}

static void tap_end_cert(const br_x509_class **ctx)
{
    struct tap_x509 *t = (struct tap_x509 *)ctx;
    (*t->inner)->end_cert(t->inner);
}

static unsigned tap_end_chain(const br_x509_class **ctx)
{
    struct tap_x509 *t = (struct tap_x509 *)ctx;
    return (*t->inner)->end_chain(t->inner);
}

static const br_x509_pkey *tap_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    const struct tap_x509 *t = (const struct tap_x509 *)ctx;
    return (*t->inner)->get_pkey(t->inner, usages);
}

static const br_x509_class tap_vtable = {
    sizeof(struct tap_x509), tap_start_chain, tap_start_cert, tap_append,
    tap_end_cert,            tap_end_chain,   tap_get_pkey,
};

static void cc_start_name_list(const br_ssl_client_certificate_class **pctx)
{
    struct bconn *k = ((struct ccert *)pctx)->k;
    cb_calist_free(&k->obs->received);
    cb_calist_init(&k->obs->received);
}

static void cc_start_name(const br_ssl_client_certificate_class **pctx, size_t len)
{
    struct bconn *k = ((struct ccert *)pctx)->k;
    (void)len; /* the bytes that follow are counted, not this announcement */
    k->in_name = true;
    free(k->name.p);
    k->name.p = NULL;
    k->name.n = 0;
}

static void cc_append_name(const br_ssl_client_certificate_class **pctx, const unsigned char *data,
                           size_t len)
{
    struct bconn *k = ((struct ccert *)pctx)->k;
    if (k->in_name && bs_blob_add(&k->name, data, len) != 0)
        k->oom = true;
}

static void cc_end_name(const br_ssl_client_certificate_class **pctx)
{
    struct bconn *k = ((struct ccert *)pctx)->k;
    static const uint8_t empty[1];
    if (k->in_name && cb_calist_push(&k->obs->received, k->name.n ? k->name.p : empty, k->name.n, NULL) != 0)
        k->oom = true;
    k->in_name = false;
}

/* cc_end_name_list: the API has delivered a whole list (the engine may
 * still refuse the message after it: read-contents-CertificateRequest checks
 * the message's own end only then). A list cut short by a failure never
 * gets here and is not reported as exposed. */
static void cc_end_name_list(const br_ssl_client_certificate_class **pctx)
{
    struct bconn *k = ((struct ccert *)pctx)->k;
    k->obs->received_exposed = true;
}

/* use_cred loads credential |i| into BearSSL's single-certificate handler
 * (br_ssl_client_set_single_ec/_rsa), then puts our handler back in front. */
static void use_cred(struct ccert *w, size_t i)
{
    struct bconn *k = w->k;
    br_ssl_client_context *cc = k->cc;
    const br_x509_certificate *chain = k->creds[i].cert->chain;
    size_t n = k->creds[i].cert->ncerts;
    br_skey_decoder_context *sk = &k->creds[i].key->skey;
    if (br_skey_decoder_key_type(sk) == BR_KEYTYPE_RSA) {
        br_ssl_client_set_single_rsa(cc, chain, n, br_skey_decoder_get_rsa(sk),
                                     br_rsa_pkcs1_sign_get_default());
        w->inner = &cc->client_auth.single_rsa.vtable;
    } else {
        br_ssl_client_set_single_ec(cc, chain, n, br_skey_decoder_get_ec(sk), BR_KEYTYPE_SIGN,
                                    BR_KEYTYPE_EC, br_ec_get_default(), br_ecdsa_sign_asn1_get_default());
        w->inner = &cc->client_auth.single_ec.vtable;
    }
    br_ssl_client_set_client_certificate(cc, &w->vtable);
}

static void cc_choose(const br_ssl_client_certificate_class **pctx, const br_ssl_client_context *cc,
                      uint32_t auth_types, br_ssl_client_certificate *choices)
{
    struct ccert *w = (struct ccert *)pctx;
    struct bconn *k = w->k;
    int pick = k->ncreds ? 0 : -1;
    if (k->c->select == SHIM_SEL_BY_ISSUER) {
        const uint8_t **iss = calloc(k->ncreds ? k->ncreds : 1, sizeof(*iss));
        size_t *lens = calloc(k->ncreds ? k->ncreds : 1, sizeof(*lens));
        pick = -1;
        if (iss && lens) {
            for (size_t i = 0; i < k->ncreds; i++) {
                iss[i] = k->creds[i].issuer;
                lens[i] = k->creds[i].issuer_len;
            }
            pick = shim_pick_by_issuer(&k->obs->received, iss, lens, k->ncreds);
        } else {
            k->oom = true;
        }
        free(iss);
        free(lens);
        if (pick >= 0)
            use_cred(w, (size_t)pick);
    }
    memset(choices, 0, sizeof(*choices));
    if (pick >= 0 && w->inner)
        (*w->inner)->choose(w->inner, cc, auth_types, choices);
    k->obs->sent_cert = choices->chain_len ? pick : -1;
}

static uint32_t cc_do_keyx(const br_ssl_client_certificate_class **pctx, unsigned char *data, size_t *len)
{
    struct ccert *w = (struct ccert *)pctx;
    return (*w->inner)->do_keyx(w->inner, data, len);
}

static size_t cc_do_sign(const br_ssl_client_certificate_class **pctx, int hash_id, size_t hv_len,
                         unsigned char *data, size_t len)
{
    struct ccert *w = (struct ccert *)pctx;
    return (*w->inner)->do_sign(w->inner, hash_id, hv_len, data, len);
}

static const br_ssl_client_certificate_class ccert_vtable = {
    sizeof(struct ccert), cc_start_name_list, cc_start_name, cc_append_name, cc_end_name,
    cc_end_name_list,     cc_choose,          cc_do_keyx,     cc_do_sign,
};

/* ---- I/O over the fd ---------------------------------------------------- */

/* low_read/low_write for br_sslio: -1 on EOF or error (ssl_io.c then fails
 * the engine with BR_ERR_IO), retrying on EINTR. */
static int low_read(void *ctx, unsigned char *buf, size_t len)
{
    struct bconn *k = ctx;
    for (;;) {
        ssize_t r = read(k->fd, buf, len > INT_MAX ? INT_MAX : len);
        if (r > 0)
            return (int)r;
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            k->io_eof = true;
        else
            k->io_errno = errno;
        return -1;
    }
}

static int low_write(void *ctx, const unsigned char *buf, size_t len)
{
    struct bconn *k = ctx;
    for (;;) {
        ssize_t w = write(k->fd, buf, len > INT_MAX ? INT_MAX : len);
        if (w >= 0)
            return (int)w;
        if (errno == EINTR)
            continue;
        k->io_errno = errno;
        return -1;
    }
}

/* send_close queues our close_notify (br_ssl_engine_close) and writes what
 * the engine has to send, without waiting for the peer's (the contract). */
static void send_close(br_ssl_engine_context *eng, struct bconn *k)
{
    br_ssl_engine_close(eng);
    for (int guard = 0; guard < 16; guard++) {
        unsigned st = br_ssl_engine_current_state(eng);
        if (st & BR_SSL_CLOSED || !(st & BR_SSL_SENDREC))
            return;
        size_t len;
        unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
        int w = low_write(k, buf, len);
        if (w <= 0)
            return;
        br_ssl_engine_sendrec_ack(eng, (size_t)w);
    }
}

/* finish records the engine's error (and the alert it stands for), and the
 * key log: CLIENT_RANDOM with the master secret from the session
 * parameters, whenever the engine computed one (so that alerts after
 * ChangeCipherSpec can be decrypted too). */
static void finish(br_ssl_engine_context *eng, struct bconn *k, const char *op)
{
    struct shim_obs *obs = k->obs;
    int e = br_ssl_engine_last_error(eng);
    if (e >= BR_ERR_SEND_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT + 256)
        obs->alert_sent = e - BR_ERR_SEND_FATAL_ALERT;
    else if (e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_RECV_FATAL_ALERT + 256)
        obs->alert_received = e - BR_ERR_RECV_FATAL_ALERT;
    if (!obs->handshake_ok) {
        char text[512];
        const char *name = err_name(e);
        if (e >= BR_ERR_RECV_FATAL_ALERT)
            snprintf(text, sizeof(text), "%s: %s alert %d", op,
                     e >= BR_ERR_SEND_FATAL_ALERT ? "sent fatal" : "received fatal",
                     e & 0xff);
        else if (e == BR_ERR_IO && k->io_eof)
            snprintf(text, sizeof(text), "%s: BR_ERR_IO (the peer closed the connection)", op);
        else if (e == BR_ERR_IO && k->io_errno)
            snprintf(text, sizeof(text), "%s: BR_ERR_IO (%s)", op, strerror(k->io_errno));
        else if (e == 0 && k->io_eof)
            snprintf(text, sizeof(text), "%s: the peer closed the connection", op);
        else if (e == 0)
            snprintf(text, sizeof(text), "%s: the engine closed (close_notify received)", op);
        else
            snprintf(text, sizeof(text), "%s: %s", op, name ? name : "unknown BearSSL error");
        shim_set_error(obs, e, text);
    }
    if (k->oom && !obs->has_error)
        shim_set_error(obs, 0, "out of memory copying the received list");
    br_ssl_session_parameters sp;
    br_ssl_engine_get_session_parameters(eng, &sp);
    static const uint8_t zero[48];
    if (memcmp(sp.master_secret, zero, sizeof(sp.master_secret)) != 0)
        shim_keylog_secret(k->c, "CLIENT_RANDOM", eng->client_random, sizeof(eng->client_random),
                           sp.master_secret, sizeof(sp.master_secret));
}

/* ---- the case ----------------------------------------------------------- */

static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];

static void run_server(const struct shim_case *c, struct bconn *k)
{
    struct shim_obs *obs = k->obs;
    static br_ssl_server_context sc;
    static br_x509_minimal_context xc;
    static struct tap_x509 tap;
    struct pemfile *cert = bs_load_pem(c->cert, "server certificate", obs);
    struct pemfile *key = cert ? bs_load_pem(c->key, "server key", obs) : NULL;
    if (!key)
        return;
    if (!cert->ncerts || !key->skey_ok) {
        shim_set_error(obs, 0, cert->ncerts ? "no private key in the server key file"
                                            : "no certificate in the server certificate file");
        return;
    }
    const char *vpath = c->source == SHIM_SRC_TRUST_STORE ? c->calist_pem : c->trust;
    const br_x509_trust_anchor *tas;
    size_t ntas;
    if (bs_anchors_of(vpath, "trust anchors", &tas, &ntas, obs) != 0)
        return;
    br_x500_name *names = NULL;
    if (c->source == SHIM_SRC_EXPLICIT || c->source == SHIM_SRC_RAW) {
        names = calloc(c->calist.count ? c->calist.count : 1, sizeof(*names));
        if (!names) {
            shim_set_error(obs, 0, "out of memory");
            return;
        }
        for (size_t i = 0; i < c->calist.count; i++) {
            names[i].data = c->calist.dns[i].der;
            names[i].len = c->calist.dns[i].len;
        }
    }

    br_skey_decoder_context *sk = &key->skey;
    if (br_skey_decoder_key_type(sk) == BR_KEYTYPE_RSA)
        br_ssl_server_init_full_rsa(&sc, cert->chain, cert->ncerts, br_skey_decoder_get_rsa(sk));
    else
        br_ssl_server_init_full_ec(&sc, cert->chain, cert->ncerts, BR_KEYTYPE_EC, br_skey_decoder_get_ec(sk));
    br_ssl_engine_set_versions(&sc.eng, BR_TLS12, BR_TLS12);
    /* Client authentication, as BearSSL's tools/server.c sets it up. */
    br_x509_minimal_init_full(&xc, tas, ntas);
    br_ssl_engine_set_default_rsavrfy(&sc.eng);
    br_ssl_engine_set_default_ecdsa(&sc.eng);
    memset(&tap, 0, sizeof(tap));
    tap.vtable = &tap_vtable;
    tap.inner = &xc.vtable;
    br_ssl_engine_set_x509(&sc.eng, &tap.vtable);
    if (names)
        br_ssl_server_set_trust_anchor_names(&sc, names, c->calist.count);
    else if (c->source == SHIM_SRC_TRUST_STORE)
        br_ssl_server_set_trust_anchor_names_alt(&sc, tas, ntas);
    if (!c->require_cert)
        br_ssl_engine_add_flags(&sc.eng, BR_OPT_TOLERATE_NO_CLIENT_AUTH);
    br_ssl_engine_set_buffer(&sc.eng, iobuf, sizeof(iobuf), 1);
    if (!br_ssl_server_reset(&sc)) {
        shim_set_error(obs, br_ssl_engine_last_error(&sc.eng), "br_ssl_server_reset failed");
        free(names);
        free(tap.leaf.p);
        return;
    }
    br_sslio_context io;
    br_sslio_init(&io, &sc.eng, low_read, k, low_write, k);
    if (br_sslio_write_all(&io, "x", 1) == 0 && br_sslio_flush(&io) == 0)
        obs->handshake_ok = true;
    if (tap.leaf.n && !tap.oom) {
        obs->peer_cert = tap.leaf.p;
        obs->peer_cert_len = tap.leaf.n;
        tap.leaf.p = NULL;
    }
    free(tap.leaf.p);
    if (obs->handshake_ok)
        send_close(&sc.eng, k);
    finish(&sc.eng, k, "server handshake");
    free(names);
}

static void run_client(const struct shim_case *c, struct bconn *k)
{
    struct shim_obs *obs = k->obs;
    static br_ssl_client_context cc;
    static br_x509_minimal_context xc;
    static struct ccert w;
    const br_x509_trust_anchor *tas;
    size_t ntas;
    if (bs_anchors_of(c->trust, "trust anchors", &tas, &ntas, obs) != 0)
        return;
    k->creds = calloc(c->n_client_creds ? c->n_client_creds : 1, sizeof(*k->creds));
    if (!k->creds) {
        shim_set_error(obs, 0, "out of memory");
        return;
    }
    for (size_t i = 0; i < c->n_client_creds; i++) {
        if (bs_load_cred(&k->creds[i], c->client_creds[i].cert, c->client_creds[i].key, obs) != 0)
            return;
        k->ncreds = i + 1;
    }
    k->cc = &cc;
    /* br_ssl_client_init_full: every suite and algorithm BearSSL has, with
     * the minimal X.509 validator over |tas| (no host name: reset below
     * passes none). */
    br_ssl_client_init_full(&cc, &xc, tas, ntas);
    br_ssl_engine_set_versions(&cc.eng, BR_TLS12, BR_TLS12);
    memset(&w, 0, sizeof(w));
    w.vtable = &ccert_vtable;
    w.k = k;
    if (k->ncreds && c->select == SHIM_SEL_NATIVE)
        use_cred(&w, 0);
    br_ssl_client_set_client_certificate(&cc, &w.vtable);
    br_ssl_engine_set_buffer(&cc.eng, iobuf, sizeof(iobuf), 1);
    if (!br_ssl_client_reset(&cc, NULL, 0)) {
        shim_set_error(obs, br_ssl_engine_last_error(&cc.eng), "br_ssl_client_reset failed");
        return;
    }
    br_sslio_context io;
    br_sslio_init(&io, &cc.eng, low_read, k, low_write, k);
    unsigned char b = 0;
    int r = br_sslio_read(&io, &b, 1);
    if (r == 1 && b == 'x')
        obs->handshake_ok = true;
    else if (r == 1)
        shim_set_error(obs, 0, "br_sslio_read: received an unexpected application byte");
    if (obs->handshake_ok)
        send_close(&cc.eng, k);
    if (!obs->has_error)
        finish(&cc.eng, k, "client handshake");
    free(k->name.p);
}

static void b_run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    struct bconn k;
    memset(&k, 0, sizeof(k));
    k.c = c;
    k.obs = obs;
    k.fd = fd;
    obs->alerts_exposed = true;
    if (c->role == SHIM_SERVER)
        run_server(c, &k);
    else
        run_client(c, &k);
    free(k.creds);
}

static int b_init(void)
{
    atexit(bs_pem_cleanup);
    return 0;
}

/* b_version: BearSSL has no version API (no function or macro names its
 * release); the version is the one the loaded shared object's real file
 * name carries (libbearssl.so.0.6), found through dladdr. */
static const char *b_version(void)
{
    static char v[256];
    if (v[0])
        return v;
    Dl_info info;
    void *sym;
    void (*fn)(void) = (void (*)(void))br_ssl_engine_set_buffer;
    memcpy(&sym, &fn, sizeof(sym));
    char *real = dladdr(sym, &info) && info.dli_fname ? realpath(info.dli_fname, NULL) : NULL;
    const char *so = real ? strstr(real, ".so.") : NULL;
    if (so)
        snprintf(v, sizeof(v), "BearSSL %s (no version API; from the loaded file %s)", so + 4, real);
    else
        snprintf(v, sizeof(v), "BearSSL (no version API; loaded file %s)", real ? real : "unknown");
    free(real);
    return v;
}

static const char *const b_tls[] = {"1.2", NULL};
static const char *const b_sources[] = {"explicit", "trust-store", "raw", "none", NULL};
static const char *const b_selects[] = {"native", "by-issuer", NULL};

static const struct shim_stack b_stack = {
    .name = "bearssl",
    .version = b_version,
    .library_symbol = (void (*)(void))br_ssl_engine_set_buffer,
    .tls = b_tls,
    .sources = b_sources,
    .selects = b_selects,
    .init = b_init,
    .run = b_run,
};

int main(int argc, char **argv)
{
    return shim_main(argc, argv, &b_stack);
}
