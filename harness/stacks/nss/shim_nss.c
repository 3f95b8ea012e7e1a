/* shim_nss.c — the NSS shim (NSS 3.87, Debian libnss3-dev; see ../README.md
 * for the contract and NOTES.md beside this file for what NSS does).
 *
 * Setting the list on the server:
 *   explicit     SSL_SetTrustAnchors(fd, CERTCertList *) with the certificates
 *                of calist_pem, in order. It is NSS's only per-socket API for
 *                the list; it takes certificates and sends their derSubject
 *                bytes (CERT_DistNamesFromCertList), so the shim checks that
 *                each subject is byte-equal to the DN of calist at that index.
 *                The certificates are decoded (CERT_DecodeDERCertificate), not
 *                entered into the cert DB: SSL_SetTrustAnchors copies only
 *                their subjects (lib/ssl/sslsecur.c), and a list is new in
 *                every case.
 *   trust-store  NSS's default when no list is set: ssl_GetCertificateRequestCAs
 *                falls back to CERT_GetSSLCACerts, the subjects of every
 *                certificate in the cert DB trusted as a client CA ("T,,"),
 *                computed once per NSS initialisation. The shim imports
 *                calist_pem into its cert DB with that trust (re-initialising
 *                NSS with an empty DB when the set changes) and verifies
 *                client certificates with NSS's own SSL_AuthCertificate
 *                against that DB, as selfserv does.
 *   none         no SSL_SetTrustAnchors and no certificate trusted as a client
 *                CA in the DB, so the list NSS derives is empty.
 * Reading the list on the client: SSL_GetClientAuthDataHook's callback
 *   receives the CERTDistNames exactly as parsed (DER, in order).
 *   native       the callback delegates to NSS_GetClientAuthData (NSS's
 *                default hook), which picks a user certificate (one with a
 *                private key) from the cert DB whose chain has an issuer
 *                matching the names; the shim imports client_creds into its
 *                DB for that.
 *   by-issuer    the callback picks with shim_pick_by_issuer on derIssuer.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cert.h>
#include <keyhi.h>
#include <nss.h>
#include <nssb64.h>
#include <pk11pub.h>
#include <prerror.h>
#include <prio.h>
#include <prnetdb.h>
#include <private/pprio.h>
#include <secerr.h>
#include <ssl.h>
#include <sslerr.h>
#include <sslexp.h>
#include <sslproto.h>

#include "nss_shim.h"
#include "verify_anchors.h"

/* SSL_SecretCallback is experimental: looked up at start (NULL: no key log). */
typedef SECStatus (*secret_cb_setter)(PRFileDesc *, SSLSecretCallback, void *);
static secret_cb_setter g_set_secret_cb;

static void set_nss_error(struct shim_obs *obs, PRErrorCode code)
{
    char text[512];
    const char *s = PORT_ErrorToString(code);
    snprintf(text, sizeof(text), "%s: %s", nss_err_name(code), s ? s : "");
    shim_set_error(obs, code, text);
}

/* ------------------------------------------------------------ callbacks */

#define ALERT_CLOSE_NOTIFY 0 /* AlertDescription; NSS keeps its enum in a private header */

struct conn {
    const struct shim_case *c;
    struct shim_obs *obs;
    struct snoop snoop;
    int native_verify;         /* trust-store: SSL_AuthCertificate against the DB */
    CERTCertList *anchors;     /* otherwise: CERT_PKIXVerifyCert with these only */
    struct cache_entry **cred_certs;
    SECKEYPrivateKey **cred_keys;
    size_t ncreds;
    int close_sent, close_received;
    int keylog_warned;
};

static void PR_CALLBACK alert_sent_cb(const PRFileDesc *fd, void *arg, const SSLAlert *alert)
{
    struct conn *cn = arg;
    (void)fd;
    if (alert->description == ALERT_CLOSE_NOTIFY)
        cn->close_sent = 1;
    else if (cn->obs->alert_sent < 0)
        cn->obs->alert_sent = alert->description;
}

static void PR_CALLBACK alert_received_cb(const PRFileDesc *fd, void *arg, const SSLAlert *alert)
{
    struct conn *cn = arg;
    (void)fd;
    if (alert->description == ALERT_CLOSE_NOTIFY)
        cn->close_received = 1;
    else if (cn->obs->alert_received < 0)
        cn->obs->alert_received = alert->description;
}

