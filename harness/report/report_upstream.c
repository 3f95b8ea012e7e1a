/* report_upstream.c — `cabound report DIR --upstream FINDING`: a report for a
 * maintainer's tracker about a finding that holds in a current release,
 * written from the run's results lines and the case's capture (nothing is
 * re-run or re-judged). FINDING is "STACK:SIDE:RULE", the stack, side and
 * rule columns of the findings table, or a case id. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_records.h"
#include "changes.h"
#include "escape.h"
#include "oracle.h"
#include "report.h"
#include "report_common.h"
#include "upstream_text.h"

/* What the report is about, once FINDING is resolved. */
typedef struct target {
    const char *side, *rule;
    const cb_result *current, *packaged; /* packaged: NULL when that case did not run */
    char stack[64];                      /* the packaged stack id */
    char release[128];                   /* the release's id */
    size_t held, of;                     /* over the run, for the release */
} target;

/* Levenshtein distance, for "did you mean" (names are short). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 200 || lb > 200)
        return (size_t)-1;
    size_t row[201];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t sub = diag + (a[i - 1] != b[j - 1]);
            size_t best = row[j - 1] + 1 < up + 1 ? row[j - 1] + 1 : up + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[lb];
}

/* Every finding name of the run ("STACK:SIDE:RULE" of each rule hit), sorted. */
static int finding_names(const cb_results *rs, json_t *names)
{
    for (size_t i = 0; i < rs->n; i++) {
        const json_t *hits = json_object_get(rs->v[i].obj, "rule_hits");
        for (size_t k = 0; k < json_array_size(hits); k++) {
            const json_t *h = json_array_get(hits, k);
            const char *rule = json_string_value(json_object_get(h, "rule"));
            const char *side = json_string_value(json_object_get(h, "side"));
            if (!rule || !side || (strcmp(side, "server") != 0 && strcmp(side, "client") != 0))
                continue;
            char name[400];
            snprintf(name, sizeof(name), "%s:%s:%s", strcmp(side, "server") == 0 ? rs->v[i].server : rs->v[i].client,
                     side, rule);
            if (json_object_set_new(names, name, json_true()) != 0)
                return -1;
        }
    }
    return 0;
}

/* The message for a name the run does not know: the nearest names. */
static void unknown(const cb_results *rs, const char *finding, char *err, size_t errlen)
{
    json_t *names = json_object();
    size_t best = (size_t)-1;
    const char *near = NULL;
    if (strchr(finding, '/')) { /* a case id: the nearest case's */
        for (size_t i = 0; i < rs->n; i++) {
            size_t d = distance(finding, rs->v[i].case_id);
            if (d < best) {
                best = d;
                near = rs->v[i].case_id;
            }
        }
        if (near && best <= strlen(finding) / 10 + 2)
            snprintf(err, errlen, "--upstream %.200s: no such case in this run; did you mean %.300s?", finding, near);
        else
            snprintf(err, errlen, "--upstream %.200s: no such case in this run (a case id is SUITE/NAME/SERVER>CLIENT/TLS, "
                     "as results.jsonl's \"case\")", finding);
        json_decref(names);
        return;
    }
    if (names && finding_names(rs, names) == 0) {
        const char *k;
        json_t *v;
        json_object_foreach(names, k, v)
        {
            size_t d = distance(finding, k);
            if (d < best || (d == best && near && strcmp(k, near) < 0)) {
                best = d;
                near = k;
            }
        }
    }
    if (near && best <= strlen(finding) / 3 + 2)
        snprintf(err, errlen, "--upstream %.200s: no such finding in this run; did you mean %.200s? (findings are named "
                 "STACK:SIDE:RULE, as the findings table's columns, or by a case id)", finding, near);
    else
        snprintf(err, errlen, "--upstream %.200s: no such finding in this run (%zu findings; name one as STACK:SIDE:RULE, "
                 "e.g. %.200s, or by a case id)", finding, names ? json_object_size(names) : 0, near ? near : "openssl:server:CA-PREFIX");
    json_decref(names);
}

static void base_of(const char *id, char *out, size_t outlen)
{
    const char *at = strchr(id, '@');
    size_t n = at ? (size_t)(at - id) : strlen(id);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, id, n);
    out[n] = 0;
}

