/* CA-list codec: round trips for both versions and every malformation class
 * produced on purpose and detected. */
#include "check.h"
#include "codec.h"
#include "dn.h"
#include "listgen.h"

static void make(size_t total, cb_calist *l)
{
    char err[200];
    cb_listgen g = {total, 40, 120, 5, NULL, NULL, NULL};
    cb_calist_init(l);
    if (cb_listgen_build(&g, l, err, sizeof(err)) != 0)
        fprintf(stderr, "%s\n", err);
}

static enum cb_class classify(const uint8_t *p, size_t n, unsigned *flags, size_t *count)
{
    cb_decoded d;
    cb_decode_vector(p, n, &d);
    enum cb_class c = d.cls;
    if (flags)
        *flags = d.flags;
    if (count)
        *count = d.dns.count;
    cb_decoded_free(&d);
    return c;
}

int main(void)
{
    static const size_t totals[] = {16383, 16384, 16385, 65535};
    for (size_t i = 0; i < 4; i++) {
        cb_calist l;
        make(totals[i], &l);
        cb_buf b;
        cb_buf_init(&b);
        CHECK(cb_encode_vector(&l, &b) == 0);
        CHECK_EQ(b.len, totals[i] + 2);
        cb_decoded d;
        CHECK(cb_decode_vector(b.p, b.len, &d) == 0);
        CHECK_STR(cb_class_name(d.cls), "well-formed");
        CHECK(cb_calist_equal(&l, &d.dns));
        cb_decoded_free(&d);
        /* Whole messages, both versions. */
        for (int v13 = 0; v13 < 2; v13++) {
            cb_buf m;
            cb_buf_init(&m);
            CHECK((v13 ? cb_encode_cr13(&l, &m) : cb_encode_cr12(&l, &m)) == 0);
            CHECK_EQ(m.len, (v13 ? cb_cr13_overhead() : cb_cr12_overhead()) + totals[i]);
            CHECK_EQ(m.p[0], 13);
            cb_cr_info info;
            CHECK(cb_parse_cr(m.p + 4, m.len - 4, v13, &info) == 0);
            CHECK(info.has_list && info.structure_ok);
            /* 1.3 holds the vector in an extension inside a 16-bit block:
             * 65535 list bytes no longer fit, and the block length says so. */
            CHECK_EQ(info.ext_block_bad, v13 && totals[i] + 2 + 4 > 0xffff);
            CHECK_STR(cb_class_name(info.list.cls), "well-formed");
            CHECK(cb_calist_equal(&l, &info.list.dns));
            cb_cr_info_free(&info);
            cb_buf_free(&m);
        }
        cb_buf_free(&b);
        cb_calist_free(&l);
    }

    /* 65536 list bytes: the 16-bit outer length wraps to 0. */
    cb_calist big;
    make(65536, &big);
    cb_buf b;
    cb_buf_init(&b);
    cb_encode_vector(&big, &b);
    CHECK(b.p[0] == 0 && b.p[1] == 0);
    size_t n;
    CHECK_STR(cb_class_name(classify(b.p, b.len, NULL, &n)), "wrapped-length");
    CHECK_EQ(n, big.count);
    for (int v13 = 0; v13 < 2; v13++) {
        cb_buf m;
        cb_buf_init(&m);
        v13 ? cb_encode_cr13(&big, &m) : cb_encode_cr12(&big, &m);
        cb_cr_info info;
        cb_parse_cr(m.p + 4, m.len - 4, v13, &info);
        CHECK_STR(cb_class_name(info.list.cls), "wrapped-length");
        /* 1.3: the extensions block around it wraps too, and is caught. */
        if (v13) {
            CHECK(info.ext_block_bad);
            CHECK_EQ(info.ext_block_declared, info.ext_block_actual & 0xffff);
        }
        cb_cr_info_free(&info);
        cb_buf_free(&m);
    }
    /* 140000 list bytes: wraps to 140000 mod 65536 (8928). */
    cb_calist huge;
    make(140000, &huge);
    cb_buf h;
    cb_buf_init(&h);
    cb_encode_vector(&huge, &h);
    CHECK_EQ(cb_get_u16(h.p), 140000 % 65536);
    CHECK_STR(cb_class_name(classify(h.p, h.len, NULL, NULL)), "wrapped-length");
    cb_buf_free(&h);
    cb_calist_free(&huge);
    cb_calist_free(&big);
    cb_buf_free(&b);

    /* The malformations, each made from a good list of three DNs. */
    cb_calist l;
    make(300, &l);
    cb_buf good;
    cb_buf_init(&good);
    cb_encode_vector(&l, &good);
    size_t d0 = l.dns[0].len;
    uint8_t tmp[1024];

    /* Empty list. */
    static const uint8_t empty[] = {0, 0};
    CHECK_STR(cb_class_name(classify(empty, 2, NULL, NULL)), "empty");
    /* Too short: one byte. */
    CHECK_STR(cb_class_name(classify(empty, 1, NULL, NULL)), "too-short");
    /* Zero-length DN first. */
    static const uint8_t zero[] = {0, 2, 0, 0};
    CHECK_STR(cb_class_name(classify(zero, 4, NULL, NULL)), "zero-length-dn");
    /* Not DER: flip the first DN's tag. */
    memcpy(tmp, good.p, good.len);
    tmp[4] = 0x31;
    CHECK_STR(cb_class_name(classify(tmp, good.len, NULL, NULL)), "not-der");
    /* Inner overrun: the last DN claims one byte more than is left. */
    memcpy(tmp, good.p, good.len);
    size_t last_off = good.len - 2 - l.dns[l.count - 1].len;
    tmp[last_off + 1]++;
    CHECK_STR(cb_class_name(classify(tmp, good.len, NULL, NULL)), "inner-overrun");
    /* Trailing bytes: two extra bytes after the list. */
    memcpy(tmp, good.p, good.len);
    tmp[good.len] = 0xde;
    tmp[good.len + 1] = 0xad;
    CHECK_STR(cb_class_name(classify(tmp, good.len + 2, NULL, NULL)), "trailing-bytes");
    /* DN cut: the bytes stop in the middle of the second DN. */
    size_t cut = 2 + 2 + d0 + 2 + 5;
    unsigned flags;
    CHECK_STR(cb_class_name(classify(good.p, cut, &flags, &n)), "dn-cut");
    CHECK(flags & CB_FLAG(CB_CLASS_OUTER_MISMATCH));
    CHECK_EQ(n, 1);
    /* Outer mismatch on a DN boundary: the length claims the full list, the
     * bytes hold two whole DNs. */
    CHECK_STR(cb_class_name(classify(good.p, 2 + 2 + d0 + 2 + l.dns[1].len, NULL, &n)),
              "outer-mismatch");
    CHECK_EQ(n, 2);
    /* Duplicates are flagged beside a well-formed class. */
    cb_calist dup;
    cb_calist_init(&dup);
    cb_calist_push(&dup, l.dns[0].der, d0, NULL);
    cb_calist_push(&dup, l.dns[0].der, d0, NULL);
    cb_buf db;
    cb_buf_init(&db);
    cb_encode_vector(&dup, &db);
    CHECK_STR(cb_class_name(classify(db.p, db.len, &flags, NULL)), "well-formed");
    CHECK(flags & CB_FLAG_DUPLICATES);
    /* A TLS 1.3 CertificateRequest without the extension. */
    static const uint8_t cr13_noext[] = {0, 0, 8, 0, 13, 0, 4, 0, 2, 4, 3};
    cb_cr_info info;
    cb_parse_cr(cr13_noext, sizeof(cr13_noext), 1, &info);
    CHECK(info.structure_ok && !info.has_list);
    cb_cr_info_free(&info);
    CHECK_EQ(cb_class_parse("dn-cut"), CB_CLASS_DN_CUT);
    CHECK(cb_class_parse("nonsense") == -1);
    cb_buf_free(&db);
    cb_calist_free(&dup);
    cb_buf_free(&good);
    cb_calist_free(&l);
    CHECK_DONE();
}