/* TLS 1.3 only: NSS hands over each traffic secret (epoch 2 = handshake,
 * 3 + N = application N) per direction. */
static void PR_CALLBACK secret_cb(PRFileDesc *fd, PRUint16 epoch, SSLSecretDirection dir,
                                  PK11SymKey *secret, void *arg)
{
    struct conn *cn = arg;
    (void)fd;
    if (!cn->c->keylog)
        return;
    int client_side = (cn->c->role == SHIM_CLIENT) == (dir == ssl_secret_write);
    const char *who = client_side ? "CLIENT" : "SERVER";
    char label[64];
    if (epoch == 1)
        snprintf(label, sizeof(label), "CLIENT_EARLY_TRAFFIC_SECRET");
    else if (epoch == 2)
        snprintf(label, sizeof(label), "%s_HANDSHAKE_TRAFFIC_SECRET", who);
    else
        snprintf(label, sizeof(label), "%s_TRAFFIC_SECRET_%d", who, epoch - 3);
    uint8_t cr[32];
    SECItem *data = NULL;
    if (PK11_ExtractKeyValue(secret) == SECSuccess)
        data = PK11_GetKeyData(secret);
    if (!nss_client_random(&cn->snoop, cr) || !data || !data->data) {
        if (!cn->keylog_warned)
            fprintf(stderr, "cabound-shim-nss: cannot log %s: %s\n", label,
                    data ? "no client random seen" : nss_err_name(PR_GetError()));
        cn->keylog_warned = 1;
        return;
    }
    shim_keylog_secret(cn->c, label, cr, sizeof(cr), data->data, data->len);
}

static void keep_peer_cert(struct conn *cn, PRFileDesc *fd)
{
    if (cn->c->role != SHIM_SERVER || cn->obs->peer_cert)
        return;
    CERTCertificate *peer = SSL_PeerCertificate(fd);
    if (!peer)
        return;
    cn->obs->peer_cert = malloc(peer->derCert.len);
    if (cn->obs->peer_cert) {
        memcpy(cn->obs->peer_cert, peer->derCert.data, peer->derCert.len);
        cn->obs->peer_cert_len = peer->derCert.len;
    }
    CERT_DestroyCertificate(peer);
}

static SECStatus auth_cert_cb(void *arg, PRFileDesc *fd, PRBool checkSig, PRBool isServer)
{
    struct conn *cn = arg;
    keep_peer_cert(cn, fd);
    if (cn->native_verify)
        return SSL_AuthCertificate(CERT_GetDefaultCertDB(), fd, checkSig, isServer);
    if (!cn->anchors) {
        PORT_SetError(SEC_ERROR_UNTRUSTED_ISSUER);
        return SECFailure;
    }
    CERTCertificate *peer = SSL_PeerCertificate(fd);
    if (!peer) {
        PORT_SetError(SSL_ERROR_NO_CERTIFICATE);
        return SECFailure;
    }
    SECStatus rv = nss_verify_with_anchors(peer, cn->anchors, isServer, SSL_RevealPinArg(fd));
    CERT_DestroyCertificate(peer);
    return rv;
}

