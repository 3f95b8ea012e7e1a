/* seeds.c — writes the fuzz seeds, made with the core library so that every
 * seed is exactly what its name says.
 *
 *   cabound-fuzz-seeds small OUTDIR   small seeds (kept in corpus/TARGET/)
 *   cabound-fuzz-seeds big OUTDIR     boundary seeds, generated at build time
 *
 * OUTDIR/calist/  the compact list form (common/calist_input.h) of
 *                 calist_codec, client_cr_* and server_calist_*
 * OUTDIR/record/  record_stream's form: chunk sizes, then a server stream
 * OUTDIR/suite/   suite_parser's form: a kind byte, then suite text
 * Every list seed comes twice: options 0 and, named -tls13, options bit 0
 * set (the TLS 1.3 CertificateRequest in client_cr and calist_codec).
 * Big seeds hold lists of 2^14, 2^15 and 2^16 list bytes +-1 (65535 and
 * 65536 at 2^16), TLS 1.2 and 1.3 CertificateRequests of 2^14 and 2^15
 * bytes +-1 (the suites' record-16k and around-32k tiers), the TLS 1.3
 * extension whose length wraps, and TLS 1.2 and 1.3 server flights whose
 * CertificateRequest crosses a record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "codec.h"
#include "dn.h"
#include "listgen.h"
#include "record.h"

static const char *outdir;

static void mkdirs(const char *sub)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s", outdir);
    mkdir(p, 0777);
    snprintf(p, sizeof(p), "%s/%s", outdir, sub);
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "cabound-fuzz-seeds: %s: %s\n", p, strerror(errno));
        exit(2);
    }
}

static void put(const char *form, const char *name, const cb_buf *b)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s/%s", outdir, form, name);
    FILE *f = fopen(p, "wb");
    if (!f || b->oom || fwrite(b->p, 1, b->len, f) != b->len || fclose(f) != 0) {
        fprintf(stderr, "cabound-fuzz-seeds: %s: cannot write\n", p);
        exit(2);
    }
}

static void gen(cb_calist *l, size_t list_bytes, size_t dn_min, size_t dn_max, uint64_t seed)
{
    char err[256];
    cb_listgen spec = {list_bytes, dn_min, dn_max, seed, NULL, NULL, NULL};
    cb_calist_init(l);
    if (cb_listgen_build(&spec, l, err, sizeof(err)) != 0) {
        fprintf(stderr, "cabound-fuzz-seeds: %zu list bytes: %s\n", list_bytes, err);
        exit(2);
    }
}

/* The compact list form: options byte, [u16 len][DN]..., optional trail. */
static void calist_seed1(const char *name, uint8_t opts, const cb_calist *l, const uint8_t *trail, size_t tlen)
{
    cb_buf b;
    cb_buf_init(&b);
    cb_buf_u8(&b, opts);
    for (size_t i = 0; i < l->count; i++) {
        cb_buf_u16(&b, l->dns[i].len);
        cb_buf_put(&b, l->dns[i].der, l->dns[i].len);
    }
    cb_buf_put(&b, trail, tlen);
    put("calist", name, &b);
    cb_buf_free(&b);
}

/* calist_seed writes |name| with |opts| and NAME-tls13 with bit 0 set. */
static void calist_seed(const char *name, uint8_t opts, const cb_calist *l, const uint8_t *trail, size_t tlen)
{
    char n13[96];
    calist_seed1(name, opts & 0xfe, l, trail, tlen);
    snprintf(n13, sizeof(n13), "%s-tls13", name);
    calist_seed1(n13, opts | 1, l, trail, tlen);
}

static void push_dn(cb_calist *l, size_t len, uint64_t index)
{
    uint8_t dn[CB_DN_MAX];
    if (cb_dn_build(dn, len, 7, index) != 0 || cb_calist_push(l, dn, len, NULL) != 0)
        exit(2);
}

/* record_stream's form: k-1, k u16 chunk sizes, then the stream. */
static void record_seed(const char *name, const uint16_t *chunks, size_t k, const cb_buf *stream)
{
    cb_buf b;
    cb_buf_init(&b);
    cb_buf_u8(&b, (unsigned)(k - 1));
    for (size_t i = 0; i < k; i++)
        cb_buf_u16(&b, chunks[i]);
    cb_buf_put(&b, stream->p, stream->len);
    put("record", name, &b);
    cb_buf_free(&b);
}

