/* gnutls.c — the GnuTLS 3.7 glue of the per-stack fuzz targets.
 *
 * Transport: push/pull callbacks over fz_io (pull says EAGAIN when empty).
 * Server list: trust-store only — GnuTLS has no API for a list of names; it
 * sends the subjects of the trust anchors added with GNUTLS_TL_USE_IN_TLS, in
 * order (lib/x509/verify-high.c add_new_ca_to_rdn_seq; see the shim's
 * NOTES.md). Each DN becomes a certificate (common/fakecert.h) imported with
 * gnutls_x509_crt_import; a DN whose certificate GnuTLS does not import is
 * not configured. Both versions.
 * Client list: the retrieve callback (gnutls_certificate_set_retrieve_
 * function2) receives req_ca_rdn, the DNs as received (lib/auth/cert.c
 * get_issuers). The server's own certificate comes from the same kind of
 * callback, so one imported key serves every connection.
 * As gnutls-serv and gnutls-cli do, a failed handshake sends
 * gnutls_alert_send_appropriate()'s alert. */
#include <errno.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "creds.h"
#include "fakecert.h"
#include "fuzz.h"
#include "pair.h"

/* FZ_STACK_ID: "gnutls@VERSION" for a build CMake names by version (an
 * instrumented release, fuzz/CMakeLists.txt), so known findings of the
 * packaged version do not hide the same rule broken by another. */
#ifndef FZ_STACK_ID
#define FZ_STACK_ID "gnutls"
#endif
const char fz_stack[] = FZ_STACK_ID;

static gnutls_pcert_st server_pcert, client_pcert;
static gnutls_privkey_t server_key, client_key;
static gnutls_certificate_credentials_t client_cred;

static int retrieve(gnutls_session_t s, const gnutls_datum_t *req_ca_rdn, int nreqs,
                    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length, gnutls_pcert_st **pcert,
                    unsigned int *pcert_length, gnutls_privkey_t *privkey)
{
    (void)pk_algos;
    (void)pk_algos_length;
    fz_pair_result *r = gnutls_session_get_ptr(s);
    if (r) { /* the client: the list it received */
        if (!r->cr_seen++) {
            r->exposed = r->exposed_bytes = 1;
            for (int i = 0; i < nreqs; i++)
                if (cb_calist_push(&r->got, req_ca_rdn[i].data, req_ca_rdn[i].size, NULL) != 0)
                    fz_oom("retrieve");
        }
        *pcert = &client_pcert;
        *privkey = client_key;
    } else {
        *pcert = &server_pcert;
        *privkey = server_key;
    }
    *pcert_length = 1;
    return 0;
}

static int load(const unsigned char *cert, size_t clen, const char *key_pem, gnutls_pcert_st *pc,
                gnutls_privkey_t *key)
{
    gnutls_datum_t c = {(unsigned char *)cert, (unsigned)clen};
    gnutls_datum_t k = {(unsigned char *)key_pem, (unsigned)strlen(key_pem)};
    if (gnutls_pcert_import_x509_raw(pc, &c, GNUTLS_X509_FMT_DER, 0) < 0 || gnutls_privkey_init(key) < 0 ||
        gnutls_privkey_import_x509_raw(*key, &k, GNUTLS_X509_FMT_PEM, NULL, 0) < 0)
        return -1;
    return 0;
}

int fz_stack_init(void)
{
    if (gnutls_global_init() < 0 ||
        load(fz_server_cert, sizeof(fz_server_cert), fz_server_key_pem, &server_pcert, &server_key) != 0 ||
        load(fz_client_cert, sizeof(fz_client_cert), fz_client_key_pem, &client_pcert, &client_key) != 0 ||
        gnutls_certificate_allocate_credentials(&client_cred) < 0)
        return -1;
    gnutls_certificate_set_retrieve_function2(client_cred, retrieve);
    gnutls_datum_t ca = {(unsigned char *)fz_ca_cert, (unsigned)sizeof(fz_ca_cert)};
    if (fz_verify_peers && gnutls_certificate_set_x509_trust_mem(client_cred, &ca, GNUTLS_X509_FMT_DER) != 1)
        return -1;
    return 0;
}

