/* Captures: what cb_pcap_write writes reads back through libpcap as a valid
 * TCP connection carrying exactly the relayed bytes. With --tshark (the
 * tshark_agrees test): Wireshark reads the same CertificateRequest lists as
 * cabound's codec, in TLS 1.2 (plaintext) and TLS 1.3 (decrypted with the
 * key log). */
/* libpcap's headers use the BSD types u_char and u_int, which glibc hides
 * in the strict POSIX mode the project compiles in. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "check.h"
#include "testutil.h"
#include "codec.h"
#include "dn.h"
#include "keylog.h"
#include "listgen.h"
#include "pcap_out.h"
#include "pki.h"
#include "record.h"
#include "tls13.h"
#include "tls_pair.h"


/* ---- reading a capture back ---- */

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static int sum_ok(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
}

static uint32_t get32(const uint8_t *p) { return (uint32_t)cb_get_u16(p) << 16 | (uint32_t)cb_get_u16(p + 2); }

typedef struct readback {
    int datalink;
    size_t packets, data_packets, bad_ip_sum, bad_tcp_sum, bad_frame, seq_gaps, bad_acks, time_backwards;
    size_t max_payload;
    unsigned ports_ok;
    uint8_t flags[4096];     /* TCP flags of the first packets, in order */
    cb_buf dir[2];           /* payload reassembled by sequence number: 0 client, 1 server */
} readback;

static int read_capture(const char *path, unsigned client_port, readback *rb)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    memset(rb, 0, sizeof(*rb));
    cb_buf_init(&rb->dir[0]);
    cb_buf_init(&rb->dir[1]);
    pcap_t *p = pcap_open_offline(path, ebuf);
    if (!p) {
        fprintf(stderr, "pcap_open_offline: %s\n", ebuf);
        return -1;
    }
    rb->datalink = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *pkt;
    uint32_t next[2] = {0, 0};
    int have_isn[2] = {0, 0};
    long long last_us = -1;
    while (pcap_next_ex(p, &h, &pkt) == 1) {
        size_t i = rb->packets++;
        long long us = (long long)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
        rb->time_backwards += us <= last_us;
        last_us = us;
        if (h->caplen != h->len || h->caplen < 54 || cb_get_u16(pkt + 12) != 0x0800) {
            rb->bad_frame++;
            continue;
        }
        const uint8_t *ip = pkt + 14, *tcp = ip + 20;
        size_t ip_total = cb_get_u16(ip + 2);
        if (ip[0] != 0x45 || ip[9] != 6 || ip_total != h->caplen - 14 || (cb_get_u16(ip + 6) & 0x3fff) != 0) {
            rb->bad_frame++;
            continue;
        }
        rb->bad_ip_sum += !sum_ok(sum16(0, ip, 20));
        size_t tcp_len = ip_total - 20, hl = (size_t)(tcp[12] >> 4) * 4;
        uint8_t pseudo[12];
        memcpy(pseudo, ip + 12, 8);
        pseudo[8] = 0;
        pseudo[9] = 6;
        pseudo[10] = (uint8_t)(tcp_len >> 8);
        pseudo[11] = (uint8_t)tcp_len;
        rb->bad_tcp_sum += !sum_ok(sum16(sum16(0, pseudo, 12), tcp, tcp_len));
        int from_server = ip[12 + 3] == 2;
        unsigned sport = (unsigned)cb_get_u16(tcp), dport = (unsigned)cb_get_u16(tcp + 2);
        rb->ports_ok += from_server ? sport == 443 && dport == client_port : sport == client_port && dport == 443;
        uint8_t flags = tcp[13];
        if (i < sizeof(rb->flags))
            rb->flags[i] = flags;
        uint32_t seq = get32(tcp + 4), ack = get32(tcp + 8);
        size_t len = tcp_len - hl;
        int d = from_server;
        if (flags & 0x02) { /* SYN */
            next[d] = seq + 1;
            have_isn[d] = 1;
        } else {
            if (!have_isn[d] || seq != next[d])
                rb->seq_gaps++;
            next[d] = seq + (uint32_t)len + ((flags & 0x01) ? 1 : 0);
        }
        if ((flags & 0x10) && (!have_isn[!d] || ack != next[!d]))
            rb->bad_acks++;
        if (len) {
            rb->data_packets++;
            if (len > rb->max_payload)
                rb->max_payload = len;
            cb_buf_put(&rb->dir[d], tcp + hl, len);
        }
    }
    pcap_close(p);
    return 0;
}

