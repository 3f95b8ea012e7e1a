/* Suite and expectation parsing: expansion, inheritance, matching. */
#include "check.h"
#include "expect.h"
#include "suite.h"

int main(void)
{
    static const char text[] =
        "# a comment\n"
        "suite demo\n"
        "description \"a \\\"quoted\\\" text\"\n"
        "defaults\n  tls 1.2\n  servers openssl gnutls\n  dn-size 50-60\nend\n"
        "case a   # trailing comment\n  list-bytes 100 200..210/5 300\n  issuer first,last absent\nend\n"
        "case b\n  list-bytes 1000\n  tls 1.2 1.3\n  model schannel-16k\n  inject dn-cut empty\nend\n";
    cb_suite s;
    char err[256];
    CHECK(cb_suite_parse("demo.suite", text, sizeof(text) - 1, &s, err, sizeof(err)) == 0);
    CHECK_STR(s.name, "demo");
    CHECK_STR(s.description, "a \"quoted\" text");
    CHECK_EQ(s.n_cases, 2);
    CHECK_EQ(s.cases[0].n_bytes, 5); /* 100, 200, 205, 210, 300 */
    CHECK_EQ(s.cases[0].bytes[3], 210);
    CHECK_EQ(s.cases[0].issuer.n, 2);
    CHECK_STR(s.cases[0].issuer.v[0], "first,last");
    CHECK_EQ(s.cases[0].tls.n, 1);             /* inherited */
    CHECK_EQ(s.cases[0].dn_min, 50);           /* inherited */
    CHECK_EQ(s.cases[0].servers.n, 2);
    CHECK_EQ(s.cases[1].tls.n, 2);             /* overridden */
    CHECK_STR(s.cases[1].model, "schannel-16k");
    CHECK_EQ(s.cases[1].inject.n, 2);
    CHECK_STR(s.cases[1].select.v[0], "auto"); /* built-in default */
    cb_suite_free(&s);

    static const char bad[] = "suite x\ncase a\n  list-bytes 100\n  dn-size 70000-70000\nend\n";
    CHECK(cb_suite_parse("bad.suite", bad, sizeof(bad) - 1, &s, err, sizeof(err)) == -1);
    CHECK(strncmp(err, "bad.suite:4: dn-size", 20) == 0);

    static const char exp[] = "stack openssl\n"
                              "expect field-64k/*/openssl>*/1.3 server\n  server-verdict refused\n"
                              "  rules none\n  reason \"ssl/statem/extensions_srvr.c\"\nend\n"
                              "expect */*>openssl/* client\n  client-verdict selected\n  rules SEL-ISSUER\n"
                              "  reason \"x\"\nend\n";
    cb_expect_file f;
    CHECK(cb_expect_parse("openssl.expect", exp, sizeof(exp) - 1, &f, err, sizeof(err)) == 0);
    CHECK_STR(f.stack, "openssl");
    CHECK_EQ(f.n, 2);
    cb_expectation *x = cb_expect_match(&f, "field-64k/near-limit@65500/openssl>gnutls/1.3", 0);
    CHECK(x != NULL && x->line == 2);
    CHECK(cb_expect_match(&f, "field-64k/near-limit@65500/openssl>gnutls/1.2", 0) == NULL);
    x = cb_expect_match(&f, "selection/places@4000/nss>openssl/1.2", 1);
    CHECK(x != NULL && x->n_rules == 1);
    CHECK(cb_expect_match(&f, "selection/places@4000/nss>openssl/1.2", 0) == NULL);
    cb_expect_free(&f);
    static const char noreason[] = "stack a\nexpect * server\nend\n";
    CHECK(cb_expect_parse("n.expect", noreason, sizeof(noreason) - 1, &f, err, sizeof(err)) == -1);
    CHECK(strncmp(err, "n.expect:2:", 11) == 0);
    CHECK_DONE();
}
