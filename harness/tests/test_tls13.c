/* TLS 1.3 decryption against real OpenSSL handshakes: the CertificateRequest
 * the harness decrypts carries exactly the configured list, for every suite;
 * the key log parser; and every way decryption can be unavailable. */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "check.h"
#include "testutil.h"
#include "codec.h"
#include "dn.h"
#include "keylog.h"
#include "listgen.h"
#include "pki.h"
#include "record.h"
#include "rng.h"
#include "tls12.h"
#include "tls13.h"
#include "tls_pair.h"


static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

/* filter_keylog copies |from| to |to| leaving out lines starting with |drop|
 * and flipping the last hex digit of lines starting with |corrupt|. */
static int filter_keylog(const char *from, const char *to, const char *drop, const char *corrupt)
{
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    char line[512];
    while (in && out && fgets(line, sizeof(line), in)) {
        if (drop && strncmp(line, drop, strlen(drop)) == 0 && line[strlen(drop)] == ' ')
            continue;
        if (corrupt && strncmp(line, corrupt, strlen(corrupt)) == 0 && line[strlen(corrupt)] == ' ') {
            size_t n = strcspn(line, "\r\n");
            line[n - 1] = line[n - 1] == '0' ? '1' : '0';
        }
        fputs(line, out);
    }
    int ok = in && out;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* feed cuts |p| into chunks of 1..3000 bytes, as a relay's reads would. */
static int feed(cb_stream *s, const cb_buf *b, uint64_t seed)
{
    cb_rng rng;
    cb_rng_seed(&rng, seed);
    cb_stream_init(s);
    for (size_t off = 0; off < b->len;) {
        size_t n = (size_t)cb_rng_range(&rng, 1, 3000);
        if (n > b->len - off)
            n = b->len - off;
        if (cb_stream_feed(s, b->p + off, n) != 0)
            return -1;
        off += n;
    }
    return 0;
}

static const cb_hs_msg *find_msg(const cb_hs_reasm *h, uint8_t type)
{
    for (size_t i = 0; i < h->count; i++)
        if (h->msgs[i].type == type)
            return &h->msgs[i];
    return NULL;
}

static int types_are(const cb_hs_reasm *h, const uint8_t *want, size_t n)
{
    if (h->count != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (h->msgs[i].type != want[i])
            return 0;
    return 1;
}

static void print_types(const char *what, const cb_hs_reasm *h)
{
    fprintf(stderr, "%s:", what);
    for (size_t i = 0; i < h->count; i++)
        fprintf(stderr, " %u", h->msgs[i].type);
    fprintf(stderr, "\n");
}

static size_t cert_der(const char *path, uint8_t *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    unsigned char *der = NULL;
    int n = x ? i2d_X509(x, &der) : -1;
    X509_free(x);
    size_t r = 0;
    if (n > 0 && (size_t)n <= cap) {
        memcpy(out, der, (size_t)n);
        r = (size_t)n;
    }
    OPENSSL_free(der);
    return r;
}

/* A connection captured, parsed and its key log read. */
typedef struct conn {
    tp_capture cap;
    cb_stream c2s, s2c;
    cb_keylog kl;
} conn;

static int run_conn(const tp_config *cfg, conn *c, uint64_t seed)
{
    char err[512];
    memset(c, 0, sizeof(*c));
    if (tp_run(cfg, &c->cap) != 0) {
        fprintf(stderr, "tp_run: %s\n", c->cap.error);
        return -1;
    }
    if (feed(&c->c2s, &c->cap.c2s, seed) != 0 || feed(&c->s2c, &c->cap.s2c, seed + 1) != 0)
        return -1;
    if (cfg->keylog && cb_keylog_read(cfg->keylog, &c->kl, err, sizeof(err)) != 0) {
        fprintf(stderr, "keylog: %s\n", err);
        return -1;
    }
    return 0;
}

static void conn_free(conn *c)
{
    tp_capture_free(&c->cap);
    cb_stream_free(&c->c2s);
    cb_stream_free(&c->s2c);
    cb_keylog_free(&c->kl);
}

static void test_keylog(const char *base)
{
    char path[4200], err[512];
    cb_keylog kl;
    snprintf(path, sizeof(path), "%s/kl-good.txt", base);
    const char *good = "# SSL/TLS secrets log file\n"
                       "\n"
                       "CLIENT_RANDOM 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f "
                       "aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899\r\n"
                       "RSA 0011223344556677 00112233\n"
                       "  SERVER_HANDSHAKE_TRAFFIC_SECRET 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\t0102\n"
                       "SERVER_HANDSHAKE_TRAFFIC_SECRET 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 0304\n"
                       "EXPORTER_SECRET ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 99";
    CHECK(write_text(path, good) == 0);
    CHECK(cb_keylog_read(path, &kl, err, sizeof(err)) == 0);
    CHECK_EQ(kl.count, 4);
    uint8_t cr[32], ff[32];
    for (int i = 0; i < 32; i++)
        cr[i] = (uint8_t)i;
    memset(ff, 0xff, 32);
    size_t sl = 0;
    const uint8_t *s = cb_keylog_find(&kl, "CLIENT_RANDOM", cr, &sl);
    CHECK(s && sl == 48 && s[0] == 0xaa && s[47] == 0x99);
    /* The first line wins when a connection was logged twice. */
    s = cb_keylog_find(&kl, "SERVER_HANDSHAKE_TRAFFIC_SECRET", cr, &sl);
    CHECK(s && sl == 2 && s[0] == 1 && s[1] == 2);
    s = cb_keylog_find(&kl, "EXPORTER_SECRET", ff, &sl);
    CHECK(s && sl == 1 && s[0] == 0x99);
    CHECK(cb_keylog_find(&kl, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", cr, &sl) == NULL);
    CHECK(cb_keylog_find(&kl, "EXPORTER_SECRET", cr, &sl) == NULL);
    cb_keylog_free(&kl);

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"# ok\nCLIENT_RANDOM 00 11\n", ":2: client random has 2 hex digits, expected 64"},
        {"\n\nCLIENT_RANDOM 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g 11\n",
         ":3: client random is not hex"},
        {"CLIENT_RANDOM 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 123\n",
         ":1: secret has an odd number of hex digits (3)"},
        {"CLIENT_RANDOM 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", ":1: missing secret"},
        {"client_random 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 00\n",
         ":1: bad label character 'c'"},
        {"X 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 00 extra\n", ":1: text after the secret"},
        {"X 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f zz\n", ":1: secret is not hex"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(path, sizeof(path), "%s/kl-bad-%zu.txt", base, i);
        CHECK(write_text(path, bad[i].text) == 0);
        err[0] = 0;
        CHECK(cb_keylog_read(path, &kl, err, sizeof(err)) == -1);
        CHECK_EQ(kl.count, 0);
        char want[4400];
        snprintf(want, sizeof(want), "%s%s", path, bad[i].want);
        if (strncmp(err, want, strlen(want)) != 0)
            fprintf(stderr, "keylog error %zu: got \"%s\", want \"%s...\"\n", i, err, want);
        CHECK(strncmp(err, want, strlen(want)) == 0);
    }
    snprintf(path, sizeof(path), "%s/no-such-file", base);
    CHECK(cb_keylog_read(path, &kl, err, sizeof(err)) == -1);
    CHECK(strstr(err, "no-such-file: No such file") != NULL);
}

int main(void)
{
    char base[] = "/tmp/cabound-test-tls13-XXXXXX";
    if (!mkdtemp(base)) {
        perror("mkdtemp");
        return 1;
    }
    char path[4200], path2[4200], err[512];
    test_keylog(base);

    /* The PKI and a list of ~300 DNs (24000 list bytes: past 16 KB, so the
     * CertificateRequest needs two records) holding both client issuers. */
    cb_calist issuers, list;
    cb_calist_init(&issuers);
    uint8_t dn[128];
    CHECK(cb_dn_build(dn, 70, 4242, 0) == 0);
    cb_calist_push(&issuers, dn, 70, "real:client0");
    CHECK(cb_dn_build(dn, 90, 4242, 1) == 0);
    cb_calist_push(&issuers, dn, 90, "real:client1");
    cb_placement where[2] = {{CB_POS_FIRST, 0}, {CB_POS_LAST, 0}};
    cb_listgen g = {.list_bytes = 24000, .dn_min = 50, .dn_max = 110, .seed = 3, .real = &issuers, .where = where};
    cb_calist_init(&list);
    CHECK(cb_listgen_build(&g, &list, err, sizeof(err)) == 0);
    CHECK(list.count > 250 && list.count < 350);
    snprintf(path, sizeof(path), "%s/pki", base);
    cb_pki pki;
    cb_pki_spec spec = {path, &issuers, NULL};
    if (cb_pki_make(&spec, &pki, err, sizeof(err)) != 0) {
        fprintf(stderr, "pki: %s\n", err);
        CHECK(0);
        CHECK_DONE();
    }
    uint8_t client_der[4096];
    size_t client_der_len = cert_der(pki.client_cert[0], client_der, sizeof(client_der));
    CHECK(client_der_len > 0);

    tp_config base_cfg = {1, NULL, pki.server_cert, pki.server_key, pki.server_ca, pki.client_cert[0],
                          pki.client_key[0], pki.client_cas, &list, NULL, NULL, NULL};

    static const struct {
        const char *name;
        uint16_t id;
    } suites[] = {
        {"TLS_AES_128_GCM_SHA256", CB_TLS_AES_128_GCM_SHA256},
        {"TLS_AES_256_GCM_SHA384", CB_TLS_AES_256_GCM_SHA384},
        {"TLS_CHACHA20_POLY1305_SHA256", CB_TLS_CHACHA20_POLY1305_SHA256},
    };
    static const uint8_t server_flight[] = {8, 13, 11, 15, 20, 4, 4}; /* EE CR Cert CV Fin, 2 tickets */
    static const uint8_t client_flight[] = {11, 15, 20};
    for (size_t si = 0; si < 3; si++) {
        tp_config cfg = base_cfg;
        cfg.ciphersuite = suites[si].name;
        snprintf(path, sizeof(path), "%s/keylog-%zu.txt", base, si);
        cfg.keylog = path;
        conn c;
        CHECK(run_conn(&cfg, &c, 100 + si) == 0);
        CHECK(c.cap.client_ok && c.cap.server_ok && c.cap.byte_crossed);
        CHECK_EQ(c.s2c.stop, CB_STREAM_ENCRYPTED);
        CHECK_EQ(cb_stream_pending(&c.s2c), 0);

        cb_tls13_dir srv;
        CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &c.kl, 1, &srv) == 0);
        if (!srv.available)
            fprintf(stderr, "%s server: %s\n", suites[si].name, srv.reason);
        CHECK(srv.available);
        CHECK_STR(srv.reason, "");
        CHECK_EQ(srv.cipher_suite, suites[si].id);
        CHECK_EQ(srv.hello_retry, 0);
        if (!types_are(&srv.hs, server_flight, sizeof(server_flight)))
            print_types("server messages", &srv.hs);
        CHECK(types_are(&srv.hs, server_flight, sizeof(server_flight)));
        CHECK(srv.max_inner <= CB_MAX_PLAINTEXT);
        CHECK_EQ(srv.oversize_inner, 0);
        /* The server's close_notify, decrypted with the application key. */
        CHECK_EQ(srv.alert_level, 1);
        CHECK_EQ(srv.alert, 0);
        CHECK(srv.alert_record >= 0 && c.s2c.records[srv.alert_record].type == CB_CT_APPLICATION_DATA);
        /* EE..Fin in 2 or more records, 2 tickets, the byte, close_notify. */
        CHECK(srv.records_decrypted >= 6);

        const cb_hs_msg *cr = find_msg(&srv.hs, CB_HS_CERTIFICATE_REQUEST);
        CHECK(cr != NULL);
        if (cr) {
            cb_cr_info info;
            CHECK(cb_parse_cr(cr->body, cr->len, 1, &info) == 0);
            CHECK(info.has_list && info.structure_ok);
            CHECK_EQ(info.list.cls, CB_CLASS_WELL_FORMED);
            CHECK_EQ(info.list.outer_len, cb_calist_list_bytes(&list));
            CHECK_EQ(info.list.dns.count, list.count);
            size_t same = 0;
            for (size_t i = 0; i < list.count && i < info.list.dns.count; i++)
                same += cb_dn_equal(&info.list.dns.dns[i], &list.dns[i]);
            CHECK_EQ(same, list.count);
            printf("%s: CertificateRequest of %zu bytes in records %zu..%zu, %zu DNs, %zu list bytes\n",
                   suites[si].name, cr->len + 4, cr->first_record, cr->last_record, info.list.dns.count,
                   info.list.outer_len);
            cb_cr_info_free(&info);
            CHECK(cr->last_record > cr->first_record);
            CHECK_EQ(c.s2c.records[cr->first_record].type, CB_CT_APPLICATION_DATA);
            CHECK_EQ(c.s2c.records[cr->last_record].type, CB_CT_APPLICATION_DATA);
        }

        cb_tls13_dir cli;
        CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &c.kl, 0, &cli) == 0);
        if (!cli.available)
            fprintf(stderr, "%s client: %s\n", suites[si].name, cli.reason);
        CHECK(cli.available);
        CHECK(types_are(&cli.hs, client_flight, sizeof(client_flight)));
        const cb_hs_msg *cm = find_msg(&cli.hs, 11);
        CHECK(cm != NULL);
        /* Certificate: empty context, list length, then the first entry. */
        CHECK(cm && cm->len > 7 + client_der_len && cm->body[0] == 0 && cb_get_u24(cm->body + 4) == client_der_len &&
              memcmp(cm->body + 7, client_der, client_der_len) == 0);
        CHECK_EQ(cli.alert_level, 1);
        CHECK_EQ(cli.alert, 0);
        cb_tls13_dir_free(&cli);

        /* The same bytes fed whole: the same messages, record for record. */
        cb_stream whole;
        cb_stream_init(&whole);
        CHECK(cb_stream_feed(&whole, c.cap.s2c.p, c.cap.s2c.len) == 0);
        CHECK(cb_tls13_decrypt(&c.c2s, &whole, &c.kl, 1, &cli) == 0);
        size_t agree = cli.hs.count == srv.hs.count;
        for (size_t i = 0; agree && i < srv.hs.count; i++)
            agree = cli.hs.msgs[i].len == srv.hs.msgs[i].len &&
                    cli.hs.msgs[i].first_record == srv.hs.msgs[i].first_record &&
                    cli.hs.msgs[i].last_record == srv.hs.msgs[i].last_record &&
                    memcmp(cli.hs.msgs[i].body, srv.hs.msgs[i].body, srv.hs.msgs[i].len) == 0;
        CHECK(agree);
        cb_tls13_dir_free(&cli);
        cb_stream_free(&whole);
        cb_tls13_dir_free(&srv);

        if (si == 0) {
            /* Without the server's handshake secret: unavailable, and why. */
            snprintf(path2, sizeof(path2), "%s/keylog-no-shts.txt", base);
            cb_keylog kl2;
            CHECK(filter_keylog(path, path2, "SERVER_HANDSHAKE_TRAFFIC_SECRET", NULL) == 0);
            CHECK(cb_keylog_read(path2, &kl2, err, sizeof(err)) == 0);
            CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &kl2, 1, &srv) == -1);
            CHECK_EQ(srv.available, 0);
            CHECK_STR(srv.reason, "SERVER_HANDSHAKE_TRAFFIC_SECRET for this client_random is missing from the key log");
            CHECK_EQ(srv.hs.count, 0);
            cb_tls13_dir_free(&srv);
            /* The client's direction does not need it. */
            CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &kl2, 0, &cli) == 0);
            cb_tls13_dir_free(&cli);
            cb_keylog_free(&kl2);

            /* Without the application secret: the handshake, then a quiet stop. */
            CHECK(filter_keylog(path, path2, "SERVER_TRAFFIC_SECRET_0", NULL) == 0);
            CHECK(cb_keylog_read(path2, &kl2, err, sizeof(err)) == 0);
            CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &kl2, 1, &srv) == 0);
            CHECK(srv.available);
            CHECK(types_are(&srv.hs, server_flight, 5));
            CHECK_EQ(srv.alert, -1);
            CHECK(strstr(srv.reason, "SERVER_TRAFFIC_SECRET_0 missing from the key log") != NULL);
            cb_tls13_dir_free(&srv);
            cb_keylog_free(&kl2);

            /* A wrong secret fails the first record: unavailable. */
            CHECK(filter_keylog(path, path2, NULL, "SERVER_HANDSHAKE_TRAFFIC_SECRET") == 0);
            CHECK(cb_keylog_read(path2, &kl2, err, sizeof(err)) == 0);
            CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &kl2, 1, &srv) == -1);
            CHECK_EQ(srv.available, 0);
            CHECK(strstr(srv.reason, "AEAD failure at record") && strstr(srv.reason, "the first of the handshake epoch"));
            cb_tls13_dir_free(&srv);
            cb_keylog_free(&kl2);

            /* A record damaged later: what came before stays, the reason says where. */
            size_t last = c.s2c.n_records - 1;
            c.s2c.records[last].payload[0] ^= 1;
            CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &c.kl, 1, &srv) == 0);
            CHECK(srv.available);
            CHECK(find_msg(&srv.hs, CB_HS_CERTIFICATE_REQUEST) != NULL);
            CHECK_EQ(srv.alert, -1); /* the close_notify was in the damaged record */
            char want[100];
            snprintf(want, sizeof(want), "AEAD failure at record %zu (application epoch", last);
            CHECK(strncmp(srv.reason, want, strlen(want)) == 0);
            cb_tls13_dir_free(&srv);
            c.s2c.records[last].payload[0] ^= 1;

            /* No ClientHello. */
            cb_stream empty;
            cb_stream_init(&empty);
            CHECK(cb_tls13_decrypt(&empty, &c.s2c, &c.kl, 1, &srv) == -1);
            CHECK_STR(srv.reason, "no ClientHello in the client's stream");
            cb_tls13_dir_free(&srv);
            CHECK(cb_tls13_decrypt(&c.c2s, &empty, &c.kl, 1, &srv) == -1);
            CHECK_STR(srv.reason, "no ServerHello");
            cb_tls13_dir_free(&srv);
            cb_stream_free(&empty);
        }
        conn_free(&c);
    }

    /* A client without a certificate: the server's certificate_required
     * alert comes after the handshake, under the application key. */
    {
        tp_config cfg = base_cfg;
        cfg.client_cert = cfg.client_key = NULL;
        snprintf(path, sizeof(path), "%s/keylog-nocert.txt", base);
        cfg.keylog = path;
        conn c;
        CHECK(run_conn(&cfg, &c, 7) == 0);
        CHECK(c.cap.client_ok && !c.cap.server_ok && !c.cap.byte_crossed);
        cb_tls13_dir srv, cli;
        CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &c.kl, 1, &srv) == 0);
        CHECK_EQ(srv.alert_level, 2);
        CHECK_EQ(srv.alert, 116);
        CHECK(types_are(&srv.hs, server_flight, 5));
        CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &c.kl, 0, &cli) == 0);
        const cb_hs_msg *cm = find_msg(&cli.hs, 11);
        CHECK(cm && cm->len == 4 && cb_get_u24(cm->body + 1) == 0); /* an empty Certificate */
        CHECK_EQ(cli.alert, -1);
        cb_tls13_dir_free(&srv);
        cb_tls13_dir_free(&cli);
        conn_free(&c);
    }

    /* A HelloRetryRequest: the client's first key share is a group the
     * server will not take. */
    {
        tp_config cfg = base_cfg;
        cfg.client_groups = "X25519:P-256";
        cfg.server_groups = "P-256";
        snprintf(path, sizeof(path), "%s/keylog-hrr.txt", base);
        cfg.keylog = path;
        conn c;
        CHECK(run_conn(&cfg, &c, 9) == 0);
        CHECK(c.cap.client_ok && c.cap.server_ok && c.cap.byte_crossed);
        cb_tls13_dir srv, cli;
        CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &c.kl, 1, &srv) == 0);
        CHECK_EQ(srv.hello_retry, 1);
        CHECK(types_are(&srv.hs, server_flight, sizeof(server_flight)));
        const cb_hs_msg *cr = find_msg(&srv.hs, CB_HS_CERTIFICATE_REQUEST);
        cb_cr_info info;
        CHECK(cr && cb_parse_cr(cr->body, cr->len, 1, &info) == 0 && info.list.dns.count == list.count);
        if (cr)
            cb_cr_info_free(&info);
        CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &c.kl, 0, &cli) == 0);
        CHECK(types_are(&cli.hs, client_flight, sizeof(client_flight)));
        cb_tls13_dir_free(&srv);
        cb_tls13_dir_free(&cli);
        conn_free(&c);
    }

    /* TLS 1.2 is not for this decrypter. */
    {
        tp_config cfg = base_cfg;
        cfg.tls13 = 0;
        snprintf(path, sizeof(path), "%s/keylog-12.txt", base);
        cfg.keylog = path;
        conn c;
        CHECK(run_conn(&cfg, &c, 11) == 0);
        CHECK(c.cap.client_ok && c.cap.server_ok);
        cb_tls13_dir srv;
        CHECK(cb_tls13_decrypt(&c.c2s, &c.s2c, &c.kl, 1, &srv) == -1);
        CHECK_STR(srv.reason, "not TLS 1.3: the ServerHello selects version 0x0303");
        cb_tls13_dir_free(&srv);
        /* ...but tls12.c reads its encrypted alerts: both sides end with
         * close_notify (0) after ChangeCipherSpec. */
        int from_server = -7, from_client = -7;
        CHECK(cb_tls12_alerts(&c.c2s, &c.s2c, &c.kl, &from_server, &from_client) == 0);
        CHECK_EQ(from_server, 0);
        CHECK_EQ(from_client, 0);
        /* Without the master secret nothing is decrypted or guessed. */
        cb_keylog empty;
        memset(&empty, 0, sizeof(empty));
        from_server = from_client = -7;
        CHECK(cb_tls12_alerts(&c.c2s, &c.s2c, &empty, &from_server, &from_client) == -1);
        CHECK(from_server == -7 && from_client == -7);
        conn_free(&c);
    }

    cb_pki_free(&pki);
    cb_calist_free(&issuers);
    cb_calist_free(&list);
    rm_rf(base);
    CHECK_DONE();
}