/* trust_ca adds the fuzz CA to |tl| as a trust anchor that is not sent in
 * the list (no GNUTLS_TL_USE_IN_TLS), for fz_verify_peers. */
static void trust_ca(gnutls_x509_trust_list_t tl)
{
    gnutls_x509_crt_t ca;
    gnutls_datum_t d = {(unsigned char *)fz_ca_cert, (unsigned)sizeof(fz_ca_cert)};
    if (gnutls_x509_crt_init(&ca) < 0 || gnutls_x509_crt_import(ca, &d, GNUTLS_X509_FMT_DER) < 0 ||
        gnutls_x509_trust_list_add_cas(tl, &ca, 1, 0) != 1)
        fz_oom("trust_ca");
}

int fz_stack_supports(int tls13, enum fz_source source)
{
    (void)tls13;
    return source == FZ_SRC_NONE || source == FZ_SRC_TRUST;
}

/* server_cred makes the server's credentials with |c|'s list as trust
 * anchors; the DNs GnuTLS took go to r->configured. */
static gnutls_certificate_credentials_t server_cred(const fz_pair_conf *c, fz_pair_result *r)
{
    gnutls_certificate_credentials_t cred;
    if (gnutls_certificate_allocate_credentials(&cred) < 0)
        fz_oom("server_cred");
    gnutls_certificate_set_retrieve_function2(cred, retrieve);
    if (c->source == FZ_SRC_TRUST && c->list_pem) {
        /* As the shim loads calist_pem: gnutls_x509_trust_list_add_trust_mem
         * into a list sized as the shim sizes it (16 buckets per CA). */
        gnutls_x509_trust_list_t tl;
        unsigned n = 0;
        for (const char *p = c->list_pem; (p = strstr(p, "-----BEGIN ")) != NULL; p += 11)
            n++;
        gnutls_datum_t pem = {(unsigned char *)c->list_pem, (unsigned)c->list_pem_len};
        if (gnutls_x509_trust_list_init(&tl, 16 * n + 127) < 0 ||
            gnutls_x509_trust_list_add_trust_mem(tl, &pem, NULL, GNUTLS_X509_FMT_PEM, GNUTLS_TL_USE_IN_TLS, 0) < 0)
            r->refused_setup = 1;
        if (fz_verify_peers)
            trust_ca(tl);
        gnutls_certificate_set_trust_list(cred, tl, 0);
        return cred;
    }
    if (c->source != FZ_SRC_TRUST || c->list->count == 0) {
        gnutls_x509_trust_list_t tl;
        if (fz_verify_peers) {
            if (gnutls_x509_trust_list_init(&tl, 0) < 0)
                fz_oom("server_cred");
            trust_ca(tl);
            gnutls_certificate_set_trust_list(cred, tl, 0);
        }
        return cred;
    }
    gnutls_x509_crt_t *crts = gnutls_malloc(c->list->count * sizeof(*crts));
    gnutls_x509_trust_list_t tl;
    if (!crts || gnutls_x509_trust_list_init(&tl, 0) < 0)
        fz_oom("server_cred");
    unsigned n = 0;
    cb_buf der;
    cb_buf_init(&der);
    for (size_t i = 0; i < c->list->count; i++) {
        const cb_dn *d = &c->list->dns[i];
        der.len = 0;
        if (fz_fakecert(d->der, d->len, (uint32_t)i, &der) != 0 || gnutls_x509_crt_init(&crts[n]) < 0)
            fz_oom("server_cred");
        gnutls_datum_t dd = {der.p, (unsigned)der.len};
        if (gnutls_x509_crt_import(crts[n], &dd, GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(crts[n]);
            continue;
        }
        if (cb_calist_push(&r->configured, d->der, d->len, NULL) != 0)
            fz_oom("server_cred");
        n++;
    }
    cb_buf_free(&der);
    /* The trust list takes the certificates, the credentials the list. */
    if (n && gnutls_x509_trust_list_add_cas(tl, crts, n, GNUTLS_TL_USE_IN_TLS) != (int)n)
        r->refused_setup = 1;
    gnutls_free(crts);
    if (fz_verify_peers)
        trust_ca(tl);
    gnutls_certificate_set_trust_list(cred, tl, 0);
    return cred;
}

struct side {
    gnutls_session_t s;
    fz_io *io;
};

static ssize_t push(gnutls_transport_ptr_t p, const void *data, size_t len)
{
    struct side *sd = p;
    fz_io_write(sd->io, data, len);
    return (ssize_t)len;
}

static ssize_t pull(gnutls_transport_ptr_t p, void *data, size_t len)
{
    struct side *sd = p;
    size_t n = fz_io_read(sd->io, data, len);
    if (n == 0) {
        gnutls_transport_set_errno(sd->s, EAGAIN);
        return -1;
    }
    return (ssize_t)n;
}

static int pull_timeout(gnutls_transport_ptr_t p, unsigned ms)
{
    (void)ms;
    return fz_io_pending(((struct side *)p)->io) > 0;
}

static enum fz_step step(void *arg)
{
    struct side *sd = arg;
    int ret = gnutls_handshake(sd->s);
    if (ret == 0)
        return FZ_STEP_DONE;
    if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(ret))
        return FZ_STEP_WANT;
    gnutls_alert_send_appropriate(sd->s, ret);
    return FZ_STEP_FAIL;
}

