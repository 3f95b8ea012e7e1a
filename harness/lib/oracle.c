#include "oracle.h"

#include <stdio.h>
#include <string.h>

static const char *const sv_names[] = {"full", "truncated", "empty", "omitted", "refused", "malformed", "unmeasured"};
static const char *const cv_names[] = {"selected", "sent-empty", "rejected", "aborted", "not-asked", "unmeasured"};
static const char *const rule_ids[] = {"CA-PREFIX", "REC-2E14", "SEL-ISSUER", "ALERT-ON-FAIL", "API-WIRE",
                                       "ALERT-PROTECTED"};
static const char *const rule_texts[] = {
    "the wire carries the configured list or a whole-DN prefix of it, in order",
    "no plaintext record is longer than 2^14 bytes (RFC 8446 5.1, RFC 5246 6.2.1)",
    ("a client choosing by issuer sends a certificate whose issuer is on the list it received, "
     "or an empty Certificate when none is"),
    ("a side whose handshake failed sends an alert before it closes, unless the peer's alert or close "
     "reached it first (RFC 8446 6.2, RFC 5246 7.2.2)"),
    "the DNs a client API exposes are the DNs that reached it, in order",
    ("in TLS 1.3 an alert sent once the sender sends under handshake keys is encrypted, not a plaintext "
     "record (RFC 8446 5, 6; the server from its ServerHello on, A.2; the client once it sent protected records)"),
};
static const int rule_sides[] = {CB_SIDE_SERVER, CB_SIDE_SERVER, CB_SIDE_CLIENT, -1, CB_SIDE_CLIENT, -1};

const char *cb_server_verdict_name(enum cb_server_verdict v) { return sv_names[v]; }
const char *cb_client_verdict_name(enum cb_client_verdict v) { return cv_names[v]; }
const char *cb_rule_id(enum cb_rule r) { return rule_ids[r]; }
const char *cb_rule_text(enum cb_rule r) { return rule_texts[r]; }

