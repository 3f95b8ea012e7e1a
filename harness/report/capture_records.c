/* capture_records.c — TLS record headers out of a case's pcap (see
 * capture_records.h). Each direction's TCP payload is joined in capture order
 * (the harness writes no retransmission or reordering) and cut into records;
 * both directions are then merged in the order their headers' packets came. */
/* libpcap's headers use the BSD types u_char and u_int, which glibc hides
 * in the strict POSIX mode the project compiles in. */
#define _DEFAULT_SOURCE
#include "capture_records.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define SERVER_PORT 443

/* One direction's bytes, and where each packet's payload starts in them. */
typedef struct stream {
    uint8_t *b;
    size_t n, cap;
    size_t *pkt_off;  /* payload offset of each packet of this direction */
    size_t *pkt_no;   /* its number in the capture */
    double *pkt_ms;
    size_t np, pcap_; /* packets held, and room for */
} stream;

static int stream_add(stream *s, const uint8_t *p, size_t len, size_t pkt_no, double ms, int *cut)
{
    if (s->n + len > CB_CAPTURE_MAX_BYTES) {
        *cut = 1;
        return 0;
    }
    if (s->n + len > s->cap) {
        size_t ncap = s->cap ? s->cap : 65536;
        while (ncap < s->n + len)
            ncap *= 2;
        uint8_t *nb = realloc(s->b, ncap);
        if (!nb)
            return -1;
        s->b = nb;
        s->cap = ncap;
    }
    if (s->np == s->pcap_) {
        size_t nc = s->pcap_ ? s->pcap_ * 2 : 64;
        size_t *no = realloc(s->pkt_off, nc * sizeof(*no));
        if (!no)
            return -1;
        s->pkt_off = no;
        size_t *nn = realloc(s->pkt_no, nc * sizeof(*nn));
        if (!nn)
            return -1;
        s->pkt_no = nn;
        double *nm = realloc(s->pkt_ms, nc * sizeof(*nm));
        if (!nm)
            return -1;
        s->pkt_ms = nm;
        s->pcap_ = nc;
    }
    s->pkt_off[s->np] = s->n;
    s->pkt_no[s->np] = pkt_no;
    s->pkt_ms[s->np++] = ms;
    memcpy(s->b + s->n, p, len);
    s->n += len;
    return 0;
}

static void stream_free(stream *s)
{
    free(s->b);
    free(s->pkt_off);
    free(s->pkt_no);
    free(s->pkt_ms);
}

