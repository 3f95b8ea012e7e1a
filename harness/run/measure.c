#include "measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keylog.h"
#include "record.h"
#include "tls12.h"
#include "tls13.h"

void cb_wire_free(cb_wire *w)
{
    cb_cr_info_free(&w->cr);
    cb_cr_info_free(&w->fwd);
    free(w->client_leaf);
    memset(w, 0, sizeof(*w));
}

static const cb_hs_msg *find_msg(const cb_hs_reasm *h, uint8_t type)
{
    for (size_t i = 0; i < h->count; i++)
        if (h->msgs[i].type == type)
            return &h->msgs[i];
    return NULL;
}

/* plain_alert returns the first plaintext alert of a stream: its description,
 * CB_ALERT_OPAQUE for an alert record after encryption began, or NONE. */
static int plain_alert(const cb_stream *s)
{
    int encrypted = 0;
    for (size_t i = 0; i < s->n_records; i++) {
        const cb_record *r = &s->records[i];
        if (r->type == CB_CT_CHANGE_CIPHER_SPEC || r->type == CB_CT_APPLICATION_DATA)
            encrypted = 1;
        if (r->type == CB_CT_ALERT)
            return (!encrypted && r->len == 2) ? r->payload[1] : CB_ALERT_OPAQUE;
    }
    return CB_ALERT_NONE;
}

/* read_certificate parses a Certificate message body. */
static void read_certificate(const cb_hs_msg *m, int tls13, cb_wire *w)
{
    const uint8_t *p = m->body;
    size_t len = m->len, off = 0;
    w->client_cert_msg = 1;
    if (tls13) {
        if (len < 1 || len < 1u + p[0])
            return;
        off = 1 + p[0];
    }
    if (len < off + 3)
        return;
    size_t total = cb_get_u24(p + off), end = off + 3 + total;
    off += 3;
    if (end > len)
        end = len;
    while (off + 3 <= end) {
        size_t cl = cb_get_u24(p + off);
        if (off + 3 + cl > end)
            break;
        if (w->client_certs == 0) {
            w->client_leaf = malloc(cl ? cl : 1);
            if (w->client_leaf) {
                memcpy(w->client_leaf, p + off + 3, cl);
                w->client_leaf_len = cl;
            }
        }
        w->client_certs++;
        off += 3 + cl;
        if (tls13) {
            if (off + 2 > end)
                break;
            off += 2 + cb_get_u16(p + off);
        }
    }
}

/* take_cut_cr notes a CertificateRequest whose bytes stop part-way: the
 * message still pending in |h| when the server's bytes end. */
static void take_cut_cr(const cb_hs_reasm *h, cb_wire *w)
{
    if (w->cr_present || h->pending_len == 0 || h->pending[0] != CB_HS_CERTIFICATE_REQUEST)
        return;
    w->cr_cut_have = h->pending_len;
    w->cr_cut_declared = h->pending_len >= 4 ? 4 + cb_get_u24(h->pending + 1) : 0;
}

static void take_cr(const cb_hs_msg *m, int tls13, cb_wire *w)
{
    w->cr_present = 1;
    w->cr_message_bytes = 4 + m->len;
    w->cr_records = m->last_record - m->first_record + 1;
    cb_parse_cr(m->body, m->len, tls13, &w->cr);
}

#define MAX_ALERTS 16

/* One direction's alerts as the timeline needs them. */
struct dir_alerts {
    cb_tl_alert a[MAX_ALERTS];
    size_t n;
    size_t read_until;
};

/* visible_alerts lists a direction's alert records by their outer type:
 * plaintext before its ChangeCipherSpec (TLS 1.2) or its first protected
 * record (1.3, where |stop13| ends the list there); after that, TLS 1.2's
 * descriptions come from |opened| (decrypted, by record index). */
