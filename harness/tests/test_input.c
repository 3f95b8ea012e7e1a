/* What a user or a peer hands cabound, read strictly: numbers (no octal, no
 * sign, no overflow), UTF-8 (checked, cut on character boundaries, cleaned),
 * repeated names found in one pass (idset), and the suite parser's new
 * refusals (repeated values, invalid UTF-8, an over-long reason). */
#include <stdint.h>

#include "check.h"
#include "expect.h"
#include "idset.h"
#include "numparse.h"
#include "suite.h"
#include "utf8.h"

static int parses(const char *text)
{
    cb_suite s;
    char err[256];
    int rc = cb_suite_parse("t.suite", text, strlen(text), &s, err, sizeof(err));
    if (rc == 0)
        cb_suite_free(&s);
    return rc == 0;
}

int main(void)
{
    uint64_t v = 7;
    CHECK(cb_parse_u64("1000", 100000, &v) == 0 && v == 1000);
    CHECK(cb_parse_u64("0", 10, &v) == 0 && v == 0);
    CHECK(cb_parse_u64("01000", 100000, &v) != 0);    /* not octal, not quietly decimal */
    CHECK(cb_parse_u64("-5", 100000, &v) != 0);
    CHECK(cb_parse_u64("+5", 100000, &v) != 0);
    CHECK(cb_parse_u64(" 5", 100000, &v) != 0);
    CHECK(cb_parse_u64("abc", 100000, &v) != 0);
    CHECK(cb_parse_u64("", 100000, &v) != 0);
    CHECK(cb_parse_u64("100001", 100000, &v) != 0);
    CHECK(cb_parse_u64("18446744073709551615", UINT64_MAX, &v) == 0 && v == UINT64_MAX);
    CHECK(cb_parse_u64("18446744073709551616", UINT64_MAX, &v) != 0); /* overflow */
    CHECK(cb_parse_u64_hex("0x10", 100, &v) == 0 && v == 16);
    CHECK(cb_parse_u64_hex("0x", 100, &v) != 0);

    /* UTF-8. */
    CHECK_EQ(cb_utf8_valid("abc", 3), 3);
    CHECK_EQ(cb_utf8_valid("a\xc3\xa9", 3), 3);
    CHECK_EQ(cb_utf8_valid("a\xff" "b", 3), 1);
    CHECK_EQ(cb_utf8_valid("\xc0\xaf", 2), 0);           /* overlong */
    CHECK_EQ(cb_utf8_valid("\xed\xa0\x80", 3), 0);       /* surrogate */
    char out[8];
    cb_utf8_copy(out, 7, "abcde\xc3\xa9z"); /* 6 bytes fit: é would end at byte 7, cut before it */
    CHECK_STR(out, "abcde");
    cb_utf8_copy(out, sizeof(out), "a\xff\xfe" "b");
    CHECK_STR(out, "a??b");
    char s[] = "fault \x80 here \xc3";
    cb_utf8_clean(s);
    CHECK_STR(s, "fault ? here ?");

    /* idset: a repeat is found, with the first one's number. */
    cb_idset ids = {0};
    size_t first = 0;
    for (size_t i = 0; i < 1000; i++) {
        char k[32];
        snprintf(k, sizeof(k), "case-%zu", i);
        CHECK_EQ(cb_idset_put(&ids, k, i, NULL), 1);
    }
    CHECK_EQ(cb_idset_put(&ids, "case-500", 2000, &first), 0);
    CHECK_EQ(first, 500);
    CHECK_EQ(ids.n, 1000);
    cb_idset_free(&ids);

    /* Suites: a value twice would be two cases with one id. */
    CHECK(parses("suite t\ncase a\n  list-bytes 100..200/50 300\nend\n"));
    CHECK(!parses("suite t\ncase a\n  list-bytes 100..200/50 150\nend\n"));
    CHECK(!parses("suite t\ncase a\n  list-bytes 100\n  issuer last last\nend\n"));
    CHECK(!parses("suite t\ncase a\n  list-bytes 100\n  tls 1.2 1.2\nend\n"));
    CHECK(!parses("suite t\ncase a\n  list-bytes 100\nend\ncase b\n  list-bytes 1\nend\ncase a\n  list-bytes 2\nend\n"));
    CHECK(!parses("suite t\ncase \xc3\n  list-bytes 100\nend\n"));
    CHECK(!parses("suite t\ncase a\n  seed 9223372036854775808\n  list-bytes 100\nend\n"));
    CHECK(parses("suite t\ncase a\n  seed 9223372036854775807\n  list-bytes 100\nend\n"));

    /* Expectations: an invalid-UTF-8 or over-long reason is an error, not a cut or a loss. */
    cb_expect_file f;
    char err[256];
    static const char bad_utf8[] = "stack openssl\nexpect a/* server\n  reason \"caf\xe9\"\nend\n";
    CHECK(cb_expect_parse("x.expect", bad_utf8, sizeof(bad_utf8) - 1, &f, err, sizeof(err)) != 0);
    CHECK(strstr(err, "x.expect:3: ") != NULL);
    char longr[1200 + 80];
    int n = snprintf(longr, sizeof(longr), "stack openssl\nexpect a/* server\n  reason \"");
    memset(longr + n, 'r', 1100);
    snprintf(longr + n + 1100, sizeof(longr) - (size_t)n - 1100, "\"\nend\n");
    CHECK(cb_expect_parse("x.expect", longr, strlen(longr), &f, err, sizeof(err)) != 0);
    CHECK(strstr(err, "x.expect:3: ") != NULL); /* refused at its line, never cut */
    CHECK_DONE();
}