static int find(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

int cb_server_verdict_parse(const char *s) { return find(sv_names, 7, s); }
int cb_client_verdict_parse(const char *s) { return find(cv_names, 6, s); }
int cb_rule_parse(const char *s) { return find(rule_ids, CB_RULE_COUNT, s); }
const char *cb_side_name(enum cb_side s) { return s == CB_SIDE_SERVER ? "server" : "client"; }
int cb_rule_fixed_side(enum cb_rule r) { return rule_sides[r]; }

/* is_prefix: |p| is the first p->count DNs of |l|. */
static int is_prefix(const cb_calist *p, const cb_calist *l)
{
    if (p->count > l->count)
        return 0;
    for (size_t i = 0; i < p->count; i++)
        if (!cb_dn_equal(&p->dns[i], &l->dns[i]))
            return 0;
    return 1;
}

static void check(cb_oracle_out *o, enum cb_rule r, enum cb_side side) { o->checked[side] |= 1u << r; }

static void fail_side(cb_oracle_out *o, enum cb_rule r, enum cb_side side, const char *why)
{
    check(o, r, side);
    if (!(o->failed & (1u << r)))
        snprintf(o->why[r], sizeof(o->why[r]), "%s", why);
    o->failed |= 1u << r;
    if (o->n_hits < sizeof(o->hits) / sizeof(o->hits[0])) {
        cb_rule_hit *h = &o->hits[o->n_hits++];
        h->rule = r;
        h->side = side;
        snprintf(h->why, sizeof(h->why), "%s", why);
    }
}

/* fail records a hit of a rule that is always about one side. */
static void fail(cb_oracle_out *o, enum cb_rule r, const char *why) { fail_side(o, r, (enum cb_side)rule_sides[r], why); }

static void judge_server(const cb_oracle_in *in, cb_oracle_out *o)
{
    if (!in->wire_measured) {
        o->server = CB_SV_UNMEASURED;
        snprintf(o->server_detail, sizeof(o->server_detail), "wire: unavailable");
        return;
    }
    if (!in->cr_present && in->broken_at) {
        /* e.g. a record whose 16-bit length wrapped: what follows is garbage. */
        o->server = CB_SV_MALFORMED;
        snprintf(o->server_detail, sizeof(o->server_detail), "not a TLS record stream from byte %zu", in->broken_at - 1);
        check(o, CB_RULE_PREFIX, CB_SIDE_SERVER);
        fail(o, CB_RULE_PREFIX, o->server_detail);
        return;
    }
    if (!in->cr_present && in->cr_cut_have) {
        /* A CertificateRequest begun and never finished: the list on the
         * wire is no list at all, whatever the server did next. */
        o->server = CB_SV_MALFORMED;
        snprintf(o->server_detail, sizeof(o->server_detail),
                 "CertificateRequest cut: %zu of its %zu bytes, then the server's handshake bytes stop",
                 in->cr_cut_have, in->cr_cut_declared);
        check(o, CB_RULE_PREFIX, CB_SIDE_SERVER);
        fail(o, CB_RULE_PREFIX, o->server_detail);
        return;
    }
    if (!in->cr_present) {
        o->server = in->server_failed ? CB_SV_REFUSED : CB_SV_OMITTED;
        snprintf(o->server_detail, sizeof(o->server_detail), "%s",
                 in->server_failed ? "no CertificateRequest; the server failed" : "no CertificateRequest");
        return;
    }
    if (!in->list_present) {
        o->server = CB_SV_OMITTED;
        snprintf(o->server_detail, sizeof(o->server_detail), "CertificateRequest without certificate_authorities");
        return;
    }
    const cb_decoded *d = in->wire_list;
    const cb_calist *cfg = in->configured;
    check(o, CB_RULE_PREFIX, CB_SIDE_SERVER);
    if (in->ext_block_bad) {
        /* The list inside may be whole, but the message around it is not. */
        o->server = CB_SV_MALFORMED;
        snprintf(o->server_detail, sizeof(o->server_detail),
                 "extensions block length %zu, %zu bytes follow%s", in->ext_block_declared, in->ext_block_actual,
                 (in->ext_block_actual & 0xffff) == in->ext_block_declared ? " (wrapped)" : "");
        fail(o, CB_RULE_PREFIX, o->server_detail);
        return;
    }
    if (d->cls != CB_CLASS_WELL_FORMED && d->cls != CB_CLASS_EMPTY) {
        o->server = CB_SV_MALFORMED;
        snprintf(o->server_detail, sizeof(o->server_detail), "%s at offset %zu", cb_class_name(d->cls), d->bad_offset);
        /* A malformed encoding of a list we configured with bad DNs on
         * purpose is the list itself; only structure counts against it. */
        if (d->cls <= CB_CLASS_TRAILING || !is_prefix(&d->dns, cfg))
            fail(o, CB_RULE_PREFIX, o->server_detail);
        else
            o->server = cb_calist_equal(&d->dns, cfg) ? CB_SV_FULL : CB_SV_TRUNCATED;
    } else if (cb_calist_equal(&d->dns, cfg)) {
        o->server = cfg->count ? CB_SV_FULL : CB_SV_EMPTY;
        snprintf(o->server_detail, sizeof(o->server_detail), "%zu DNs, %zu list bytes", d->dns.count, d->parsed_bytes);
    } else if (d->dns.count == 0) {
        o->server = CB_SV_EMPTY;
        snprintf(o->server_detail, sizeof(o->server_detail), "empty list for %zu configured DNs", cfg->count);
    } else if (is_prefix(&d->dns, cfg)) {
        o->server = CB_SV_TRUNCATED;
        snprintf(o->server_detail, sizeof(o->server_detail), "%zu of %zu DNs, cut after %zu list bytes",
                 d->dns.count, cfg->count, d->parsed_bytes);
    } else {
        /* Same DNs in another order, or DNs that are not ours. */
        size_t known = 0;
        for (size_t i = 0; i < d->dns.count; i++)
            known += cb_calist_find(cfg, d->dns.dns[i].der, d->dns.dns[i].len) >= 0;
        o->server = CB_SV_MALFORMED;
        snprintf(o->server_detail, sizeof(o->server_detail), "%s: %zu of %zu DNs on the wire were configured",
                 known == d->dns.count ? "reordered" : "altered", known, d->dns.count);
        fail(o, CB_RULE_PREFIX, o->server_detail);
    }
}

/* judge_alerts: each side whose handshake failed, on its own account. A side
 * that closed before any alert or close of its peer reached it, without an
 * alert of its own, failed silently; a side that spoke or closed after one
 * reached it was reacting, which neither blames it nor excuses the peer. */
static void judge_alerts(const cb_oracle_in *in, cb_oracle_out *o)
{
    int failed[2] = {in->server_failed, in->client_failed};
    for (int s = 0; s < 2; s++) {
        const char *me = cb_side_name((enum cb_side)s), *peer = cb_side_name((enum cb_side)!s);
        char why[160];
        if (in->tls13 && in->plain_alert_after_keys[s]) {
            snprintf(why, sizeof(why), "the %s sent alert %d as a plaintext record after %s", me, in->alert_desc[s],
                     s == CB_SIDE_SERVER ? "its ServerHello" : "its own first protected record");
            fail_side(o, CB_RULE_ALERT_PROTECTED, (enum cb_side)s, why);
        } else if (in->tls13 && in->alert_desc[s] >= 0) {
            check(o, CB_RULE_ALERT_PROTECTED, (enum cb_side)s);
        }
        if (!failed[s] || in->fault[s])
            continue;
        switch (in->ending[s]) {
        case CB_END_SILENT:
            snprintf(why, sizeof(why), "the %s's handshake failed and it closed without an alert before the %s's alert or close reached it",
                     me, peer);
            fail_side(o, CB_RULE_ALERT, (enum cb_side)s, why);
            break;
        case CB_END_ALERTED:
        case CB_END_REACTED:
            check(o, CB_RULE_ALERT, (enum cb_side)s);
            break;
        default:
            break;
        }
    }
}

void cb_oracle_judge(const cb_oracle_in *in, cb_oracle_out *o)
{
    memset(o, 0, sizeof(*o));
    judge_server(in, o);

    if (in->wire_measured) {
        check(o, CB_RULE_RECORD_SIZE, CB_SIDE_SERVER);
        if (in->oversize_plain) {
            char why[160];
            snprintf(why, sizeof(why), "%zu plaintext record(s) over 16384 bytes", in->oversize_plain);
            fail(o, CB_RULE_RECORD_SIZE, why);
            if (o->server != CB_SV_MALFORMED) {
                o->server = CB_SV_MALFORMED;
                snprintf(o->server_detail, sizeof(o->server_detail), "record over 2^14");
            }
        }
    }

    /* The client's verdict. */
    if (in->cr_reached_client == CB_NO)
        o->client = CB_CV_NOT_ASKED;
    else if (in->client_sent_cert_msg == CB_YES || (!in->client_failed && in->sent_cert != -2))
        o->client = (in->client_failed && in->client_alert_sent == CB_YES) ? CB_CV_ABORTED
                    : in->sent_cert == -1                                 ? CB_CV_SENT_EMPTY
                    : in->sent_cert >= 0                                  ? CB_CV_SELECTED
                                                                          : CB_CV_UNMEASURED;
    else if (in->client_sent_cert_msg == CB_NO && in->cr_reached_client == CB_YES)
        o->client = in->client_failed || in->client_fault ? CB_CV_REJECTED : CB_CV_UNMEASURED;
    else
        o->client = CB_CV_UNMEASURED;

    if (in->by_issuer && in->client_got && in->cred_issuers && in->sent_cert != -2 &&
        (o->client == CB_CV_SELECTED || o->client == CB_CV_SENT_EMPTY)) {
        check(o, CB_RULE_SELECT, CB_SIDE_CLIENT);
        int expect = -1;
        for (size_t i = 0; i < in->cred_issuers->count && expect < 0; i++)
            if (cb_calist_find(in->client_got, in->cred_issuers->dns[i].der, in->cred_issuers->dns[i].len) >= 0)
                expect = (int)i;
        if (in->sent_cert >= 0 && (size_t)in->sent_cert < in->cred_issuers->count &&
            cb_calist_find(in->client_got, in->cred_issuers->dns[in->sent_cert].der,
                           in->cred_issuers->dns[in->sent_cert].len) < 0) {
            char why[160];
            snprintf(why, sizeof(why), "sent certificate %d, whose issuer is not on the list it received", in->sent_cert);
            fail(o, CB_RULE_SELECT, why);
        } else if (in->sent_cert == -1 && expect >= 0) {
            char why[160];
            snprintf(why, sizeof(why), "sent no certificate although certificate %d's issuer was on the list", expect);
            fail(o, CB_RULE_SELECT, why);
        }
    }

    judge_alerts(in, o);

    const cb_calist *wire = in->api_reference_list ? in->api_reference_list : in->client_got;
    if (in->api_exposed && in->api_list && wire) {
        check(o, CB_RULE_API_WIRE, CB_SIDE_CLIENT);
        if (!cb_calist_equal(in->api_list, wire)) {
            char why[160];
            snprintf(why, sizeof(why), "the API exposed %zu DNs, %zu reached the client%s%s%s", in->api_list->count,
                     wire->count, in->api_list->count == wire->count ? " (bytes differ)" : "",
                     in->api_reference ? "; reference: " : "", in->api_reference ? in->api_reference : "");
            fail(o, CB_RULE_API_WIRE, why);
        }
    }
}
