/* suite_parser — the suite and expectation parsers (harness/lib/suite.h)
 * over arbitrary text.
 *
 * Input: byte 0 bit 0 picks the parser (0 suite, 1 expectation file); the
 * rest is the file's text.
 *
 * Must never see: a crash, leak or out-of-bounds access;
 *   ERROR-TEXT  a refusal whose message is not "NAME:LINE: why"
 *   SHAPE       an accepted suite with a case of no list-bytes or over
 *               CB_SUITE_MAX_BYTES of them, more alternatives than
 *               CB_SUITE_MAX_ALT, an impossible dn-size range; an accepted
 *               expectation without a reason
 *   SAME        the same text parsed twice giving two answers */
#include <stdio.h>
#include <string.h>

#include "dn.h"
#include "fuzz.h"
#include "expect.h"
#include "suite.h"

static int init(void) { return 0; }

static int words_ok(const cb_suite_words *w)
{
    if (w->n > CB_SUITE_MAX_ALT)
        return 0;
    for (size_t i = 0; i < w->n; i++)
        if (!memchr(w->v[i], 0, sizeof(w->v[i])))
            return 0;
    return 1;
}

static void check_error(int rc, const char *err)
{
    unsigned long line = 0;
    int used = 0;
    FZ_CHECK(rc == 0 || (sscanf(err, "fuzz:%lu: %n", &line, &used) == 1 && used > 0 && line > 0 && err[used]),
             "ERROR-TEXT", "refused with \"%s\"", err);
}

static void suite(const char *text, size_t len)
{
    cb_suite s, t;
    char err[512] = "", err2[512] = "";
    int rc = cb_suite_parse("fuzz", text, len, &s, err, sizeof(err));
    int rc2 = cb_suite_parse("fuzz", text, len, &t, err2, sizeof(err2));
    check_error(rc, err);
    FZ_CHECK(rc == rc2 && strcmp(err, err2) == 0 && s.n_cases == t.n_cases, "SAME", "%d \"%s\" then %d \"%s\"", rc,
             err, rc2, err2);
    for (size_t i = 0; rc == 0 && i < s.n_cases; i++) {
        const cb_suite_case *c = &s.cases[i];
        FZ_CHECK(c->n_bytes >= 1 && c->n_bytes <= CB_SUITE_MAX_BYTES && c->bytes, "SHAPE", "case %s: %zu list-bytes",
                 c->name, c->n_bytes);
        FZ_CHECK(c->n_bytes == t.cases[i].n_bytes &&
                     memcmp(c->bytes, t.cases[i].bytes, c->n_bytes * sizeof(size_t)) == 0,
                 "SAME", "case %s expands differently", c->name);
        FZ_CHECK(words_ok(&c->tls) && words_ok(&c->servers) && words_ok(&c->clients) && words_ok(&c->issuer) &&
                     words_ok(&c->select) && words_ok(&c->source) && words_ok(&c->verify) &&
                     words_ok(&c->inject) && words_ok(&c->pairs),
                 "SHAPE", "case %s: a word list out of bounds", c->name);
        FZ_CHECK(c->dn_min <= c->dn_max && cb_dn_possible(c->dn_min) && cb_dn_possible(c->dn_max), "SHAPE",
                 "case %s: dn-size %zu-%zu", c->name, c->dn_min, c->dn_max);
    }
    if (rc == 0)
        cb_suite_free(&s);
    if (rc2 == 0)
        cb_suite_free(&t);
}

static void expect(const char *text, size_t len)
{
    cb_expect_file f;
    char err[512] = "";
    int rc = cb_expect_parse("fuzz", text, len, &f, err, sizeof(err));
    check_error(rc, err);
    if (rc != 0)
        return;
    for (size_t i = 0; i < f.n; i++)
        FZ_CHECK(f.e[i].reason[0] && f.e[i].n_rules <= 8 && (f.e[i].role == 0 || f.e[i].role == 1), "SHAPE",
                 "expectation %zu (line %zu) accepted without a reason or with %zu rules", i, f.e[i].line,
                 f.e[i].n_rules);
    static const char *const ids[] = {"record-16k/crosses/openssl>gnutls/1.2", "field-64k/x/nss>nss/1.3", ""};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        for (int role = 0; role < 2; role++) {
            cb_expectation *e = cb_expect_match(&f, ids[i], role);
            FZ_CHECK(!e || (e >= f.e && e < f.e + f.n && e->role == role), "SHAPE", "match returned a stray entry");
        }
    cb_expect_free(&f);
}

static void one(const uint8_t *data, size_t size)
{
    fz_reader r = {data, size};
    uint8_t kind = fz_u8(&r);
    if (kind & 1)
        expect((const char *)r.p, r.left);
    else
        suite((const char *)r.p, r.left);
}

CB_FUZZ_TARGET(init, one)