static void records(cb_buf *out, uint8_t type, const uint8_t *p, size_t len, size_t max)
{
    do {
        size_t n = len < max ? len : max;
        cb_buf_u8(out, type);
        cb_buf_u16(out, 0x0303);
        cb_buf_u16(out, n);
        cb_buf_put(out, p, n);
        p += n;
        len -= n;
    } while (len > 0);
}

/* A TLS 1.2 server flight around a CertificateRequest for |l|: a stand-in
 * ServerHello, the CertificateRequest, ServerHelloDone, in records of |max|,
 * then a ChangeCipherSpec and an encrypted-looking record. */
static void flight(cb_buf *out, const cb_calist *l, size_t max)
{
    cb_buf hs;
    cb_buf_init(&hs);
    static const uint8_t sh[] = {2, 0, 0, 38, 3, 3};
    cb_buf_put(&hs, sh, sizeof(sh));
    for (int i = 0; i < 32; i++)
        cb_buf_u8(&hs, (unsigned)i);
    static const uint8_t rest[] = {0, 0xc0, 0x2b, 0};
    cb_buf_put(&hs, rest, sizeof(rest));
    cb_encode_cr12(l, &hs);
    static const uint8_t shd[] = {14, 0, 0, 0};
    cb_buf_put(&hs, shd, sizeof(shd));
    records(out, CB_CT_HANDSHAKE, hs.p, hs.len, max);
    static const uint8_t ccs[] = {1}, enc[] = {0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3};
    records(out, CB_CT_CHANGE_CIPHER_SPEC, ccs, 1, max);
    records(out, CB_CT_HANDSHAKE, enc, sizeof(enc), max);
    cb_buf_free(&hs);
}

/* A TLS 1.3 server flight as the wire carries it: the ServerHello in
 * plaintext (supported_versions 1.3), a ChangeCipherSpec, then the
 * encrypted flight (EncryptedExtensions, CertificateRequest for |l|, ...)
 * as application_data records of at most |max| bytes (2^14 + 256 for
 * ciphertext); the bytes stand in for ciphertext of the right length (the
 * message plus a content-type byte and a 16-byte tag per record). */
static void flight13(cb_buf *out, const cb_calist *l, size_t max)
{
    cb_buf hs;
    cb_buf_init(&hs);
    static const uint8_t sh[] = {2, 0, 0, 86, 3, 3};
    cb_buf_put(&hs, sh, sizeof(sh));
    for (int i = 0; i < 32; i++)
        cb_buf_u8(&hs, (unsigned)i);
    static const uint8_t rest[] = {0, 0x13, 0x01, 0, 0, 46, 0, 0x2b, 0, 2, 3, 4, 0, 0x33, 0, 36, 0, 0x1d, 0, 32};
    cb_buf_put(&hs, rest, sizeof(rest));
    for (int i = 0; i < 32; i++)
        cb_buf_u8(&hs, (unsigned)(0x40 + i));
    records(out, CB_CT_HANDSHAKE, hs.p, hs.len, CB_MAX_PLAINTEXT);
    static const uint8_t ccs[] = {1};
    records(out, CB_CT_CHANGE_CIPHER_SPEC, ccs, 1, CB_MAX_PLAINTEXT);
    hs.len = 0;
    static const uint8_t ee[] = {8, 0, 0, 2, 0, 0};
    cb_buf_put(&hs, ee, sizeof(ee));
    cb_encode_cr13(l, &hs);
    for (size_t off = 0; off < hs.len;) {
        size_t n = hs.len - off < max - 17 ? hs.len - off : max - 17;
        cb_buf rec;
        cb_buf_init(&rec);
        cb_buf_put(&rec, hs.p + off, n);
        cb_buf_u8(&rec, CB_CT_HANDSHAKE);
        for (int i = 0; i < 16; i++)
            cb_buf_u8(&rec, 0xa0u + (unsigned)i);
        records(out, CB_CT_APPLICATION_DATA, rec.p, rec.len, max);
        cb_buf_free(&rec);
        off += n;
    }
    cb_buf_free(&hs);
}