static void visible_alerts(const cb_stream *s, int stop13, const cb_tl_alert *opened, size_t n_opened,
                           struct dir_alerts *d)
{
    int protected_ = 0;
    size_t oi = 0;
    d->n = 0;
    d->read_until = s->n_records;
    for (size_t i = 0; i < s->n_records; i++) {
        const cb_record *r = &s->records[i];
        if (r->type == CB_CT_APPLICATION_DATA || (!stop13 && r->type == CB_CT_CHANGE_CIPHER_SPEC)) {
            if (stop13 && r->type == CB_CT_APPLICATION_DATA) {
                d->read_until = i;
                return;
            }
            protected_ = 1;
        }
        if (r->type != CB_CT_ALERT || d->n == MAX_ALERTS)
            continue;
        cb_tl_alert a = {i, -1, -1, !protected_};
        if (!protected_ && r->len == 2) {
            a.level = r->payload[0];
            a.desc = r->payload[1];
        }
        while (protected_ && oi < n_opened && opened[oi].record < i)
            oi++;
        if (protected_ && oi < n_opened && opened[oi].record == i)
            a = opened[oi];
        d->a[d->n++] = a;
    }
}

static void measure12(const cb_relay_result *r, const char *keylog, cb_wire *w, cb_stream *s2c, cb_stream *c2s,
                      struct dir_alerts da[2])
{
    w->measured = 1;
    const cb_hs_msg *cr = find_msg(&s2c->hs, CB_HS_CERTIFICATE_REQUEST);
    if (cr)
        take_cr(cr, 0, w);
    take_cut_cr(&s2c->hs, w);
    for (size_t i = 0; i < s2c->n_records; i++) {
        if (s2c->records[i].type == CB_CT_CHANGE_CIPHER_SPEC)
            break;
        if (s2c->records[i].len > w->max_record)
            w->max_record = s2c->records[i].len;
    }
    w->oversize_plain = s2c->oversize_plain;
    if (r->rewritten) {
        cb_stream f;
        cb_stream_init(&f);
        cb_stream_feed(&f, r->s2c_fwd.p, r->s2c_fwd.len);
        const cb_hs_msg *m = find_msg(&f.hs, CB_HS_CERTIFICATE_REQUEST);
        if (m) {
            w->fwd_present = 1;
            cb_parse_cr(m->body, m->len, 0, &w->fwd);
        }
        cb_stream_free(&f);
    }
    const cb_hs_msg *cert = find_msg(&c2s->hs, 11);
    if (cert)
        read_certificate(cert, 0, w);
    else
        w->client_cert_msg = 0;
    w->alert_from_server = plain_alert(s2c);
    w->alert_from_client = plain_alert(c2s);
    /* Alerts after ChangeCipherSpec are encrypted: read them with the key
     * log's master secret when the shims logged it. */
    cb_tl_alert opened[2][MAX_ALERTS];
    size_t n_opened[2] = {0, 0};
    if ((w->alert_from_server == CB_ALERT_OPAQUE || w->alert_from_client == CB_ALERT_OPAQUE) && keylog) {
        cb_keylog kl;
        char err[256];
        memset(&kl, 0, sizeof(kl));
        if (cb_keylog_read(keylog, &kl, err, sizeof(err)) == 0) {
            int as = w->alert_from_server, ac = w->alert_from_client;
            if (cb_tls12_alert_list(c2s, s2c, &kl, &as, &ac, opened[0], &n_opened[0], opened[1], &n_opened[1],
                                    MAX_ALERTS) == 0) {
                /* A direction that decrypted replaces its opaque marker; a
                 * plaintext alert seen before CCS stays first. */
                if (w->alert_from_server == CB_ALERT_OPAQUE)
                    w->alert_from_server = as < 0 ? CB_ALERT_NONE : as;
                if (w->alert_from_client == CB_ALERT_OPAQUE)
                    w->alert_from_client = ac < 0 ? CB_ALERT_NONE : ac;
            }
            cb_keylog_free(&kl);
        }
    }
    visible_alerts(s2c, 0, opened[0], n_opened[0], &da[0]);
    visible_alerts(c2s, 0, opened[1], n_opened[1], &da[1]);
}

/* take_dir13 keeps a decrypted direction's alerts (plaintext ones included). */
static void take_dir13(const cb_tls13_dir *d, struct dir_alerts *out)
{
    out->n = d->n_alerts < MAX_ALERTS ? d->n_alerts : MAX_ALERTS;
    memcpy(out->a, d->alerts, out->n * sizeof(out->a[0]));
    out->read_until = d->read_until;
}

