/* report_findings.c — the README's findings table: each distinct (stack,
 * side, rule or verdict) once, with its smallest case (lowest list bytes)
 * and the command that reruns it. Known findings (a failed rule that the
 * line's expectation records) are listed too, labelled "known". */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "report_common.h"

enum status { ST_KNOWN, ST_FINDING, ST_REGRESSION };
static const char *const status_name[] = {"known", "finding", "regression"};

typedef struct entry {
    char *stack;            /* the stack, or "SERVER>CLIENT" for the pair */
    const char *side;       /* server, client, pair */
    char *key;              /* rule id, or the verdict divergence */
    const char *rule;       /* rule id (for its detail), or NULL */
    enum status st;
    const cb_result *r;
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
    int oom;
} entries;

static void add(entries *es, const char *stack, const char *side, const char *key, const char *rule, enum status st, const cb_result *r)
{
    if (es->n == es->cap) {
        size_t ncap = es->cap ? es->cap * 2 : 64;
        entry *nv = realloc(es->v, ncap * sizeof(*nv));
        if (!nv) {
            es->oom = 1;
            return;
        }
        es->v = nv;
        es->cap = ncap;
    }
    entry e = {strdup(stack), side, strdup(key), rule, st, r};
    if (!e.stack || !e.key) {
        free(e.stack);
        free(e.key);
        es->oom = 1;
        return;
    }
    es->v[es->n++] = e;
}

static const char *nz(const char *s) { return s ? s : "-"; }

/* The entries one results line contributes. */
static void collect(entries *es, const cb_result *r)
{
    int bad = r->outcome == CB_OC_FINDING || r->outcome == CB_OC_REGRESSION;
    enum status st = r->outcome == CB_OC_REGRESSION ? ST_REGRESSION : ST_FINDING;
    size_t before = es->n;
    const json_t *rules = json_object_get(r->obj, "rules");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *id = json_string_value(json_array_get(rules, i));
        int known = cb_expected_has_rule(r, id);
        if (!known && !bad)
            continue; /* not this report's to judge */
        /* A known failure belongs to the side whose expectation records it. */
        const char *side = known == 1 ? "server" : known == 2 ? "client" : cb_rule_side(id, r);
        char pair[300];
        snprintf(pair, sizeof(pair), "%s>%s", r->server, r->client);
        const char *stack = strcmp(side, "server") == 0 ? r->server : strcmp(side, "client") == 0 ? r->client : pair;
        add(es, stack, side, id, id, known ? ST_KNOWN : st, r);
    }
    if (!bad)
        return;
    cb_expect_side xs, xc;
    cb_expected_side(r, 0, &xs);
    cb_expected_side(r, 1, &xc);
    const char *es_v = xs.verdict, *ec_v = xc.verdict;
    char key[300];
    if (es_v && strcmp(es_v, nz(r->server_verdict)) != 0) {
        snprintf(key, sizeof(key), "server verdict %s, expected %s", nz(r->server_verdict), es_v);
        add(es, r->server, "server", key, NULL, st, r);
    }
    if (ec_v && strcmp(ec_v, nz(r->client_verdict)) != 0) {
        snprintf(key, sizeof(key), "client verdict %s, expected %s", nz(r->client_verdict), ec_v);
        add(es, r->client, "client", key, NULL, st, r);
    }
    if (es->n == before) {
        char pair[300];
        snprintf(pair, sizeof(pair), "%s>%s", r->server, r->client);
        snprintf(key, sizeof(key), "server %s, client %s", nz(r->server_verdict), nz(r->client_verdict));
        add(es, pair, "pair", key, NULL, st, r);
    }
}

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = cb_stack_cmp(x->stack, y->stack);
    if (!c)
        c = strcmp(x->side, y->side);
    if (!c)
        c = strcmp(x->key, y->key);
    if (c)
        return c;
    if (x->st != y->st)
        return x->st > y->st ? -1 : 1; /* the most severe first */
    long long xb = x->r->list_bytes < 0 ? -1 : x->r->list_bytes, yb = y->r->list_bytes < 0 ? -1 : y->r->list_bytes;
    if (xb != yb) /* lowest list bytes first, unknown last */
        return xb < 0 ? 1 : yb < 0 ? -1 : xb < yb ? -1 : 1;
    return x->r->line < y->r->line ? -1 : x->r->line > y->r->line;
}

static void put_row(FILE *out, const entry *e, size_t cases)
{
    fputs("| ", out);
    cb_md_put(out, e->stack, 200);
    fprintf(out, " | %s | ", e->side);
    if (e->rule) {
        cb_md_code(out, e->rule);
    } else {
        cb_md_put(out, e->key, 300);
    }
    fprintf(out, " (%s%s%s", e->st == ST_KNOWN ? "" : "**", status_name[e->st], e->st == ST_KNOWN ? "" : "**");
    if (cases > 1)
        fprintf(out, ", %zu cases", cases);
    fputc(')', out);
    const char *detail = e->rule ? json_string_value(json_object_get(json_object_get(e->r->obj, "rule_details"), e->rule)) : NULL;
    if (detail) {
        fputs(": ", out);
        cb_md_put(out, detail, 300);
    }
    fputs(" | ", out);
    cb_md_code(out, e->r->case_id);
    if (e->r->list_bytes >= 0)
        fprintf(out, " (%lld list bytes)", e->r->list_bytes);
    fputs(" | ", out);
    if (cb_res_str(e->r, "repro"))
        cb_md_code(out, cb_res_str(e->r, "repro"));
    else
        fputs("\xe2\x80\x94", out);
    fputs(" |\n", out);
}

int cb_report_findings_md(const char *results_jsonl, FILE *out, char *err, size_t errlen)
{
    cb_results rs;
    if (cb_results_load(results_jsonl, &rs, err, errlen) != 0)
        return -1;
    entries es = {0};
    for (size_t i = 0; i < rs.n; i++)
        collect(&es, &rs.v[i]);
    int rc = 0;
    if (es.oom) {
        snprintf(err, errlen, "%s: out of memory building the findings table", results_jsonl);
        rc = -1;
    } else {
        if (es.n)
            qsort(es.v, es.n, sizeof(*es.v), entry_cmp);
        fputs("| stack | side | finding | example case | repro |\n| --- | --- | --- | --- | --- |\n", out);
        for (size_t i = 0; i < es.n;) {
            size_t j = i + 1;
            while (j < es.n && strcmp(es.v[j].stack, es.v[i].stack) == 0 && strcmp(es.v[j].side, es.v[i].side) == 0 &&
                   strcmp(es.v[j].key, es.v[i].key) == 0)
                j++;
            put_row(out, &es.v[i], j - i);
            i = j;
        }
        if (!es.n)
            fputs("| \xe2\x80\x94 | \xe2\x80\x94 | no findings | \xe2\x80\x94 | \xe2\x80\x94 |\n", out);
        if (ferror(out)) {
            snprintf(err, errlen, "%s: cannot write the findings table", results_jsonl);
            rc = -1;
        }
    }
    if (rc == 0)
        rc = cb_jsonl_bad_message(&rs.bad, err, errlen);
    for (size_t i = 0; i < es.n; i++) {
        free(es.v[i].stack);
        free(es.v[i].key);
    }
    free(es.v);
    cb_results_free(&rs);
    return rc;
}
