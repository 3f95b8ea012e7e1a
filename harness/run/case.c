/* case.c — run one case end to end into one results line. */
#define _GNU_SOURCE
#include "case.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "codec.h"
#include "der.h"
#include "dn.h"
#include "dnsource.h"
#include "fileio.h"
#include "listfile.h"
#include "malform.h"
#include "measure.h"
#include "model.h"
#include "oracle.h"
#include "pki.h"
#include "relay.h"
#include "repro.h"
#include "utf8.h"
#include "stacks.h"

/* The client issuers depend only on their count and size, so one PKI serves
 * a whole run. */
#define ISSUER_SEED 0x636c69656e74ull

void cb_case_defaults(cb_case *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->suite, sizeof(c->suite), "adhoc");
    snprintf(c->name, sizeof(c->name), "pair");
    c->dn_min = 40;
    c->dn_max = 120;
    c->seed = 1;
    snprintf(c->source, sizeof(c->source), "explicit");
    snprintf(c->select, sizeof(c->select), "by-issuer");
    snprintf(c->verify, sizeof(c->verify), "require");
    c->n_creds = 1;
    snprintf(c->issuer_at[0], sizeof(c->issuer_at[0]), "last");
    c->issuer_size = 80;
    c->timeout_ms = 5000;
}

void cb_case_id(const cb_case *c, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/%s/%s>%s/%s", c->suite, c->name, c->server, c->client, c->tls13 ? "1.3" : "1.2");
}

void cb_case_repro(const cb_case *c, const char *cabound, char *out, size_t outlen)
{
    /* One definition of the command (repro.c): every word shell-quoted. */
    (void)cb_repro(c, cabound, out, outlen);
}

static void hex_digest(const void *data, size_t len, char out[17])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (int i = 0; i < 8; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

static int list_digest(const cb_calist *l, char out[17])
{
    cb_buf b;
    cb_buf_init(&b);
    for (size_t i = 0; i < l->count; i++) {
        cb_buf_u16(&b, l->dns[i].len);
        cb_buf_put(&b, l->dns[i].der, l->dns[i].len);
        if (l->dns[i].label)
            cb_buf_put(&b, l->dns[i].label, strlen(l->dns[i].label) + 1);
    }
    hex_digest(b.p ? (const void *)b.p : (const void *)"", b.len, out);
    int rc = b.oom ? -1 : 0;
    cb_buf_free(&b);
    return rc;
}

/* write_list stores |l| under work/lists/, named by content. */
static int write_list(cb_runner *r, const cb_calist *l, char *path, size_t pathlen, char *err, size_t errlen)
{
    char d[17];
    list_digest(l, d);
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/lists", r->work_dir);
    cb_mkdirs(dir);
    snprintf(path, pathlen, "%s/%s.calist", dir, d);
    if (access(path, R_OK) == 0)
        return 0;
    return cb_listfile_write(path, l, NULL, err, errlen);
}

static int load_cert_der(const char *path, cb_calist *out)
{
    const uint8_t *der;
    size_t len;
    char err[256];
    if (cb_pki_cert_der(path, &der, &len, err, sizeof(err)) != 0)
        return -1;
    return cb_calist_push(out, der, len, NULL);
}

static json_t *int_or_null(int v, int none) { return v == none ? json_null() : json_integer(v); }

static json_t *alert_json(int v) { return v >= 0 ? json_integer(v) : v == CB_ALERT_OPAQUE ? json_string("encrypted") : json_null(); }

/* obs_int reads an integer field of a shim observation; |none| when absent or null. */
static int obs_int(json_t *o, const char *key, int none)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_integer(v) ? (int)json_integer_value(v) : none;
}

