/* nss.c — the NSS 3.87 glue of the per-stack fuzz targets.
 *
 * NSS runs without a database (NSS_NoDB_Init): keys are session objects of
 * the internal slot, certificates temporary ones.
 * Transport: an NSPR I/O layer of our own at the bottom of each SSL socket
 * (PR_CreateIOLayerStub, the pattern of NSS's gtests cpputil/dummy_io.cc):
 * read/recv from fz_io, an empty read is PR_WOULD_BLOCK_ERROR, the socket
 * says it is non-blocking; shutdown is implemented (NSS calls it after some
 * failures).
 * Server list: explicit = SSL_SetTrustAnchors with one temporary certificate
 * per DN (common/fakecert.h, CERT_NewTempCertificate); NSS sends their
 * derSubject, in order, in TLS 1.2 and in 1.3's certificate_authorities
 * (lib/ssl/sslsecur.c SSL_SetTrustAnchors, CERT_DistNamesFromCertList). A DN
 * whose certificate NSS does not decode is not configured.
 * Client list: the SSL_GetClientAuthDataHook callback receives the
 * CERTDistNames exactly as parsed (DER, in order). */
#include <stdio.h>
#include <string.h>

#include <cert.h>
#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <prio.h>
#include <prnetdb.h>
#include <secerr.h>
#include <ssl.h>
#include <sslerr.h>
#include <sslproto.h>

#include "creds.h"
#include "fakecert.h"
#include "fuzz.h"
#include "pair.h"
#include "../../harness/stacks/nss/verify_anchors.h"

/* FZ_STACK_ID: "nss@VERSION" for a build CMake names by version (an
 * instrumented release, fuzz/CMakeLists.txt), so known findings of the
 * packaged version do not hide the same rule broken by another. */
#ifndef FZ_STACK_ID
#define FZ_STACK_ID "nss"
#endif
const char fz_stack[] = FZ_STACK_ID;

static PRDescIdentity layer_id;
static PRIOMethods methods;
static CERTCertificate *server_cert, *client_cert;
static CERTCertList *anchors; /* the fuzz CA, for fz_verify_peers */
static SECKEYPrivateKey *server_key, *client_key;

/* ---- the I/O layer (fd->secret is the fz_io) ---- */

static fz_io *io_of(PRFileDesc *fd) { return (fz_io *)(void *)fd->secret; }

static PRStatus PR_CALLBACK l_close(PRFileDesc *fd)
{
    fd->secret = NULL;
    fd->dtor(fd);
    return PR_SUCCESS;
}

static PRInt32 PR_CALLBACK l_read(PRFileDesc *fd, void *buf, PRInt32 amount)
{
    size_t n = amount > 0 ? fz_io_read(io_of(fd), buf, (size_t)amount) : 0;
    if (n == 0) {
        PR_SetError(PR_WOULD_BLOCK_ERROR, 0);
        return -1;
    }
    return (PRInt32)n;
}

static PRInt32 PR_CALLBACK l_recv(PRFileDesc *fd, void *buf, PRInt32 amount, PRIntn flags, PRIntervalTime to)
{
    (void)to;
    if (flags != 0) {
        PR_SetError(PR_NOT_IMPLEMENTED_ERROR, 0);
        return -1;
    }
    return l_read(fd, buf, amount);
}

static PRInt32 PR_CALLBACK l_write(PRFileDesc *fd, const void *buf, PRInt32 amount)
{
    if (amount > 0)
        fz_io_write(io_of(fd), buf, (size_t)amount);
    return amount;
}

static PRInt32 PR_CALLBACK l_send(PRFileDesc *fd, const void *buf, PRInt32 amount, PRIntn flags, PRIntervalTime to)
{
    (void)flags;
    (void)to;
    return l_write(fd, buf, amount);
}

static PRInt32 PR_CALLBACK l_available(PRFileDesc *fd) { return (PRInt32)fz_io_pending(io_of(fd)); }

static PRStatus PR_CALLBACK l_shutdown(PRFileDesc *fd, PRIntn how)
{
    (void)fd;
    (void)how;
    return PR_SUCCESS;
}

static PRStatus PR_CALLBACK l_name(PRFileDesc *fd, PRNetAddr *addr)
{
    (void)fd;
    memset(addr, 0, sizeof(*addr));
    return PR_SetNetAddr(PR_IpAddrLoopback, PR_AF_INET, 0, addr);
}

static PRStatus PR_CALLBACK l_getopt(PRFileDesc *fd, PRSocketOptionData *opt)
{
    (void)fd;
    if (opt->option == PR_SockOpt_Nonblocking) {
        opt->value.non_blocking = PR_TRUE;
        return PR_SUCCESS;
    }
    PR_SetError(PR_NOT_IMPLEMENTED_ERROR, 0);
    return PR_FAILURE;
}

