#include "timeline.h"

#include <stdio.h>
#include <string.h>

static size_t rec_end(const cb_record *r) { return r->offset + 5 + r->len; }

/* alert_at returns the alert carried by record |ri| of |d|, or NULL; |ai|
 * walks d->alerts, which are in record order. */
static const cb_tl_alert *alert_at(const cb_tl_dir *d, size_t ri, size_t *ai)
{
    while (*ai < d->n_alerts && d->alerts[*ai].record < ri)
        (*ai)++;
    return *ai < d->n_alerts && d->alerts[*ai].record == ri ? &d->alerts[*ai] : NULL;
}

void cb_timeline_sides(const cb_tl_io *io, size_t n_io, const cb_tl_dir *sent[2], const cb_tl_dir *got[2],
                       cb_tl_side out[2])
{
    size_t ri[2] = {0, 0}, ai[2] = {0, 0};
    for (int s = 0; s < 2; s++) {
        out[s] = (cb_tl_side){CB_TL_NONE, -1, 0, CB_TL_NONE, CB_TL_NONE, CB_TL_NONE, CB_TL_NONE,
                              sent[s]->read_until < sent[s]->n_records};
    }
    for (size_t k = 0; k < n_io; k++) {
        const cb_tl_io *e = &io[k];
        int s = e->side & 1;
        cb_tl_side *o = &out[s];
        switch (e->kind) {
        case CB_IO_READ:
            for (const cb_tl_dir *d = sent[s]; ri[s] < d->n_records && rec_end(&d->records[ri[s]]) <= e->off + e->len; ri[s]++) {
                const cb_tl_alert *a = alert_at(d, ri[s], &ai[s]);
                if (!a)
                    continue;
                if (a->desc == 0) {
                    if (o->close_notify == CB_TL_NONE)
                        o->close_notify = (long)k;
                } else if (o->alert == CB_TL_NONE) {
                    o->alert = (long)k;
                    o->alert_desc = a->desc;
                    o->alert_plain = a->plain;
                }
            }
            break;
        case CB_IO_EOF:
            if (o->closed == CB_TL_NONE)
                o->closed = (long)k;
            break;
        case CB_IO_WRITE: {
            /* The peer's first alert of any kind reached |s| with the write
             * that carried its last byte. */
            const cb_tl_dir *g = got[s];
            if (o->saw_peer == CB_TL_NONE && g->n_alerts && g->alerts[0].record < g->n_records &&
                rec_end(&g->records[g->alerts[0].record]) <= e->off + e->len)
                o->saw_peer = (long)k;
            if (o->saw_unread == CB_TL_NONE && g->read_until < g->n_records &&
                rec_end(&g->records[g->read_until]) <= e->off + e->len)
                o->saw_unread = (long)k;
            break;
        }
        case CB_IO_SHUT:
            if (o->saw_peer == CB_TL_NONE)
                o->saw_peer = (long)k;
            break;
        }
    }
}

static int before(long a, long b) { return a != CB_TL_NONE && (b == CB_TL_NONE || a < b); }

enum cb_tl_ending cb_timeline_ending(const cb_tl_side *s)
{
    if (before(s->alert, s->saw_peer))
        return s->alert_desc < 0 ? CB_END_UNKNOWN : CB_END_ALERTED;
    if (before(s->closed, s->saw_peer)) {
        /* Its own records may hide an alert, or the peer's unread ones may
         * have been one that it answered by closing. */
        if (s->unreadable || before(s->saw_unread, s->closed))
            return CB_END_UNKNOWN;
        return CB_END_SILENT;
    }
    if (s->saw_peer != CB_TL_NONE)
        return CB_END_REACTED;
    return CB_END_UNKNOWN;
}

long cb_timeline_io_of(const cb_tl_io *io, size_t n_io, int side, int write, size_t end)
{
    int kind = write ? CB_IO_WRITE : CB_IO_READ;
    for (size_t k = 0; k < n_io; k++)
        if (io[k].kind == kind && io[k].side == side && end > io[k].off && end <= io[k].off + io[k].len)
            return (long)k;
    return CB_TL_NONE;
}

static void label(const cb_record *r, const cb_tl_alert *a, char *out, size_t outlen)
{
    if (a) {
        if (a->desc < 0)
            snprintf(out, outlen, "alert:?/%s", a->plain ? "plain" : "enc");
        else
            snprintf(out, outlen, "alert:%d/%s", a->desc, a->plain ? "plain" : "enc");
        return;
    }
    switch (r->type) {
    case CB_CT_CHANGE_CIPHER_SPEC: snprintf(out, outlen, "ccs"); break;
    case CB_CT_ALERT: snprintf(out, outlen, "alert:?"); break;
    case CB_CT_HANDSHAKE: snprintf(out, outlen, "hs"); break;
    case CB_CT_APPLICATION_DATA: snprintf(out, outlen, "app"); break;
    default: snprintf(out, outlen, "ct%u", (unsigned)r->type); break;
    }
}

size_t cb_timeline_events(const cb_tl_io *io, size_t n_io, const cb_tl_dir *sent[2], cb_tl_event *ev, size_t max)
{
    size_t n = 0, ri[2] = {0, 0}, ai[2] = {0, 0}, run = 0;
    char last[40] = "";
    int last_side = -1;
    if (max < 2)
        return 0;
    for (size_t k = 0; k < n_io; k++) {
        const cb_tl_io *e = &io[k];
        int s = e->side & 1;
        const char who = s ? 'C' : 'S';
        if (e->kind == CB_IO_EOF) {
            if (n + 1 >= max)
                goto full;
            ev[n] = (cb_tl_event){e->t_ms, ""};
            snprintf(ev[n++].text, sizeof(ev[0].text), "%c fin", who);
            last_side = -1;
            continue;
        }
        if (e->kind != CB_IO_READ)
            continue;
        for (const cb_tl_dir *d = sent[s]; ri[s] < d->n_records && rec_end(&d->records[ri[s]]) <= e->off + e->len; ri[s]++) {
            char l[40];
            const cb_tl_alert *a = alert_at(d, ri[s], &ai[s]);
            label(&d->records[ri[s]], a, l, sizeof(l));
            if (!a && last_side == s && strcmp(l, last) == 0 && n) {
                snprintf(ev[n - 1].text, sizeof(ev[0].text), "%c %s*%zu", who, l, ++run);
                continue;
            }
            if (n + 1 >= max)
                goto full;
            ev[n] = (cb_tl_event){e->t_ms, ""};
            snprintf(ev[n++].text, sizeof(ev[0].text), "%c %s", who, l);
            snprintf(last, sizeof(last), "%s", l);
            last_side = a ? -1 : s;
            run = 1;
        }
    }
    return n;
full:
    ev[n] = (cb_tl_event){ev[n - 1].t_ms, "..."};
    return n + 1;
}