static void suite_seed(const char *name, uint8_t kind, const char *text)
{
    cb_buf b;
    cb_buf_init(&b);
    cb_buf_u8(&b, kind);
    cb_buf_put(&b, text, strlen(text));
    put("suite", name, &b);
    cb_buf_free(&b);
}

static void small(void)
{
    mkdirs("calist");
    cb_calist l, one, dup, bad;
    cb_calist_init(&l);
    cb_calist_init(&one);
    cb_calist_init(&dup);
    cb_calist_init(&bad);
    calist_seed("empty", 0, &l, NULL, 0);
    push_dn(&one, 60, 0);
    calist_seed("one-dn", 0, &one, NULL, 0);
    static const size_t sizes[] = {13, 47, 98, 129, 131, 258, 300};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        push_dn(&l, sizes[i], i + 1);
    calist_seed("seven-dns", 0, &l, NULL, 0);
    static const uint8_t trail[] = {0x01, 0x00, 0x30};
    calist_seed("trail", 0, &l, trail, sizeof(trail));
    push_dn(&dup, 80, 3);
    push_dn(&dup, 80, 3);
    calist_seed("duplicates", 0, &dup, NULL, 0);
    static const uint8_t junk[] = {0x30, 0x03, 0x31, 0x01, 0x00}, cnonly[] = {0x30, 0x00};
    cb_calist_push(&bad, one.dns[0].der, one.dns[0].len, NULL);
    cb_calist_push(&bad, junk, sizeof(junk), NULL);
    cb_calist_push(&bad, cnonly, 0, NULL);
    cb_calist_push(&bad, cnonly, sizeof(cnonly), NULL);
    calist_seed("bad-dns", 0, &bad, NULL, 0);
    /* Every malformation client_cr knows (options bits 1-4), around 3 DNs. */
    cb_calist three;
    cb_calist_init(&three);
    cb_calist_copy_prefix(&three, &l, 3);
    for (unsigned m = 1; m <= 10; m++) {
        char name[32];
        snprintf(name, sizeof(name), "malform-%u", m);
        calist_seed(name, (uint8_t)(m << 1), &three, NULL, 0);
    }
    cb_calist_free(&l);
    gen(&l, 3000, 60, 120, 11);
    calist_seed("list-3000", 0, &l, NULL, 0);
    cb_calist_free(&l);
    cb_calist_free(&one);
    cb_calist_free(&dup);
    cb_calist_free(&bad);
    cb_calist_free(&three);

    mkdirs("record");
    cb_buf s;
    cb_buf_init(&s);
    gen(&l, 400, 60, 100, 5);
    flight(&s, &l, CB_MAX_PLAINTEXT);
    static const uint16_t whole[] = {65535}, tiny[] = {1, 2, 3, 5, 7, 11}, mid[] = {5, 100, 4096};
    record_seed("flight", whole, 1, &s);
    record_seed("flight-tiny-chunks", tiny, 6, &s);
    s.len = 0;
    flight(&s, &l, 97); /* the CertificateRequest over many records */
    record_seed("flight-97-byte-records", mid, 3, &s);
    s.len = 0;
    flight13(&s, &l, CB_MAX_PLAINTEXT + 256);
    record_seed("flight13", whole, 1, &s);
    record_seed("flight13-tiny-chunks", tiny, 6, &s);
    s.len = 0;
    static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40}, junk2[] = {0x16, 0x03, 0x07, 0, 1, 0};
    cb_buf_put(&s, alert, sizeof(alert));
    record_seed("alert", tiny, 2, &s);
    s.len = 0;
    cb_buf_put(&s, junk2, sizeof(junk2));
    record_seed("not-tls", mid, 1, &s);
    s.len = 0;
    static const uint8_t huge[] = {22, 3, 3, 0, 8, 13, 0xff, 0xff, 0xff, 1, 2, 3, 4};
    cb_buf_put(&s, huge, sizeof(huge));
    record_seed("partial-message", tiny, 4, &s);
    cb_buf_free(&s);
    cb_calist_free(&l);

    mkdirs("suite");
    suite_seed("suite", 0,
               "# comment\nsuite record-16k\ndescription \"lists whose CertificateRequest crosses one record\"\n"
               "defaults\n  tls 1.2 1.3\n  servers all\n  clients openssl\nend\n"
               "case crosses\n  list-bytes 16250..16400/1\n  issuer last\nend\n"
               "case many\n  list-bytes 100 65535 65536\n  dn-size 13-300\n  seed 7\n  issuer first,last middle\n"
               "  select native by-issuer\n  source explicit trust-store raw none\n  verify request\n"
               "  model schannel-16k\n  inject dn-cut wrapped-length\n  timeout-ms 3000\n  pairs cross\nend\n");
    suite_seed("expect", 1,
               "stack openssl\nexpect field-64k/* server\n  server-verdict refused\n  rules CA-PREFIX\n"
               "  reason \"ssl/statem/statem_srvr.c tls_construct_certificate_request\"\nend\n"
               "expect */gnutls>* client\n  client-verdict rejected\n  rules none\n  fault none\n"
               "  reason \"https://gitlab.com/gnutls/gnutls/-/issues/1\"\nend\n");
    suite_seed("empty", 0, "");
}

