/* botan.c — the Botan 2.19 glue of the per-stack fuzz targets, C half: it
 * speaks pair.h and drives the C++ half (botan.cc, Botan's TLS API) through
 * botan.h. TLS 1.2 only (Botan 2 has no TLS 1.3).
 *
 * Transport: Callbacks::tls_emit_data writes to fz_io; a step feeds every
 * waiting byte to Channel::received_data.
 * Server list: explicit = a Certificate_Store whose all_subjects() are the
 * DNs Botan decodes as X509_DN (the others are not configured); Botan
 * writes back each name's content octets inside a SEQUENCE header it
 * encodes itself (X509_DN::encode_into). trust = a
 * Certificate_Store_In_Memory of certificates made for the DNs
 * (common/fakecert.h). none = no store: Botan still sends a
 * CertificateRequest (the policy requests a certificate), with an empty
 * list, which client_cr's rewriter replaces.
 * Client list: find_cert_chain's acceptable_CAs, each as
 * X509_DN::BER_encode() returns it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "botan.h"
#include "creds.h"
#include "fakecert.h"
#include "fuzz.h"
#include "pair.h"

const char fz_stack[] = "botan";

int fz_stack_init(void)
{
    return fzb_init(fz_ca_cert, sizeof(fz_ca_cert), fz_server_cert, sizeof(fz_server_cert), fz_server_key,
                    sizeof(fz_server_key), fz_client_cert, sizeof(fz_client_cert), fz_client_key,
                    sizeof(fz_client_key), fz_verify_peers);
}

int fz_stack_supports(int tls13, enum fz_source source)
{
    return !tls13 && source != FZ_SRC_RAW;
}

static void io_write(void *ctx, const uint8_t *p, size_t n)
{
    fz_io_write(ctx, p, n);
}

static size_t io_read(void *ctx, uint8_t *p, size_t max)
{
    return fz_io_read(ctx, p, max);
}

static void list_begin(void *ctx)
{
    fz_pair_result *r = ctx;
    if (!r->cr_seen++)
        r->exposed = r->exposed_bytes = 1;
}

static void list_dn(void *ctx, const uint8_t *der, size_t len)
{
    fz_pair_result *r = ctx;
    if (r->cr_seen == 1 && cb_calist_push(&r->got, der, len, NULL) != 0)
        fz_oom("list_dn");
}

static enum fz_step step(void *side)
{
    int rc = fzb_step(side);
    return rc > 0 ? FZ_STEP_DONE : rc == 0 ? FZ_STEP_WANT : FZ_STEP_FAIL;
}

void fz_stack_run(const fz_pair_conf *c, fz_pair_result *r)
{
    fz_io sio, cio;
    memset(&sio, 0, sizeof(sio));
    memset(&cio, 0, sizeof(cio));
    size_t n = c->source == FZ_SRC_NONE ? 0 : c->list->count;
    const uint8_t **items = calloc(n ? n : 1, sizeof(*items));
    size_t *lens = calloc(n ? n : 1, sizeof(*lens));
    int *taken = calloc(n ? n : 1, sizeof(*taken));
    cb_buf *certs = calloc(n ? n : 1, sizeof(*certs));
    if (!items || !lens || !taken || !certs)
        fz_oom("fz_stack_run");
    for (size_t i = 0; i < n; i++) {
        const cb_dn *d = &c->list->dns[i];
        if (c->source == FZ_SRC_TRUST) {
            if (fz_fakecert(d->der, d->len, (uint32_t)i, &certs[i]) != 0)
                fz_oom("fz_stack_run");
            items[i] = certs[i].p;
            lens[i] = certs[i].len;
        } else {
            items[i] = d->der;
            lens[i] = d->len;
        }
    }
    enum fzb_list kind = c->source == FZ_SRC_NONE    ? FZB_LIST_NONE
                         : c->source == FZ_SRC_TRUST ? FZB_LIST_CERTS
                                                     : FZB_LIST_NAMES;
    fzb_io sx = {&sio, io_write, io_read}, cx = {&cio, io_write, io_read};
    fzb_list_hooks hooks = {r, list_begin, list_dn};
    void *server = fzb_server_new(sx, kind, items, lens, n, taken);
    void *client = server ? fzb_client_new(cx, hooks) : NULL;
    if (!client)
        fz_oom("fzb_*_new");
    for (size_t i = 0; i < n; i++)
        if (taken[i] && cb_calist_push(&r->configured, c->list->dns[i].der, c->list->dns[i].len, NULL) != 0)
            fz_oom("fz_stack_run");
    fz_pair_drive(c, r, step, server, &sio, step, client, &cio);
    const char *why = fzb_error(client)[0] ? fzb_error(client) : fzb_error(server);
    snprintf(r->why, sizeof(r->why), "%s", why);
    fzb_free(server);
    fzb_free(client);
    for (size_t i = 0; i < n; i++)
        cb_buf_free(&certs[i]);
    free(certs);
    free(taken);
    free(lens);
    free(items);
    cb_buf_free(&sio.in);
    cb_buf_free(&sio.out);
    cb_buf_free(&cio.in);
    cb_buf_free(&cio.out);
}
