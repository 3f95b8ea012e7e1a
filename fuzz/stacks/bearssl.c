/* bearssl.c — the BearSSL 0.6 glue of the per-stack fuzz targets.
 *
 * Transport: the engine's record buffers (br_ssl_engine_sendrec_buf /
 * recvrec_buf) filled and drained over fz_io; each side has the buffer the
 * library documents for a full-duplex engine, BR_SSL_BUFSIZE_BIDI. TLS 1.2
 * only (BearSSL has no TLS 1.3).
 * Server list: explicit and raw = br_ssl_server_set_trust_anchor_names with
 * the DNs' bytes, unchecked (BearSSL copies them to the wire as they are:
 * copy-dn-chunk, src/ssl/ssl_hs_server.t0); trust = anchors made from
 * certificates (common/fakecert.h) with br_x509_decoder, given to
 * br_ssl_server_set_trust_anchor_names_alt (a DN whose certificate does not
 * decode is not configured). BearSSL sends no CertificateRequest at all
 * without a name (ta-names-total-length, ssl_hs_server.t0), so for the
 * client_cr target's rewritten TLS 1.2 flight (source none plus a
 * rewriter) the server is given one name, the fuzz CA's, for the rewriter
 * to replace.
 * Client list: a br_ssl_client_certificate_class whose name callbacks
 * collect the DNs exactly as the engine streams them; choose() marks the
 * list exposed and hands over BearSSL's own single-certificate handler
 * (br_ssl_client_set_single_ec), which ignores the names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "creds.h"
#include "fakecert.h"
#include "fuzz.h"
#include "pair.h"

const char fz_stack[] = "bearssl";

static br_x509_certificate server_chain, client_chain;
static br_skey_decoder_context server_key, client_key;
static br_x509_trust_anchor ca_anchor;
static cb_buf ca_dn;

static void buf_dest(void *ctx, const void *p, size_t n)
{
    if (cb_buf_put(ctx, p, n) != 0)
        fz_oom("buf_dest");
}

/* anchor_from decodes |der| into |ta| (its DN into |dn|). 0, or -1 when
 * BearSSL's decoder refuses the certificate. The key points into |dc|'s
 * copy, so |dc| must outlive |ta|. */
static int anchor_from(const uint8_t *der, size_t len, br_x509_decoder_context *dc, cb_buf *dn,
                       br_x509_trust_anchor *ta)
{
    br_x509_decoder_init(dc, buf_dest, dn);
    br_x509_decoder_push(dc, der, len);
    const br_x509_pkey *pk = br_x509_decoder_get_pkey(dc);
    if (!pk || dn->oom)
        return -1;
    ta->dn.data = dn->p;
    ta->dn.len = dn->len;
    ta->flags = br_x509_decoder_isCA(dc) ? BR_X509_TA_CA : 0;
    ta->pkey = *pk;
    return 0;
}

int fz_stack_init(void)
{
    static br_x509_decoder_context dc;
    server_chain.data = (unsigned char *)fz_server_cert;
    server_chain.data_len = sizeof(fz_server_cert);
    client_chain.data = (unsigned char *)fz_client_cert;
    client_chain.data_len = sizeof(fz_client_cert);
    br_skey_decoder_init(&server_key);
    br_skey_decoder_push(&server_key, fz_server_key, sizeof(fz_server_key));
    br_skey_decoder_init(&client_key);
    br_skey_decoder_push(&client_key, fz_client_key, sizeof(fz_client_key));
    if (br_skey_decoder_last_error(&server_key) || br_skey_decoder_last_error(&client_key) ||
        br_skey_decoder_key_type(&server_key) != BR_KEYTYPE_EC)
        return -1;
    return anchor_from(fz_ca_cert, sizeof(fz_ca_cert), &dc, &ca_dn, &ca_anchor);
}

int fz_stack_supports(int tls13, enum fz_source source)
{
    (void)source; /* none, explicit, trust and raw are all BearSSL's */
    return !tls13;
}

/* ---- the client's certificate handler ---------------------------------- */

struct ccert {
    const br_ssl_client_certificate_class *vtable;
    const br_ssl_client_certificate_class **inner;
    fz_pair_result *r;
    cb_buf name;
    int in_name;
};

