/* shim_gnutls.c — the GnuTLS (3.7) shim: one TLS handshake per request, as
 * server or client, over the connected socket the common code hands us (see
 * ../README.md for the contract, NOTES.md for the source references).
 *
 * Setting the list (server):
 *   trust-store  the trust list of calist_pem, loaded as
 *                gnutls_certificate_set_x509_trust_file does it
 *                (lib/cert-cred-x509.c: gnutls_x509_trust_list_add_trust_file,
 *                i.e. add_trust_mem with GNUTLS_TL_USE_IN_TLS, which adds
 *                GNUTLS_TL_NO_DUPLICATES) into a list of its own that
 *                replaces the credentials' (gnutls_certificate_set_trust_list),
 *                so that the server's certificate and key stay loaded across
 *                cases while the list changes. GnuTLS
 *                has no API that takes a list of names: every CA loaded with
 *                GNUTLS_TL_USE_IN_TLS (which all gnutls_certificate_set_x509_
 *                trust_* functions pass) is appended, in load order, to the
 *                trust list's x509_rdn_sequence (lib/x509/verify-high.c,
 *                add_new_ca_to_rdn_seq), and that sequence is what the
 *                CertificateRequest (TLS 1.2) or its certificate_authorities
 *                extension (TLS 1.3) carries. So the trust store is GnuTLS's
 *                only, native, source; `explicit` and `raw` do not exist.
 *   none         gnutls_certificate_send_x509_rdn_sequence(session, 1): a
 *                non-zero status means "do NOT send the rdnSequence"
 *                (lib/state.c); the verification store is then `trust`.
 *
 * Reading the list (client):
 *   native       one gnutls_certificate_set_x509_key_file per credential, in
 *                order; GnuTLS picks by issuer itself (lib/auth/cert.c,
 *                find_x509_client_cert). No API exposes the received names
 *                without replacing that selection, so `received` is not
 *                exposed. The certificate actually sent is read from the
 *                outgoing Certificate message (handshake hook).
 *   by-issuer    gnutls_certificate_set_retrieve_function2: its req_ca_rdn
 *                array holds the DNs exactly as received, in order; the shim
 *                picks with shim_pick_by_issuer() on each credential's raw
 *                issuer DN (gnutls_x509_crt_get_raw_issuer_dn).
 *
 * Alerts: GnuTLS sends (almost) no alert by itself when a handshake fails;
 * gnutls-serv and gnutls-cli call gnutls_alert_send_appropriate(), and so do
 * we. Every size limit stays at the library default. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "shim.h"

#define MAX_CHAIN 16
#define CACHE_SLOTS 8
#define MAX_RETRIES 100000

/* One client credential, loaded once: what the by-issuer callback hands to
 * GnuTLS, and what the handshake hook compares the sent certificate with. */
struct client_cred {
    gnutls_pcert_st pcert[MAX_CHAIN];
    unsigned npcert;
    gnutls_privkey_t key;
    uint8_t *issuer; /* raw issuer DN of the leaf */
    size_t issuer_len;
};

/* A credentials object, cached by the identity of the files it was loaded
 * from (path, inode, size, mtime): loading hundreds of trust anchors per case
 * would dominate the run time. A server's trust list is not part of the key:
 * it is replaced when the trust file changes (trust_id). */
struct cred_entry {
    char *id;
    char *trust_id;
    gnutls_certificate_credentials_t cred;
    struct client_cred *cc;
    size_t ncc;
};

static struct cred_entry *cache[CACHE_SLOTS];
static size_t cache_next;

/* Per-handshake state, reachable from the callbacks via gnutls_session_get_ptr. */
struct run_ctx {
    const struct shim_case *c;
    struct shim_obs *obs;
    struct cred_entry *e;
};