static void readback_free(readback *rb)
{
    cb_buf_free(&rb->dir[0]);
    cb_buf_free(&rb->dir[1]);
}

static size_t segments(const cb_chunk *c, size_t n)
{
    size_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += (c[i].len + CB_PCAP_SEGMENT - 1) / CB_PCAP_SEGMENT;
    return s;
}

/* check_capture writes |chunks|, reads them back and checks everything. */
static void check_capture(const char *path, const cb_chunk *chunks, size_t n, unsigned case_no)
{
    char err[512];
    CHECK(cb_pcap_write(path, chunks, n, case_no, err, sizeof(err)) == 0);
    cb_buf want[2];
    cb_buf_init(&want[0]);
    cb_buf_init(&want[1]);
    for (size_t i = 0; i < n; i++)
        cb_buf_put(&want[chunks[i].from_server != 0], chunks[i].data, chunks[i].len);
    readback rb;
    CHECK(read_capture(path, cb_pcap_client_port(case_no), &rb) == 0);
    size_t segs = segments(chunks, n), fins = 0;
    for (size_t i = 0; i < n; i++)
        fins += chunks[i].fin;
    CHECK_EQ(rb.datalink, DLT_EN10MB);
    /* Handshake, a segment and its ACK per segment, a FIN/ACK and its ACK per side. */
    CHECK_EQ(rb.packets, 3 + 2 * segs + 4);
    CHECK_EQ(rb.data_packets, segs);
    CHECK_EQ(rb.bad_frame, 0);
    CHECK_EQ(rb.bad_ip_sum, 0);
    CHECK_EQ(rb.bad_tcp_sum, 0);
    CHECK_EQ(rb.seq_gaps, 0);
    CHECK_EQ(rb.bad_acks, 0);
    CHECK_EQ(rb.time_backwards, 0);
    CHECK_EQ(rb.ports_ok, rb.packets);
    CHECK(rb.max_payload <= CB_PCAP_SEGMENT);
    CHECK(rb.dir[0].len == want[0].len && (want[0].len == 0 || memcmp(rb.dir[0].p, want[0].p, want[0].len) == 0));
    CHECK(rb.dir[1].len == want[1].len && (want[1].len == 0 || memcmp(rb.dir[1].p, want[1].p, want[1].len) == 0));
    if (rb.packets >= 7 && rb.packets <= sizeof(rb.flags)) {
        size_t k = rb.packets;
        CHECK_EQ(rb.flags[0], 0x02);
        CHECK_EQ(rb.flags[1], 0x12);
        CHECK_EQ(rb.flags[2], 0x10);
        if (fins == 0) {
            CHECK_EQ(rb.flags[k - 4], 0x11);
            CHECK_EQ(rb.flags[k - 3], 0x10);
            CHECK_EQ(rb.flags[k - 2], 0x11);
            CHECK_EQ(rb.flags[k - 1], 0x10);
        }
    }
    readback_free(&rb);
    cb_buf_free(&want[0]);
    cb_buf_free(&want[1]);
}

/* ---- the real handshakes ---- */

typedef struct setup {
    cb_calist issuers, list;
    cb_pki pki;
} setup;