static const char *obs_str(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* parse_reply turns a shim's reply into an observation or a fault. */
static json_t *parse_reply(const char *reply, char *fault, size_t faultlen)
{
    if (!reply)
        return NULL;
    json_error_t jerr;
    json_t *o = json_loads(reply, 0, &jerr);
    if (!o || !json_is_object(o) || !obs_str(o, "status")) {
        if (!fault[0])
            snprintf(fault, faultlen, "shim-error: garbage reply (%.40s)", reply);
        json_decref(o);
        return NULL;
    }
    const char *st = obs_str(o, "status");
    if (strcmp(st, "observed") != 0 && strcmp(st, "unsupported") != 0) {
        snprintf(fault, faultlen, "shim-error: %s: %.60s", st, obs_str(o, "reason") ? obs_str(o, "reason") : "");
        json_decref(o);
        return NULL;
    }
    return o;
}

static int tri(int v) { return v < 0 ? CB_UNKNOWN : v ? CB_YES : CB_NO; }

/* One case in flight: what preparing it made, what the exchange brought
 * back. The three stages share nothing else, so a worker can prepare the
 * next case and judge the last one while the shims run this one. */
struct cb_case_work {
    cb_case c;
    char id[512], repro[2048];
    unsigned no;
    cb_calist issuers, base, generated, configured, served, received, cred_der;
    cb_pki pki;
    cb_relay_result rr;
    cb_buf inject;
    int raw_inject;
    char listpath[4400], keylog[4300], recvd[4300];
    char *sreq, *creq;
};

void cb_case_work_free(cb_case_work *k)
{
    if (!k)
        return;
    free(k->sreq);
    free(k->creq);
    cb_buf_free(&k->inject);
    cb_relay_result_free(&k->rr);
    cb_pki_free(&k->pki);
    cb_calist_free(&k->issuers);
    cb_calist_free(&k->base);
    cb_calist_free(&k->generated);
    cb_calist_free(&k->configured);
    cb_calist_free(&k->served);
    cb_calist_free(&k->received);
    cb_calist_free(&k->cred_der);
    free(k);
}

int cb_case_prepare(cb_runner *r, const cb_case *c, unsigned slot_no, cb_case_work **work, char *err, size_t errlen)
{
    *work = NULL;
    cb_case_work *k = calloc(1, sizeof(*k));
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    k->c = *c;
    c = &k->c;
    int rc = -1;
    char *id = k->id;
    cb_case_id(c, k->id, sizeof(k->id));
    cb_case_repro(c, r->cabound, k->repro, sizeof(k->repro));
    cb_calist_init(&k->issuers);
    cb_calist_init(&k->base);
    cb_calist_init(&k->generated);
    cb_calist_init(&k->configured);
    cb_calist_init(&k->served);
    cb_calist_init(&k->received);
    cb_calist_init(&k->cred_der);
    cb_buf_init(&k->inject);
    k->no = ++r->case_no;
    cb_calist *issuers = &k->issuers, *base = &k->base, *generated = &k->generated, *configured = &k->configured,
              *served = &k->served, *cred_der = &k->cred_der;

    if (c->n_creds < 1 || c->n_creds > CB_MAX_CREDS || !cb_dn_possible(c->issuer_size) || c->issuer_size < CB_DN_MIN_WITH_ATTR) {
        snprintf(err, errlen, "%s: bad credentials (1..%d) or issuer size", id, CB_MAX_CREDS);
        goto done;
    }
    /* 1. The client issuers and the list. */
    cb_placement where[CB_MAX_CREDS];
    uint8_t dnbuf[65536];
    for (size_t i = 0; i < c->n_creds; i++) {
        char label[32];
        snprintf(label, sizeof(label), "real:client%zu", i);
        if (cb_dn_build(dnbuf, c->issuer_size, ISSUER_SEED, i) != 0 ||
            cb_calist_push(issuers, dnbuf, c->issuer_size, label) != 0 ||
            cb_placement_parse(c->issuer_at[i], &where[i]) != 0) {
            snprintf(err, errlen, "%s: bad issuer place \"%s\"", id, c->issuer_at[i]);
            goto done;
        }
    }
    if (c->base_list[0] && cb_dns_load(c->base_list, NULL, base, err, errlen) != 0)
        goto done;
    cb_listgen g = {c->list_bytes, c->dn_min, c->dn_max, c->seed, c->base_list[0] ? base : NULL, issuers, where};
    if (cb_listgen_build(&g, generated, err, errlen) != 0) {
        char tmp[400];
        snprintf(tmp, sizeof(tmp), "%s: %s", id, err);
        snprintf(err, errlen, "%s", tmp);
        goto done;
    }
    cb_model mtmp;
    const cb_model *model = NULL;
    if (c->model[0] && !(model = cb_model_find(c->model, &mtmp))) {
        snprintf(err, errlen, "%s: unknown model \"%s\"", id, c->model);
        goto done;
    }
    size_t keep = generated->count;
    if (model) {
        cb_model_result mr = cb_model_apply(model, generated, c->tls13 ? cb_cr13_overhead() : cb_cr12_overhead());
        keep = mr.kept;
    }
    cb_calist_copy_prefix(configured, generated, keep);
    /* What the server shim is handed: the configured list, or for a raw
     * server the malformed list itself. */
    int raw_inject = k->raw_inject = c->inject[0] && strcmp(c->source, "raw") == 0;
    if (c->inject[0] && !raw_inject && c->tls13) {
        snprintf(err, errlen, "%s: --inject in TLS 1.3 needs --source raw (the relay cannot rewrite an encrypted message)", id);
        goto done;
    }
    if (raw_inject) {
        if (cb_malform_list(c->inject, configured, served) != 0) {
            snprintf(err, errlen, "%s: malformation \"%s\" cannot be sent as raw DNs", id, c->inject);
            goto done;
        }
    } else {
        cb_calist_copy_prefix(served, configured, configured->count);
        if (c->inject[0] && cb_malform_vector(c->inject, configured, &k->inject) != 0) {
            snprintf(err, errlen, "%s: unknown malformation \"%s\"", id, c->inject);
            goto done;
        }
    }
    char *listpath = k->listpath;
    if (write_list(r, served, k->listpath, sizeof(k->listpath), err, errlen) != 0)
        goto done;

    /* 2. The PKI (cached across cases). */
    char pkidir[4200];
    snprintf(pkidir, sizeof(pkidir), "%s/pki", r->work_dir);
    /* Certificates behind the list: the trust store in trust-store mode, and
     * for an explicit list too, since some APIs take certificates (NSS's
     * SSL_SetTrustAnchors). A list of DNs that are not Names has none. */
    int all_names = 1;
    for (size_t i = 0; i < served->count && all_names; i++)
        all_names = served->dns[i].len > 0 && cb_der_name_valid(served->dns[i].der, served->dns[i].len);
    int want_pem = strcmp(c->source, "trust-store") == 0 || (strcmp(c->source, "explicit") == 0 && all_names);
    cb_pki_spec ps = {pkidir, issuers, want_pem ? served : NULL};
    cb_pki *pki = &k->pki;
    if (cb_pki_make(&ps, pki, err, errlen) != 0) {
        char tmp[400];
        snprintf(tmp, sizeof(tmp), "%s: PKI: %s", id, err);
        snprintf(err, errlen, "%s", tmp);
        goto done;
    }
    for (size_t i = 0; i < pki->n_clients; i++)
        load_cert_der(pki->client_cert[i], cred_der);

    /* 3. Requests. Cases in flight at once use different scratch files. */
    const char *scratch = cb_runner_scratch(r);
    char *keylog = k->keylog, *recvd = k->recvd;
    snprintf(k->keylog, sizeof(k->keylog), "%s/keylog-%u.txt", scratch, slot_no % CB_SCRATCH_SLOTS);
    snprintf(k->recvd, sizeof(k->recvd), "%s/received-%u.calist", scratch, slot_no % CB_SCRATCH_SLOTS);
    unlink(keylog);
    unlink(recvd);
    const char *tls = c->tls13 ? "1.3" : "1.2";
    json_t *sr = json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "contract", 1, "case", id, "role",
                           "server", "tls", tls, "cert", pki->server_cert, "key", pki->server_key, "trust",
                           pki->client_cas, "calist_source", c->source, "calist", listpath, "keylog", keylog,
                           "timeout_ms", c->timeout_ms);
    json_object_set_new(sr, "verify", json_string(c->verify));
    if (pki->list_pem)
        json_object_set_new(sr, "calist_pem", json_string(pki->list_pem));
    json_t *creds = json_array();
    for (size_t i = 0; i < pki->n_clients; i++)
        json_array_append_new(creds, json_pack("{s:s,s:s}", "cert", pki->client_cert[i], "key", pki->client_key[i]));
    json_t *cr = json_pack("{s:i,s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:i}", "contract", 1, "case", id, "role",
                           "client", "tls", tls, "client_creds", creds, "trust", pki->server_ca, "select",
                           c->select, "keylog", keylog, "received_out", recvd, "timeout_ms", c->timeout_ms);
    if (cb_stack_is_app(c->server))
        json_object_set_new(cr, "app_request", json_string(CB_APP_REQUEST));
    k->sreq = json_dumps(sr, JSON_COMPACT);
    k->creq = json_dumps(cr, JSON_COMPACT);
    json_decref(sr);
    json_decref(cr);
    rc = k->sreq && k->creq ? 0 : (snprintf(err, errlen, "%s: out of memory", id), -1);
done:
    if (rc == 0)
        *work = k;
    else
        cb_case_work_free(k);
    return rc;
}

