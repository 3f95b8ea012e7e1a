#include "tls_pair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static int setup_fail(tp_capture *cap, const char *what)
{
    char reason[160] = "";
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, reason, sizeof(reason));
    ERR_clear_error();
    snprintf(cap->error, sizeof(cap->error), "%s: %s", what, reason);
    return -1;
}

static void keylog_cb(const SSL *ssl, const char *line)
{
    FILE *f = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
    if (f) {
        fprintf(f, "%s\n", line);
        fflush(f);
    }
}

static int add_chunk(tp_capture *cap, int from_server, const uint8_t *p, size_t n)
{
    if (cap->n_chunks == cap->cap_chunks) {
        size_t nc = cap->cap_chunks ? cap->cap_chunks * 2 : 16;
        cb_chunk *c = realloc(cap->chunks, nc * sizeof(*c));
        if (!c)
            return -1;
        cap->chunks = c;
        cap->cap_chunks = nc;
    }
    uint8_t *copy = malloc(n);
    if (!copy)
        return -1;
    memcpy(copy, p, n);
    /* Times 1 ms apart keep the capture readable and reproducible. */
    cap->chunks[cap->n_chunks] = (cb_chunk){from_server, copy, n, 1.0 + 0.001 * (double)cap->n_chunks, 0};
    cap->n_chunks++;
    return cb_buf_put(from_server ? &cap->s2c : &cap->c2s, p, n);
}

/* move relays whatever |from| wrote into |to|, as one chunk. Returns the
 * number of bytes moved, or -1. */
static long move(tp_capture *cap, BIO *from_w, BIO *to_r, int from_server)
{
    char *data;
    long n = BIO_get_mem_data(from_w, &data);
    if (n <= 0)
        return 0;
    if (add_chunk(cap, from_server, (const uint8_t *)data, (size_t)n) != 0 || BIO_write(to_r, data, (int)n) != n)
        return -1;
    (void)BIO_reset(from_w);
    return n;
}

static SSL_CTX *make_ctx(const tp_config *cfg, int server, FILE *kl, tp_capture *cap)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (!ctx) {
        setup_fail(cap, "SSL_CTX_new");
        return NULL;
    }
    int v = cfg->tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    const char *cert = server ? cfg->server_cert : cfg->client_cert;
    const char *key = server ? cfg->server_key : cfg->client_key;
    const char *trust = server ? cfg->client_cas : cfg->server_ca;
    const char *groups = server ? cfg->server_groups : cfg->client_groups;
    int ok = SSL_CTX_set_min_proto_version(ctx, v) == 1 && SSL_CTX_set_max_proto_version(ctx, v) == 1 &&
             (!cfg->ciphersuite || SSL_CTX_set_ciphersuites(ctx, cfg->ciphersuite) == 1) &&
             (!cert || SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) == 1) &&
             (!key || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1) &&
             (!trust || SSL_CTX_load_verify_locations(ctx, trust, NULL) == 1) &&
             (!groups || SSL_CTX_set1_groups_list(ctx, groups) == 1);
    if (!ok) {
        SSL_CTX_free(ctx);
        setup_fail(cap, server ? "server context" : "client context");
        return NULL;
    }
    SSL_CTX_set_verify(ctx, server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_app_data(ctx, kl);
    SSL_CTX_set_keylog_callback(ctx, keylog_cb);
    if (server && cfg->ca_list) {
        STACK_OF(X509_NAME) *sk = sk_X509_NAME_new_null();
        for (size_t i = 0; sk && i < cfg->ca_list->count; i++) {
            const unsigned char *p = cfg->ca_list->dns[i].der;
            X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)cfg->ca_list->dns[i].len);
            if (!n || !sk_X509_NAME_push(sk, n)) {
                X509_NAME_free(n);
                sk_X509_NAME_pop_free(sk, X509_NAME_free);
                sk = NULL;
            }
        }
        if (!sk) {
            SSL_CTX_free(ctx);
            setup_fail(cap, "CA list");
            return NULL;
        }
        SSL_CTX_set_client_CA_list(ctx, sk);
    }
    return ctx;
}