static void c_start_list(const br_ssl_client_certificate_class **pctx)
{
    struct ccert *w = (struct ccert *)pctx;
    cb_calist_free(&w->r->got);
    cb_calist_init(&w->r->got);
}

static void c_start_name(const br_ssl_client_certificate_class **pctx, size_t len)
{
    struct ccert *w = (struct ccert *)pctx;
    (void)len;
    w->name.len = 0;
    w->in_name = 1;
}

static void c_append_name(const br_ssl_client_certificate_class **pctx, const unsigned char *data, size_t len)
{
    struct ccert *w = (struct ccert *)pctx;
    if (w->in_name && cb_buf_put(&w->name, data, len) != 0)
        fz_oom("c_append_name");
}

static void c_end_name(const br_ssl_client_certificate_class **pctx)
{
    struct ccert *w = (struct ccert *)pctx;
    static const uint8_t empty[1];
    if (w->in_name && cb_calist_push(&w->r->got, w->name.len ? w->name.p : empty, w->name.len, NULL) != 0)
        fz_oom("c_end_name");
    w->in_name = 0;
}

static void c_end_list(const br_ssl_client_certificate_class **pctx)
{
    (void)pctx;
}

static void c_choose(const br_ssl_client_certificate_class **pctx, const br_ssl_client_context *cc,
                     uint32_t auth_types, br_ssl_client_certificate *choices)
{
    struct ccert *w = (struct ccert *)pctx;
    if (!w->r->cr_seen++)
        w->r->exposed = w->r->exposed_bytes = 1;
    (*w->inner)->choose(w->inner, cc, auth_types, choices);
}

static uint32_t c_do_keyx(const br_ssl_client_certificate_class **pctx, unsigned char *data, size_t *len)
{
    struct ccert *w = (struct ccert *)pctx;
    return (*w->inner)->do_keyx(w->inner, data, len);
}

static size_t c_do_sign(const br_ssl_client_certificate_class **pctx, int hash_id, size_t hv_len,
                        unsigned char *data, size_t len)
{
    struct ccert *w = (struct ccert *)pctx;
    return (*w->inner)->do_sign(w->inner, hash_id, hv_len, data, len);
}

static const br_ssl_client_certificate_class ccert_vtable = {
    sizeof(struct ccert), c_start_list, c_start_name, c_append_name, c_end_name,
    c_end_list,           c_choose,     c_do_keyx,    c_do_sign,
};

/* ---- driving ------------------------------------------------------------ */

struct side {
    br_ssl_engine_context *eng;
    fz_io *io;
};

static enum fz_step step(void *arg)
{
    struct side *s = arg;
    for (;;) {
        unsigned st = br_ssl_engine_current_state(s->eng);
        if (st & BR_SSL_CLOSED)
            return FZ_STEP_FAIL; /* nothing closes before the handshake ends here */
        size_t len;
        if (st & BR_SSL_SENDREC) {
            unsigned char *buf = br_ssl_engine_sendrec_buf(s->eng, &len);
            fz_io_write(s->io, buf, len);
            br_ssl_engine_sendrec_ack(s->eng, len);
            continue;
        }
        if (st & BR_SSL_SENDAPP)
            return FZ_STEP_DONE; /* the handshake is over */
        if (st & BR_SSL_RECVREC) {
            unsigned char *buf = br_ssl_engine_recvrec_buf(s->eng, &len);
            size_t n = fz_io_read(s->io, buf, len);
            if (n == 0)
                return FZ_STEP_WANT;
            br_ssl_engine_recvrec_ack(s->eng, n);
            continue;
        }
        return FZ_STEP_WANT;
    }
}

static unsigned char sbuf[BR_SSL_BUFSIZE_BIDI], cbuf[BR_SSL_BUFSIZE_BIDI];

