/* wolfssl.c — the wolfSSL glue (5.5 packaged, 5.9 built by ci/stacks) of the per-stack fuzz targets (native
 * wolfSSL_* names only; its OpenSSL compatibility layer is compiled in).
 *
 * Transport: wolfSSL_SSLSetIORecv/IOSend callbacks over fz_io (an empty read
 * is WOLFSSL_CBIO_ERR_WANT_READ).
 * Server list: explicit = wolfSSL_set_client_CA_list with one
 * WOLFSSL_X509_NAME per DN that wolfSSL_d2i_X509_NAME takes and that is one
 * whole DER Name (see set_list); the stack's push
 * prepends and SendCertificateRequest walks from the head (src/internal.c,
 * SSL_CA_NAMES), so DNs are pushed in reverse; 5.9.2 appends (src/ssl_sk.c
 * wolfSSL_sk_push -> wolfSSL_sk_insert(stack, data, -1)), so they are pushed
 * in order: the order is measured once in fz_stack_init, as
 * harness/stacks/wolfssl/shim_wolfssl.c does. TLS 1.3 from 5.9 (the
 * release ci/stacks builds): TLSX_CA_Names_Write (src/tls.c, 5.9.2) puts the
 * same names in the CertificateRequest's certificate_authorities, and the
 * client's TLSX_CA_Names_Parse keeps them in peer_ca_names, which
 * wolfSSL_get_client_CA_list returns (src/ssl_api_cert.c); 5.5.4 (Debian
 * 12) sends no such extension, and the versions between are unmeasured.
 * Client list: the certificate callback (wolfSSL_CTX_set_cert_cb), which TLS
 * 1.2 calls from DoCertificateRequest after parsing the names;
 * wolfSSL_get_client_CA_list gives them, but their DER is lost
 * (CopyDecodedName keeps only the text; wolfSSL_i2d_X509_NAME gives 30 00):
 * only their count is compared (API-WIRE "count"). */
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "../../harness/stacks/wolfssl/push_order.h"

#include "creds.h"
#include "der.h"
#include "fuzz.h"
#include "pair.h"

/* FZ_STACK_ID: "wolfssl@VERSION" for a build CMake names by version (an
 * instrumented release, fuzz/CMakeLists.txt), so known findings of the
 * packaged version do not hide the same rule broken by another. */
#ifndef FZ_STACK_ID
#define FZ_STACK_ID "wolfssl"
#endif
const char fz_stack[] = FZ_STACK_ID;

#if LIBWOLFSSL_VERSION_HEX >= 0x05009000 && defined(WOLFSSL_TLS13)
#define FZ_WOLFSSL_CA13 1
#else
#define FZ_WOLFSSL_CA13 0
#endif

static WOLFSSL_CTX *sctx[2], *cctx[2]; /* [tls13] */

static int client_cb(WOLFSSL *ssl, void *arg)
{
    (void)arg;
    fz_pair_result *r = wolfSSL_get_ex_data(ssl, 0);
    if (!r || r->cr_seen++)
        return 1;
    WOLF_STACK_OF(WOLFSSL_X509_NAME) *sk = wolfSSL_get_client_CA_list(ssl);
    int n = sk ? wolfSSL_sk_X509_NAME_num(sk) : 0;
    static const uint8_t empty_name[] = {0x30, 0x00};
    r->exposed = 1;
    for (int i = 0; i < n; i++)
        if (cb_calist_push(&r->got, empty_name, sizeof(empty_name), NULL) != 0)
            fz_oom("client_cb");
    return 1;
}

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    (void)ssl;
    size_t n = fz_io_read(ctx, (uint8_t *)buf, (size_t)sz);
    return n ? (int)n : WOLFSSL_CBIO_ERR_WANT_READ;
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    (void)ssl;
    fz_io_write(ctx, (const uint8_t *)buf, (size_t)sz);
    return sz;
}

/* Peer certificates are not the point of fuzzing: the server asks for one
 * (to send the CertificateRequest) and takes whatever comes. */
static int accept_any(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
    (void)preverify;
    (void)store;
    return 1;
}

static WOLFSSL_METHOD *method(int server, int tls13)
{
#if FZ_WOLFSSL_CA13
    if (tls13)
        return server ? wolfTLSv1_3_server_method() : wolfTLSv1_3_client_method();
#else
    (void)tls13;
#endif
    return server ? wolfTLSv1_2_server_method() : wolfTLSv1_2_client_method();
}