/* The smallest case of |rs| where |stack|'s |side| has a hit of |rule|. */
static const cb_result *smallest_hit(const cb_results *rs, const char *stack, const char *side, const char *rule, size_t *count)
{
    const cb_result *best = NULL;
    *count = 0;
    int server = strcmp(side, "server") == 0;
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        if (strcmp(server ? r->server : r->client, stack) != 0 || !cb_line_has_hit(r, side, rule))
            continue;
        (*count)++;
        if (!best || (r->list_bytes >= 0 && (best->list_bytes < 0 || r->list_bytes < best->list_bytes)))
            best = r;
    }
    return best;
}

/* Resolves a packaged finding to the release where it holds. Returns 0, or
 * 2 with a refusal. */
static int resolve_packaged(const cb_case_index *ix, const char *stack, const char *side, const char *rule,
                            const char *finding, target *t, char *err, size_t errlen)
{
    cb_holds h[8];
    int n = cb_finding_holds(ix, stack, side, rule, h, 8);
    if (n < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (n == 0) {
        snprintf(err, errlen, "--upstream %.200s: no current release of %.60s ran in this run (build one with ci/stacks and "
                 "run it beside %.60s, e.g. --stacks %.60s,%.60s@VERSION): nothing to report upstream", finding, stack, stack, stack, stack);
        return 2;
    }
    for (int k = 0; k < n; k++) {
        if (h[k].held_case) {
            snprintf(t->stack, sizeof(t->stack), "%s", stack);
            snprintf(t->release, sizeof(t->release), "%s", h[k].release);
            t->current = h[k].held_case;
            t->packaged = h[k].held_packaged;
            t->held = h[k].held;
            t->of = h[k].of;
            return 0;
        }
    }
    const cb_holds *g = &h[0];
    if (g->of)
        snprintf(err, errlen, "--upstream %.200s: does not hold in the current release %.100s (0 of %zu comparable cases; e.g. %.300s): "
                 "nothing to report upstream", finding, g->release, g->of, g->gone_case ? cb_res_str(g->gone_case, "repro") : "");
    else
        snprintf(err, errlen, "--upstream %.200s: unmeasured in the current release %.100s (none of the %zu packaged cases has a "
                 "comparable case with it): nothing to report upstream", finding, g->release, g->packaged_cases);
    return 2;
}

/* Resolves FINDING. Returns 0, 2 (unknown, or does not hold) or -1. */
static int resolve(const cb_case_index *ix, const char *finding, target *t, char *err, size_t errlen)
{
    const cb_results *rs = ix->rs;
    memset(t, 0, sizeof(*t));
    if (strchr(finding, '/')) { /* a case id */
        const cb_result *r = NULL;
        for (size_t i = 0; i < rs->n && !r; i++)
            if (strcmp(rs->v[i].case_id, finding) == 0)
                r = &rs->v[i];
        if (!r) {
            unknown(rs, finding, err, errlen);
            return 2;
        }
        const json_t *hits = json_object_get(r->obj, "rule_hits");
        if (!json_array_size(hits)) {
            snprintf(err, errlen, "--upstream %.200s: this case failed no rule (server %s, client %s): nothing to report upstream",
                     finding, r->server_verdict ? r->server_verdict : "-", r->client_verdict ? r->client_verdict : "-");
            return 2;
        }
        snprintf(err, errlen, "--upstream %.200s: none of its rule hits names the side it is about (server or client): "
                 "nothing to report upstream", finding);
        for (size_t k = 0; k < json_array_size(hits); k++) {
            const json_t *h = json_array_get(hits, k);
            const char *rule = json_string_value(json_object_get(h, "rule"));
            const char *side = json_string_value(json_object_get(h, "side"));
            if (!rule || !side || (strcmp(side, "server") != 0 && strcmp(side, "client") != 0))
                continue;
            const char *id = strcmp(side, "server") == 0 ? r->server : r->client;
            t->side = side;
            t->rule = rule;
            if (strchr(id, '@')) { /* the case is the release's own */
                base_of(id, t->stack, sizeof(t->stack));
                snprintf(t->release, sizeof(t->release), "%s", id);
                t->current = r;
                t->packaged = cb_counterpart(ix, r, side, t->stack);
                t->held = t->of = 1;
                return 0;
            }
            /* A packaged case: its counterpart with a release in its place. */
            cb_holds hs[8];
            int n = cb_finding_holds(ix, id, side, rule, hs, 8);
            for (int j = 0; j < n; j++) {
                const cb_result *now = cb_counterpart(ix, r, side, hs[j].release);
                if (now && cb_line_has_hit(now, side, rule)) {
                    snprintf(t->stack, sizeof(t->stack), "%s", id);
                    snprintf(t->release, sizeof(t->release), "%s", hs[j].release);
                    t->current = now;
                    t->packaged = r;
                    t->held = hs[j].held;
                    t->of = hs[j].of;
                    return 0;
                }
            }
            snprintf(err, errlen, "--upstream %.200s: its %s %s hit does not hold in %s: nothing to report upstream", finding,
                     side, rule, n > 0 ? "the same case with the current release" : "a current release (none of this stack ran)");
        }
        return 2;
    }
    /* STACK:SIDE:RULE */
    char buf[400];
    snprintf(buf, sizeof(buf), "%s", finding);
    char *c1 = strchr(buf, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c1 || !c2 || strchr(c2 + 1, ':')) {
        unknown(rs, finding, err, errlen);
        return 2;
    }
    *c1 = *c2 = 0;
    const char *stack = buf, *side = c1 + 1, *rule = c2 + 1;
    if ((strcmp(side, "server") != 0 && strcmp(side, "client") != 0) || cb_rule_parse(rule) < 0) {
        unknown(rs, finding, err, errlen);
        return 2;
    }
    t->side = strcmp(side, "server") == 0 ? "server" : "client";
    t->rule = cb_rule_id((enum cb_rule)cb_rule_parse(rule));
    size_t count;
    const cb_result *r = smallest_hit(rs, stack, t->side, t->rule, &count);
    if (!r) {
        unknown(rs, finding, err, errlen);
        return 2;
    }
    if (strchr(stack, '@')) {
        base_of(stack, t->stack, sizeof(t->stack));
        snprintf(t->release, sizeof(t->release), "%s", stack);
        t->current = r;
        t->packaged = cb_counterpart(ix, r, t->side, t->stack);
        t->held = t->of = count;
        return 0;
    }
    return resolve_packaged(ix, stack, t->side, t->rule, finding, t, err, errlen);
}

/* mkdir -p |path|. */
static int make_dirs(const char *path, char *err, size_t errlen)
{
    char p[4096];
    if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p)) {
        snprintf(err, errlen, "%.100s...: path too long", path);
        return -1;
    }
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", p, strerror(errno));
            return -1;
        }
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", p, strerror(errno));
        return -1;
    }
    return 0;
}

