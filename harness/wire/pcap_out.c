/* libpcap's headers use the BSD types u_char and u_int, which glibc hides
 * in the strict POSIX mode the project compiles in. */
#define _DEFAULT_SOURCE
#include "pcap_out.h"

#include "errmsg.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "rng.h"

#define ETH_LEN 14
#define IP_LEN 20
#define TCP_LEN 20
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

static const uint8_t mac_client[6] = {0x02, 0, 0, 0, 0, 0x01}, mac_server[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t ip_client[4] = {127, 0, 0, 1}, ip_server[4] = {127, 0, 0, 2};

unsigned cb_pcap_client_port(unsigned case_no) { return 49152u + case_no % 16384u; }

/* One side of the connection: its next sequence number and IP id. */
typedef struct side {
    uint32_t seq;
    uint16_t ip_id;
} side;

typedef struct writer {
    pcap_dumper_t *d;
    int64_t last_us;
    unsigned client_port;
    side c, s;
    uint8_t pkt[ETH_LEN + IP_LEN + TCP_LEN + CB_PCAP_SEGMENT];
} writer;

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

/* sum16 adds big-endian 16-bit words (RFC 1071), an odd last byte padded. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static int64_t to_us(double t)
{
    /* A capture starts at the epoch when the caller gives no usable time. */
    if (!(t > 0))
        return 0;
    if (t > 4e12)
        t = 4e12; /* beyond any plausible clock; keeps the product finite */
    return (int64_t)(t * 1e6 + 0.5);
}

static void emit(writer *w, int from_server, uint8_t flags, const uint8_t *data, size_t len, int64_t at_us)
{
    side *me = from_server ? &w->s : &w->c, *peer = from_server ? &w->c : &w->s;
    uint8_t *eth = w->pkt, *ip = eth + ETH_LEN, *tcp = ip + IP_LEN;
    memcpy(eth, from_server ? mac_client : mac_server, 6);
    memcpy(eth + 6, from_server ? mac_server : mac_client, 6);
    put16(eth + 12, 0x0800);

    size_t ip_total = IP_LEN + TCP_LEN + len;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (unsigned)ip_total);
    put16(ip + 4, me->ip_id++);
    put16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 64;
    ip[9] = 6;
    put16(ip + 10, 0);
    memcpy(ip + 12, from_server ? ip_server : ip_client, 4);
    memcpy(ip + 16, from_server ? ip_client : ip_server, 4);
    put16(ip + 10, fold(sum16(0, ip, IP_LEN)));

    put16(tcp, from_server ? CB_PCAP_SERVER_PORT : w->client_port);
    put16(tcp + 2, from_server ? w->client_port : CB_PCAP_SERVER_PORT);
    put32(tcp + 4, me->seq);
    put32(tcp + 8, flags & TCP_ACK ? peer->seq : 0);
    tcp[12] = (TCP_LEN / 4) << 4;
    tcp[13] = flags;
    /* Every data segment is acknowledged at once, so 16000 bytes in flight
     * never fill a 65535-byte window (Wireshark would flag it). */
    put16(tcp + 14, 65535);
    put16(tcp + 16, 0);
    put16(tcp + 18, 0);
    if (len)
        memcpy(tcp + TCP_LEN, data, len);
    uint8_t pseudo[12];
    memcpy(pseudo, ip + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 6;
    put16(pseudo + 10, (unsigned)(TCP_LEN + len));
    put16(tcp + 16, fold(sum16(sum16(0, pseudo, sizeof(pseudo)), tcp, TCP_LEN + len)));

    me->seq += (uint32_t)len + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);

    int64_t t = at_us > w->last_us ? at_us : w->last_us + 1;
    w->last_us = t;
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(t / 1000000);
    h.ts.tv_usec = (suseconds_t)(t % 1000000);
    h.caplen = h.len = (bpf_u_int32)(ETH_LEN + ip_total);
    pcap_dump((u_char *)w->d, &h, w->pkt);
}