static SECStatus client_auth_cb(void *arg, PRFileDesc *fd, CERTDistNames *caNames,
                                CERTCertificate **pRetCert, SECKEYPrivateKey **pRetKey)
{
    struct conn *cn = arg;
    struct shim_obs *obs = cn->obs;
    obs->received_exposed = true;
    for (int i = 0; caNames && i < caNames->nnames; i++)
        if (cb_calist_push(&obs->received, caNames->names[i].data, caNames->names[i].len, NULL) != 0)
            nss_fatal("out of memory");

    if (cn->c->select == SHIM_SEL_BY_ISSUER) {
        size_t n = cn->ncreds;
        const uint8_t **iss = calloc(n ? n : 1, sizeof(*iss));
        size_t *lens = calloc(n ? n : 1, sizeof(*lens));
        if (!iss || !lens)
            nss_fatal("out of memory");
        for (size_t i = 0; i < n; i++) {
            iss[i] = cn->cred_certs[i]->certs[0]->derIssuer.data;
            lens[i] = cn->cred_certs[i]->certs[0]->derIssuer.len;
        }
        int idx = shim_pick_by_issuer(&obs->received, iss, lens, n);
        free(iss);
        free(lens);
        obs->sent_cert = idx;
        if (idx < 0)
            return SECFailure; /* NSS sends an empty Certificate */
        *pRetCert = CERT_DupCertificate(cn->cred_certs[idx]->certs[0]);
        *pRetKey = SECKEY_CopyPrivateKey(cn->cred_keys[idx]);
        return SECSuccess;
    }

    /* native: NSS's own default hook does the choosing. */
    SECStatus rv = NSS_GetClientAuthData(NULL, fd, caNames, pRetCert, pRetKey);
    if (rv != SECSuccess) {
        obs->sent_cert = -1;
        return rv;
    }
    obs->sent_cert = -2;
    for (size_t i = 0; i < cn->ncreds; i++)
        if (SECITEM_ItemsAreEqual(&cn->cred_certs[i]->certs[0]->derCert, &(*pRetCert)->derCert)) {
            obs->sent_cert = (int)i;
            break;
        }
    return rv;
}

/* ------------------------------------------------------------------ run */

/* cert.h declares CERT_DecodeDERCertificate, but libnss3 exports it as
 * __CERT_DecodeDERCertificate (lib/nss/nssrenam.h, lib/nss/nss.def; the
 * renaming header is not installed). */
extern CERTCertificate *__CERT_DecodeDERCertificate(SECItem *der, PRBool copy, char *nickname);

/* decode_list returns the certificates of calist_pem, decoded outside the
 * cert DB, when each one's subject is the DN of calist at its index; NULL
 * with the case marked unsupported otherwise. */
static CERTCertList *decode_list(const struct shim_case *c, struct shim_obs *obs)
{
    size_t len;
    uint8_t *content = shim_read_file(c->calist_pem, &len);
    if (!content)
        nss_fatal("%s: %s", c->calist_pem, strerror(errno));
    CERTCertList *l = CERT_NewCertList();
    if (!l)
        nss_fatal("out of memory");
    size_t pos = 0, n = 0;
    char label[64];
    SECItem *der;
    const char *why = NULL;
    while (!why && (der = nss_pem_next((const char *)content, &pos, label, sizeof(label))) != NULL) {
        if (strcmp(label, "CERTIFICATE") != 0) {
            SECITEM_FreeItem(der, PR_TRUE);
            continue;
        }
        CERTCertificate *cert = __CERT_DecodeDERCertificate(der, PR_TRUE, NULL);
        SECITEM_FreeItem(der, PR_TRUE);
        if (!cert)
            nss_fatal("%s: certificate %zu: %s", c->calist_pem, n, nss_err_name(PR_GetError()));
        const SECItem *sub = &cert->derSubject;
        if (n >= c->calist.count)
            why = "calist_pem holds more certificates than calist has DNs";
        else if (sub->len != c->calist.dns[n].len || memcmp(sub->data, c->calist.dns[n].der, sub->len))
            why = "the subject of a calist_pem certificate is not the DN of calist at its index; "
                  "SSL_SetTrustAnchors sends subjects";
        if (CERT_AddCertToListTail(l, cert) != SECSuccess)
            nss_fatal("out of memory");
        n++;
    }
    free(content);
    if (!why && n != c->calist.count)
        why = "calist_pem holds fewer certificates than calist has DNs";
    if (why) {
        shim_unsupported(obs, "%s (certificate %zu of %s)", why, n ? n - 1 : 0, c->calist_pem);
        CERT_DestroyCertList(l);
        return NULL;
    }
    return l;
}

static CERTCertList *cert_list(const struct cache_entry *e)
{
    CERTCertList *l = CERT_NewCertList();
    if (!l)
        nss_fatal("out of memory");
    for (size_t i = 0; i < e->ncerts; i++)
        if (CERT_AddCertToListTail(l, CERT_DupCertificate(e->certs[i])) != SECSuccess)
            nss_fatal("out of memory");
    return l;
}