static WOLFSSL_CTX *new_ctx(int server, int tls13)
{
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(method(server, tls13));
    if (!ctx)
        return NULL;
    const unsigned char *cert = server ? fz_server_cert : fz_client_cert, *key = server ? fz_server_key : fz_client_key;
    long clen = server ? (long)sizeof(fz_server_cert) : (long)sizeof(fz_client_cert);
    long klen = server ? (long)sizeof(fz_server_key) : (long)sizeof(fz_client_key);
    if (wolfSSL_CTX_use_certificate_buffer(ctx, cert, clen, WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS ||
        wolfSSL_CTX_use_PrivateKey_buffer(ctx, key, klen, WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
        wolfSSL_CTX_free(ctx);
        return NULL;
    }
    if (fz_verify_peers) {
        if (wolfSSL_CTX_load_verify_buffer(ctx, fz_ca_cert, (long)sizeof(fz_ca_cert), WOLFSSL_FILETYPE_ASN1) !=
            WOLFSSL_SUCCESS) {
            wolfSSL_CTX_free(ctx);
            return NULL;
        }
        wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER | (server ? WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), NULL);
    } else {
        wolfSSL_CTX_set_verify(ctx, server ? WOLFSSL_VERIFY_PEER : WOLFSSL_VERIFY_NONE, server ? accept_any : NULL);
    }
    if (!server)
        wolfSSL_CTX_set_cert_cb(ctx, client_cb, NULL);
    wolfSSL_CTX_SetIORecv(ctx, io_recv);
    wolfSSL_CTX_SetIOSend(ctx, io_send);
    return ctx;
}

/* push_appends: where wolfSSL_sk_X509_NAME_push puts a name (above). */
static int push_appends;

static int probe_push_order(void) { return cb_wolfssl_push_appends(&push_appends); }

int fz_stack_init(void)
{
    if (wolfSSL_Init() != WOLFSSL_SUCCESS || probe_push_order() != 0 || !(sctx[0] = new_ctx(1, 0)) || !(cctx[0] = new_ctx(0, 0)))
        return -1;
    if (FZ_WOLFSSL_CA13 && (!(sctx[1] = new_ctx(1, 1)) || !(cctx[1] = new_ctx(0, 1))))
        return -1;
    return 0;
}

int fz_stack_supports(int tls13, enum fz_source source)
{
    return (!tls13 || FZ_WOLFSSL_CA13) && (source == FZ_SRC_NONE || source == FZ_SRC_EXPLICIT);
}

static void set_list(WOLFSSL *s, const fz_pair_conf *c, fz_pair_result *r)
{
    WOLF_STACK_OF(WOLFSSL_X509_NAME) *sk = wolfSSL_sk_X509_NAME_new(NULL);
    if (!sk)
        fz_oom("set_list");
    cb_calist taken; /* in push order */
    cb_calist_init(&taken);
    for (size_t j = 0; j < c->list->count; j++) {
        const cb_dn *d = &c->list->dns[push_appends ? j : c->list->count - 1 - j];
        unsigned char *p = d->der;
        WOLFSSL_X509_NAME *n = d->len ? wolfSSL_d2i_X509_NAME(NULL, &p, (long)d->len) : NULL;
        /* wolfSSL_d2i_X509_NAME takes a Name followed by other bytes and
         * does not advance *in (src/x509.c l.10274), so unlike OpenSSL's it
         * cannot say whether it used the whole DN: a DN that is not exactly
         * one DER Name is parsed (for coverage) but not configured. */
        if (n && !cb_der_name_valid(d->der, d->len)) {
            wolfSSL_X509_NAME_free(n);
            n = NULL;
        }
        if (!n)
            continue;
        /* 5.5.4 returns WOLFSSL_SUCCESS, 5.9.2 the new count (as OpenSSL's
         * sk_push; src/ssl_sk.c): failure is <= 0 in both. */
        if (wolfSSL_sk_X509_NAME_push(sk, n) <= 0 || cb_calist_push(&taken, d->der, d->len, NULL) != 0)
            fz_oom("set_list");
    }
    for (size_t j = 0; j < taken.count; j++) {
        const cb_dn *d = &taken.dns[push_appends ? j : taken.count - 1 - j];
        if (cb_calist_push(&r->configured, d->der, d->len, NULL) != 0)
            fz_oom("set_list");
    }
    cb_calist_free(&taken);
    wolfSSL_set_client_CA_list(s, sk); /* the WOLFSSL owns sk now */
}

struct side {
    WOLFSSL *ssl;
    int server;
};

static enum fz_step step(void *arg)
{
    struct side *sd = arg;
    int ret = sd->server ? wolfSSL_accept(sd->ssl) : wolfSSL_connect(sd->ssl);
    if (ret == WOLFSSL_SUCCESS)
        return FZ_STEP_DONE;
    int err = wolfSSL_get_error(sd->ssl, ret);
    return err == WOLFSSL_ERROR_WANT_READ || err == WOLFSSL_ERROR_WANT_WRITE ? FZ_STEP_WANT : FZ_STEP_FAIL;
}

static void open_side(struct side *sd, WOLFSSL_CTX *ctx, fz_io *io, int server)
{
    sd->server = server;
    if (!(sd->ssl = wolfSSL_new(ctx)))
        fz_oom("open_side");
    wolfSSL_SetIOReadCtx(sd->ssl, io);
    wolfSSL_SetIOWriteCtx(sd->ssl, io);
}

void fz_stack_run(const fz_pair_conf *c, fz_pair_result *r)
{
    fz_io sio, cio;
    memset(&sio, 0, sizeof(sio));
    memset(&cio, 0, sizeof(cio));
    struct side server, client;
    open_side(&server, sctx[c->tls13 != 0], &sio, 1);
    open_side(&client, cctx[c->tls13 != 0], &cio, 0);
    wolfSSL_set_ex_data(client.ssl, 0, r);
    if (c->source == FZ_SRC_EXPLICIT)
        set_list(server.ssl, c, r);
    fz_pair_drive(c, r, step, &server, &sio, step, &client, &cio);
    int e = wolfSSL_get_error(r->client_failed ? client.ssl : server.ssl, 0);
    if (e)
        wolfSSL_ERR_error_string_n((unsigned long)(long)e, r->why, sizeof(r->why));
    wolfSSL_free(server.ssl);
    wolfSSL_free(client.ssl);
    cb_buf_free(&sio.in);
    cb_buf_free(&sio.out);
    cb_buf_free(&cio.in);
    cb_buf_free(&cio.out);
}
