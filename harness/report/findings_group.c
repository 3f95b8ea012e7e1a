/* findings_group.c — findings grouped per stack: each distinct (stack,
 * side, rule or verdict) once, with its smallest case. A failed rule counts
 * when the line's outcome is finding or regression, or when its expectation
 * records the rule (a known finding); a verdict counts when it differs from
 * the expectation of a finding or regression. */
#include "findings_group.h"

#include <stdlib.h>
#include <string.h>

#include "report_common.h"

const char *cb_finding_status_name(enum cb_finding_status s)
{
    static const char *const names[] = {"known", "finding", "regression"};
    return (unsigned)s < 3 ? names[s] : "?";
}


typedef struct entry {
    char *stack;            /* the stack, or "SERVER>CLIENT" for the pair */
    const char *side;       /* server, client, pair */
    char *key;              /* rule id, or the verdict divergence */
    const char *rule;       /* rule id (for its detail), or NULL */
    enum cb_finding_status st;
    const cb_result *r;
} entry;

typedef struct entries {
    entry *v;
    size_t n, cap;
    int oom;
} entries;

static void add(entries *es, const char *stack, const char *side, const char *key, const char *rule, enum cb_finding_status st, const cb_result *r)
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
    enum cb_finding_status st = r->outcome == CB_OC_REGRESSION ? CB_FS_REGRESSION : CB_FS_FINDING;
    size_t before = es->n;
    /* Each hit belongs to the side it is about, known when that side's
     * expectation records it. Older results carry only "rules". */
    const json_t *hits = json_object_get(r->obj, "rule_hits");
    if (json_is_array(hits)) {
        cb_expect_side x[2];
        cb_expected_side(r, 0, &x[0]);
        cb_expected_side(r, 1, &x[1]);
        for (size_t i = 0; i < json_array_size(hits); i++) {
            const json_t *h = json_array_get(hits, i);
            const char *id = json_string_value(json_object_get(h, "rule"));
            const char *side = json_string_value(json_object_get(h, "side"));
            if (!id || !side)
                continue;
            int k = strcmp(side, "client") == 0;
            int known = cb_rules_have(x[k].rules, id);
            if (!known && !bad)
                continue;
            add(es, k ? r->client : r->server, k ? "client" : "server", id, id, known ? CB_FS_KNOWN : st, r);
        }
    }
    const json_t *rules = json_is_array(hits) ? NULL : json_object_get(r->obj, "rules");
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
        add(es, stack, side, id, id, known ? CB_FS_KNOWN : st, r);
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

int cb_findings_group(const cb_results *rs, cb_finding_rows *out)
{
    memset(out, 0, sizeof(*out));
    entries es = {0};
    for (size_t i = 0; i < rs->n && !es.oom; i++)
        collect(&es, &rs->v[i]);
    cb_finding_row *rows = es.oom ? NULL : malloc((es.n ? es.n : 1) * sizeof(*rows));
    if (!rows) {
        for (size_t i = 0; i < es.n; i++) {
            free(es.v[i].stack);
            free(es.v[i].key);
        }
        free(es.v);
        return -1;
    }
    if (es.n)
        qsort(es.v, es.n, sizeof(*es.v), entry_cmp);
    for (size_t i = 0; i < es.n;) {
        size_t j = i + 1;
        while (j < es.n && strcmp(es.v[j].stack, es.v[i].stack) == 0 && strcmp(es.v[j].side, es.v[i].side) == 0 &&
               strcmp(es.v[j].key, es.v[i].key) == 0)
            j++;
        /* The first entry is the most severe, then the smallest. */
        rows[out->n++] = (cb_finding_row){es.v[i].stack, es.v[i].side, es.v[i].key, es.v[i].rule, es.v[i].st, es.v[i].r, j - i};
        for (size_t k = i + 1; k < j; k++) {
            free(es.v[k].stack);
            free(es.v[k].key);
        }
        i = j;
    }
    free(es.v);
    out->v = rows;
    return 0;
}

void cb_finding_rows_free(cb_finding_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        free(rows->v[i].stack);
        free(rows->v[i].key);
    }
    free(rows->v);
    memset(rows, 0, sizeof(*rows));
}

const char *cb_finding_detail(const cb_finding_row *row)
{
    if (!row->rule)
        return NULL;
    return json_string_value(json_object_get(json_object_get(row->example->obj, "rule_details"), row->rule));
}
