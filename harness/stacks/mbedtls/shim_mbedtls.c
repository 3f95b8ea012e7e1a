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

#include "mbedtls_shim.h"

static mbedtls_entropy_context g_entropy;
mbedtls_ctr_drbg_context mb_drbg;
int mb_debug_echo; /* CABOUND_MBEDTLS_DEBUG */
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
    mb_case_no++;
    mb_cache_trim();

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
    mbedtls_ssl_conf_export_keys_ext_cb(&conf, mb_on_keys, &k);
#endif
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &mb_drbg);
    mbedtls_ssl_conf_dbg(&conf, mb_on_debug, &k);

    struct ent *e;
    if (server) {
        struct ent *crt = mb_load(ENT_CRT, c->cert, &ret, err, sizeof(err));
        struct ent *key = crt ? mb_load(ENT_KEY, c->key, &ret, err, sizeof(err)) : NULL;
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
        if (!(e = mb_load(ENT_CRT, store, &ret, err, sizeof(err)))) {
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
            struct ent *hints = c->calist_pem ? mb_load(ENT_CRT, c->calist_pem, &ret, err, sizeof(err))
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
        if (!(e = mb_load(ENT_CRT, c->trust, &ret, err, sizeof(err)))) {
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
            struct ent *crt = mb_load(ENT_CRT, c->client_creds[i].cert, &ret, err, sizeof(err));
            struct ent *key = crt ? mb_load(ENT_KEY, c->client_creds[i].key, &ret, err, sizeof(err))
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
    mbedtls_ssl_set_bio(&ssl, &k, mb_bio_send, mb_bio_recv, NULL);
#if CB_MBEDTLS3
    mbedtls_ssl_set_export_keys_cb(&ssl, mb_on_keys, &k);
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
        mbedtls_ssl_set_verify(&ssl, mb_on_verify, &k);

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
        /* TLS 1.3 (see mb_on_debug): the library's trace of the Certificate it
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
    mb_debug_echo = dbg ? atoi(dbg) : 0;
    mbedtls_entropy_init(&g_entropy);
    mbedtls_ctr_drbg_init(&mb_drbg);
    static const char pers[] = "cabound-shim-mbedtls";
    int ret = mbedtls_ctr_drbg_seed(&mb_drbg, mbedtls_entropy_func, &g_entropy,
                                    (const unsigned char *)pers, sizeof(pers) - 1);
    if (ret != 0) {
        char buf[200];
        mbedtls_strerror(ret, buf, sizeof(buf));
        fprintf(stderr, "shim-mbedtls: mbedtls_ctr_drbg_seed: %s\n", buf);
        return -1;
    }
    mbedtls_debug_set_threshold(mb_debug_echo > ALERT_DEBUG_LEVEL ? mb_debug_echo
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