int cb_case_exchange(cb_runner *r, cb_case_work *k, char *err, size_t errlen)
{
    const cb_case *c = &k->c;
    const char *id = k->id;
    /* 4. The handshake through the relay. */
    cb_shimproc *sp = cb_runner_slot(r, c->server, 0), *cp = cb_runner_slot(r, c->client, 1);
    if (access(sp->path, X_OK) != 0 || access(cp->path, X_OK) != 0) {
        snprintf(err, errlen, "%s: no shim for stack \"%s\" (%s)", id,
                 access(sp->path, X_OK) != 0 ? c->server : c->client,
                 access(sp->path, X_OK) != 0 ? sp->path : cp->path);
        return -1;
    }
    cb_relay_opts ro = {c->timeout_ms + 2000, k->inject.len ? k->inject.p : NULL, k->inject.len};
    int rc = cb_relay_run(sp, k->sreq, cp, k->creq, &ro, &k->rr, err, errlen);
    cb_runner_sweep(r);
    return rc;
}

void cb_case_requests(const cb_case_work *k, const char **server_request, const char **client_request)
{
    *server_request = k->sreq;
    *client_request = k->creq;
}

void cb_case_take_exchange(cb_case_work *k, cb_relay_result *rr)
{
    cb_relay_result_free(&k->rr);
    k->rr = *rr;
    memset(rr, 0, sizeof(*rr));
}

