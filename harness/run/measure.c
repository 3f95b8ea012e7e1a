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

static void take_cr(const cb_hs_msg *m, int tls13, cb_wire *w)
{
    w->cr_present = 1;
    w->cr_message_bytes = 4 + m->len;
    w->cr_records = m->last_record - m->first_record + 1;
    cb_parse_cr(m->body, m->len, tls13, &w->cr);
}

static void measure12(const cb_relay_result *r, const char *keylog, cb_wire *w, cb_stream *s2c, cb_stream *c2s)
{
    w->measured = 1;
    const cb_hs_msg *cr = find_msg(&s2c->hs, CB_HS_CERTIFICATE_REQUEST);
    if (cr)
        take_cr(cr, 0, w);
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
    if ((w->alert_from_server == CB_ALERT_OPAQUE || w->alert_from_client == CB_ALERT_OPAQUE) && keylog) {
        cb_keylog kl;
        char err[256];
        memset(&kl, 0, sizeof(kl));
        if (cb_keylog_read(keylog, &kl, err, sizeof(err)) == 0) {
            int as = w->alert_from_server, ac = w->alert_from_client;
            if (cb_tls12_alerts(c2s, s2c, &kl, &as, &ac) == 0) {
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
}

static int any_encrypted(const cb_stream *s)
{
    for (size_t i = 0; i < s->n_records; i++)
        if (s->records[i].type == CB_CT_APPLICATION_DATA)
            return 1;
    return 0;
}

static void measure13(const char *keylog, cb_wire *w, cb_stream *s2c, cb_stream *c2s)
{
    w->alert_from_server = plain_alert(s2c);
    w->alert_from_client = plain_alert(c2s);
    w->client_cert_msg = -1;
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
        const cb_hs_msg *cr = find_msg(&sd.hs, CB_HS_CERTIFICATE_REQUEST);
        if (cr)
            take_cr(cr, 1, w);
        w->max_record = sd.max_inner;
        w->oversize_plain = sd.oversize_inner;
        if (sd.alert >= 0)
            w->alert_from_server = sd.alert;
    }
    cb_tls13_decrypt(c2s, s2c, &kl, 0, &cd);
    if (cd.available) {
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
    if (tls13)
        measure13(keylog, out, &s2c, &c2s);
    else
        measure12(r, keylog, out, &s2c, &c2s);
    int oom = s2c.error || c2s.error;
    cb_stream_free(&s2c);
    cb_stream_free(&c2s);
    return oom ? -1 : 0;
}