static int any_encrypted(const cb_stream *s)
{
    for (size_t i = 0; i < s->n_records; i++)
        if (s->records[i].type == CB_CT_APPLICATION_DATA)
            return 1;
    return 0;
}

static void measure13(const char *keylog, cb_wire *w, cb_stream *s2c, cb_stream *c2s, struct dir_alerts da[2])
{
    w->alert_from_server = plain_alert(s2c);
    w->alert_from_client = plain_alert(c2s);
    w->client_cert_msg = -1;
    visible_alerts(s2c, 1, NULL, 0, &da[0]);
    visible_alerts(c2s, 1, NULL, 0, &da[1]);
    if (!any_encrypted(s2c)) {
        /* The server never got to its encrypted flight: no CertificateRequest
         * was sent, and that much is known without secrets. */
        w->measured = 1;
        w->client_cert_msg = 0;
        return;
    }
    cb_keylog kl;
    char err[256];
    memset(&kl, 0, sizeof(kl));
    if (!keylog || cb_keylog_read(keylog, &kl, err, sizeof(err)) != 0) {
        snprintf(w->unavailable, sizeof(w->unavailable), "no key log%s%s", keylog ? ": " : "", keylog ? err : "");
        return;
    }
    cb_tls13_dir sd, cd;
    memset(&sd, 0, sizeof(sd));
    memset(&cd, 0, sizeof(cd));
    cb_tls13_decrypt(c2s, s2c, &kl, 1, &sd);
    if (!sd.available) {
        snprintf(w->unavailable, sizeof(w->unavailable), "server flight: %s", sd.reason);
    } else {
        w->measured = 1;
        take_dir13(&sd, &da[0]);
        const cb_hs_msg *cr = find_msg(&sd.hs, CB_HS_CERTIFICATE_REQUEST);
        if (cr)
            take_cr(cr, 1, w);
        take_cut_cr(&sd.hs, w);
        /* The plaintext ServerHello counts as well as the inner plaintexts. */
        w->max_record = sd.max_inner;
        for (size_t i = 0; i < s2c->n_records; i++)
            if (s2c->records[i].type == CB_CT_HANDSHAKE && s2c->records[i].len > w->max_record)
                w->max_record = s2c->records[i].len;
        w->oversize_plain = sd.oversize_inner;
        if (sd.alert >= 0)
            w->alert_from_server = sd.alert;
    }
    cb_tls13_decrypt(c2s, s2c, &kl, 0, &cd);
    if (cd.available) {
        take_dir13(&cd, &da[1]);
        const cb_hs_msg *cert = find_msg(&cd.hs, 11);
        if (cert)
            read_certificate(cert, 1, w);
        else
            w->client_cert_msg = 0;
        if (cd.alert >= 0)
            w->alert_from_client = cd.alert;
    } else if (!any_encrypted(c2s)) {
        w->client_cert_msg = 0;
    }
    cb_tls13_dir_free(&sd);
    cb_tls13_dir_free(&cd);
    cb_keylog_free(&kl);
}

/* first_plain_alert returns the index of a direction's first plaintext alert
 * record at or after |from|, or -1. */
static long first_plain_alert(const struct dir_alerts *d, size_t from)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->a[i].plain && d->a[i].record >= from)
            return (long)d->a[i].record;
    return -1;
}

static size_t rec_end(const cb_stream *s, size_t i) { return s->records[i].offset + 5 + s->records[i].len; }