static void open_side(struct side *sd, unsigned flags, gnutls_certificate_credentials_t cred, int tls13,
                      fz_io *io, void *ptr)
{
    sd->io = io;
    if (gnutls_init(&sd->s, flags | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL) < 0 ||
        gnutls_priority_set_direct(sd->s, tls13 ? "NORMAL:-VERS-ALL:+VERS-TLS1.3" : "NORMAL:-VERS-ALL:+VERS-TLS1.2",
                                   NULL) < 0 ||
        gnutls_credentials_set(sd->s, GNUTLS_CRD_CERTIFICATE, cred) < 0)
        fz_oom("open_side");
    gnutls_session_set_ptr(sd->s, ptr);
    gnutls_transport_set_ptr(sd->s, sd);
    gnutls_transport_set_push_function(sd->s, push);
    gnutls_transport_set_pull_function(sd->s, pull);
    gnutls_transport_set_pull_timeout_function(sd->s, pull_timeout);
}

void fz_stack_run(const fz_pair_conf *c, fz_pair_result *r)
{
    fz_io sio, cio;
    memset(&sio, 0, sizeof(sio));
    memset(&cio, 0, sizeof(cio));
    gnutls_certificate_credentials_t scred = server_cred(c, r);
    struct side server, client;
    open_side(&server, GNUTLS_SERVER, scred, c->tls13, &sio, NULL);
    open_side(&client, GNUTLS_CLIENT, client_cred, c->tls13, &cio, r);
    gnutls_certificate_server_set_request(server.s, fz_verify_peers ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_REQUEST);
    if (fz_verify_peers) { /* chain only, no host name: as the shim */
        gnutls_session_set_verify_cert(server.s, NULL, 0);
        gnutls_session_set_verify_cert(client.s, NULL, 0);
    }
    fz_pair_drive(c, r, step, &server, &sio, step, &client, &cio);
    gnutls_deinit(server.s);
    gnutls_deinit(client.s);
    gnutls_certificate_free_credentials(scred);
    cb_buf_free(&sio.in);
    cb_buf_free(&sio.out);
    cb_buf_free(&cio.in);
    cb_buf_free(&cio.out);
}
