/* shim_mbedtls.c — the Mbed TLS shim: 2.28 (Debian 12's libmbedtls-dev) and
 * 3.6 LTS (built by ci/stacks as mbedtls@3.6.x), one source with
 * #if MBEDTLS_VERSION_NUMBER where the APIs differ. See ../README.md for the
 * contract and NOTES.md (2.28) and NOTES-3.6.md (3.6) for the evidence
 * behind every choice made here.
 *
 * 3.6 in short (library/ssl_tls12_server.c, ssl_tls13_server.c,
 * ssl_tls12_client.c, ssl_tls13_client.c of 3.6.7): TLS 1.3 is on; an explicit
 * list exists for TLS 1.2 (mbedtls_ssl_conf_dn_hints, which takes
 * certificates and writes their subjects: calist_source "explicit", fed from
 * calist_pem with the trust store kept apart); a TLS 1.3 server never writes
 * certificate_authorities, and neither 1.2 nor 1.3 clients expose the list.
 *
 * Setting the list (server): Mbed TLS 2.28 has no API for an explicit list of
 * names (3.x added mbedtls_ssl_conf_dn_hints). ssl_write_certificate_request
 * (library/ssl_srv.c) writes the subject of every certificate of the CA chain
 * given to mbedtls_ssl_conf_ca_chain, in chain order, which is also the
 * verification store: that is calist_source "trust-store". The only other
 * switch is mbedtls_ssl_conf_cert_req_ca_list(MBEDTLS_SSL_CERT_REQ_CA_LIST_
 * DISABLED): a CertificateRequest with an empty list, calist_source "none".
 *
 * Reading the list (client): ssl_parse_certificate_request (library/
 * ssl_cli.c) checks the lengths of the list and discards it; no API exposes
 * it, so "received" is {"exposed": false} and select "by-issuer" is not
 * offered. The client always sends the first certificate given to
 * mbedtls_ssl_conf_own_cert (select "native"). Which certificate it sent is
 * read off the shim's own send callback: before ChangeCipherSpec the client's
 * records are plaintext, so the shim sees its Certificate message go out and
 * compares the first certificate in it with the ones it configured.
 *
 * Alerts: Mbed TLS sends its alerts itself (mbedtls_ssl_send_alert_message)
 * and reports neither sent nor received ones through a dedicated API; its
 * debug callback (mbedtls_ssl_conf_dbg) prints "send alert level=L message=M"
 * (level 3) and "got an alert message, type: [L:M]" (level 2) from
 * library/ssl_msg.c, and this shim reads those lines.
 *
 * CABOUND_MBEDTLS_DEBUG=N (1..4) in the environment copies the library's
 * debug output up to level N to stderr. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/debug.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "shim.h"

/* CB_MBEDTLS3: the 3.x API (3.6 LTS is the one built and tested). */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define CB_MBEDTLS3 1
#include <psa/crypto.h>
#else
#define CB_MBEDTLS3 0
#endif
/* TLS 1.3 where the build has it (3.6's default mbedtls_config.h: on). */
#if CB_MBEDTLS3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define CB_TLS13 1
#else
#define CB_TLS13 0
#endif

#if !CB_MBEDTLS3 && defined(MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL)
#error "this shim assumes the Mbed TLS 2.28 configuration without TLS 1.3"
#endif
#if !CB_MBEDTLS3 && !defined(MBEDTLS_SSL_EXPORT_KEYS)
#error "this shim needs MBEDTLS_SSL_EXPORT_KEYS"
#endif
#if !defined(MBEDTLS_DEBUG_C) || !defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
#error "this shim needs MBEDTLS_DEBUG_C and MBEDTLS_SSL_KEEP_PEER_CERTIFICATE"
#endif

/* The debug level that carries "send alert level=%u message=%u". */
#define ALERT_DEBUG_LEVEL 3

static mbedtls_entropy_context g_entropy;
static mbedtls_ctr_drbg_context g_drbg;
static int g_debug_echo; /* CABOUND_MBEDTLS_DEBUG */