int cb_case_judge(cb_runner *r, cb_case_work *k, json_t **result, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    const cb_case *c = &k->c;
    const char *id = k->id, *repro = k->repro, *keylog = k->keylog, *recvd = k->recvd;
    const char *tls = c->tls13 ? "1.3" : "1.2";
    unsigned no = k->no;
    int raw_inject = k->raw_inject;
    cb_calist *issuers = &k->issuers, *generated = &k->generated, *configured = &k->configured,
              *served = &k->served, *received = &k->received, *cred_der = &k->cred_der;
    cb_relay_result *rr = &k->rr;
    cb_wire w;
    memset(&w, 0, sizeof(w));
    json_t *sobs = NULL, *cobs = NULL, *out = NULL;
    sobs = parse_reply(rr->server_reply, rr->server_fault, sizeof(rr->server_fault));
    cobs = parse_reply(rr->client_reply, rr->client_fault, sizeof(rr->client_fault));
    if (!rr->server_reply && !rr->server_fault[0])
        snprintf(rr->server_fault, sizeof(rr->server_fault), "shim-error: no reply");
    if (!rr->client_reply && !rr->client_fault[0])
        snprintf(rr->client_fault, sizeof(rr->client_fault), "shim-error: no reply");

    /* 5. Measure and judge. */
    cb_wire_measure(rr, c->tls13, keylog, &w);
    const char *sstatus = obs_str(sobs, "status"), *cstatus = obs_str(cobs, "status");
    int unsupported = (sstatus && strcmp(sstatus, "unsupported") == 0) || (cstatus && strcmp(cstatus, "unsupported") == 0);
    int s_ok = sobs && obs_str(sobs, "handshake") && strcmp(obs_str(sobs, "handshake"), "ok") == 0;
    int c_ok = cobs && obs_str(cobs, "handshake") && strcmp(obs_str(cobs, "handshake"), "ok") == 0;
    json_t *crecv = cobs ? json_object_get(cobs, "received") : NULL;
    int api_exposed = crecv && json_is_true(json_object_get(crecv, "exposed"));
    if (api_exposed) {
        char e2[256];
        if (cb_listfile_read(recvd, received, e2, sizeof(e2)) != 0)
            api_exposed = 0;
    }
    int sent = -2;
    const char *sent_src = NULL;
    if (w.client_cert_msg == 1) {
        sent = w.client_certs == 0 ? -1 : -2;
        for (size_t i = 0; w.client_leaf && i < cred_der->count && sent == -2; i++)
            if (cred_der->dns[i].len == w.client_leaf_len && memcmp(cred_der->dns[i].der, w.client_leaf, w.client_leaf_len) == 0)
                sent = (int)i;
        sent_src = "wire";
    } else if (w.client_cert_msg == -1 && obs_int(cobs, "sent_cert", -2) != -2) {
        sent = obs_int(cobs, "sent_cert", -2);
        sent_src = "shim";
    }
    const cb_decoded *got = w.fwd_present ? &w.fwd.list : (w.cr_present && w.cr.has_list ? &w.cr.list : NULL);
    /* close_notify (0) ends every connection and is no failure signal; an
     * alert encrypted under TLS 1.2 keys has an unknown description. */
    int alerts_known = w.measured && (!c->tls13 || w.client_cert_msg != -1);
    int s_alert = obs_int(sobs, "alert_sent", -1), c_alert = obs_int(cobs, "alert_sent", -1);
    /* The client aborted on its own when the server got a fatal alert from
     * it; a client that fails after the server gave up is not "aborted". */
    int s_recv = obs_int(sobs, "alert_received", -1);
    json_t *sexp = sobs ? json_object_get(sobs, "alerts_exposed") : NULL;
    int client_alert = s_recv > 0                                                   ? CB_YES
                       : json_is_true(sexp)                                         ? CB_NO
                       : w.alert_from_client > 0                                    ? CB_YES
                       : (alerts_known && w.alert_from_client != CB_ALERT_OPAQUE) ? CB_NO
                                                                                  : CB_UNKNOWN;
    cb_oracle_in oi = {0};
    oi.tls13 = c->tls13;
    /* A raw server is handed the malformed list on purpose: that is what it
     * was configured with. */
    oi.configured = raw_inject ? served : configured;
    oi.wire_measured = w.measured;
    oi.cr_present = w.cr_present;
    oi.cr_cut_declared = w.cr_cut_declared;
    oi.cr_cut_have = w.cr_cut_have;
    oi.list_present = w.cr_present && w.cr.has_list;
    oi.wire_list = &w.cr.list;
    oi.oversize_plain = w.oversize_plain;
    oi.broken_at = w.broken_at;
    oi.ext_block_bad = w.cr_present && c->tls13 && w.cr.ext_block_bad;
    oi.ext_block_declared = w.cr.ext_block_declared;
    oi.ext_block_actual = w.cr.ext_block_actual;
    oi.server_failed = !s_ok;
    oi.client_got = got ? &got->dns : NULL;
    oi.cr_reached_client = w.measured ? (w.cr_present ? CB_YES : CB_NO) : CB_UNKNOWN;
    oi.client_failed = !c_ok;
    oi.client_fault = rr->client_fault[0] != 0;
    oi.client_sent_cert_msg = tri(w.client_cert_msg);
    oi.sent_cert = sent;
    oi.client_alert_sent = client_alert;
    oi.by_issuer = strcmp(c->select, "by-issuer") == 0;
    oi.cred_issuers = issuers;
    /* A malformed list is compared with the whole DNs its own length fields
     * delimit: what a parser that keeps going would take from those bytes. */
    char api_ref[128] = "";
    cb_calist ref;
    cb_calist_init(&ref);
    if (got && got->cls != CB_CLASS_WELL_FORMED && got->cls != CB_CLASS_EMPTY) {
        /* What a parser that honours the vector's own length takes: the
         * whole DNs inside the declared outer length (a wrapped length
         * declares fewer bytes than follow), in order. */
        size_t k = 0, end = 0;
        while (k < got->dns.count && end + 2 + got->dns.dns[k].len <= got->outer_len)
            end += 2 + got->dns.dns[k++].len;
        cb_calist_copy_prefix(&ref, &got->dns, k);
        snprintf(api_ref, sizeof(api_ref), "the %zu whole DNs inside the declared outer length %zu (%s at offset %zu)",
                 k, got->outer_len, cb_class_name(got->cls), got->bad_offset);
    }
    oi.api_exposed = api_exposed && got;
    oi.api_list = received;
    oi.api_reference = api_ref[0] ? api_ref : NULL;
    oi.api_reference_list = api_ref[0] ? &ref : NULL;
    oi.fault[0] = rr->server_fault[0] != 0;
    oi.fault[1] = rr->client_fault[0] != 0;
    for (int s = 0; s < 2; s++) {
        oi.ending[s] = w.timeline_ok ? (int)cb_timeline_ending(&w.side[s]) : CB_END_UNKNOWN;
        oi.alert_desc[s] = w.timeline_ok ? w.side[s].alert_desc : -1;
        oi.plain_alert_after_keys[s] = w.plain_after_keys[s] != CB_TL_NONE;
    }
    cb_oracle_out oo;
    cb_oracle_judge(&oi, &oo);
    cb_calist_free(&ref);

    /* 6. The results line. */
    out = json_object();
    json_object_set_new(out, "case", json_string(id));
    json_object_set_new(out, "suite", json_string(c->suite));
    json_object_set_new(out, "name", json_string(c->name));
    json_object_set_new(out, "server", json_string(c->server));
    json_object_set_new(out, "client", json_string(c->client));
    json_object_set_new(out, "tls", json_string(tls));
    json_object_set_new(out, "seed", json_integer((json_int_t)c->seed));
    json_object_set_new(out, "list_bytes", json_integer((json_int_t)cb_calist_list_bytes(configured)));
    json_object_set_new(out, "dns_configured", json_integer((json_int_t)configured->count));
    json_object_set_new(out, "generated_list_bytes", json_integer((json_int_t)cb_calist_list_bytes(generated)));
    json_object_set_new(out, "model", c->model[0] ? json_string(c->model) : json_null());
    json_object_set_new(out, "source", json_string(c->source));
    json_object_set_new(out, "select", json_string(c->select));
    json_t *ia = json_array();
    for (size_t i = 0; i < c->n_creds; i++)
        json_array_append_new(ia, json_string(c->issuer_at[i]));
    json_object_set_new(out, "issuer_at", ia);
    json_t *ion = json_array();
    for (size_t i = 0; i < c->n_creds; i++)
        json_array_append_new(ion, json_boolean(cb_calist_find(configured, issuers->dns[i].der, issuers->dns[i].len) >= 0));
    json_object_set_new(out, "issuer_configured", ion);
    json_object_set_new(out, "inject", c->inject[0] ? json_string(c->inject) : json_null());
    json_object_set_new(out, "wire", json_string(w.measured ? "measured" : "unavailable"));
    if (!w.measured)
        json_object_set_new(out, "wire_reason", json_string(w.unavailable));
    json_object_set_new(out, "cr_message_bytes", w.cr_present ? json_integer((json_int_t)w.cr_message_bytes) : json_null());
    int haslist = w.cr_present && w.cr.has_list;
    json_object_set_new(out, "wire_list_bytes", haslist ? json_integer((json_int_t)w.cr.list.parsed_bytes) : json_null());
    json_object_set_new(out, "wire_outer_len", haslist ? json_integer((json_int_t)w.cr.list.outer_len) : json_null());
    json_object_set_new(out, "dns_on_wire", haslist ? json_integer((json_int_t)w.cr.list.dns.count) : json_null());
    json_object_set_new(out, "wire_class", haslist ? json_string(cb_class_name(w.cr.list.cls)) : json_null());
    json_object_set_new(out, "records", w.cr_present ? json_integer((json_int_t)w.cr_records) : json_null());
    json_object_set_new(out, "max_record", w.measured ? json_integer((json_int_t)w.max_record) : json_null());
    if (w.fwd_present) {
        json_object_set_new(out, "client_got_class", json_string(cb_class_name(w.fwd.list.cls)));
        json_object_set_new(out, "client_got_dns", json_integer((json_int_t)w.fwd.list.dns.count));
    }
    json_object_set_new(out, "server_verdict", json_string(unsupported ? "unsupported" : cb_server_verdict_name(oo.server)));
    json_object_set_new(out, "server_detail", json_string(oo.server_detail));
    json_object_set_new(out, "client_verdict", json_string(unsupported ? "unsupported" : cb_client_verdict_name(oo.client)));
    json_object_set_new(out, "selected", sent == -2 ? json_null() : json_integer(sent));
    json_object_set_new(out, "selected_source", sent_src ? json_string(sent_src) : json_null());
    json_object_set_new(out, "handshake", json_string(s_ok && c_ok ? "ok" : "failed"));
    json_object_set_new(out, "alerts",
                        json_pack("{s:o,s:o,s:o,s:o,s:b,s:b}", "server_sent", int_or_null(s_alert, -1), "client_sent",
                                  int_or_null(c_alert, -1), "wire_from_server", alert_json(w.alert_from_server),
                                  "wire_from_client", alert_json(w.alert_from_client), "server_plaintext",
                                  w.alert_plain[0], "client_plaintext", w.alert_plain[1]));
    json_object_set_new(out, "client_received",
                        api_exposed ? json_pack("{s:b,s:I,s:I}", "exposed", 1, "count", (json_int_t)received->count,
                                                "list_bytes", (json_int_t)cb_calist_list_bytes(received))
                                    : json_pack("{s:b}", "exposed", 0));
    json_t *rules = json_array(), *details = json_object(), *hits = json_array();
    json_t *checked = json_pack("{s:[],s:[]}", "server", "client");
    for (int i = 0; i < CB_RULE_COUNT && !unsupported; i++) {
        if (oo.failed & (1u << i)) {
            json_array_append_new(rules, json_string(cb_rule_id((enum cb_rule)i)));
            json_object_set_new(details, cb_rule_id((enum cb_rule)i), json_string(oo.why[i]));
        }
        for (int sd = 0; sd < 2; sd++)
            if (oo.checked[sd] & (1u << i))
                json_array_append_new(json_object_get(checked, cb_side_name((enum cb_side)sd)),
                                      json_string(cb_rule_id((enum cb_rule)i)));
    }
    for (size_t i = 0; i < oo.n_hits && !unsupported; i++)
        json_array_append_new(hits, json_pack("{s:s,s:s,s:s}", "rule", cb_rule_id(oo.hits[i].rule), "side",
                                              cb_side_name(oo.hits[i].side), "why", oo.hits[i].why));
    json_object_set_new(out, "rule_hits", hits);
    json_t *tl = json_array();
    for (size_t i = 0; i < w.n_events; i++)
        json_array_append_new(tl, json_sprintf("%.3f %s", w.events[i].t_ms, w.events[i].text));
    json_object_set_new(out, "timeline", tl);
    json_object_set_new(out, "rules", rules);
    json_object_set_new(out, "rules_checked", checked);
    json_object_set_new(out, "rule_details", details);
    /* A fault text carries bytes from the shim; JSON takes only UTF-8. */
    cb_utf8_clean(rr->server_fault);
    cb_utf8_clean(rr->client_fault);
    if (rr->server_fault[0] || rr->client_fault[0])
        json_object_set_new(out, "fault", json_pack("{s:o,s:o}", "server", rr->server_fault[0] ? json_string(rr->server_fault) : json_null(),
                                                    "client", rr->client_fault[0] ? json_string(rr->client_fault) : json_null()));
    else
        json_object_set_new(out, "fault", json_null());
    if (unsupported) {
        const char *why = (sstatus && strcmp(sstatus, "unsupported") == 0) ? obs_str(sobs, "reason") : obs_str(cobs, "reason");
        json_object_set_new(out, "unsupported", json_string(why ? why : "unsupported"));
    }
    json_object_set_new(out, "server_version", obs_str(sobs, "version") ? json_string(obs_str(sobs, "version")) : json_null());
    json_object_set_new(out, "client_version", obs_str(cobs, "version") ? json_string(obs_str(cobs, "version")) : json_null());
    json_object_set_new(out, "server_library", obs_str(sobs, "library") ? json_string(obs_str(sobs, "library")) : json_null());
    json_object_set_new(out, "client_library", obs_str(cobs, "library") ? json_string(obs_str(cobs, "library")) : json_null());
    json_t *se = sobs ? json_object_get(sobs, "error") : NULL, *ce = cobs ? json_object_get(cobs, "error") : NULL;
    json_object_set(out, "server_error", se ? se : json_null());
    json_object_set(out, "client_error", ce ? ce : json_null());

    /* Captures: for cases that fail a rule or fault, or always on request. */
    int capture = r->keep_captures == 2 || (r->keep_captures == 1 && (oo.failed || rr->server_fault[0] || rr->client_fault[0]));
    if (capture && !unsupported)
        cb_capture_write(r->out_dir, id, no, rr, keylog, out);
    json_object_set_new(out, "repro", json_string(repro));
    json_object_set_new(out, "time_ms", json_real((double)(long)(rr->elapsed_ms * 1000) / 1000.0));
    json_object_set_new(out, "server_handshake_us", json_integer(obs_int(sobs, "handshake_us", 0)));
    json_object_set_new(out, "client_handshake_us", json_integer(obs_int(cobs, "handshake_us", 0)));
    *result = out;
    json_decref(sobs);
    json_decref(cobs);
    cb_wire_free(&w);
    return 0;
}

int cb_case_run(cb_runner *r, const cb_case *c, json_t **result, char *err, size_t errlen)
{
    cb_case_work *k;
    if (cb_case_prepare(r, c, 0, &k, err, errlen) != 0)
        return -1;
    int rc = cb_case_exchange(r, k, err, errlen) == 0 && cb_case_judge(r, k, result, err, errlen) == 0 ? 0 : -1;
    cb_case_work_free(k);
    return rc;
}