static void nss_run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    int server = c->role == SHIM_SERVER;
    struct conn cn;
    memset(&cn, 0, sizeof(cn));
    cn.c = c;
    cn.obs = obs;
    cn.snoop.on_write = !server;
    obs->alerts_exposed = true;
    CERTCertList *ta_list = NULL;
    CERTCertificate *server_cert = NULL;
    SECKEYPrivateKey *server_key = NULL;
    nss_case_no++;
    nss_cache_trim();

    /* 1. The cert DB a case needs (this may re-initialise NSS, so first). */
    if (server && c->source == SHIM_SRC_TRUST_STORE)
        nss_db_trusted_cas(c->calist_pem);
    else if (server && c->source == SHIM_SRC_NONE && nss_db_holds_trusted_cas())
        nss_reset();
    else if (!server && c->select == SHIM_SEL_NATIVE)
        nss_db_user_certs(c->client_creds, c->n_client_creds);

    /* 2. Certificates and keys. */
    if (server) {
        server_cert = nss_load_certs(c->cert)->certs[0];
        server_key = nss_load_key(c->key);
        if (c->source == SHIM_SRC_EXPLICIT) {
            if (!c->calist_pem) {
                shim_unsupported(obs, "NSS's explicit list API (SSL_SetTrustAnchors) takes "
                                      "certificates: calist_source explicit needs calist_pem");
                return;
            }
            if (!(ta_list = decode_list(c, obs)))
                return;
        }
        if (c->source == SHIM_SRC_TRUST_STORE)
            cn.native_verify = 1;
        else if (c->trust)
            cn.anchors = cert_list(nss_load_certs(c->trust));
    } else {
        if (c->trust)
            cn.anchors = cert_list(nss_load_certs(c->trust));
        cn.ncreds = c->n_client_creds;
        cn.cred_certs = calloc(cn.ncreds ? cn.ncreds : 1, sizeof(*cn.cred_certs));
        cn.cred_keys = calloc(cn.ncreds ? cn.ncreds : 1, sizeof(*cn.cred_keys));
        if (!cn.cred_certs || !cn.cred_keys)
            nss_fatal("out of memory");
        for (size_t i = 0; i < cn.ncreds; i++) {
            cn.cred_certs[i] = nss_load_certs(c->client_creds[i].cert);
            if (c->select == SHIM_SEL_BY_ISSUER)
                cn.cred_keys[i] = nss_load_key(c->client_creds[i].key);
        }
    }

    /* 3. The NSPR stack: TCP (a dup of fd) < our layer < SSL. */
    int dfd = dup(fd);
    if (dfd < 0)
        nss_fatal("dup: %s", strerror(errno));
    PRFileDesc *tcp = PR_ImportTCPSocket(dfd);
    if (!tcp)
        nss_fatal("PR_ImportTCPSocket: %s", nss_err_name(PR_GetError()));
    nss_layer_push(tcp, &cn.snoop);
    PRFileDesc *ssl = SSL_ImportFD(NULL, tcp);
    if (!ssl)
        nss_fatal("SSL_ImportFD: %s", nss_err_name(PR_GetError()));

    PRUint16 v = c->tls == 12 ? SSL_LIBRARY_VERSION_TLS_1_2 : SSL_LIBRARY_VERSION_TLS_1_3;
    SSLVersionRange vr = {v, v};
    int bad = SSL_OptionSet(ssl, SSL_SECURITY, PR_TRUE) != SECSuccess ||
              SSL_OptionSet(ssl, SSL_HANDSHAKE_AS_CLIENT, !server) != SECSuccess ||
              SSL_OptionSet(ssl, SSL_HANDSHAKE_AS_SERVER, server) != SECSuccess ||
              SSL_OptionSet(ssl, SSL_NO_CACHE, PR_TRUE) != SECSuccess ||
              SSL_VersionRangeSet(ssl, &vr) != SECSuccess ||
              SSL_AuthCertificateHook(ssl, auth_cert_cb, &cn) != SECSuccess ||
              SSL_AlertSentCallback(ssl, alert_sent_cb, &cn) != SECSuccess ||
              SSL_AlertReceivedCallback(ssl, alert_received_cb, &cn) != SECSuccess;
    if (!bad && g_set_secret_cb && c->keylog)
        bad = g_set_secret_cb(ssl, secret_cb, &cn) != SECSuccess;
    if (!bad && server) {
        bad = SSL_OptionSet(ssl, SSL_REQUEST_CERTIFICATE, PR_TRUE) != SECSuccess ||
              SSL_OptionSet(ssl, SSL_REQUIRE_CERTIFICATE,
                            c->require_cert ? SSL_REQUIRE_ALWAYS : SSL_REQUIRE_NEVER) != SECSuccess ||
              SSL_ConfigServerCert(ssl, server_cert, server_key, NULL, 0) != SECSuccess;
        if (!bad && ta_list)
            bad = SSL_SetTrustAnchors(ssl, ta_list) != SECSuccess;
    } else if (!bad) {
        bad = SSL_GetClientAuthDataHook(ssl, client_auth_cb, &cn) != SECSuccess;
    }
    if (!bad)
        bad = SSL_ResetHandshake(ssl, server) != SECSuccess;
    if (bad)
        nss_fatal("configuring the SSL socket: %s", nss_err_name(PR_GetError()));

    /* 4. Handshake, then one byte from server to client. */
    PRIntervalTime to = PR_MillisecondsToInterval((PRUint32)(c->timeout_ms > 0 ? c->timeout_ms : 1));
    int ok = 0;
    if (SSL_ForceHandshakeWithTimeout(ssl, to) == SECSuccess) {
        char b = 'x';
        PRInt32 n = 1;
        if (!server && c->app_request)
            n = PR_Send(ssl, c->app_request, (PRInt32)strlen(c->app_request), 0, to) > 0 ? 1 : -1;
        if (n == 1)
            n = server ? PR_Send(ssl, &b, 1, 0, to) : PR_Recv(ssl, &b, 1, 0, to);
        if (n == 1 && shim_app_byte_ok(c, (unsigned char)b))
            ok = 1;
        else if (n == 0)
            shim_set_error(obs, PR_END_OF_FILE_ERROR,
                           "PR_END_OF_FILE_ERROR: PR_Recv returned 0 (peer closed) before the byte");
        else if (n == 1)
            shim_set_error(obs, 0, "the application byte was not 'x'");
        else
            set_nss_error(obs, PR_GetError());
    } else {
        set_nss_error(obs, PR_GetError());
    }
    obs->handshake_ok = ok;
    keep_peer_cert(&cn, ssl);
    if (!ok) {
        if (obs->alert_sent < 0 && cn.close_sent)
            obs->alert_sent = ALERT_CLOSE_NOTIFY;
        if (obs->alert_received < 0 && cn.close_received)
            obs->alert_received = ALERT_CLOSE_NOTIFY;
    }

    /* 5. close_notify (NSS sends it on close after a completed handshake);
     * PR_Close closes the dup, never |fd|. */
    PR_Close(ssl);
    if (ta_list)
        CERT_DestroyCertList(ta_list);
    if (cn.anchors)
        CERT_DestroyCertList(cn.anchors);
    free(cn.cred_certs);
    free(cn.cred_keys);
}

/* --------------------------------------------------------------- stack */

static const char *nss_version(void)
{
    return NSS_GetVersion();
}

static int nss_init_all(void)
{
    if (nss_init() != 0)
        return -1;
    nss_layer_init();
    /* An experimental API: looked up, and key logs are skipped without it. */
    void *p = SSL_GetExperimentalAPI("SSL_SecretCallback");
    memcpy(&g_set_secret_cb, &p, sizeof(g_set_secret_cb));
    return 0;
}

static const char *const tls_versions[] = {"1.2", "1.3", NULL};
static const char *const sources[] = {"explicit", "trust-store", "none", NULL};
static const char *const selects[] = {"native", "by-issuer", NULL};

static const struct shim_stack nss_stack = {
    .name = "nss",
    .version = nss_version,
    .library_symbol = (void (*)(void))SSL_ImportFD,
    .tls = tls_versions,
    .sources = sources,
    .selects = selects,
    .init = nss_init_all,
    .run = nss_run,
};

int main(int argc, char **argv)
{
    return shim_main(argc, argv, &nss_stack);
}

