/* report_summary.c — the terminal summary of a run: counts per outcome,
 * then the regressions, findings, xpasses and errors, cases that differ
 * only in size grouped under their smallest, each with its repro command
 * (xpasses without: nothing to rerun, an expectation to update). */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "report_common.h"
#include "report_text.h"

/* Groups listed per outcome before "and N more". */
#define SUMMARY_LIST_MAX 25
/* The longest string shown on a terminal line. */
#define SUMMARY_STR_MAX 300

static const char *const ansi[CB_OC_COUNT] = {"\033[32m", "\033[31m", "\033[1;31m", "\033[33m", "\033[35m", "\033[2m", "\033[36m"};
#define ANSI_RESET "\033[0m"

static void put_outcome(FILE *out, enum cb_outcome o, int color, int width)
{
    fprintf(out, "%s%-*s%s", color ? ansi[o] : "", width, cb_outcome_name(o), color ? ANSI_RESET : "");
}

/* Cases of one outcome are grouped by suite, pair, TLS version and failed
 * rules; a group shows its smallest case (lowest list bytes). */
typedef struct item {
    char *key;
    const cb_result *r;
} item;

static int item_cmp(const void *a, const void *b)
{
    const item *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    long long xb = x->r->list_bytes, yb = y->r->list_bytes;
    if (xb != yb)
        return xb < 0 ? 1 : yb < 0 ? -1 : xb < yb ? -1 : 1;
    return x->r->line < y->r->line ? -1 : x->r->line > y->r->line;
}

static char *group_key(const cb_result *r)
{
    char *k = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&k, &len);
    if (!m)
        return NULL;
    fprintf(m, "%s\x1f%s\x1f%s\x1f%s", r->suite, r->server, r->client, r->tls);
    const json_t *rules = json_object_get(r->obj, "rules");
    for (size_t i = 0; i < json_array_size(rules); i++)
        fprintf(m, "\x1f%s", json_string_value(json_array_get(rules, i)));
    if (fclose(m) != 0) {
        free(k);
        return NULL;
    }
    return k;
}

static void put_group(FILE *out, enum cb_outcome o, int color, const cb_result *r, size_t n, int with_repro)
{
    put_outcome(out, o, color, 11);
    fputc(' ', out);
    cb_term_put(out, r->case_id, SUMMARY_STR_MAX);
    if (n > 1)
        fprintf(out, " (and %zu more like it: same suite, pair, TLS and rules)", n - 1);
    fputs("\n            ", out);
    char *h = cb_text_string(cb_text_headline, r);
    /* The headline starts with the outcome, already shown. */
    const char *rest = h ? h + strlen(cb_outcome_name(o)) : "";
    cb_term_put(out, rest[0] == ':' || rest[0] == ';' ? rest + 2 : rest, SUMMARY_STR_MAX);
    free(h);
    fputc('\n', out);
    if (with_repro) {
        fputs("            repro: ", out);
        cb_term_put(out, cb_res_str(r, "repro") ? cb_res_str(r, "repro") : "(none recorded)", 0);
        fputc('\n', out);
    }
}

static void list(FILE *out, const cb_results *rs, enum cb_outcome o, int color, int with_repro)
{
    item *items = malloc((rs->n ? rs->n : 1) * sizeof(*items));
    size_t n = 0;
    for (size_t i = 0; items && i < rs->n; i++)
        if (rs->v[i].outcome == o && (items[n].key = group_key(&rs->v[i])) != NULL)
            items[n++].r = &rs->v[i];
    if (n)
        qsort(items, n, sizeof(*items), item_cmp);
    size_t groups = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(items[j].key, items[i].key) == 0)
            j++;
        if (groups++ < SUMMARY_LIST_MAX)
            put_group(out, o, color, items[i].r, j - i, with_repro);
        i = j;
    }
    if (groups > SUMMARY_LIST_MAX)
        fprintf(out, "            and %zu more groups of %s (see report.html)\n", groups - SUMMARY_LIST_MAX, cb_outcome_name(o));
    for (size_t i = 0; i < n; i++)
        free(items[i].key);
    free(items);
}

int cb_report_summary(const char *results_jsonl, FILE *out, int color, char *err, size_t errlen)
{
    cb_results rs;
    if (cb_results_load(results_jsonl, &rs, err, errlen) != 0)
        return -1;
    size_t counts[CB_OC_COUNT] = {0};
    cb_strset suites = {0};
    for (size_t i = 0; i < rs.n; i++) {
        counts[rs.v[i].outcome]++;
        cb_strset_add(&suites, rs.v[i].suite);
    }
    fprintf(out, "%s%zu cases%s in %zu suite%s:", color ? "\033[1m" : "", rs.n, color ? ANSI_RESET : "", suites.n,
            suites.n == 1 ? "" : "s");
    for (int o = 0; o < CB_OC_COUNT; o++) {
        fprintf(out, "%s %zu ", o ? "," : "", counts[o]);
        put_outcome(out, (enum cb_outcome)o, color && counts[o], 0);
    }
    fputc('\n', out);
    list(out, &rs, CB_OC_REGRESSION, color, 1);
    list(out, &rs, CB_OC_FINDING, color, 1);
    list(out, &rs, CB_OC_XPASS, color, 0);
    list(out, &rs, CB_OC_ERROR, color, 1);
    list(out, &rs, CB_OC_MISSING, color, 0);
    for (size_t i = 0; i < rs.bad.count && i < CB_RESULTS_MAX_ERRORS; i++) {
        fprintf(out, "%smalformed%s   ", color ? "\033[1;31m" : "", color ? ANSI_RESET : "");
        cb_term_put(out, rs.bad.msgs[i], SUMMARY_STR_MAX);
        fputc('\n', out);
    }
    if (rs.bad.count > CB_RESULTS_MAX_ERRORS)
        fprintf(out, "            and %zu more malformed lines\n", rs.bad.count - CB_RESULTS_MAX_ERRORS);
    int rc = 0;
    if (ferror(out)) {
        snprintf(err, errlen, "%s: cannot write the summary", results_jsonl);
        rc = -1;
    }
    if (rc == 0)
        rc = cb_jsonl_bad_message(&rs.bad, err, errlen);
    cb_strset_free(&suites);
    cb_results_free(&rs);
    return rc;
}