/* ---- parsed certificates and keys, cached by path and content ---------- */

enum ent_kind { ENT_CRT, ENT_KEY };

struct ent {
    enum ent_kind kind;
    char *path;
    uint8_t *data; /* file content the objects were parsed from */
    size_t len;
    mbedtls_x509_crt crt;
    mbedtls_pk_context pk;
    int failed; /* ENT_CRT: how many certificates of the bundle did not parse */
    unsigned long used; /* the case that last used it (g_case_no) */
    struct ent *next;
};

static struct ent *g_cache;
static size_t g_cache_n;
static unsigned long g_case_no;

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

/* cache_trim drops what the last few cases did not use (each case of a run
 * brings a new list); it runs between cases only, so no object in use is
 * ever freed. */
static void cache_trim(void)
{
    for (struct ent **pp = &g_cache; *pp;) {
        struct ent *e = *pp;
        if (g_case_no - e->used > 4) {
            *pp = e->next;
            ent_free(e);
            g_cache_n--;
        } else {
            pp = &e->next;
        }
    }
}

/* load returns the cached objects parsed from |path|, re-parsing when the
 * file changed; NULL with *ret/err set on failure. */
static struct ent *load(enum ent_kind kind, const char *path, int *ret, char *err, size_t errlen)
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
            e->used = g_case_no;
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
    e->used = g_case_no;
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
        r = mbedtls_pk_parse_key(&e->pk, data, plen, NULL, 0, mbedtls_ctr_drbg_random, &g_drbg);
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

/* ---- one connection ------------------------------------------------------ */

struct conn {
    const struct shim_case *c;
    struct shim_obs *obs;
    int fd;
    int pending_alert; /* between "send alert" and "<= send alert message" */
    /* client: the outgoing records before ChangeCipherSpec */
    bool tap_on;
    uint8_t *tap, *hs;
    size_t tap_len, tap_cap, hs_len, hs_cap;
    bool cert_msg_seen;
    uint8_t *sent_der; /* first certificate of the client's Certificate */
    size_t sent_len;
    /* server: the client's end-entity certificate as given to verification */
    uint8_t *peer_der;
    size_t peer_len;
    /* client, TLS 1.3: the Certificate is encrypted, so the tap cannot see
     * it; the library's own trace of what it wrote stands in (on_debug). */
    bool tls13;
    int own_cert_state; /* 0 before, 1 in "write certificate", 2 done */
    char own_serial[200];
};