static SSL *make_ssl(SSL_CTX *ctx, BIO **r, BIO **w)
{
    SSL *s = SSL_new(ctx);
    *r = BIO_new(BIO_s_mem());
    *w = BIO_new(BIO_s_mem());
    if (!s || !*r || !*w) {
        SSL_free(s);
        BIO_free(*r);
        BIO_free(*w);
        return NULL;
    }
    /* An empty memory BIO must mean "wait", not end of file. */
    BIO_set_mem_eof_return(*r, -1);
    SSL_set_bio(s, *r, *w);
    return s;
}

/* step drives one side's handshake; 1 done, 0 waiting, -1 failed. */
static int step(SSL *s, int *state)
{
    if (*state)
        return *state;
    int r = SSL_do_handshake(s);
    if (r == 1)
        *state = 1;
    else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
        *state = -1;
    return *state;
}

int tp_run(const tp_config *cfg, tp_capture *cap)
{
    memset(cap, 0, sizeof(*cap));
    cb_buf_init(&cap->c2s);
    cb_buf_init(&cap->s2c);
    int rc = -1;
    FILE *kl = cfg->keylog ? fopen(cfg->keylog, "a") : NULL;
    SSL_CTX *cctx = NULL, *sctx = NULL;
    SSL *c = NULL, *s = NULL;
    BIO *cr, *cw, *sr, *sw;
    if (cfg->keylog && !kl) {
        snprintf(cap->error, sizeof(cap->error), "%s: cannot open", cfg->keylog);
        goto out;
    }
    if (!(cctx = make_ctx(cfg, 0, kl, cap)) || !(sctx = make_ctx(cfg, 1, kl, cap)))
        goto out;
    if (!(c = make_ssl(cctx, &cr, &cw)) || !(s = make_ssl(sctx, &sr, &sw))) {
        setup_fail(cap, "SSL_new");
        goto out;
    }
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    int cs = 0, ss = 0;
    for (int round = 0; round < 100; round++) {
        step(c, &cs);
        long m1 = move(cap, cw, sr, 0);
        step(s, &ss);
        long m2 = move(cap, sw, cr, 1);
        if (m1 < 0 || m2 < 0) {
            snprintf(cap->error, sizeof(cap->error), "out of memory");
            goto out;
        }
        if (m1 == 0 && m2 == 0 && cs != 0 && ss != 0)
            break;
        if (m1 == 0 && m2 == 0 && (cs < 0 || ss < 0))
            break;
    }
    cap->client_ok = cs == 1;
    cap->server_ok = ss == 1;
    /* After the handshake: the server's byte, then close_notify both ways,
     * as the shim contract's exchange does. */
    if (cap->server_ok)
        SSL_write(s, "x", 1);
    if (move(cap, sw, cr, 1) < 0)
        goto oom;
    if (cap->client_ok) {
        char b;
        cap->byte_crossed = SSL_read(c, &b, 1) == 1 && b == 'x';
        if (cap->byte_crossed)
            SSL_shutdown(c);
    }
    if (move(cap, cw, sr, 0) < 0)
        goto oom;
    if (cap->server_ok) {
        char b;
        SSL_read(s, &b, 1); /* consumes the client's close_notify */
        SSL_shutdown(s);
    }
    if (move(cap, sw, cr, 1) < 0)
        goto oom;
    rc = 0;
    goto out;
oom:
    snprintf(cap->error, sizeof(cap->error), "out of memory");
out:
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    if (kl)
        fclose(kl);
    return rc;
}

void tp_capture_free(tp_capture *cap)
{
    for (size_t i = 0; i < cap->n_chunks; i++)
        free((void *)cap->chunks[i].data);
    free(cap->chunks);
    cb_buf_free(&cap->c2s);
    cb_buf_free(&cap->s2c);
    memset(cap, 0, sizeof(*cap));
}
