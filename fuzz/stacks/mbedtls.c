/* mbedtls.c — the Mbed TLS glue of the per-stack fuzz targets: 2.28 (Debian
 * 12's package) and 3.6 (the release ci/stacks builds, in its fuzz flavour
 * instrumented for libFuzzer), #if MBEDTLS_VERSION_NUMBER where the APIs
 * differ, as harness/stacks/mbedtls/shim_mbedtls.c does.
 *
 * Transport: mbedtls_ssl_set_bio callbacks over fz_io (an empty read is
 * MBEDTLS_ERR_SSL_WANT_READ).
 * Server list: trust-store only — 2.28 has no API for a list of names;
 * ssl_write_certificate_request (library/ssl_srv.c) writes the subject of
 * every certificate of the chain given to mbedtls_ssl_conf_ca_chain, in
 * order, as long as it fits its output buffer. Each DN becomes a
 * certificate (common/fakecert.h) parsed with mbedtls_x509_crt_parse_der; a
 * DN whose certificate does not parse is not configured. 3.x also has an
 * explicit list, mbedtls_ssl_conf_dn_hints (a certificate chain whose
 * subject_raw ssl_write_certificate_request in library/ssl_tls12_server.c,
 * 3.6.7, writes instead of the CA chain's): FZ_SRC_EXPLICIT. TLS 1.2 only:
 * 3.6's TLS 1.3 server never sends certificate_authorities
 * (ssl_tls13_write_certificate_request_body in ssl_tls13_server.c writes
 * signature_algorithms only; harness/stacks/mbedtls/NOTES-3.6.md).
 * Client list: not exposed (ssl_parse_certificate_request in library/
 * ssl_cli.c checks the lengths and discards the names), so the client_cr
 * target here can only find crashes, leaks and hangs; the client counts as
 * having answered once its state is past the CertificateRequest. */
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define FZ_MBEDTLS3 1
#include <psa/crypto.h>
#else
#define FZ_MBEDTLS3 0
#define MBEDTLS_PRIVATE(member) member /* 3.x's private_access.h */
#endif

#include "creds.h"
#include "fakecert.h"
#include "fuzz.h"
#include "pair.h"

/* FZ_STACK_ID: "mbedtls@VERSION" for a build CMake names by version (an
 * instrumented release, fuzz/CMakeLists.txt), so known findings of the
 * packaged version do not hide the same rule broken by another. */
#ifndef FZ_STACK_ID
#define FZ_STACK_ID "mbedtls"
#endif
const char fz_stack[] = FZ_STACK_ID;

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_x509_crt server_crt, client_crt, ca_crt;
static mbedtls_pk_context server_pk, client_pk;
static mbedtls_ssl_config sconf, cconf;

static int conf(mbedtls_ssl_config *c, int server, mbedtls_x509_crt *crt, mbedtls_pk_context *pk)
{
    mbedtls_ssl_config_init(c);
    if (mbedtls_ssl_config_defaults(c, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
                                    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return -1;
#if FZ_MBEDTLS3
    mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    mbedtls_ssl_conf_rng(c, mbedtls_ctr_drbg_random, &drbg);
    if (fz_verify_peers) {
        mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_REQUIRED);
        if (!server)
            mbedtls_ssl_conf_ca_chain(c, &ca_crt, NULL);
    } else {
        mbedtls_ssl_conf_authmode(c, server ? MBEDTLS_SSL_VERIFY_OPTIONAL : MBEDTLS_SSL_VERIFY_NONE);
    }
    return mbedtls_ssl_conf_own_cert(c, crt, pk);
}

static int parse_key(mbedtls_pk_context *pk, const unsigned char *der, size_t len)
{
#if FZ_MBEDTLS3
    return mbedtls_pk_parse_key(pk, der, len, NULL, 0, mbedtls_ctr_drbg_random, &drbg);
#else
    return mbedtls_pk_parse_key(pk, der, len, NULL, 0);
#endif
}

int fz_stack_init(void)
{
    static const unsigned char pers[] = "cabound-fuzz";
#if FZ_MBEDTLS3
    if (psa_crypto_init() != PSA_SUCCESS) /* 3.x: TLS uses PSA for its crypto */
        return -1;
#endif
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_x509_crt_init(&server_crt);
    mbedtls_x509_crt_init(&client_crt);
    mbedtls_x509_crt_init(&ca_crt);
    mbedtls_pk_init(&server_pk);
    mbedtls_pk_init(&client_pk);
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, pers, sizeof(pers)) != 0 ||
        mbedtls_x509_crt_parse_der(&server_crt, fz_server_cert, sizeof(fz_server_cert)) != 0 ||
        mbedtls_x509_crt_parse_der(&client_crt, fz_client_cert, sizeof(fz_client_cert)) != 0 ||
        mbedtls_x509_crt_parse_der(&ca_crt, fz_ca_cert, sizeof(fz_ca_cert)) != 0 ||
        parse_key(&server_pk, fz_server_key, sizeof(fz_server_key)) != 0 ||
        parse_key(&client_pk, fz_client_key, sizeof(fz_client_key)) != 0 ||
        conf(&sconf, 1, &server_crt, &server_pk) != 0 || conf(&cconf, 0, &client_crt, &client_pk) != 0)
        return -1;
    return 0;
}

