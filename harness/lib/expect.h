/* expect.h — the expectation format: per stack, the recorded behaviour of
 * each case it plays a role in, with the reason (a source citation), parsed
 * from buffers; errors name "FILE:LINE: message". */
#ifndef CABOUND_EXPECT_H
#define CABOUND_EXPECT_H

#include <stddef.h>

/* An expectation file (suites/expect/STACK.expect):
 *
 *     stack openssl
 *     expect field-64k/... server      (a glob: '*' as in fnmatch)
 *       server-verdict refused
 *       rules CA-PREFIX
 *       reason "ssl/statem/statem_srvr.c tls_construct_certificate_request: ..."
 *     end
 *
 * `expect PATTERN server|client` matches case ids (SUITE/NAME/SERVER>CLIENT/TLS,
 * fnmatch-style) where this stack plays that role. Inside: server-verdict,
 * client-verdict, rules (the rules expected to fail; `rules none` for
 * none), fault (timeout, crash, shim-error, none), reason (required, with a
 * source citation or an issue link). The first matching entry wins. */
typedef struct cb_expectation {
    char pattern[256];
    int role; /* 0 server, 1 client */
    char verdict[32];    /* "" = not stated */
    char rules[8][32];
    size_t n_rules;
    int rules_set;
    char fault[32];      /* "" = none expected */
    char reason[1024];
    size_t line;
    unsigned hits;
} cb_expectation;

typedef struct cb_expect_file {
    char stack[64];
    cb_expectation *e;
    size_t n;
} cb_expect_file;

int cb_expect_parse(const char *name, const char *text, size_t len, cb_expect_file *out, char *err, size_t errlen);
void cb_expect_free(cb_expect_file *f);

/* cb_expect_match returns the first expectation of |f| whose pattern matches
 * |case_id| for |role|, or NULL. */
cb_expectation *cb_expect_match(cb_expect_file *f, const char *case_id, int role);

#endif
