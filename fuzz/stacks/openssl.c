/* openssl.c — the OpenSSL 3.0 glue of the per-stack fuzz targets, and,
 * compiled against BoringSSL's headers (OPENSSL_IS_BORINGSSL), the
 * BoringSSL glue; each executable links exactly one of the two.
 *
 * Transport: memory BIOs (BIO_s_mem, eof return -1 so an empty read is
 * "retry"), filled and drained around each SSL_do_handshake.
 * Server list: explicit = SSL_set_client_CA_list with one X509_NAME per DN
 * that d2i_X509_NAME takes whole (the others are not configured, as the
 * harness's shim does; OpenSSL sends it in 1.2 and in 1.3's
 * certificate_authorities). BoringSSL also raw = SSL_set0_client_CAs with a
 * CRYPTO_BUFFER per DN, unchecked.
 * Client list: the certificate callback (SSL_CTX_set_cert_cb) runs when the
 * client answers a CertificateRequest; OpenSSL exposes the names
 * SSL_get0_peer_CA_list (re-encoded with i2d_X509_NAME, which returns the
 * received bytes), BoringSSL SSL_get0_server_requested_CAs (the bytes). */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#ifdef OPENSSL_IS_BORINGSSL
#include <openssl/pool.h>
#endif

#include "creds.h"
#include "fuzz.h"
#include "pair.h"

/* FZ_STACK_ID: "openssl@VERSION" for a build CMake names by version (an
 * instrumented release, fuzz/CMakeLists.txt), so known findings of the
 * packaged version do not hide the same rule broken by another. */
#if defined(FZ_STACK_ID)
const char fz_stack[] = FZ_STACK_ID;
#elif defined(OPENSSL_IS_BORINGSSL)
const char fz_stack[] = "boringssl";
#else
const char fz_stack[] = "openssl";
#endif

static SSL_CTX *sctx[2], *cctx[2]; /* [tls13] */

static int accept_any(int ok, X509_STORE_CTX *ctx)
{
    (void)ok;
    (void)ctx;
    return 1;
}

/* The client's certificate callback: the list it received, then go on with
 * the configured certificate. */
static int client_cb(SSL *ssl, void *arg)
{
    (void)arg;
    fz_pair_result *r = SSL_get_app_data(ssl);
    if (r->cr_seen++)
        return 1;
    r->exposed = r->exposed_bytes = 1;
#ifdef OPENSSL_IS_BORINGSSL
    const STACK_OF(CRYPTO_BUFFER) *names = SSL_get0_server_requested_CAs(ssl);
    for (size_t i = 0; names && i < sk_CRYPTO_BUFFER_num(names); i++) {
        const CRYPTO_BUFFER *b = sk_CRYPTO_BUFFER_value(names, i);
        if (cb_calist_push(&r->got, CRYPTO_BUFFER_data(b), CRYPTO_BUFFER_len(b), NULL) != 0)
            fz_oom("client_cb");
    }
#else
    const STACK_OF(X509_NAME) *names = SSL_get0_peer_CA_list(ssl);
    for (int i = 0; names && i < sk_X509_NAME_num(names); i++) {
        unsigned char *der = NULL;
        int n = i2d_X509_NAME(sk_X509_NAME_value(names, i), &der);
        if (n < 0 || cb_calist_push(&r->got, der, (size_t)n, NULL) != 0)
            fz_oom("client_cb");
        OPENSSL_free(der);
    }
#endif
    return 1;
}

static SSL_CTX *new_ctx(int server, int tls13)
{
    const unsigned char *p;
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    if (!ctx)
        return NULL;
    int v = tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    SSL_CTX_set_min_proto_version(ctx, v);
    SSL_CTX_set_max_proto_version(ctx, v);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    p = server ? fz_server_cert : fz_client_cert;
    X509 *x = d2i_X509(NULL, &p, server ? (long)sizeof(fz_server_cert) : (long)sizeof(fz_client_cert));
    p = server ? fz_server_key : fz_client_key;
    EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, server ? (long)sizeof(fz_server_key) : (long)sizeof(fz_client_key));
    int ok = x && k && SSL_CTX_use_certificate(ctx, x) == 1 && SSL_CTX_use_PrivateKey(ctx, k) == 1;
    X509_free(x);
    EVP_PKEY_free(k);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (fz_verify_peers) {
        p = fz_ca_cert;
        X509 *ca = d2i_X509(NULL, &p, (long)sizeof(fz_ca_cert));
        ok = ca && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca) == 1;
        X509_free(ca);
        if (!ok) {
            SSL_CTX_free(ctx);
            return NULL;
        }
    }
    if (server) {
        if (fz_verify_peers)
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        else
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
    } else {
        SSL_CTX_set_verify(ctx, fz_verify_peers ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
        SSL_CTX_set_cert_cb(ctx, client_cb, NULL);
    }
    return ctx;
}