int fz_stack_supports(int tls13, enum fz_source source)
{
    return !tls13 && (source == FZ_SRC_NONE || source == FZ_SRC_TRUST || (FZ_MBEDTLS3 && source == FZ_SRC_EXPLICIT));
}

struct side {
    mbedtls_ssl_context ssl;
    fz_io *io;
    fz_pair_result *r; /* client only */
};

static int bio_send(void *ctx, const unsigned char *p, size_t len)
{
    fz_io_write(ctx, p, len);
    return (int)len;
}

static int bio_recv(void *ctx, unsigned char *p, size_t len)
{
    size_t n = fz_io_read(ctx, p, len);
    return n ? (int)n : MBEDTLS_ERR_SSL_WANT_READ;
}

static enum fz_step step(void *arg)
{
    struct side *sd = arg;
    int ret = mbedtls_ssl_handshake(&sd->ssl);
    if (sd->r && sd->ssl.MBEDTLS_PRIVATE(state) > MBEDTLS_SSL_CERTIFICATE_REQUEST &&
        sd->ssl.MBEDTLS_PRIVATE(state) != MBEDTLS_SSL_HANDSHAKE_OVER)
        sd->r->cr_seen = 1;
    if (ret == 0)
        return FZ_STEP_DONE;
    return ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ? FZ_STEP_WANT : FZ_STEP_FAIL;
}

void fz_stack_run(const fz_pair_conf *c, fz_pair_result *r)
{
    fz_io sio, cio;
    memset(&sio, 0, sizeof(sio));
    memset(&cio, 0, sizeof(cio));
    mbedtls_x509_crt chain;
    mbedtls_x509_crt_init(&chain);
    if (c->source == FZ_SRC_TRUST && c->list_pem) {
        /* As the shim loads calist_pem (a PEM parse counts the NUL). */
        if (mbedtls_x509_crt_parse(&chain, (const unsigned char *)c->list_pem, c->list_pem_len + 1) < 0)
            r->refused_setup = 1;
    } else if (c->source == FZ_SRC_TRUST || c->source == FZ_SRC_EXPLICIT) {
        cb_buf der;
        cb_buf_init(&der);
        for (size_t i = 0; i < c->list->count; i++) {
            const cb_dn *d = &c->list->dns[i];
            der.len = 0;
            if (fz_fakecert(d->der, d->len, (uint32_t)i, &der) != 0)
                fz_oom("fz_stack_run");
            if (mbedtls_x509_crt_parse_der(&chain, der.p, der.len) == 0 &&
                cb_calist_push(&r->configured, d->der, d->len, NULL) != 0)
                fz_oom("fz_stack_run");
        }
        cb_buf_free(&der);
    }
    /* Mbed TLS verifies against the chain it takes its list from: the fuzz
     * CA goes last, one DN more in the list (bench_floor only). */
#if FZ_MBEDTLS3
    /* explicit: the chain's subjects as DN hints; the CA chain holds only
     * what verification needs (the fuzz CA, bench_floor only). */
    mbedtls_x509_crt none;
    mbedtls_x509_crt_init(&none);
    mbedtls_x509_crt *anchors = c->source == FZ_SRC_EXPLICIT ? &none : &chain;
#else
    mbedtls_x509_crt *anchors = &chain;
#endif
    if (fz_verify_peers && mbedtls_x509_crt_parse_der(anchors, fz_ca_cert, sizeof(fz_ca_cert)) != 0)
        fz_oom("fz_stack_run");
#if FZ_MBEDTLS3
    if (c->source == FZ_SRC_EXPLICIT) {
        mbedtls_ssl_conf_dn_hints(&sconf, &chain);
        mbedtls_ssl_conf_ca_chain(&sconf, &none, NULL);
    } else {
        mbedtls_ssl_conf_dn_hints(&sconf, NULL);
        mbedtls_ssl_conf_ca_chain(&sconf, &chain, NULL);
    }
#else
    mbedtls_ssl_conf_ca_chain(&sconf, &chain, NULL);
#endif
    struct side server = {.io = &sio}, client = {.io = &cio, .r = r};
    mbedtls_ssl_init(&server.ssl);
    mbedtls_ssl_init(&client.ssl);
    if (mbedtls_ssl_setup(&server.ssl, &sconf) != 0 || mbedtls_ssl_setup(&client.ssl, &cconf) != 0)
        fz_oom("fz_stack_run");
    mbedtls_ssl_set_bio(&server.ssl, &sio, bio_send, bio_recv, NULL);
    mbedtls_ssl_set_bio(&client.ssl, &cio, bio_send, bio_recv, NULL);
    fz_pair_drive(c, r, step, &server, &sio, step, &client, &cio);
    mbedtls_ssl_free(&server.ssl);
    mbedtls_ssl_free(&client.ssl);
    mbedtls_ssl_conf_ca_chain(&sconf, NULL, NULL);
#if FZ_MBEDTLS3
    mbedtls_ssl_conf_dn_hints(&sconf, NULL);
    mbedtls_x509_crt_free(&none);
#endif
    mbedtls_x509_crt_free(&chain);
    cb_buf_free(&sio.in);
    cb_buf_free(&sio.out);
    cb_buf_free(&cio.in);
    cb_buf_free(&cio.out);
}