/* Copies DIR/|rel| (a path the results line names) to OUT/basename. Returns
 * 0 and the basename in |name|, 1 when the line names none, -1 on error. */
static int copy_capture(const char *dir, const char *rel, const char *out_dir, char *name, size_t namelen, char *err, size_t errlen)
{
    if (!rel)
        return 1;
    if (!cb_rel_path_ok(rel) || strstr(rel, "..")) {
        snprintf(err, errlen, "%s: the results line names the capture %.200s, not a path inside the run's directory", dir, rel);
        return -1;
    }
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    snprintf(name, namelen, "%s", base);
    char from[8400], to[8400];
    snprintf(from, sizeof(from), "%s/%s", dir, rel);
    snprintf(to, sizeof(to), "%s/%s", out_dir, base);
    FILE *in = fopen(from, "rb");
    if (!in) {
        snprintf(err, errlen, "%s: %s (the case's capture; was the run's captures/ directory removed?)", from, strerror(errno));
        return -1;
    }
    FILE *out = fopen(to, "wb");
    if (!out) {
        snprintf(err, errlen, "%s: %s", to, strerror(errno));
        fclose(in);
        return -1;
    }
    char buf[65536];
    size_t n;
    int bad = 0;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            bad = 1;
    bad |= ferror(in);
    fclose(in);
    if (fclose(out) != 0 || bad) {
        snprintf(err, errlen, "%s: cannot copy %s", to, from);
        return -1;
    }
    return 0;
}

