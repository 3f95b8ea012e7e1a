/* report_summary.c — the terminal summary of a run: counts per outcome,
 * then each regression and finding with the command that reruns it, then
 * the xpasses and errors by name. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "report_common.h"
#include "report_text.h"

/* Cases listed per outcome before "and N more". */
#define SUMMARY_LIST_MAX 50
/* The longest string shown on a terminal line. */
#define SUMMARY_STR_MAX 300

static const char *const ansi[CB_OC_COUNT] = {"\033[32m", "\033[31m", "\033[1;31m", "\033[33m", "\033[35m", "\033[2m"};
#define ANSI_RESET "\033[0m"

static void put_outcome(FILE *out, enum cb_outcome o, int color, int width)
{
    fprintf(out, "%s%-*s%s", color ? ansi[o] : "", width, cb_outcome_name(o), color ? ANSI_RESET : "");
}

static void list(FILE *out, const cb_results *rs, enum cb_outcome o, int color, int with_repro)
{
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        if (r->outcome != o)
            continue;
        if (shown++ >= SUMMARY_LIST_MAX) {
            total++;
            continue;
        }
        total++;
        put_outcome(out, o, color, 11);
        fputc(' ', out);
        cb_term_put(out, r->case_id, SUMMARY_STR_MAX);
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
    if (total > SUMMARY_LIST_MAX)
        fprintf(out, "            and %zu more %s (see report.html)\n", total - SUMMARY_LIST_MAX, cb_outcome_name(o));
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
    for (size_t i = 0; i < rs.bad.count && i < CB_RESULTS_MAX_ERRORS; i++) {
        fprintf(out, "%smalformed%s   ", color ? "\033[1;31m" : "", color ? ANSI_RESET : "");
        cb_term_put(out, rs.bad.msgs[i], SUMMARY_STR_MAX);
        fputc('\n', out);
    }
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
