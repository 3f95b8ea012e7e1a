#include "expect.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "lex.h"
#include "oracle.h"

void cb_expect_free(cb_expect_file *f)
{
    free(f->e);
    memset(f, 0, sizeof(*f));
}

int cb_expect_parse(const char *name, const char *text, size_t len, cb_expect_file *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    static cb_lex_line l;
    cb_lex_reader rd;
    cb_expectation *cur = NULL;
    size_t cap = 0;
    const char *why = NULL;
    if (cb_lex_start(&rd, text, len, &why) != 0)
        return cb_fail_at(err, errlen, name, 1, "%s in an expectation file", why);
    int got;
    while ((got = cb_lex_next(&rd, &l, &why)) != 0) {
        if (got < 0) {
            cb_expect_free(out);
            return cb_fail_at(err, errlen, name, rd.lineno, "%s", why);
        }
        const char *k = l.w[0];
        if (!cur) {
            if (strcmp(k, "stack") == 0 && l.n == 2 && cb_lex_id(l.w[1]) && !out->stack[0] && strlen(l.w[1]) < sizeof(out->stack)) {
                snprintf(out->stack, sizeof(out->stack), "%s", l.w[1]);
            } else if (strcmp(k, "expect") == 0 && l.n == 3 && (strcmp(l.w[2], "server") == 0 || strcmp(l.w[2], "client") == 0)) {
                if (!out->stack[0]) {
                    cb_expect_free(out);
                    return cb_fail_at(err, errlen, name, rd.lineno, "\"stack NAME\" must come first");
                }
                if (strlen(l.w[1]) >= sizeof(cur->pattern)) {
                    cb_expect_free(out);
                    return cb_fail_at(err, errlen, name, rd.lineno, "pattern too long");
                }
                /* Doubling: an expectation file holds thousands of entries,
                 * and growing by one copied the array each time (quadratic;
                 * under ASan every such copy is a fresh mapping). */
                if (out->n == cap) {
                    size_t ncap = cap ? cap * 2 : 64;
                    cb_expectation *ne = realloc(out->e, ncap * sizeof(*ne));
                    if (!ne) {
                        cb_expect_free(out);
                        return cb_fail_at(err, errlen, name, rd.lineno, "out of memory");
                    }
                    out->e = ne;
                    cap = ncap;
                }
                cur = &out->e[out->n++];
                memset(cur, 0, sizeof(*cur));
                snprintf(cur->pattern, sizeof(cur->pattern), "%s", l.w[1]);
                cur->role = strcmp(l.w[2], "client") == 0;
                cur->line = rd.lineno;
            } else {
                cb_expect_free(out);
                return cb_fail_at(err, errlen, name, rd.lineno, "expected \"stack NAME\" or \"expect PATTERN server|client\"");
            }
            continue;
        }
        if (strcmp(k, "end") == 0 && l.n == 1) {
            if (!cur->reason[0]) {
                size_t ln = cur->line;
                cb_expect_free(out);
                return cb_fail_at(err, errlen, name, ln, "expectation without a reason (cite the stack's source or an issue)");
            }
            cur = NULL;
            continue;
        }
        if (strcmp(k, "server-verdict") == 0 || strcmp(k, "client-verdict") == 0) {
            int server = k[0] == 's';
            if (l.n != 2 || (server ? cb_server_verdict_parse(l.w[1]) : cb_client_verdict_parse(l.w[1])) < 0) {
                if (!(l.n == 2 && strcmp(l.w[1], "unsupported") == 0)) {
                    cb_expect_free(out);
                    return cb_fail_at(err, errlen, name, rd.lineno, "%s: unknown verdict", k);
                }
            }
            if (server != (cur->role == 0)) {
                int client = cur->role;
                cb_expect_free(out);
                return cb_fail_at(err, errlen, name, rd.lineno, "%s in an expectation for the %s role", k, client ? "client" : "server");
            }
            snprintf(cur->verdict, sizeof(cur->verdict), "%.31s", l.w[1]);
        } else if (strcmp(k, "rules") == 0 && l.n >= 2) {
            cur->rules_set = 1;
            cur->n_rules = 0;
            if (!(l.n == 2 && strcmp(l.w[1], "none") == 0))
                for (size_t i = 1; i < l.n; i++) {
                    if (cb_rule_parse(l.w[i]) < 0 || cur->n_rules == 8) {
                        cb_expect_free(out);
                        return cb_fail_at(err, errlen, name, rd.lineno, "unknown rule \"%s\"", l.w[i]);
                    }
                    snprintf(cur->rules[cur->n_rules++], 32, "%.31s", l.w[i]);
                }
        } else if (strcmp(k, "fault") == 0 && l.n == 2) {
            if (strcmp(l.w[1], "none") && strcmp(l.w[1], "timeout") && strcmp(l.w[1], "crash") && strcmp(l.w[1], "shim-error")) {
                cb_expect_free(out);
                return cb_fail_at(err, errlen, name, rd.lineno, "fault: none, timeout, crash or shim-error");
            }
            snprintf(cur->fault, sizeof(cur->fault), "%.31s", strcmp(l.w[1], "none") ? l.w[1] : "");
        } else if (strcmp(k, "reason") == 0 && l.n == 2) {
            if (strlen(l.w[1]) >= sizeof(cur->reason)) {
                /* Never cut: a cut reason says less than was written. */
                cb_expect_free(out);
                return cb_fail_at(err, errlen, name, rd.lineno, "reason longer than %zu bytes", sizeof(cur->reason) - 1);
            }
            snprintf(cur->reason, sizeof(cur->reason), "%s", l.w[1]);
        } else {
            cb_expect_free(out);
            return cb_fail_at(err, errlen, name, rd.lineno, "unknown key \"%s\" (server-verdict, client-verdict, rules, fault, reason, end)", k);
        }
    }
    if (cur) {
        cb_expect_free(out);
        return cb_fail_at(err, errlen, name, rd.lineno, "file ends inside an expectation: missing \"end\"");
    }
    if (!out->stack[0]) {
        cb_expect_free(out);
        return cb_fail_at(err, errlen, name, rd.lineno ? rd.lineno : 1, "no \"stack NAME\" line");
    }
    return 0;
}

cb_expectation *cb_expect_match(cb_expect_file *f, const char *case_id, int role)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->e[i].role == role && fnmatch(f->e[i].pattern, case_id, 0) == 0)
            return &f->e[i];
    return NULL;
}