/* The random a HelloRetryRequest carries instead of a ServerHello's (RFC 8446 4.1.3). */
static const uint8_t hrr_random[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                       0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                       0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

/* order lays the relay's log over both directions: who did what first
 * (timeline.h), the compact event list, and TLS 1.3 alerts sent in
 * plaintext when the sender already had keys. */
static void order(const cb_relay_result *r, int tls13, const cb_stream *s2c, const cb_stream *c2s,
                  const struct dir_alerts da[2], cb_wire *w)
{
    w->plain_after_keys[0] = w->plain_after_keys[1] = CB_TL_NONE;
    cb_tl_dir sent_s = {s2c->records, s2c->n_records, da[0].a, da[0].n, da[0].read_until};
    cb_tl_dir sent_c = {c2s->records, c2s->n_records, da[1].a, da[1].n, da[1].read_until};
    /* What the client got: the server's bytes, or the rewritten ones. */
    cb_stream f;
    cb_stream_init(&f);
    struct dir_alerts fa;
    memset(&fa, 0, sizeof(fa));
    cb_tl_dir got_c = sent_s;
    if (r->rewritten) {
        cb_stream_feed(&f, r->s2c_fwd.p, r->s2c_fwd.len);
        visible_alerts(&f, 0, NULL, 0, &fa);
        got_c = (cb_tl_dir){f.records, f.n_records, fa.a, fa.n, fa.read_until};
    }
    const cb_tl_dir *sent[2] = {&sent_s, &sent_c}, *got[2] = {&sent_c, &got_c};
    if (r->n_io) {
        cb_timeline_sides(r->io, r->n_io, sent, got, w->side);
        w->timeline_ok = 1;
        w->n_events = cb_timeline_events(r->io, r->n_io, sent, w->events, CB_WIRE_MAX_EVENTS);
    }
    for (int s = 0; s < 2; s++)
        w->alert_plain[s] = w->side[s].alert != CB_TL_NONE && w->side[s].alert_plain;
    if (tls13 && r->n_io) {
        /* Server: a plaintext alert after a ServerHello (not a HelloRetryRequest). */
        for (size_t i = 0; i < s2c->hs.count; i++) {
            const cb_hs_msg *m = &s2c->hs.msgs[i];
            if (m->type != 2 || m->len < 34 || memcmp(m->body + 2, hrr_random, 32) == 0)
                continue;
            long a = first_plain_alert(&da[0], m->last_record + 1);
            if (a >= 0)
                w->plain_after_keys[0] = cb_timeline_io_of(r->io, r->n_io, 0, 0, rec_end(s2c, (size_t)a));
            break;
        }
        /* Client: RFC 8446 A.1 turns its sending keys to handshake keys only
         * after it processed the server's Finished, a moment the bytes do
         * not show (the Finished often shares a record with the message the
         * client failed on). What they show: once the client itself sent a
         * protected record, a plaintext alert after it is a fault. */
        size_t p = 0;
        while (p < c2s->n_records && c2s->records[p].type != CB_CT_APPLICATION_DATA)
            p++;
        long a = first_plain_alert(&da[1], p + 1);
        if (p < c2s->n_records && a >= 0)
            w->plain_after_keys[1] = cb_timeline_io_of(r->io, r->n_io, 1, 0, rec_end(c2s, (size_t)a));
    }
    cb_stream_free(&f);
}

int cb_wire_measure(const cb_relay_result *r, int tls13, const char *keylog, cb_wire *out)
{
    memset(out, 0, sizeof(*out));
    out->alert_from_server = out->alert_from_client = CB_ALERT_NONE;
    cb_stream s2c, c2s;
    cb_stream_init(&s2c);
    cb_stream_init(&c2s);
    cb_stream_feed(&s2c, r->s2c.p, r->s2c.len);
    cb_stream_feed(&c2s, r->c2s.p, r->c2s.len);
    if (s2c.stop == CB_STREAM_NOT_TLS) {
        size_t end = s2c.n_records ? s2c.records[s2c.n_records - 1].offset + 5 + s2c.records[s2c.n_records - 1].len : 0;
        out->broken_at = end + 1;
    }
    struct dir_alerts da[2];
    memset(da, 0, sizeof(da));
    if (tls13)
        measure13(keylog, out, &s2c, &c2s, da);
    else
        measure12(r, keylog, out, &s2c, &c2s, da);
    order(r, tls13, &s2c, &c2s, da, out);
    int oom = s2c.error || c2s.error;
    cb_stream_free(&s2c);
    cb_stream_free(&c2s);
    return oom ? -1 : 0;
}