static int make_setup(const char *base, size_t dn_min, size_t dn_max, setup *s)
{
    char dir[4200], err[512];
    uint8_t dn[128];
    cb_calist_init(&s->issuers);
    cb_calist_init(&s->list);
    if (cb_dn_build(dn, 70, 99, 0) != 0 || cb_calist_push(&s->issuers, dn, 70, "real:client0") != 0)
        return -1;
    cb_placement where = {CB_POS_MIDDLE, 0};
    cb_listgen g = {.list_bytes = 24000, .dn_min = dn_min, .dn_max = dn_max, .seed = 17, .real = &s->issuers, .where = &where};
    if (cb_listgen_build(&g, &s->list, err, sizeof(err)) != 0)
        return -1;
    /* One PKI directory serves every list: the list is not part of it. */
    snprintf(dir, sizeof(dir), "%s/pki", base);
    cb_pki_spec spec = {dir, &s->issuers, NULL};
    if (cb_pki_make(&spec, &s->pki, err, sizeof(err)) != 0) {
        fprintf(stderr, "pki: %s\n", err);
        return -1;
    }
    return 0;
}

static void free_setup(setup *s)
{
    cb_pki_free(&s->pki);
    cb_calist_free(&s->issuers);
    cb_calist_free(&s->list);
}

static int run(const setup *s, int tls13, const char *keylog, tp_capture *cap)
{
    tp_config cfg = {tls13, NULL, s->pki.server_cert, s->pki.server_key, s->pki.server_ca, s->pki.client_cert[0],
                     s->pki.client_key[0], s->pki.client_cas, &s->list, keylog, NULL, NULL};
    if (tp_run(&cfg, cap) != 0) {
        fprintf(stderr, "tp_run: %s\n", cap->error);
        return -1;
    }
    return cap->client_ok && cap->server_ok ? 0 : -1;
}

/* codec_list finds the CertificateRequest the way the harness does and
 * returns the DN lengths the codec reads in it. */
static int codec_list(const tp_capture *cap, int tls13, const char *keylog, cb_cr_info *info)
{
    char err[512];
    cb_stream c2s, s2c;
    cb_stream_init(&c2s);
    cb_stream_init(&s2c);
    cb_stream_feed(&c2s, cap->c2s.p, cap->c2s.len);
    cb_stream_feed(&s2c, cap->s2c.p, cap->s2c.len);
    int rc = -1;
    const cb_hs_reasm *hs = &s2c.hs;
    cb_tls13_dir d;
    cb_keylog kl;
    memset(&d, 0, sizeof(d));
    memset(&kl, 0, sizeof(kl));
    if (tls13) {
        if (cb_keylog_read(keylog, &kl, err, sizeof(err)) != 0 || cb_tls13_decrypt(&c2s, &s2c, &kl, 1, &d) != 0)
            goto out;
        hs = &d.hs;
    }
    for (size_t i = 0; i < hs->count; i++)
        if (hs->msgs[i].type == CB_HS_CERTIFICATE_REQUEST) {
            rc = cb_parse_cr(hs->msgs[i].body, hs->msgs[i].len, tls13, info);
            break;
        }
out:
    cb_tls13_dir_free(&d);
    cb_keylog_free(&kl);
    cb_stream_free(&c2s);
    cb_stream_free(&s2c);
    return rc;
}

static int files_equal(const char *p1, const char *p2)
{
    FILE *f1 = fopen(p1, "rb"), *f2 = fopen(p2, "rb");
    int same = f1 && f2;
    while (same) {
        int x = getc(f1), y = getc(f2);
        same = x == y;
        if (x == EOF)
            break;
    }
    if (f1)
        fclose(f1);
    if (f2)
        fclose(f2);
    return same;
}