int fz_stack_init(void)
{
    for (int v = 0; v < 2; v++)
        if (!(sctx[v] = new_ctx(1, v)) || !(cctx[v] = new_ctx(0, v))) {
            ERR_print_errors_fp(stderr);
            return -1;
        }
    return 0;
}

int fz_stack_supports(int tls13, enum fz_source source)
{
    (void)tls13;
#ifdef OPENSSL_IS_BORINGSSL
    return source != FZ_SRC_TRUST;
#else
    return source == FZ_SRC_NONE || source == FZ_SRC_EXPLICIT;
#endif
}

static void set_list(SSL *s, const fz_pair_conf *c, fz_pair_result *r)
{
#ifdef OPENSSL_IS_BORINGSSL
    if (c->source == FZ_SRC_RAW) {
        STACK_OF(CRYPTO_BUFFER) *sk = sk_CRYPTO_BUFFER_new_null();
        for (size_t i = 0; sk && i < c->list->count; i++) {
            CRYPTO_BUFFER *b = CRYPTO_BUFFER_new(c->list->dns[i].der, c->list->dns[i].len, NULL);
            if (!b || !sk_CRYPTO_BUFFER_push(sk, b))
                fz_oom("set_list");
        }
        if (!sk || cb_calist_copy_prefix(&r->configured, c->list, c->list->count) != 0)
            fz_oom("set_list");
        SSL_set0_client_CAs(s, sk);
        return;
    }
#endif
    STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
    if (!sk)
        fz_oom("set_list");
    for (size_t i = 0; i < c->list->count; i++) {
        const cb_dn *d = &c->list->dns[i];
        const unsigned char *p = d->der;
        X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)d->len);
        if (!n || p != d->der + d->len) {
            X509_NAME_free(n);
            continue;
        }
        if (!sk_X509_NAME_push(sk, n) || cb_calist_push(&r->configured, d->der, d->len, NULL) != 0)
            fz_oom("set_list");
    }
    ERR_clear_error();
    SSL_set_client_CA_list(s, sk);
}

struct side {
    SSL *ssl;
    fz_io *io;
    BIO *rbio, *wbio;
};

static enum fz_step step(void *arg)
{
    struct side *s = arg;
    uint8_t buf[16384];
    size_t n;
    while ((n = fz_io_read(s->io, buf, sizeof(buf))) > 0)
        if (BIO_write(s->rbio, buf, (int)n) != (int)n)
            fz_oom("step");
    int ret = SSL_do_handshake(s->ssl), err = SSL_get_error(s->ssl, ret);
    int got;
    while ((got = BIO_read(s->wbio, buf, sizeof(buf))) > 0)
        fz_io_write(s->io, buf, (size_t)got);
    if (ret == 1)
        return FZ_STEP_DONE;
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? FZ_STEP_WANT : FZ_STEP_FAIL;
}

static void open_side(struct side *s, SSL_CTX *ctx, fz_io *io, int server)
{
    s->io = io;
    s->ssl = SSL_new(ctx);
    s->rbio = BIO_new(BIO_s_mem());
    s->wbio = BIO_new(BIO_s_mem());
    if (!s->ssl || !s->rbio || !s->wbio)
        fz_oom("open_side");
    BIO_set_mem_eof_return(s->rbio, -1);
    BIO_set_mem_eof_return(s->wbio, -1);
    SSL_set_bio(s->ssl, s->rbio, s->wbio);
    if (server)
        SSL_set_accept_state(s->ssl);
    else
        SSL_set_connect_state(s->ssl);
}

void fz_stack_run(const fz_pair_conf *c, fz_pair_result *r)
{
    fz_io sio, cio;
    memset(&sio, 0, sizeof(sio));
    memset(&cio, 0, sizeof(cio));
    struct side server, client;
    open_side(&server, sctx[c->tls13 != 0], &sio, 1);
    open_side(&client, cctx[c->tls13 != 0], &cio, 0);
    SSL_set_app_data(client.ssl, r);
    if (c->source != FZ_SRC_NONE)
        set_list(server.ssl, c, r);
    fz_pair_drive(c, r, step, &server, &sio, step, &client, &cio);
    unsigned long e = ERR_peek_error();
    if (e)
        ERR_error_string_n(e, r->why, sizeof(r->why));
    ERR_clear_error();
    SSL_free(server.ssl);
    SSL_free(client.ssl);
    cb_buf_free(&sio.in);
    cb_buf_free(&sio.out);
    cb_buf_free(&cio.in);
    cb_buf_free(&cio.out);
}