static int append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *p, size_t n)
{
    if (*len + n > *cap) {
        size_t nc = *cap ? *cap : 4096;
        while (nc < *len + n)
            nc *= 2;
        uint8_t *nb = realloc(*buf, nc);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return 0;
}

static void tap_handshake(struct conn *k)
{
    while (k->hs_len >= 4) {
        size_t mlen = (size_t)k->hs[1] << 16 | (size_t)k->hs[2] << 8 | k->hs[3];
        if (k->hs_len < 4 + mlen)
            return;
        const uint8_t *m = k->hs + 4;
        if (k->hs[0] == MBEDTLS_SSL_HS_CERTIFICATE && !k->cert_msg_seen && mlen >= 3) {
            k->cert_msg_seen = true;
            size_t list = (size_t)m[0] << 16 | (size_t)m[1] << 8 | m[2];
            if (list >= 3 && mlen >= 6) {
                size_t clen = (size_t)m[3] << 16 | (size_t)m[4] << 8 | m[5];
                if (clen <= mlen - 6 && (k->sent_der = malloc(clen ? clen : 1))) {
                    memcpy(k->sent_der, m + 6, clen);
                    k->sent_len = clen;
                }
            }
        }
        memmove(k->hs, k->hs + 4 + mlen, k->hs_len - 4 - mlen);
        k->hs_len -= 4 + mlen;
    }
}

/* tap reads the client's own plaintext records until its ChangeCipherSpec. */
static void tap(struct conn *k, const uint8_t *p, size_t n)
{
    if (!k->tap_on)
        return;
    if (append(&k->tap, &k->tap_len, &k->tap_cap, p, n) != 0) {
        k->tap_on = false;
        return;
    }
    size_t off = 0;
    while (k->tap_on && k->tap_len - off >= 5) {
        const uint8_t *r = k->tap + off;
        size_t rlen = (size_t)r[3] << 8 | r[4];
        if (k->tap_len - off < 5 + rlen)
            break;
        if (r[0] == MBEDTLS_SSL_MSG_CHANGE_CIPHER_SPEC)
            k->tap_on = false;
        else if (r[0] == MBEDTLS_SSL_MSG_HANDSHAKE) {
            if (append(&k->hs, &k->hs_len, &k->hs_cap, r + 5, rlen) != 0)
                k->tap_on = false;
            tap_handshake(k);
        }
        off += 5 + rlen;
    }
    memmove(k->tap, k->tap + off, k->tap_len - off);
    k->tap_len -= off;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct conn *k = ctx;
    for (;;) {
        ssize_t n = send(k->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = write(k->fd, buf, len);
        if (n >= 0) {
            tap(k, buf, (size_t)n);
            return (int)n;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return MBEDTLS_ERR_SSL_TIMEOUT; /* SO_SNDTIMEO expired */
        if (errno == EPIPE || errno == ECONNRESET)
            return MBEDTLS_ERR_NET_CONN_RESET;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct conn *k = ctx;
    for (;;) {
        ssize_t n = read(k->fd, buf, len);
        if (n >= 0)
            return (int)n; /* 0: EOF, which Mbed TLS reports as MBEDTLS_ERR_SSL_CONN_EOF */
        if (errno == EINTR)
            continue;
        /* SO_RCVTIMEO expired: end the case, never return WANT_READ (that
         * would make the blocking handshake loop spin). */
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        if (errno == ECONNRESET)
            return MBEDTLS_ERR_NET_CONN_RESET;
        return MBEDTLS_ERR_NET_RECV_FAILED;
    }
}

static void on_debug(void *ctx, int level, const char *file, int line, const char *str)
{
    struct conn *k = ctx;
    unsigned a, b;
    if (g_debug_echo >= level)
        fprintf(stderr, "mbedtls %d %s:%d: %s", level, file, line, str);
    /* With MBEDTLS_THREADING_C (Debian's build) debug_send_line (library/
     * debug.c) prefixes every line with "%p: ", the context's address. */
    if (strncmp(str, "0x", 2) == 0) {
        const char *p = strstr(str, ": ");
        if (p)
            str = p + 2;
    }
#if CB_TLS13
    /* TLS 1.3 client: ssl_tls13_write_certificate_body (library/
     * ssl_tls13_generic.c, 3.6.7) prints MBEDTLS_SSL_DEBUG_CRT(3, "own
     * certificate", crt) for the chain it then copies into the message, inside
     * "=> write certificate" ... "<= write certificate"; no line: an empty
     * Certificate. The serial number line identifies which credential. */
    if (k->tls13 && k->c->role == SHIM_CLIENT) {
        if (strncmp(str, "=> write certificate", 20) == 0 && k->own_cert_state == 0)
            k->own_cert_state = 1;
        else if (strncmp(str, "<= write certificate", 20) == 0 && k->own_cert_state == 1)
            k->own_cert_state = 2;
        else if (k->own_cert_state == 1 && !k->own_serial[0] &&
                 strncmp(str, "serial number", 13) == 0)
            snprintf(k->own_serial, sizeof(k->own_serial), "%s", str);
    }
#endif
    if (sscanf(str, "send alert level=%u message=%u", &a, &b) == 2) {
        k->pending_alert = (int)b;
    } else if (strncmp(str, "<= send alert message", 21) == 0) {
        /* the alert record was written; close_notify is no error report */
        if (k->pending_alert > 0 && k->obs->alert_sent < 0)
            k->obs->alert_sent = k->pending_alert;
        k->pending_alert = -1;
    } else if (sscanf(str, "got an alert message, type: [%u:%u]", &a, &b) == 2) {
        if (b != MBEDTLS_SSL_ALERT_MSG_CLOSE_NOTIFY && k->obs->alert_received < 0)
            k->obs->alert_received = (int)b;
    }
}

#if CB_MBEDTLS3
/* 3.x: one callback per secret (mbedtls_ssl_set_export_keys_cb, ssl.h),
 * the TLS 1.2 master secret and the TLS 1.3 traffic secrets. */
static void on_keys(void *ctx, mbedtls_ssl_key_export_type type, const unsigned char *secret,
                    size_t secret_len, const unsigned char client_random[32],
                    const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    struct conn *k = ctx;
    const char *label = NULL;
    (void)server_random, (void)prf;
    switch (type) {
    case MBEDTLS_SSL_KEY_EXPORT_TLS12_MASTER_SECRET: label = "CLIENT_RANDOM"; break;
#if CB_TLS13
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_HANDSHAKE_TRAFFIC_SECRET:
        label = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_HANDSHAKE_TRAFFIC_SECRET:
        label = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_APPLICATION_TRAFFIC_SECRET:
        label = "CLIENT_TRAFFIC_SECRET_0";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_APPLICATION_TRAFFIC_SECRET:
        label = "SERVER_TRAFFIC_SECRET_0";
        break;
#endif
    default: break;
    }
    if (label)
        shim_keylog_secret(k->c, label, client_random, 32, secret, secret_len);
}
#else
static int on_keys(void *ctx, const unsigned char *ms, const unsigned char *kb, size_t maclen,
                   size_t keylen, size_t ivlen, const unsigned char client_random[32],
                   const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    struct conn *k = ctx;
    (void)kb, (void)maclen, (void)keylen, (void)ivlen, (void)server_random, (void)prf;
    shim_keylog_secret(k->c, "CLIENT_RANDOM", client_random, 32, ms, 48);
    return 0;
}
#endif

/* on_verify sees the client's end-entity certificate even when verification
 * then fails (mbedtls_ssl_get_peer_cert only has it after a success). It
 * leaves the verdict alone. */
static int on_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct conn *k = ctx;
    (void)flags;
    if (depth == 0 && !k->peer_der && crt->raw.len && (k->peer_der = malloc(crt->raw.len))) {
        memcpy(k->peer_der, crt->raw.p, crt->raw.len);
        k->peer_len = crt->raw.len;
    }
    return 0;
}

/* set_error records the library's code and text; |what| (a setup step that
 * failed before any handshake) also goes to stderr, since it is the
 * request's or the shim's problem rather than the stack's. */
static void set_error(struct shim_obs *obs, int ret, const char *what)
{
    char buf[300], text[1024];
    mbedtls_strerror(ret, buf, sizeof(buf));
    if (what) {
        snprintf(text, sizeof(text), "%s: %s", what, buf);
        fprintf(stderr, "shim-mbedtls: %s\n", text);
    } else {
        snprintf(text, sizeof(text), "%s", buf);
    }
    shim_set_error(obs, ret, text);
}

static void run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    struct conn k;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    char err[600];
    int ret = 0;
    const bool server = c->role == SHIM_SERVER;
    const mbedtls_x509_crt **creds = NULL; /* client: leaf of each credential */

    memset(&k, 0, sizeof(k));
    k.c = c;
    k.obs = obs;
    k.fd = fd;
    k.pending_alert = -1;
    k.tap_on = !server;
    obs->alerts_exposed = true;
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_init(&ssl);
    g_case_no++;
    cache_trim();

    ret = mbedtls_ssl_config_defaults(&conf, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
                                      MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) {
        set_error(obs, ret, "mbedtls_ssl_config_defaults");
        goto out;
    }
#if CB_MBEDTLS3
    /* Both ends pinned to the case's version. */
    k.tls13 = c->tls == 13;
    mbedtls_ssl_protocol_version pv = MBEDTLS_SSL_VERSION_TLS1_2;
#if CB_TLS13
    if (k.tls13)
        pv = MBEDTLS_SSL_VERSION_TLS1_3;
#endif
    mbedtls_ssl_conf_min_tls_version(&conf, pv);
    mbedtls_ssl_conf_max_tls_version(&conf, pv);
#else
    /* c->tls is 12 here: the common code turns 1.3 away (see `tls` below). */
    mbedtls_ssl_conf_min_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_export_keys_ext_cb(&conf, on_keys, &k);
#endif
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &g_drbg);
    mbedtls_ssl_conf_dbg(&conf, on_debug, &k);

    struct ent *e;
    if (server) {
        struct ent *crt = load(ENT_CRT, c->cert, &ret, err, sizeof(err));
        struct ent *key = crt ? load(ENT_KEY, c->key, &ret, err, sizeof(err)) : NULL;
        if (!key) {
            set_error(obs, ret, err);
            goto out;
        }
        if ((ret = mbedtls_ssl_conf_own_cert(&conf, &crt->crt, &key->pk)) != 0) {
            set_error(obs, ret, "mbedtls_ssl_conf_own_cert");
            goto out;
        }
        /* The CA chain is both the verification store and, unless disabled
         * or replaced by DN hints, the source of the CertificateRequest's
         * list (ssl_srv.c; 3.6: ssl_tls12_server.c). */
        const char *store = c->source == SHIM_SRC_TRUST_STORE ? c->calist_pem : c->trust;
        if (!store) {
            set_error(obs, MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED, "request has no trust anchors");
            goto out;
        }
        if (!(e = load(ENT_CRT, store, &ret, err, sizeof(err)))) {
            set_error(obs, ret, err);
            goto out;
        }
        mbedtls_ssl_conf_ca_chain(&conf, &e->crt, NULL);
#if CB_MBEDTLS3
        /* explicit: mbedtls_ssl_conf_dn_hints (3.x) takes a certificate
         * chain and ssl_write_certificate_request (ssl_tls12_server.c,
         * 3.6.7) writes each one's subject_raw instead of the CA chain's,
         * in order. Fed from calist_pem, whose subjects are the list's DNs;
         * the trust store stays the request's `trust`. */
        if (c->source == SHIM_SRC_EXPLICIT) {
            struct ent *hints = c->calist_pem ? load(ENT_CRT, c->calist_pem, &ret, err, sizeof(err))
                                              : NULL;
            if (!hints) {
                set_error(obs, c->calist_pem ? ret : MBEDTLS_ERR_SSL_BAD_CONFIG,
                          c->calist_pem ? err : "request has no calist_pem for the DN hints");
                goto out;
            }
            mbedtls_ssl_conf_dn_hints(&conf, &hints->crt);
        }
#endif
        mbedtls_ssl_conf_cert_req_ca_list(&conf, c->source == SHIM_SRC_NONE
                                                     ? MBEDTLS_SSL_CERT_REQ_CA_LIST_DISABLED
                                                     : MBEDTLS_SSL_CERT_REQ_CA_LIST_ENABLED);
        mbedtls_ssl_conf_authmode(&conf, c->require_cert ? MBEDTLS_SSL_VERIFY_REQUIRED
                                                         : MBEDTLS_SSL_VERIFY_OPTIONAL);
    } else {
        if (!c->trust) {
            set_error(obs, MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED, "request has no trust anchors");
            goto out;
        }
        if (!(e = load(ENT_CRT, c->trust, &ret, err, sizeof(err)))) {
            set_error(obs, ret, err);
            goto out;
        }
        mbedtls_ssl_conf_ca_chain(&conf, &e->crt, NULL);
        mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        /* native: every credential, in order, the library's way. The 2.28
         * client sends the first one whatever the server asked for. */
        if (c->n_client_creds && !(creds = calloc(c->n_client_creds, sizeof(*creds)))) {
            set_error(obs, MBEDTLS_ERR_SSL_ALLOC_FAILED, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < c->n_client_creds; i++) {
            struct ent *crt = load(ENT_CRT, c->client_creds[i].cert, &ret, err, sizeof(err));
            struct ent *key = crt ? load(ENT_KEY, c->client_creds[i].key, &ret, err, sizeof(err))
                                  : NULL;
            if (!key) {
                set_error(obs, ret, err);
                goto out;
            }
            creds[i] = &crt->crt;
            if ((ret = mbedtls_ssl_conf_own_cert(&conf, &crt->crt, &key->pk)) != 0) {
                set_error(obs, ret, "mbedtls_ssl_conf_own_cert");
                goto out;
            }
        }
    }

    if ((ret = mbedtls_ssl_setup(&ssl, &conf)) != 0) {
        set_error(obs, ret, "mbedtls_ssl_setup");
        goto out;
    }
    mbedtls_ssl_set_bio(&ssl, &k, bio_send, bio_recv, NULL);
#if CB_MBEDTLS3
    mbedtls_ssl_set_export_keys_cb(&ssl, on_keys, &k);
    /* 3.6.3+ refuses to verify a server certificate unless the client named
     * the host or said it won't (MBEDTLS_ERR_SSL_CERTIFICATE_VERIFICATION_
     * WITHOUT_HOSTNAME, ssl_tls.c 3.6.7). NULL is the documented opt-out
     * (ssl.h, mbedtls_ssl_set_hostname): no name check and no SNI, as in
     * the other shims and in 2.28. */
    if (!server && (ret = mbedtls_ssl_set_hostname(&ssl, NULL)) != 0) {
        set_error(obs, ret, "mbedtls_ssl_set_hostname");
        goto out;
    }
#endif
    if (server)
        mbedtls_ssl_set_verify(&ssl, on_verify, &k);

    do
        ret = mbedtls_ssl_handshake(&ssl);
    while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);

    if (ret == 0) {
        /* The exchange: one application-data byte from server to client. */
        if (server) {
            do
                ret = mbedtls_ssl_write(&ssl, (const unsigned char *)"x", 1);
            while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
        } else {
            unsigned char b = 0;
            do
                ret = mbedtls_ssl_read(&ssl, &b, 1);
            while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
            if (ret == 1 && b != 'x') {
                shim_set_error(obs, 0, "application data byte is not 'x'");
                ret = 0;
            }
        }
        if (ret == 1)
            obs->handshake_ok = true;
        else if (ret < 0)
            set_error(obs, ret, NULL);
        else if (!obs->has_error)
            shim_set_error(obs, 0, "no application data byte crossed");
        mbedtls_ssl_close_notify(&ssl); /* errors: the peer may be gone */
    } else {
        set_error(obs, ret, NULL);
        /* Mbed TLS returns this code after it read a fatal alert, whose
         * description is then in in_msg[1] (ssl_msg.c,
         * mbedtls_ssl_handle_message_type); the debug line has it too. */
#if CB_MBEDTLS3
        if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && obs->alert_received < 0 &&
            ssl.MBEDTLS_PRIVATE(in_msg))
            obs->alert_received = ssl.MBEDTLS_PRIVATE(in_msg)[1];
#else
        if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && obs->alert_received < 0 && ssl.in_msg)
            obs->alert_received = ssl.in_msg[1];
#endif
    }

    if (server) {
        const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&ssl);
        const uint8_t *der = peer ? peer->raw.p : k.peer_der;
        size_t len = peer ? peer->raw.len : k.peer_len;
        if (der && len && (obs->peer_cert = malloc(len))) {
            memcpy(obs->peer_cert, der, len);
            obs->peer_cert_len = len;
        }
    } else if (k.tls13) {
        /* TLS 1.3 (see on_debug): the library's trace of the Certificate it
         * wrote, matched by serial number against each credential. */
        if (k.own_cert_state == 2) {
            obs->sent_cert = -1;
            if (k.own_serial[0]) {
                obs->sent_cert = -2;
                for (size_t i = 0; i < c->n_client_creds; i++) {
                    char info[2048], *line;
                    if (mbedtls_x509_crt_info(info, sizeof(info), "", creds[i]) < 0)
                        continue;
                    if ((line = strstr(info, "serial number")) != NULL &&
                        strncmp(line, k.own_serial, strcspn(k.own_serial, "\n")) == 0) {
                        obs->sent_cert = (int)i;
                        break;
                    }
                }
            }
        }
    } else if (k.cert_msg_seen) {
        obs->sent_cert = -1; /* empty Certificate, unless it matches below */
        if (k.sent_der) {
            obs->sent_cert = -2;
            for (size_t i = 0; i < c->n_client_creds; i++)
                if (creds[i]->raw.len == k.sent_len &&
                    memcmp(creds[i]->raw.p, k.sent_der, k.sent_len) == 0) {
                    obs->sent_cert = (int)i;
                    break;
                }
            if (obs->sent_cert == -2)
                fprintf(stderr, "shim-mbedtls: the client sent a certificate it was not given\n");
        }
    } else if (obs->handshake_ok) {
        obs->sent_cert = -1; /* completed without sending a Certificate at all */
    }