/* The packet that carried byte |off| of |s|. */
static size_t packet_of(const stream *s, size_t off)
{
    size_t lo = 0, hi = s->np;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->pkt_off[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

typedef struct rec_at {
    cb_cap_record r;
    size_t pkt_no, seq; /* seq keeps the order of records inside one packet */
} rec_at;

static int rec_cmp(const void *a, const void *b)
{
    const rec_at *x = a, *y = b;
    if (x->pkt_no != y->pkt_no)
        return x->pkt_no < y->pkt_no ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Cuts |s| into records appended to |*v|. */
static int records_of(const stream *s, int from_server, rec_at **v, size_t *n, size_t *cap, int *cut)
{
    size_t off = 0;
    while (off + 5 <= s->n) {
        size_t len = ((size_t)s->b[off + 3] << 8) | s->b[off + 4];
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            rec_at *nv = realloc(*v, nc * sizeof(*nv));
            if (!nv)
                return -1;
            *v = nv;
            *cap = nc;
        }
        size_t p = packet_of(s, off);
        rec_at *r = &(*v)[(*n)++];
        r->pkt_no = s->pkt_no[p];
        r->seq = *n;
        r->r.from_server = from_server;
        r->r.type = s->b[off];
        r->r.len = len;
        r->r.t_ms = s->pkt_ms[p];
        r->r.alert_level = r->r.alert_desc = -1;
        if (r->r.type == 21 && len == 2 && off + 7 <= s->n) {
            r->r.alert_level = s->b[off + 5];
            r->r.alert_desc = s->b[off + 6];
        }
        off += 5 + len;
    }
    if (off != s->n)
        *cut = 1; /* a record header or body the capture does not hold */
    return 0;
}

int cb_capture_read(const char *path, cb_capture *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline(path, perr);
    if (!p) {
        snprintf(err, errlen, "%s: %s", path, perr);
        return -1;
    }
    if (pcap_datalink(p) != DLT_EN10MB) {
        snprintf(err, errlen, "%s: link type %d, not Ethernet (not a cabound capture)", path, pcap_datalink(p));
        pcap_close(p);
        return -1;
    }
    stream st[2];
    memset(st, 0, sizeof(st));
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc = 0, got;
    double t0 = -1;
    while ((got = pcap_next_ex(p, &h, &d)) == 1) {
        double ms = (double)h->ts.tv_sec * 1000.0 + (double)h->ts.tv_usec / 1000.0;
        if (t0 < 0)
            t0 = ms;
        out->packets++;
        size_t cl = h->caplen;
        /* Ethernet, IPv4 (its header length from IHL), TCP (data offset). */
        if (cl < 14 + 20 || d[12] != 0x08 || d[13] != 0x00 || (d[14] >> 4) != 4 || d[23] != 6)
            continue;
        size_t ihl = (size_t)(d[14] & 0x0f) * 4, ip_total = ((size_t)d[16] << 8) | d[17];
        if (ihl < 20 || cl < 14 + ihl + 20 || ip_total < ihl + 20 || 14 + ip_total > cl)
            continue;
        const u_char *tcp = d + 14 + ihl;
        size_t thl = (size_t)(tcp[12] >> 4) * 4;
        if (thl < 20 || ihl + thl > ip_total)
            continue;
        unsigned sport = ((unsigned)tcp[0] << 8) | tcp[1];
        int from_server = sport == SERVER_PORT;
        size_t plen = ip_total - ihl - thl;
        if (plen && stream_add(&st[from_server], tcp + thl, plen, out->packets, ms - t0, &out->cut) != 0) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
            break;
        }
        if ((tcp[13] & 0x01) && !out->fin[from_server]) {
            out->fin[from_server] = 1;
            out->fin_ms[from_server] = ms - t0;
        }
    }
    if (rc == 0 && got == -1) {
        /* A file cut short (a copy interrupted, a full disk): the packets
         * before the cut are still what was sent. */
        snprintf(out->note, sizeof(out->note), "%s", pcap_geterr(p));
        out->cut = 1;
        if (!out->packets) {
            snprintf(err, errlen, "%s: %s", path, pcap_geterr(p));
            rc = -1;
        }
    }
    pcap_close(p);
    if (rc == 0 && !st[0].n && !st[1].n) {
        snprintf(err, errlen, "%s: no TCP payload (not a cabound capture?)", path);
        rc = -1;
    }
    rec_at *v = NULL;
    size_t n = 0, cap = 0;
    for (int k = 0; rc == 0 && k < 2; k++) {
        out->bytes[k] = st[k].n;
        if (records_of(&st[k], k, &v, &n, &cap, &out->cut) != 0) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
        }
    }
    if (rc == 0 && n) {
        qsort(v, n, sizeof(*v), rec_cmp);
        out->v = malloc(n * sizeof(*out->v));
        if (!out->v) {
            snprintf(err, errlen, "%s: out of memory", path);
            rc = -1;
        } else {
            for (size_t i = 0; i < n; i++)
                out->v[i] = v[i].r;
            out->n = n;
        }
    }
    free(v);
    stream_free(&st[0]);
    stream_free(&st[1]);
    return rc;
}

void cb_capture_free(cb_capture *c)
{
    free(c->v);
    memset(c, 0, sizeof(*c));
}

const char *cb_content_type_name(unsigned type, char *buf, size_t buflen)
{
    switch (type) {
    case 20: return "change_cipher_spec";
    case 21: return "alert";
    case 22: return "handshake";
    case 23: return "application_data";
    default: snprintf(buf, buflen, "type %u", type); return buf;
    }
}