static int tshark_present(void)
{
    int st = system("tshark -v >/dev/null 2>&1");
    return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Wireshark 4.0 puts at most this many DNs in its tree (then adds a
 * tls.handshake.dnames_truncated item), so -T fields shows no more. */
#define TSHARK_MAX_DNS 100

/* tshark_check runs Wireshark over |pcap| and compares its one
 * CertificateRequest with the codec's reading: the outer length, the number
 * of DNs and each DN's length (all of them, or Wireshark's first 100 when it
 * says it truncated its tree). */
static void tshark_check(const char *base, const char *pcap, const char *keylog, const cb_cr_info *info)
{
    char cmd[16384], errpath[4200];
    int truncated = info->list.dns.count > TSHARK_MAX_DNS;
    snprintf(errpath, sizeof(errpath), "%s/tshark.err", base);
    /* The field names are Wireshark's (tshark -G fields): dnames_len is the
     * vector's outer length, dname_len each DN's length, for both the TLS 1.2
     * message and the TLS 1.3 extension. */
    snprintf(cmd, sizeof(cmd),
             "tshark -n -r '%s' %s%s%s -Y 'tls.handshake.type == 13 && %stls.handshake.dnames_truncated' "
             "-T fields -E occurrence=a -E aggregator=, -e tls.handshake.dnames_len -e tls.handshake.dname_len "
             "2>'%s'",
             pcap, keylog ? "-o 'tls.keylog_file:" : "", keylog ? keylog : "", keylog ? "'" : "",
             truncated ? "" : "!", errpath);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    if (!p)
        return;
    size_t cap = 1 << 20, len = 0;
    char *out = malloc(cap);
    size_t got;
    while (out && len + 1 < cap && (got = fread(out + len, 1, cap - 1 - len, p)) > 0)
        len += got;
    int st = pclose(p);
    CHECK(out != NULL);
    if (!out)
        return;
    out[len] = 0;
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* One line: "<dnames_len>\t<len>,<len>,..." */
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += out[i] == '\n';
    CHECK_EQ(lines, 1);
    char *tab = strchr(out, '\t');
    CHECK(tab != NULL);
    if (tab && lines == 1) {
        *tab = 0;
        CHECK_EQ(strtoul(out, NULL, 10), info->list.outer_len);
        size_t n = 0, agree = 0;
        char *save = NULL;
        for (char *t = strtok_r(tab + 1, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save), n++)
            agree += n < info->list.dns.count && strtoul(t, NULL, 10) == info->list.dns.dns[n].len;
        printf("tshark: %s: %zu DNs shown%s, list bytes %s (codec: %zu DNs, %zu)\n", keylog ? "TLS 1.3" : "TLS 1.2",
               n, truncated ? " (tree truncated)" : "", out, info->list.dns.count, info->list.outer_len);
        size_t want = truncated ? TSHARK_MAX_DNS : info->list.dns.count;
        CHECK_EQ(n, want);
        CHECK_EQ(agree, want);
    } else {
        fprintf(stderr, "tshark printed: \"%s\" (see %s)\n", out, errpath);
    }
    free(out);
}

static int tshark_agrees(const char *base)
{
    if (!tshark_present()) {
        printf("tshark is not installed (Debian package tshark): skipped\n");
        return 77;
    }
    /* 24000 list bytes both times: once in fewer DNs than Wireshark's tree
     * limit (every length compared), once in ~290 (the first 100). */
    static const size_t sizes[2][2] = {{250, 300}, {50, 110}};
    for (int k = 0; k < 2; k++) {
        setup s;
        CHECK(make_setup(base, sizes[k][0], sizes[k][1], &s) == 0);
        CHECK(k == 0 ? s.list.count < TSHARK_MAX_DNS : s.list.count > TSHARK_MAX_DNS);
        for (int tls13 = 0; tls13 <= 1; tls13++) {
            char keylog[4200], pcap[4200], err[512];
            snprintf(keylog, sizeof(keylog), "%s/keylog-%d-%d.txt", base, k, tls13);
            snprintf(pcap, sizeof(pcap), "%s/tls1%d-%d.pcap", base, tls13 ? 3 : 2, k);
            tp_capture cap;
            CHECK(run(&s, tls13, keylog, &cap) == 0);
            cb_cr_info info;
            CHECK(codec_list(&cap, tls13, keylog, &info) == 0);
            CHECK_EQ(info.list.dns.count, s.list.count);
            CHECK_EQ(info.list.cls, CB_CLASS_WELL_FORMED);
            CHECK(cb_pcap_write(pcap, cap.chunks, cap.n_chunks, 1000 + (unsigned)tls13, err, sizeof(err)) == 0);
            tshark_check(base, pcap, tls13 ? keylog : NULL, &info);
            cb_cr_info_free(&info);
            tp_capture_free(&cap);
        }
        free_setup(&s);
    }
    return -1;
}

int main(int argc, char **argv)
{
    char base[] = "/tmp/cabound-test-pcap-XXXXXX";
    if (!mkdtemp(base)) {
        perror("mkdtemp");
        return 1;
    }
    if (argc > 1 && strcmp(argv[1], "--tshark") == 0) {
        int r = tshark_agrees(base);
        rm_rf(base);
        if (r == 77)
            return 77;
        CHECK_DONE();
    }
    char path[4200], err[512];

    /* Synthetic chunks around the segment size; an empty chunk is left out. */
    static uint8_t a[100], b[40000], c[16000], d[1];
    for (size_t i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)(i * 7 + 3);
    memset(a, 'a', sizeof(a));
    memset(c, 'c', sizeof(c));
    d[0] = 'd';
    cb_chunk chunks[] = {{0, a, sizeof(a), 10.0, 0}, {1, b, sizeof(b), 10.5, 0}, {0, a, 0, 10.6, 0},
                         {1, c, sizeof(c), 10.25 /* earlier: times must not go back */, 0}, {0, d, 1, 11.0, 0}};
    snprintf(path, sizeof(path), "%s/synthetic.pcap", base);
    check_capture(path, chunks, 5, 7);
    /* A close where it came: the server's FIN before the client's last
     * bytes (a half-close), not after everything. */
    cb_chunk halfclosed[] = {{0, a, sizeof(a), 10.0, 0}, {1, d, 1, 10.1, 0}, {1, NULL, 0, 10.2, 1},
                             {0, d, 1, 10.3, 0}, {0, NULL, 0, 10.4, 1}};
    snprintf(path, sizeof(path), "%s/halfclosed.pcap", base);
    check_capture(path, halfclosed, 5, 8);
    readback hb;
    CHECK(read_capture(path, cb_pcap_client_port(8), &hb) == 0);
    /* SYN, SYN/ACK, ACK, a+ACK, d+ACK, server FIN + ACK, d + ACK, client FIN + ACK. */
    CHECK_EQ(hb.packets, 13);
    CHECK_EQ(hb.flags[7], 0x11);
    CHECK_EQ(hb.flags[9], 0x18);
    CHECK_EQ(hb.flags[11], 0x11);
    readback_free(&hb);
    CHECK_EQ(segments(chunks, 5), 6);
    CHECK_EQ(cb_pcap_client_port(7), 49159);
    CHECK_EQ(cb_pcap_client_port(16384 + 7), 49159);
    /* Deterministic: the same case gives the same file. */
    snprintf(path, sizeof(path), "%s/synthetic2.pcap", base);
    check_capture(path, chunks, 5, 7);
    {
        char p1[4200];
        snprintf(p1, sizeof(p1), "%s/synthetic.pcap", base);
        CHECK(files_equal(p1, path));
    }
    /* No data at all: handshake and teardown only. */
    snprintf(path, sizeof(path), "%s/empty.pcap", base);
    check_capture(path, NULL, 0, 0);

    /* A real TLS 1.3 and TLS 1.2 handshake with a CertificateRequest past
     * 16 KB, as the relay would have seen them. */
    setup s;
    CHECK(make_setup(base, 50, 110, &s) == 0);
    for (int tls13 = 0; tls13 <= 1; tls13++) {
        tp_capture cap;
        snprintf(path, sizeof(path), "%s/keylog-%d.txt", base, tls13);
        CHECK(run(&s, tls13, path, &cap) == 0);
        CHECK(cap.n_chunks >= 4);
        snprintf(path, sizeof(path), "%s/real-%d.pcap", base, tls13);
        check_capture(path, cap.chunks, cap.n_chunks, 42);
        tp_capture_free(&cap);
    }
    free_setup(&s);

    /* Errors name the file. */
    snprintf(path, sizeof(path), "%s/no/such/dir/x.pcap", base);
    CHECK(cb_pcap_write(path, chunks, 1, 1, err, sizeof(err)) == -1);
    CHECK(strncmp(err, path, strlen(path)) == 0 && strstr(err, "No such file") != NULL);

    rm_rf(base);
    CHECK_DONE();
}