static PRStatus PR_CALLBACK l_setopt(PRFileDesc *fd, const PRSocketOptionData *opt)
{
    (void)fd;
    (void)opt;
    return PR_SUCCESS;
}

static PRInt16 PR_CALLBACK l_poll(PRFileDesc *fd, PRInt16 in_flags, PRInt16 *out_flags)
{
    (void)fd;
    *out_flags = 0;
    return in_flags;
}

/* ---- credentials ---- */

static CERTCertificate *temp_cert(const uint8_t *der, size_t len)
{
    SECItem item = {siBuffer, (unsigned char *)der, (unsigned)len};
    return CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &item, NULL, PR_FALSE, PR_TRUE);
}

static SECKEYPrivateKey *import_key(const uint8_t *der, size_t len)
{
    PK11SlotInfo *slot = PK11_GetInternalSlot();
    SECItem item = {siBuffer, (unsigned char *)der, (unsigned)len};
    SECKEYPrivateKey *key = NULL;
    if (!slot || PK11_ImportDERPrivateKeyInfoAndReturnKey(slot, &item, NULL, NULL, PR_FALSE, PR_TRUE, KU_ALL, &key,
                                                          NULL) != SECSuccess)
        key = NULL;
    if (slot)
        PK11_FreeSlot(slot);
    return key;
}

/* LeakSanitizer's suppressions, compiled into the target so that libFuzzer,
 * the replay driver and an OSS-Fuzz runner all get them. NSS_NoDB_Init
 * allocates the main thread's error stack once (lib/base/error.c
 * error_get_my_stack, kept through NSPR's thread-private data) and LSan
 * finds no reference to it in the instrumented NSS 3.110; it is made once
 * per process in fz_stack_init, never per input. Only what is allocated
 * under NSS_NoDB_Init is suppressed: a leak of a handshake still aborts. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:NSS_NoDB_Init\n"; }

int fz_stack_init(void)
{
    if (NSS_NoDB_Init(NULL) != SECSuccess || NSS_SetDomesticPolicy() != SECSuccess)
        return -1;
    layer_id = PR_GetUniqueIdentity("cabound-fuzz");
    methods = (PRIOMethods){.file_type = PR_DESC_SOCKET_TCP,
                            .close = l_close,
                            .read = l_read,
                            .write = l_write,
                            .available = l_available,
                            .shutdown = l_shutdown,
                            .recv = l_recv,
                            .send = l_send,
                            .poll = l_poll,
                            .getsockname = l_name,
                            .getpeername = l_name,
                            .getsocketoption = l_getopt,
                            .setsocketoption = l_setopt};
    server_cert = temp_cert(fz_server_cert, sizeof(fz_server_cert));
    client_cert = temp_cert(fz_client_cert, sizeof(fz_client_cert));
    server_key = import_key(fz_server_key, sizeof(fz_server_key));
    client_key = import_key(fz_client_key, sizeof(fz_client_key));
    if (fz_verify_peers) {
        CERTCertificate *ca = temp_cert(fz_ca_cert, sizeof(fz_ca_cert));
        if (!ca || !(anchors = CERT_NewCertList()) || CERT_AddCertToListTail(anchors, ca) != SECSuccess)
            return -1;
    }
    return server_cert && client_cert && server_key && client_key ? 0 : -1;
}

int fz_stack_supports(int tls13, enum fz_source source)
{
    (void)tls13;
    return source == FZ_SRC_NONE || source == FZ_SRC_EXPLICIT;
}

/* ---- callbacks ---- */

static SECStatus accept_any(void *arg, PRFileDesc *fd, PRBool checksig, PRBool is_server)
{
    (void)arg;
    (void)fd;
    (void)checksig;
    (void)is_server;
    return SECSuccess;
}

/* verify_peer (fz_verify_peers): the peer's chain against the fuzz CA only
 * (anchors), as the shim's auth_cert_cb does with its anchors. */

static SECStatus verify_peer(void *arg, PRFileDesc *fd, PRBool checksig, PRBool is_server)
{
    (void)arg;
    (void)checksig;
    CERTCertificate *peer = SSL_PeerCertificate(fd);
    if (!peer)
        return SECFailure;
    SECStatus rv = nss_verify_with_anchors(peer, anchors, is_server, NULL);
    CERT_DestroyCertificate(peer);
    return rv;
}

static SECStatus client_auth(void *arg, PRFileDesc *fd, CERTDistNames *names, CERTCertificate **cert,
                             SECKEYPrivateKey **key)
{
    (void)fd;
    fz_pair_result *r = arg;
    if (!r->cr_seen++) {
        r->exposed = r->exposed_bytes = 1;
        for (int i = 0; names && i < names->nnames; i++)
            if (cb_calist_push(&r->got, names->names[i].data, names->names[i].len, NULL) != 0)
                fz_oom("client_auth");
    }
    *cert = CERT_DupCertificate(client_cert);
    *key = SECKEY_CopyPrivateKey(client_key);
    return SECSuccess;
}