static void free_entry(struct cred_entry *e)
{
    if (!e)
        return;
    if (e->cred)
        gnutls_certificate_free_credentials(e->cred);
    for (size_t i = 0; i < e->ncc; i++) {
        struct client_cred *cc = &e->cc[i];
        for (unsigned j = 0; j < cc->npcert; j++)
            gnutls_pcert_deinit(&cc->pcert[j]);
        if (cc->key)
            gnutls_privkey_deinit(cc->key);
        free(cc->issuer);
    }
    free(e->cc);
    free(e->id);
    free(e->trust_id);
    free(e);
}

static struct cred_entry *cache_find(const char *id)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (cache[i] && strcmp(cache[i]->id, id) == 0)
            return cache[i];
    return NULL;
}

static void cache_put(struct cred_entry *e)
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
    gnutls_global_deinit();
}

static void load_error(struct shim_obs *obs, int code, const char *what, const char *path,
                       const char *why)
{
    char text[512];
    snprintf(text, sizeof(text), "%s %s: %s", what, path ? path : "(none)", why);
    shim_set_error(obs, code, text);
}

static int load_client_cred(struct client_cred *cc, const struct shim_cred *src,
                            struct shim_obs *obs)
{
    cc->npcert = MAX_CHAIN;
    int ret = gnutls_pcert_list_import_x509_file(cc->pcert, &cc->npcert, src->cert,
                                                 GNUTLS_X509_FMT_PEM, NULL, NULL, 0);
    if (ret < 0 || cc->npcert == 0) {
        cc->npcert = 0;
        load_error(obs, ret, "loading client certificate", src->cert, gnutls_strerror(ret));
        return -1;
    }
    gnutls_datum_t kd = {NULL, 0};
    ret = gnutls_load_file(src->key, &kd);
    if (ret >= 0) {
        ret = gnutls_privkey_init(&cc->key);
        if (ret >= 0)
            ret = gnutls_privkey_import_x509_raw(cc->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
    }
    gnutls_free(kd.data);
    if (ret < 0) {
        load_error(obs, ret, "loading client key", src->key, gnutls_strerror(ret));
        return -1;
    }
    gnutls_x509_crt_t x = NULL;
    gnutls_datum_t iss = {NULL, 0};
    ret = gnutls_x509_crt_init(&x);
    if (ret >= 0)
        ret = gnutls_x509_crt_import(x, &cc->pcert[0].cert, GNUTLS_X509_FMT_DER);
    if (ret >= 0)
        ret = gnutls_x509_crt_get_raw_issuer_dn(x, &iss);
    if (ret >= 0) {
        cc->issuer = malloc(iss.size ? iss.size : 1);
        if (cc->issuer) {
            memcpy(cc->issuer, iss.data, iss.size);
            cc->issuer_len = iss.size;
        } else {
            ret = GNUTLS_E_MEMORY_ERROR;
        }
    }
    gnutls_free(iss.data);
    if (x)
        gnutls_x509_crt_deinit(x);
    if (ret < 0) {
        load_error(obs, ret, "reading the issuer of", src->cert, gnutls_strerror(ret));
        return -1;
    }
    return 0;
}

static int retrieve_cb(gnutls_session_t s, const gnutls_datum_t *req_ca_rdn, int nreqs,
                       const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                       gnutls_pcert_st **pcert, unsigned int *pcert_length,
                       gnutls_privkey_t *privkey);

static unsigned count_pem_blocks(const gnutls_datum_t *pem)
{
    static const char begin[] = "-----BEGIN ";
    unsigned n = 0;
    for (size_t i = 0; pem->data && i + sizeof(begin) - 1 <= pem->size; i++)
        if (pem->data[i] == '-' && memcmp(pem->data + i, begin, sizeof(begin) - 1) == 0)
            n++, i += sizeof(begin) - 2;
    return n;
}

/* set_server_trust gives a server's credentials the trust list of |trust|
 * (none when NULL) unless they hold it already (|trust_id|, which it takes).
 * Returns 0, or -1 with the error recorded. */
static int set_server_trust(struct cred_entry *e, const char *trust, char *trust_id, struct shim_obs *obs)
{
    if (e->trust_id && strcmp(e->trust_id, trust_id) == 0) {
        free(trust_id);
        return 0;
    }
    free(e->trust_id);
    e->trust_id = NULL;
    gnutls_datum_t pem = {NULL, 0};
    int ret = trust ? gnutls_load_file(trust, &pem) : 0;
    /* The hash table's size changes no result, only the time: adding a CA
     * compares it (gnutls_x509_crt_equals, GNUTLS_TL_NO_DUPLICATES, which
     * add_trust_mem sets) with every CA of its bucket, and the default 127
     * buckets (lib/x509/verify-high.c, DEFAULT_SIZE) make loading hundreds
     * of CAs quadratic. */
    unsigned buckets = 16 * count_pem_blocks(&pem) + 1;
    gnutls_x509_trust_list_t tl = NULL;
    if (ret >= 0)
        ret = gnutls_x509_trust_list_init(&tl, buckets < 127 ? 127 : buckets);
    if (ret >= 0 && trust) {
        ret = gnutls_x509_trust_list_add_trust_mem(tl, &pem, NULL, GNUTLS_X509_FMT_PEM, GNUTLS_TL_USE_IN_TLS, 0);
        if (ret == GNUTLS_E_NO_CERTIFICATE_FOUND) /* as gnutls_certificate_set_x509_trust_file */
            ret = 0;
        if (ret < 0)
            gnutls_x509_trust_list_deinit(tl, 1);
    }
    gnutls_free(pem.data);
    if (ret < 0) {
        load_error(obs, ret, "loading trust anchors", trust, gnutls_strerror(ret));
        free(trust_id);
        return -1;
    }
    gnutls_certificate_set_trust_list(e->cred, tl, 0); /* frees the previous list */
    e->trust_id = trust_id;
    return 0;
}

static struct cred_entry *get_creds(const struct shim_case *c, struct shim_obs *obs)
{
    char *id = NULL;
    size_t idlen = 0;
    FILE *f = open_memstream(&id, &idlen);
    if (!f) {
        shim_set_error(obs, GNUTLS_E_MEMORY_ERROR, "open_memstream failed");
        return NULL;
    }
    int bad = 0;
    const char *trust, *badpath = NULL;
    char *trust_id = NULL;
    if (c->role == SHIM_SERVER) {
        trust = c->source == SHIM_SRC_TRUST_STORE ? c->calist_pem : c->trust;
        fprintf(f, "server\n");
        if (shim_id_add(f, "cert", c->cert) != 0)
            bad = 1, badpath = c->cert;
        else if (shim_id_add(f, "key", c->key) != 0)
            bad = 1, badpath = c->key;
        size_t tl = 0;
        FILE *tf = open_memstream(&trust_id, &tl);
        if (!tf || shim_id_add(tf, "trust", trust) != 0)
            bad = bad ? bad : 1, badpath = badpath ? badpath : trust;
        if (tf)
            fclose(tf);
    } else {
        trust = c->trust;
        fprintf(f, "client %s\n", c->select == SHIM_SEL_NATIVE ? "native" : "by-issuer");
        if (shim_id_add(f, "trust", trust) != 0)
            bad = 1, badpath = trust;
        for (size_t i = 0; !bad && i < c->n_client_creds; i++) {
            if (shim_id_add(f, "cert", c->client_creds[i].cert) != 0)
                bad = 1, badpath = c->client_creds[i].cert;
            else if (shim_id_add(f, "key", c->client_creds[i].key) != 0)
                bad = 1, badpath = c->client_creds[i].key;
        }
    }
    int saved = errno;
    if (fclose(f) != 0 || !id) {
        free(id);
        shim_set_error(obs, GNUTLS_E_MEMORY_ERROR, "open_memstream failed");
        return NULL;
    }
    if (bad || (c->role == SHIM_SERVER && !trust_id)) {
        load_error(obs, GNUTLS_E_FILE_ERROR, "cannot read", badpath, strerror(saved));
        free(id);
        free(trust_id);
        return NULL;
    }
    struct cred_entry *e = cache_find(id);
    if (e) {
        free(id);
        if (c->role == SHIM_SERVER && set_server_trust(e, trust, trust_id, obs) != 0)
            return NULL;
        return e;
    }

