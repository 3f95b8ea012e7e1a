/* report_common.c — ordering, rule sides and atomic output files. */
#include "report_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oracle.h"

int cb_outcome_severity(enum cb_outcome o)
{
    switch (o) {
    case CB_OC_REGRESSION: return 5;
    case CB_OC_FINDING: return 4;
    case CB_OC_ERROR: return 3;
    case CB_OC_XPASS: return 2;
    case CB_OC_MISSING: return 2;
    case CB_OC_PASS: return 1;
    case CB_OC_UNSUPPORTED: return 0;
    case CB_OC_COUNT: break;
    }
    return 0;
}

static int stack_rank(const char *s, size_t len)
{
    static const char *const order[] = {"openssl", "boringssl", "gnutls", "mbedtls", "wolfssl", "nss", "go",
                                        "jsse",    "bctls",     "rustls", "erlang",  "botan",   "bearssl"};
    const int n = (int)(sizeof(order) / sizeof(order[0]));
    for (int i = 0; i < n; i++)
        if (strlen(order[i]) == len && strncmp(order[i], s, len) == 0)
            return i;
    return n;
}

int cb_stack_cmp(const char *a, const char *b)
{
    const char *at = strchr(a, '@'), *bt = strchr(b, '@');
    size_t al = at ? (size_t)(at - a) : strlen(a), bl = bt ? (size_t)(bt - b) : strlen(b);
    int ra = stack_rank(a, al), rb = stack_rank(b, bl);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return strcmp(a, b); /* "x" < "x@build" */
}

long cb_strset_find(const cb_strset *s, const char *str)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], str) == 0)
            return (long)i;
    return -1;
}

long cb_strset_add(cb_strset *s, const char *str)
{
    long i = cb_strset_find(s, str);
    if (i >= 0)
        return i;
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        const char **nv = realloc(s->v, ncap * sizeof(*nv));
        if (!nv)
            return -1;
        s->v = nv;
        s->cap = ncap;
    }
    s->v[s->n] = str;
    return (long)s->n++;
}

static int cmp_stack_p(const void *a, const void *b) { return cb_stack_cmp(*(const char *const *)a, *(const char *const *)b); }
static int cmp_str_p(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

void cb_strset_sort_stacks(cb_strset *s)
{
    if (s->n)
        qsort(s->v, s->n, sizeof(*s->v), cmp_stack_p);
}

void cb_strset_sort(cb_strset *s)
{
    if (s->n)
        qsort(s->v, s->n, sizeof(*s->v), cmp_str_p);
}

void cb_strset_free(cb_strset *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

const char *cb_rule_side(const char *rule, const cb_result *r)
{
    if (cb_res_rule_side(r, rule)) /* the line says (rule_hits, or an older shape) */
        return cb_res_rule_side(r, rule);
    switch (cb_rule_parse(rule)) {
    case CB_RULE_PREFIX:
    case CB_RULE_RECORD_SIZE:
        return "server";
    case CB_RULE_SELECT:
    case CB_RULE_API_WIRE:
        return "client";
    case CB_RULE_ALERT: {
        const char *cv = r->client_verdict ? r->client_verdict : "";
        return strcmp(cv, "rejected") == 0 || strcmp(cv, "aborted") == 0 ? "client" : "server";
    }
    default:
        return "pair";
    }
}

const char *cb_rule_describe(const char *rule)
{
    int i = cb_rule_parse(rule);
    return i >= 0 && i < CB_RULE_COUNT ? cb_rule_text((enum cb_rule)i) : NULL;
}

void cb_expected_side(const cb_result *r, int client, cb_expect_side *out)
{
    memset(out, 0, sizeof(*out));
    out->line = -1;
    const json_t *exp = json_object_get(r->obj, "expected");
    if (!json_is_object(exp))
        return;
    const char *vkey = client ? "client_verdict" : "server_verdict";
    const json_t *side = json_object_get(exp, client ? "client" : "server");
    if (json_is_object(side)) {
        out->present = 1;
        out->verdict = json_string_value(json_object_get(side, vkey));
        out->rules = json_is_array(json_object_get(side, "rules")) ? json_object_get(side, "rules") : NULL;
        out->reason = json_string_value(json_object_get(side, "reason"));
        out->pattern = json_string_value(json_object_get(side, "pattern"));
        out->file = json_string_value(json_object_get(side, "file"));
        out->fault = json_string_value(json_object_get(side, "fault"));
        out->line = json_is_integer(json_object_get(side, "line")) ? (long long)json_integer_value(json_object_get(side, "line")) : -1;
        return;
    }
    if (json_object_get(exp, "server") || json_object_get(exp, "client"))
        return; /* the run's shape, nothing recorded for this side */
    out->verdict = json_string_value(json_object_get(exp, vkey));
    out->rules = json_is_array(json_object_get(exp, "rules")) ? json_object_get(exp, "rules") : NULL;
    out->reason = json_string_value(json_object_get(exp, "reason"));
    out->present = out->verdict || out->rules || out->reason;
}

int cb_rules_have(const json_t *rules, const char *rule)
{
    for (size_t i = 0; json_is_array(rules) && i < json_array_size(rules); i++) {
        const json_t *v = json_array_get(rules, i);
        if (json_is_string(v) && strcmp(json_string_value(v), rule) == 0)
            return 1;
    }
    return 0;
}

int cb_expected_has_rule(const cb_result *r, const char *rule)
{
    cb_expect_side s, c;
    cb_expected_side(r, 0, &s);
    cb_expected_side(r, 1, &c);
    if (s.rules && s.rules == c.rules) /* the flat shape: one list for the case */
        return cb_rules_have(s.rules, rule) ? (strcmp(cb_rule_side(rule, r), "client") == 0 ? 2 : 1) : 0;
    if (cb_rules_have(s.rules, rule))
        return 1;
    if (cb_rules_have(c.rules, rule))
        return 2;
    return 0;
}

int cb_out_open(cb_out *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    if (strlen(path) >= sizeof(o->path)) {
        snprintf(err, errlen, "%.100s...: path too long", path);
        return -1;
    }
    snprintf(o->path, sizeof(o->path), "%s", path);
    snprintf(o->tmp, sizeof(o->tmp), "%s.tmp.%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "wb");
    if (!o->f) {
        snprintf(err, errlen, "%s: %s", o->tmp, strerror(errno));
        return -1;
    }
    return 0;
}

int cb_out_close(cb_out *o, char *err, size_t errlen)
{
    int bad = fflush(o->f) != 0 || ferror(o->f);
    int e = errno;
    if (fclose(o->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->f = NULL;
    if (bad) {
        snprintf(err, errlen, "%s: write error: %s", o->tmp, strerror(e));
        unlink(o->tmp);
        return -1;
    }
    if (rename(o->tmp, o->path) != 0) {
        snprintf(err, errlen, "%s: cannot rename %s into place: %s", o->path, o->tmp, strerror(errno));
        unlink(o->tmp);
        return -1;
    }
    return 0;
}

void cb_fmt_bytes(long long v, char *out, size_t outlen)
{
    if (v < 0)
        snprintf(out, outlen, "\xe2\x80\x94"); /* an em dash: no value */
    else
        snprintf(out, outlen, "%lld", v);
}