static void big(void)
{
    mkdirs("calist");
    /* Lists at each tier, +-1 (2^16: the largest list and the first that
     * cannot be said in 16 bits). */
    static const size_t totals[] = {16383, 16384, 16385, 32767, 32768, 32769, 65535, 65536};
    cb_calist l;
    for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
        char name[48];
        gen(&l, totals[i], 60, 300, 1 + i);
        snprintf(name, sizeof(name), "list-%zu", totals[i]);
        calist_seed(name, 0, &l, NULL, 0);
        cb_calist_free(&l);
    }
    /* Whole CertificateRequests of 2^14 and 2^15 bytes +-1 in each version
     * (-tls13 for 1.3: the options bit that selects it). */
    static const size_t msgs[] = {16383, 16384, 16385, 32767, 32768, 32769};
    for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        char name[48];
        gen(&l, msgs[i] - cb_cr12_overhead(), 60, 300, 21 + i);
        snprintf(name, sizeof(name), "msg12-%zu", msgs[i]);
        calist_seed1(name, 0, &l, NULL, 0);
        cb_calist_free(&l);
        gen(&l, msgs[i] - cb_cr13_overhead(), 60, 300, 41 + i);
        snprintf(name, sizeof(name), "msg13-%zu-tls13", msgs[i]);
        calist_seed1(name, 1, &l, NULL, 0);
        cb_calist_free(&l);
    }
    /* The 1.3 extension whose 16-bit length wraps (list bytes 65534:
     * extension data 65536). */
    gen(&l, 65534, 60, 300, 23);
    calist_seed1("ext13-wraps-tls13", 1, &l, NULL, 0);
    cb_calist_free(&l);

    mkdirs("record");
    cb_buf s;
    cb_buf_init(&s);
    static const uint16_t chunks[] = {1000, 16389, 3};
    static const size_t flights[] = {16385, 32769};
    for (size_t i = 0; i < 2; i++) {
        char name[48];
        gen(&l, flights[i], 60, 300, 3 + i);
        s.len = 0;
        flight(&s, &l, CB_MAX_PLAINTEXT);
        snprintf(name, sizeof(name), "flight-%zu", flights[i]);
        record_seed(name, chunks, 3, &s);
        s.len = 0;
        flight13(&s, &l, CB_MAX_PLAINTEXT + 256);
        snprintf(name, sizeof(name), "flight13-%zu", flights[i]);
        record_seed(name, chunks, 3, &s);
        if (i == 0) {
            s.len = 0;
            flight(&s, &l, 20000); /* a plaintext record over 2^14 */
            record_seed("flight-oversize-record", chunks, 1, &s);
        }
        cb_calist_free(&l);
    }
    cb_buf_free(&s);
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "small") != 0 && strcmp(argv[1], "big") != 0)) {
        fprintf(stderr, "usage: cabound-fuzz-seeds small|big OUTDIR\n");
        return 2;
    }
    outdir = argv[2];
    if (strcmp(argv[1], "small") == 0)
        small();
    else
        big();
    return 0;
}