    e = calloc(1, sizeof(*e));
    if (!e) {
        free(id);
        shim_set_error(obs, GNUTLS_E_MEMORY_ERROR, "out of memory");
        return NULL;
    }
    e->id = id;
    int ret = gnutls_certificate_allocate_credentials(&e->cred);
    if (ret < 0) {
        shim_set_error(obs, ret, gnutls_strerror(ret));
        goto fail;
    }
    if (trust && c->role == SHIM_CLIENT) {
        ret = gnutls_certificate_set_x509_trust_file(e->cred, trust, GNUTLS_X509_FMT_PEM);
        if (ret < 0) {
            load_error(obs, ret, "loading trust anchors", trust, gnutls_strerror(ret));
            goto fail;
        }
    }
    if (c->role == SHIM_SERVER) {
        if (set_server_trust(e, trust, trust_id, obs) != 0) {
            trust_id = NULL;
            goto fail;
        }
        trust_id = NULL;
        ret = gnutls_certificate_set_x509_key_file(e->cred, c->cert, c->key, GNUTLS_X509_FMT_PEM);
        if (ret < 0) {
            load_error(obs, ret, "loading server credential", c->cert, gnutls_strerror(ret));
            goto fail;
        }
    } else {
        if (c->n_client_creds) {
            e->cc = calloc(c->n_client_creds, sizeof(*e->cc));
            if (!e->cc) {
                shim_set_error(obs, GNUTLS_E_MEMORY_ERROR, "out of memory");
                goto fail;
            }
        }
        for (size_t i = 0; i < c->n_client_creds; i++) {
            e->ncc = i + 1;
            if (load_client_cred(&e->cc[i], &c->client_creds[i], obs) != 0)
                goto fail;
            if (c->select == SHIM_SEL_NATIVE) {
                ret = gnutls_certificate_set_x509_key_file(e->cred, c->client_creds[i].cert,
                                                           c->client_creds[i].key,
                                                           GNUTLS_X509_FMT_PEM);
                if (ret < 0) {
                    load_error(obs, ret, "loading client credential", c->client_creds[i].cert,
                               gnutls_strerror(ret));
                    goto fail;
                }
            }
        }
        if (c->select == SHIM_SEL_BY_ISSUER)
            gnutls_certificate_set_retrieve_function2(e->cred, retrieve_cb);
    }
    cache_put(e);
    return e;
fail:
    free(trust_id);
    free_entry(e);
    return NULL;
}

/* ---- callbacks ---------------------------------------------------------- */

static int keylog_cb(gnutls_session_t s, const char *label, const gnutls_datum_t *secret)
{
    struct run_ctx *r = gnutls_session_get_ptr(s);
    gnutls_datum_t cr = {NULL, 0}, sr = {NULL, 0};
    gnutls_session_get_random(s, &cr, &sr);
    shim_keylog_secret(r->c, label, cr.data, cr.size, secret->data, secret->size);
    return 0;
}

/* by-issuer: GnuTLS hands over the certificate_authorities names exactly as
 * received (pointers into the message, lib/auth/cert.c get_issuers). */
static int retrieve_cb(gnutls_session_t s, const gnutls_datum_t *req_ca_rdn, int nreqs,
                       const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                       gnutls_pcert_st **pcert, unsigned int *pcert_length,
                       gnutls_privkey_t *privkey)
{
    (void)pk_algos;
    (void)pk_algos_length;
    struct run_ctx *r = gnutls_session_get_ptr(s);
    struct shim_obs *obs = r->obs;
    cb_calist_free(&obs->received);
    cb_calist_init(&obs->received);
    for (int i = 0; i < nreqs; i++)
        if (cb_calist_push(&obs->received, req_ca_rdn[i].data, req_ca_rdn[i].size, NULL) != 0)
            return -1;
    obs->received_exposed = true;

    const uint8_t **iss = calloc(r->e->ncc ? r->e->ncc : 1, sizeof(*iss));
    size_t *lens = calloc(r->e->ncc ? r->e->ncc : 1, sizeof(*lens));
    int pick = -1;
    if (iss && lens) {
        for (size_t i = 0; i < r->e->ncc; i++) {
            iss[i] = r->e->cc[i].issuer;
            lens[i] = r->e->cc[i].issuer_len;
        }
        pick = shim_pick_by_issuer(&obs->received, iss, lens, r->e->ncc);
    }
    free(iss);
    free(lens);
    if (!iss || !lens)
        return -1;
    if (pick < 0) {
        *pcert = NULL;
        *pcert_length = 0;
        *privkey = NULL;
    } else {
        *pcert = r->e->cc[pick].pcert;
        *pcert_length = r->e->cc[pick].npcert;
        *privkey = r->e->cc[pick].key;
    }
    return 0;
}

static uint32_t get24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* sent_index reads the leaf of an outgoing Certificate message body and
 * returns the index of the credential it belongs to, -1 for an empty
 * Certificate, -2 when it matches none. */
static int sent_index(const struct run_ctx *r, const uint8_t *p, size_t n)
{
    if (r->c->tls == 13) { /* certificate_request_context<0..255> */
        if (n < 1 || n < 1u + p[0])
            return -2;
        n -= 1u + p[0];
        p += 1u + p[0];
    }
    if (n < 3)
        return -2;
    uint32_t total = get24(p);
    if (total == 0)
        return -1;
    if (n < 6)
        return -2;
    uint32_t len = get24(p + 3);
    if (len > n - 6)
        return -2;
    for (size_t i = 0; i < r->e->ncc; i++) {
        const gnutls_datum_t *d = &r->e->cc[i].pcert[0].cert;
        if (d->size == len && memcmp(d->data, p + 6, len) == 0)
            return (int)i;
    }
    return -2;
}

static int hook_cb(gnutls_session_t s, unsigned int htype, unsigned when, unsigned int incoming,
                   const gnutls_datum_t *msg)
{
    struct run_ctx *r = gnutls_session_get_ptr(s);
    if (htype == GNUTLS_HANDSHAKE_CERTIFICATE_PKT && when == GNUTLS_HOOK_POST && !incoming)
        r->obs->sent_cert = sent_index(r, msg->data, msg->size);
    return 0;
}

/* verify: request — like gnutls-serv's cert_verify_callback: no certificate
 * is fine, one that is there must verify (same checks and error codes as the
 * library's own gnutls_session_set_verify_cert, lib/auto-verify.c). */
static int verify_optional_cb(gnutls_session_t s)
{
    unsigned int n = 0, status = 0;
    if (!gnutls_certificate_get_peers(s, &n) || n == 0)
        return 0;
    if (gnutls_certificate_verify_peers2(s, &status) < 0)
        return GNUTLS_E_CERTIFICATE_ERROR;
    return status ? GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR : 0;
}

/* ---- the case ----------------------------------------------------------- */

/* failed records a library error and, as gnutls-serv/gnutls-cli do, sends the
 * alert gnutls_alert_send_appropriate() chooses. That function sends nothing
 * for non-fatal errors and for GNUTLS_E_FATAL_ALERT_RECEIVED (lib/alert.c);
 * alert_sent is recorded only when it did send. */
static void failed(gnutls_session_t s, struct shim_obs *obs, int ret)
{
    if (ret == GNUTLS_E_AGAIN) {
        char text[256];
        snprintf(text, sizeof(text), "%s (no data within timeout_ms)", gnutls_strerror(ret));
        shim_set_error(obs, ret, text);
    } else {
        shim_set_error(obs, ret, gnutls_strerror(ret));
    }
    if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED || ret == GNUTLS_E_WARNING_ALERT_RECEIVED)
        obs->alert_received = (int)gnutls_alert_get(s);
    if (ret != GNUTLS_E_REHANDSHAKE &&
        (!gnutls_error_is_fatal(ret) || ret == GNUTLS_E_FATAL_ALERT_RECEIVED))
        return;
    int alert = gnutls_error_to_alert(ret, NULL);
    int rc, tries = 3;
    do
        rc = gnutls_alert_send_appropriate(s, ret);
    while ((rc == GNUTLS_E_INTERRUPTED || rc == GNUTLS_E_AGAIN) && --tries > 0);
    if (rc == 0)
        obs->alert_sent = alert;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* again decides, like gnutls-cli's and gnutls-serv's loops ("while the error
 * is not fatal"), whether an I/O call that returned |ret| after |took_ms| is
 * to be repeated. GnuTLS returns GNUTLS_E_AGAIN even on a blocking socket
 * when a handshake message spans several records and only part of it has
 * arrived (lib/buffers.c, _gnutls_parse_record_buffered_msgs), so AGAIN is
 * repeated unless the call itself blocked for the socket's timeout
 * (SO_RCVTIMEO/SO_SNDTIMEO, set by the common code): then the peer went
 * quiet. */
static bool again(gnutls_session_t s, const struct shim_case *c, struct shim_obs *obs, int ret,
                  double took_ms, int *budget)
{
    if (ret >= 0 || gnutls_error_is_fatal(ret) || --*budget <= 0)
        return false;
    if (ret == GNUTLS_E_WARNING_ALERT_RECEIVED)
        obs->alert_received = (int)gnutls_alert_get(s);
    /* A partial-message AGAIN returns at once; one caused by SO_RCVTIMEO only
     * after timeout_ms (half of it is ample margin for timer rounding). With
     * timeout_ms <= 0 the socket has no timeout and AGAIN is never one. */
    if (ret == GNUTLS_E_AGAIN && c->timeout_ms > 0 && took_ms >= (double)c->timeout_ms / 2)
        return false;
    return true;
}

static int handshake(gnutls_session_t s, const struct shim_case *c, struct shim_obs *obs)
{
    int ret, budget = MAX_RETRIES;
    double t;
    do {
        t = now_ms();
        ret = gnutls_handshake(s);
    } while (again(s, c, obs, ret, now_ms() - t, &budget));
    return ret;
}

static void gt_run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    struct run_ctx r = {c, obs, NULL};
    gnutls_session_t s = NULL;
    int ret;
    obs->alerts_exposed = true; /* gnutls_alert_get; we send alerts ourselves */

    r.e = get_creds(c, obs);
    if (!r.e)
        return;
    bool server = c->role == SHIM_SERVER;
    ret = gnutls_init(&s, (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NO_SIGNAL);
    if (ret < 0) {
        shim_set_error(obs, ret, gnutls_strerror(ret));
        return;
    }
    gnutls_session_set_ptr(s, &r);
    const char *prio = c->tls == 12 ? "NORMAL:-VERS-ALL:+VERS-TLS1.2" : "NORMAL:-VERS-ALL:+VERS-TLS1.3";
    ret = gnutls_priority_set_direct(s, prio, NULL);
    if (ret >= 0)
        ret = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, r.e->cred);
    if (ret < 0) {
        shim_set_error(obs, ret, gnutls_strerror(ret));
        gnutls_deinit(s);
        return;
    }
    if (server) {
        gnutls_certificate_server_set_request(s, c->require_cert ? GNUTLS_CERT_REQUIRE
                                                                 : GNUTLS_CERT_REQUEST);
        if (c->source == SHIM_SRC_NONE)
            gnutls_certificate_send_x509_rdn_sequence(s, 1); /* 1 = do not send */
        if (c->require_cert)
            gnutls_session_set_verify_cert(s, NULL, 0);
        else
            gnutls_session_set_verify_function(s, verify_optional_cb);
    } else {
        gnutls_session_set_verify_cert(s, NULL, 0); /* chain only, no host name */
        gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_CERTIFICATE_PKT, GNUTLS_HOOK_POST,
                                           hook_cb);
    }
    if (c->keylog)
        gnutls_session_set_keylog_function(s, keylog_cb);
    gnutls_transport_set_int(s, fd);