/* The directory name for a finding: its characters outside [A-Za-z0-9@._-] as '_'. */
void cb_upstream_dir_name(const char *finding, char *out, size_t outlen)
{
    size_t i = 0;
    for (const char *s = finding; *s && i + 1 < outlen && i < 150; s++, i++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' || c == '.' ||
                 c == '-';
        out[i] = ok ? c : '_';
    }
    out[i] = 0;
}

int cb_report_upstream(const char *dir, const char *finding, const char *out_dir, char *err, size_t errlen)
{
    char rpath[4200];
    snprintf(rpath, sizeof(rpath), "%s/results.jsonl", dir);
    cb_results rs;
    if (cb_results_load(rpath, &rs, err, errlen) != 0)
        return -1;
    cb_case_index ix;
    if (cb_case_index_build(&rs, &ix) != 0) {
        snprintf(err, errlen, "%s: out of memory", rpath);
        cb_results_free(&rs);
        return -1;
    }
    target t;
    int rc = resolve(&ix, finding, &t, err, errlen);
    cb_capture cap;
    memset(&cap, 0, sizeof(cap));
    char cap_err[512] = "", pcap_name[512] = "", keylog_name[512] = "", sent_name[512] = "";
    if (rc == 0)
        rc = make_dirs(out_dir, err, errlen);
    if (rc == 0) {
        const char *pcap = cb_res_str(t.current, "pcap");
        int c1 = copy_capture(dir, pcap, out_dir, pcap_name, sizeof(pcap_name), err, errlen);
        int c2 = c1 < 0 ? 0 : copy_capture(dir, cb_res_str(t.current, "keylog"), out_dir, keylog_name, sizeof(keylog_name), err, errlen);
        int c3 = c1 < 0 || c2 < 0 ? 0 : copy_capture(dir, cb_res_str(t.current, "pcap_server_sent"), out_dir, sent_name, sizeof(sent_name), err, errlen);
        if (c1 < 0 || c2 < 0 || c3 < 0)
            rc = -1;
        if (c1 == 1)
            pcap_name[0] = 0;
        if (c2 == 1)
            keylog_name[0] = 0;
        if (c3 == 1)
            sent_name[0] = 0;
        if (rc == 0 && pcap_name[0]) {
            char p[8400];
            snprintf(p, sizeof(p), "%s/%s", out_dir, pcap_name);
            if (cb_capture_read(p, &cap, cap_err, sizeof(cap_err)) != 0)
                cb_capture_free(&cap); /* said in the report */
        }
    }
    if (rc == 0) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/REPORT.md", out_dir);
        cb_out o;
        rc = cb_out_open(&o, path, err, errlen);
        if (rc == 0) {
            cb_upstream_doc d = {finding, t.side, t.rule, t.stack, t.release, t.current, t.packaged, t.held, t.of,
                                 pcap_name, keylog_name, sent_name, pcap_name[0] && !cap_err[0] ? &cap : NULL, cap_err};
            cb_upstream_write(o.f, &d);
            rc = cb_out_close(&o, err, errlen);
        }
    }
    if (rc == 0) {
        /* Both results lines, as the run wrote them (minus nothing). */
        char path[4200];
        snprintf(path, sizeof(path), "%s/cases.jsonl", out_dir);
        cb_out o;
        rc = cb_out_open(&o, path, err, errlen);
        if (rc == 0) {
            const cb_result *lines[2] = {t.current, t.packaged};
            for (int k = 0; k < 2; k++)
                if (lines[k])
                    json_dumpf(lines[k]->obj, o.f, JSON_COMPACT | JSON_PRESERVE_ORDER), fputc('\n', o.f);
            rc = cb_out_close(&o, err, errlen);
        }
    }
    cb_capture_free(&cap);
    cb_case_index_free(&ix);
    if (rc == 0 && rs.bad.count)
        rc = cb_jsonl_bad_message(&rs.bad, err, errlen);
    cb_results_free(&rs);
    return rc;
}