static void write_packets(writer *w, const cb_chunk *chunks, size_t n)
{
    int64_t t0 = 0;
    for (size_t i = 0; i < n; i++)
        if (chunks[i].len) {
            t0 = to_us(chunks[i].t_sec);
            break;
        }
    w->last_us = t0 - 1;
    emit(w, 0, TCP_SYN, NULL, 0, t0);
    emit(w, 1, TCP_SYN | TCP_ACK, NULL, 0, t0);
    emit(w, 0, TCP_ACK, NULL, 0, t0);
    int fin[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        const cb_chunk *k = &chunks[i];
        int64_t at = to_us(k->t_sec);
        if (k->fin) {
            if (!fin[k->from_server != 0]) {
                emit(w, k->from_server, TCP_FIN | TCP_ACK, NULL, 0, at);
                emit(w, !k->from_server, TCP_ACK, NULL, 0, at);
                fin[k->from_server != 0] = 1;
            }
            continue;
        }
        for (size_t off = 0; off < k->len;) {
            size_t seg = k->len - off < CB_PCAP_SEGMENT ? k->len - off : CB_PCAP_SEGMENT;
            int last = off + seg == k->len;
            emit(w, k->from_server, (uint8_t)(TCP_ACK | (last ? TCP_PSH : 0)), k->data + off, seg, at);
            emit(w, !k->from_server, TCP_ACK, NULL, 0, at);
            off += seg;
        }
    }
    for (int s = 0; s < 2; s++)
        if (!fin[s]) {
            emit(w, s, TCP_FIN | TCP_ACK, NULL, 0, w->last_us);
            emit(w, !s, TCP_ACK, NULL, 0, w->last_us);
        }
}

int cb_pcap_write(const char *path, const cb_chunk *chunks, size_t n, unsigned case_no, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= sizeof(tmp))
        return cb_fail_at(err, errlen, path, 0, "path too long");
    pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
    if (!p)
        return cb_fail_at(err, errlen, path, 0, "pcap_open_dead failed");
    writer *w = calloc(1, sizeof(*w));
    if (!w) {
        pcap_close(p);
        return cb_fail_at(err, errlen, path, 0, "out of memory");
    }
    int rc = -1, fd = mkstemp(tmp);
    FILE *f = NULL;
    if (fd < 0) {
        cb_fail_at(err, errlen, path, 0, "mkstemp %s: %s", tmp, strerror(errno));
        goto out;
    }
    /* mkstemp makes the file private; a capture of test traffic is not. */
    if (fchmod(fd, 0644) != 0 || !(f = fdopen(fd, "wb"))) {
        cb_fail_at(err, errlen, path, 0, "%s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    w->d = pcap_dump_fopen(p, f);
    if (!w->d) {
        cb_fail_at(err, errlen, path, 0, "pcap_dump_fopen: %s", pcap_geterr(p));
        fclose(f);
        unlink(tmp);
        goto out;
    }
    /* Deterministic initial sequence numbers: a capture of the same case is
     * the same file, bar the times. */
    cb_rng rng;
    cb_rng_seed(&rng, 0x706361700000ull ^ case_no);
    w->client_port = cb_pcap_client_port(case_no);
    w->c.seq = (uint32_t)cb_rng_next(&rng);
    w->s.seq = (uint32_t)cb_rng_next(&rng);
    w->c.ip_id = (uint16_t)cb_rng_next(&rng);
    w->s.ip_id = (uint16_t)cb_rng_next(&rng);
    write_packets(w, chunks, n);
    int werr = pcap_dump_flush(w->d) != 0 || ferror(f);
    /* pcap_dump_close reports nothing; the flush above has already handed
     * every byte to the kernel, where a local file's write errors show. */
    pcap_dump_close(w->d);
    if (werr) {
        cb_fail_at(err, errlen, path, 0, "write error on %s", tmp);
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        cb_fail_at(err, errlen, path, 0, "rename from %s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(w);
    pcap_close(p);
    return rc;
}
