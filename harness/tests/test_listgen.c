/* List builder: exact list bytes at the boundaries, real DNs placed. */
#include "check.h"
#include "dn.h"
#include "listgen.h"

static int build(size_t total, size_t lo, size_t hi, cb_calist *real, cb_placement *where, cb_calist *out)
{
    char err[256];
    cb_listgen g = {total, lo, hi, 99, NULL, real, where};
    cb_calist_init(out);
    int rc = cb_listgen_build(&g, out, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "listgen %zu: %s\n", total, err);
    return rc;
}

int main(void)
{
    static const size_t totals[] = {15, 100, 16383, 16384, 16385, 65535, 65536, 140000};
    for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++) {
        cb_calist l;
        CHECK(build(totals[i], 13, 200, NULL, NULL, &l) == 0);
        CHECK_EQ(cb_calist_list_bytes(&l), totals[i]);
        size_t in_range = 0;
        for (size_t j = 0; j < l.count; j++)
            in_range += l.dns[j].len >= 13 && l.dns[j].len <= 200;
        CHECK_EQ(in_range, l.count);
        cb_calist_free(&l);
    }
    /* One DN of exactly 65000 bytes. */
    cb_calist one;
    CHECK(build(65002, 65000, 65000, NULL, NULL, &one) == 0);
    CHECK_EQ(one.count, 1);
    cb_calist_free(&one);
    /* Impossible: 10 list bytes cannot hold a DN of 13 or more. */
    cb_calist none;
    CHECK(build(10, 13, 200, NULL, NULL, &none) == -1);

    unsigned char dn[64];
    cb_calist real;
    cb_calist_init(&real);
    CHECK(cb_dn_build(dn, 60, 1234, 1) == 0);
    cb_calist_push(&real, dn, 60, "real:client0");
    static const char *const places[] = {"first", "middle", "last", "3", "absent"};
    for (size_t p = 0; p < 5; p++) {
        cb_placement w;
        CHECK(cb_placement_parse(places[p], &w) == 0);
        cb_calist l;
        CHECK(build(16384, 50, 150, &real, &w, &l) == 0);
        CHECK_EQ(cb_calist_list_bytes(&l), 16384);
        long at = cb_calist_find(&l, dn, 60);
        if (p == 0)
            CHECK_EQ(at, 0);
        else if (p == 1)
            CHECK_EQ(at, (l.count - 1) / 2);
        else if (p == 2)
            CHECK_EQ(at, l.count - 1);
        else if (p == 3)
            CHECK_EQ(at, 3);
        else
            CHECK(at == -1);
        if (at >= 0)
            CHECK_STR(l.dns[at].label, "real:client0");
        cb_calist_free(&l);
    }
    cb_placement w;
    CHECK(cb_placement_parse("nowhere", &w) == -1);
    cb_calist_free(&real);
    CHECK_DONE();
}