void fz_stack_run(const fz_pair_conf *c, fz_pair_result *r)
{
    static br_ssl_server_context sc;
    static br_ssl_client_context cc;
    static br_x509_minimal_context sxc, cxc;
    static struct ccert w;
    fz_io sio, cio;
    memset(&sio, 0, sizeof(sio));
    memset(&cio, 0, sizeof(cio));

    /* The server's list. */
    size_t n = c->source == FZ_SRC_NONE ? 0 : c->list->count;
    br_x500_name *names = calloc(n ? n : 1, sizeof(*names));
    br_x509_trust_anchor *tas = calloc(n ? n : 1, sizeof(*tas));
    br_x509_decoder_context *dcs = calloc(n ? n : 1, sizeof(*dcs));
    cb_buf *dns = calloc(n ? n : 1, sizeof(*dns));
    size_t ntas = 0;
    if (!names || !tas || !dcs || !dns)
        fz_oom("fz_stack_run");
    if (c->source == FZ_SRC_EXPLICIT || c->source == FZ_SRC_RAW) {
        for (size_t i = 0; i < n; i++) {
            names[i].data = c->list->dns[i].der;
            names[i].len = c->list->dns[i].len;
        }
        if (cb_calist_copy_prefix(&r->configured, c->list, n) != 0)
            fz_oom("fz_stack_run");
    } else if (c->source == FZ_SRC_TRUST) {
        cb_buf der;
        cb_buf_init(&der);
        for (size_t i = 0; i < n; i++) {
            const cb_dn *d = &c->list->dns[i];
            der.len = 0;
            if (fz_fakecert(d->der, d->len, (uint32_t)i, &der) != 0)
                fz_oom("fz_stack_run");
            if (anchor_from(der.p, der.len, &dcs[ntas], &dns[ntas], &tas[ntas]) == 0) {
                if (cb_calist_push(&r->configured, tas[ntas].dn.data, tas[ntas].dn.len, NULL) != 0)
                    fz_oom("fz_stack_run");
                ntas++;
            } else {
                cb_buf_free(&dns[ntas]);
            }
        }
        cb_buf_free(&der);
    } else if (c->rewrite) {
        names[0].data = ca_anchor.dn.data; /* a name for the rewriter to replace */
        names[0].len = ca_anchor.dn.len;
        n = 1;
    }

    br_ssl_server_init_full_ec(&sc, &server_chain, 1, BR_KEYTYPE_EC, br_skey_decoder_get_ec(&server_key));
    br_ssl_engine_set_versions(&sc.eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_default_ecdsa(&sc.eng);
    br_x509_minimal_init_full(&sxc, &ca_anchor, 1);
    br_ssl_engine_set_x509(&sc.eng, &sxc.vtable);
    if (c->source == FZ_SRC_TRUST)
        br_ssl_server_set_trust_anchor_names_alt(&sc, tas, ntas);
    else if (n)
        br_ssl_server_set_trust_anchor_names(&sc, names, n);
    if (!fz_verify_peers)
        br_ssl_engine_add_flags(&sc.eng, BR_OPT_TOLERATE_NO_CLIENT_AUTH);
    br_ssl_engine_set_buffer(&sc.eng, sbuf, sizeof(sbuf), 1);

    br_ssl_client_init_full(&cc, &cxc, &ca_anchor, 1);
    br_ssl_engine_set_versions(&cc.eng, BR_TLS12, BR_TLS12);
    br_ssl_client_set_single_ec(&cc, &client_chain, 1, br_skey_decoder_get_ec(&client_key), BR_KEYTYPE_SIGN,
                                BR_KEYTYPE_EC, br_ec_get_default(), br_ecdsa_sign_asn1_get_default());
    memset(&w, 0, sizeof(w));
    w.vtable = &ccert_vtable;
    w.inner = &cc.client_auth.single_ec.vtable;
    w.r = r;
    br_ssl_client_set_client_certificate(&cc, &w.vtable);
    br_ssl_engine_set_buffer(&cc.eng, cbuf, sizeof(cbuf), 1);

    if (!br_ssl_server_reset(&sc) || !br_ssl_client_reset(&cc, NULL, 0))
        fz_oom("br_ssl_*_reset");
    struct side server = {&sc.eng, &sio}, client = {&cc.eng, &cio};
    fz_pair_drive(c, r, step, &server, &sio, step, &client, &cio);
    int e = br_ssl_engine_last_error(&cc.eng);
    if (!e)
        e = br_ssl_engine_last_error(&sc.eng);
    if (e)
        snprintf(r->why, sizeof(r->why), "BearSSL error %d", e);
    for (size_t i = 0; i < ntas; i++)
        cb_buf_free(&dns[i]);
    cb_buf_free(&w.name);
    free(dns);
    free(dcs);
    free(tas);
    free(names);
    cb_buf_free(&sio.in);
    cb_buf_free(&sio.out);
    cb_buf_free(&cio.in);
    cb_buf_free(&cio.out);
}