/* ---- one handshake ---- */

static PRFileDesc *open_fd(fz_io *io, int server, int tls13, fz_pair_result *r)
{
    PRFileDesc *bottom = PR_CreateIOLayerStub(layer_id, &methods);
    if (!bottom)
        fz_oom("open_fd");
    bottom->secret = (PRFilePrivate *)(void *)io;
    PRFileDesc *fd = SSL_ImportFD(NULL, bottom);
    if (!fd)
        fz_oom("open_fd");
    uint16_t v = tls13 ? SSL_LIBRARY_VERSION_TLS_1_3 : SSL_LIBRARY_VERSION_TLS_1_2;
    SSLVersionRange vr = {v, v};
    int bad = SSL_OptionSet(fd, SSL_SECURITY, PR_TRUE) != SECSuccess ||
              SSL_OptionSet(fd, SSL_HANDSHAKE_AS_CLIENT, !server) != SECSuccess ||
              SSL_OptionSet(fd, SSL_HANDSHAKE_AS_SERVER, server) != SECSuccess ||
              SSL_OptionSet(fd, SSL_NO_CACHE, PR_TRUE) != SECSuccess ||
              SSL_VersionRangeSet(fd, &vr) != SECSuccess ||
              SSL_AuthCertificateHook(fd, fz_verify_peers ? verify_peer : accept_any, NULL) != SECSuccess;
    if (server)
        bad = bad || SSL_OptionSet(fd, SSL_REQUEST_CERTIFICATE, PR_TRUE) != SECSuccess ||
              SSL_OptionSet(fd, SSL_REQUIRE_CERTIFICATE, fz_verify_peers ? SSL_REQUIRE_ALWAYS : SSL_REQUIRE_NEVER) !=
                  SECSuccess ||
              SSL_ConfigServerCert(fd, server_cert, server_key, NULL, 0) != SECSuccess;
    else
        bad = bad || SSL_GetClientAuthDataHook(fd, client_auth, r) != SECSuccess ||
              SSL_SetURL(fd, "localhost") != SECSuccess;
    if (bad || SSL_ResetHandshake(fd, server) != SECSuccess)
        fz_oom("open_fd");
    return fd;
}

static void set_list(PRFileDesc *fd, const fz_pair_conf *c, fz_pair_result *r)
{
    CERTCertList *list = CERT_NewCertList();
    if (!list)
        fz_oom("set_list");
    cb_buf der;
    cb_buf_init(&der);
    for (size_t i = 0; i < c->list->count; i++) {
        const cb_dn *d = &c->list->dns[i];
        der.len = 0;
        if (fz_fakecert(d->der, d->len, (uint32_t)i, &der) != 0)
            fz_oom("set_list");
        CERTCertificate *cert = temp_cert(der.p, der.len);
        if (!cert)
            continue;
        /* NSS finds an equal temporary certificate it already holds by
         * issuer and serial: only a certificate whose subject is this DN
         * carries it. */
        if (!SECITEM_ItemsAreEqual(&cert->derSubject, &(SECItem){siBuffer, d->der, (unsigned)d->len})) {
            CERT_DestroyCertificate(cert);
            continue;
        }
        if (CERT_AddCertToListTail(list, cert) != SECSuccess ||
            cb_calist_push(&r->configured, d->der, d->len, NULL) != 0)
            fz_oom("set_list");
    }
    cb_buf_free(&der);
    if (SSL_SetTrustAnchors(fd, list) != SECSuccess)
        r->refused_setup = r->configured.count > 0;
    CERT_DestroyCertList(list);
}

static enum fz_step step(void *arg)
{
    if (SSL_ForceHandshake(arg) == SECSuccess)
        return FZ_STEP_DONE;
    return PR_GetError() == PR_WOULD_BLOCK_ERROR ? FZ_STEP_WANT : FZ_STEP_FAIL;
}

void fz_stack_run(const fz_pair_conf *c, fz_pair_result *r)
{
    fz_io sio, cio;
    memset(&sio, 0, sizeof(sio));
    memset(&cio, 0, sizeof(cio));
    PRFileDesc *server = open_fd(&sio, 1, c->tls13, r), *client = open_fd(&cio, 0, c->tls13, r);
    if (c->source == FZ_SRC_EXPLICIT)
        set_list(server, c, r);
    fz_pair_drive(c, r, step, server, &sio, step, client, &cio);
    PRErrorCode e = PR_GetError();
    if (e)
        snprintf(r->why, sizeof(r->why), "%s", PR_ErrorToName(e) ? PR_ErrorToName(e) : "?");
    PR_Close(server);
    PR_Close(client);
    cb_buf_free(&sio.in);
    cb_buf_free(&sio.out);
    cb_buf_free(&cio.in);
    cb_buf_free(&cio.out);
}