out:
    mbedtls_ssl_free(&ssl);
    mbedtls_ssl_config_free(&conf);
    free(creds);
    free(k.tap);
    free(k.hs);
    free(k.sent_der);
    free(k.peer_der);
}

/* ---- the stack ---------------------------------------------------------- */

static const char *version(void)
{
    static char v[64];
    if (!v[0])
        mbedtls_version_get_string_full(v); /* needs 18 bytes */
    return v;
}

static int init(void)
{
    const char *dbg = getenv("CABOUND_MBEDTLS_DEBUG");
    g_debug_echo = dbg ? atoi(dbg) : 0;
    mbedtls_entropy_init(&g_entropy);
    mbedtls_ctr_drbg_init(&g_drbg);
    static const char pers[] = "cabound-shim-mbedtls";
    int ret = mbedtls_ctr_drbg_seed(&g_drbg, mbedtls_entropy_func, &g_entropy,
                                    (const unsigned char *)pers, sizeof(pers) - 1);
    if (ret != 0) {
        char buf[200];
        mbedtls_strerror(ret, buf, sizeof(buf));
        fprintf(stderr, "shim-mbedtls: mbedtls_ctr_drbg_seed: %s\n", buf);
        return -1;
    }
    mbedtls_debug_set_threshold(g_debug_echo > ALERT_DEBUG_LEVEL ? g_debug_echo
                                                                 : ALERT_DEBUG_LEVEL);
#if CB_MBEDTLS3
    /* 3.x: TLS 1.3 and the PSA-based parts of TLS 1.2 need the PSA core. */
    psa_status_t st = psa_crypto_init();
    if (st != PSA_SUCCESS) {
        fprintf(stderr, "shim-mbedtls: psa_crypto_init: %d\n", (int)st);
        return -1;
    }
#endif
    return 0;
}

#if CB_TLS13
static const char *const tls_versions[] = {"1.2", "1.3", NULL};
#else
static const char *const tls_versions[] = {"1.2", NULL};
#endif
#if CB_MBEDTLS3
static const char *const sources[] = {"explicit", "trust-store", "none", NULL};
#else
static const char *const sources[] = {"trust-store", "none", NULL};
#endif
static const char *const selects[] = {"native", NULL};

static const struct shim_stack mbedtls_stack = {
    .name = "mbedtls",
    .version = version,
    /* void (*)(void) is the one function type GCC lets any cast to */
    .library_symbol = (void (*)(void))mbedtls_ssl_init,
    .tls = tls_versions,
    .sources = sources,
    .selects = selects,
    .init = init,
    .run = run,
};

int main(int argc, char **argv)
{
    return shim_main(argc, argv, &mbedtls_stack);
}