    ret = handshake(s, c, obs);
    if (server) {
        unsigned int n = 0;
        const gnutls_datum_t *peers = gnutls_certificate_get_peers(s, &n);
        if (peers && n > 0 && peers[0].size > 0) {
            obs->peer_cert = malloc(peers[0].size);
            if (obs->peer_cert) {
                memcpy(obs->peer_cert, peers[0].data, peers[0].size);
                obs->peer_cert_len = peers[0].size;
            }
        }
    }
    if (ret < 0) {
        failed(s, obs, ret);
        gnutls_deinit(s);
        return;
    }

    /* The exchange: one application byte from server to client. */
    int budget = MAX_RETRIES;
    double t;
    if (server) {
        do {
            t = now_ms();
            ret = (int)gnutls_record_send(s, "x", 1);
        } while (again(s, c, obs, ret, now_ms() - t, &budget));
    } else {
        uint8_t b = 0;
        ret = 1;
        if (c->app_request)
            do {
                t = now_ms();
                ret = (int)gnutls_record_send(s, c->app_request, strlen(c->app_request));
            } while (again(s, c, obs, ret, now_ms() - t, &budget));
        if (ret > 0)
            do {
                t = now_ms();
                ret = (int)gnutls_record_recv(s, &b, 1);
            } while (again(s, c, obs, ret, now_ms() - t, &budget));
        if (ret == 1 && !shim_app_byte_ok(c, b)) {
            shim_set_error(obs, 0, "received an unexpected application byte");
            gnutls_deinit(s);
            return;
        }
        if (ret == 0) {
            shim_set_error(obs, 0, "peer closed the connection before the application byte");
            gnutls_deinit(s);
            return;
        }
    }
    if (ret != 1) {
        failed(s, obs, ret);
        gnutls_deinit(s);
        return;
    }
    obs->handshake_ok = true;
    budget = MAX_RETRIES;
    do {
        t = now_ms();
        ret = gnutls_bye(s, GNUTLS_SHUT_WR);
    } while (again(s, c, obs, ret, now_ms() - t, &budget));
    gnutls_deinit(s);
}

static int gt_init(void)
{
    if (!gnutls_check_version("3.6.13")) {
        fprintf(stderr, "shim-gnutls: GnuTLS %s is older than 3.6.13 (no keylog API)\n",
                gnutls_check_version(NULL));
        return -1;
    }
    int ret = gnutls_global_init();
    if (ret < 0) {
        fprintf(stderr, "shim-gnutls: gnutls_global_init: %s\n", gnutls_strerror(ret));
        return -1;
    }
    atexit(cleanup);
    return 0;
}

static const char *gt_version(void)
{
    return gnutls_check_version(NULL);
}

static const char *const gt_tls[] = {"1.2", "1.3", NULL};
static const char *const gt_sources[] = {"trust-store", "none", NULL};
static const char *const gt_selects[] = {"native", "by-issuer", NULL};

static const struct shim_stack gt_stack = {
    .name = "gnutls",
    .version = gt_version,
    .library_symbol = (void (*)(void))gnutls_init,
    .tls = gt_tls,
    .sources = gt_sources,
    .selects = gt_selects,
    .init = gt_init,
    .run = gt_run,
};

int main(int argc, char **argv)
{
    return shim_main(argc, argv, &gt_stack);
}
