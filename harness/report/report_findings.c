/* report_findings.c — the README's findings table (Markdown):
 * | stack | side | finding | example case | repro | current release |, one
 * row per distinct (stack, side, rule or verdict) with its smallest case;
 * known findings are labelled "known". The last column says whether a
 * packaged stack's rule finding still holds in that stack's current release
 * (changes.h cb_finding_holds), with a repro for each answer. */
#include <string.h>

#include "changes.h"
#include "escape.h"
#include "findings_group.h"
#include "report.h"

/* The "still holds in the current release" cell of |row|. */
static void put_holds(FILE *out, const cb_case_index *ix, const cb_finding_row *row)
{
    if (strchr(row->stack, '@')) {
        fputs("(this is the current release)", out);
        return;
    }
    if (!row->rule || (strcmp(row->side, "server") != 0 && strcmp(row->side, "client") != 0)) {
        fputs("\xe2\x80\x94 (not a rule of one side)", out);
        return;
    }
    cb_holds h[8];
    int n = ix ? cb_finding_holds(ix, row->stack, row->side, row->rule, h, 8) : -1;
    if (n < 0) {
        fputs("(out of memory)", out);
        return;
    }
    if (n == 0) {
        fputs("unmeasured (no current release of ", out);
        cb_md_put(out, row->stack, 100);
        fputs(" in this run)", out);
        return;
    }
    for (int k = 0; k < n; k++) {
        if (k)
            fputs("; ", out);
        const char *v = cb_stack_version(ix->rs, h[k].release);
        cb_md_code(out, h[k].release);
        if (v) {
            fputs(" (", out);
            cb_md_put(out, v, 80);
            fputc(')', out);
        }
        fprintf(out, ": **%s**", cb_holds_word(&h[k]));
        if (h[k].of)
            fprintf(out, ", %zu of %zu cases", h[k].held, h[k].of);
        else
            fprintf(out, " (none of its %zu packaged cases has a comparable case with the release)", h[k].packaged_cases);
        if (h[k].held_case && cb_res_str(h[k].held_case, "repro")) {
            fputs("; holds: ", out);
            cb_md_code(out, cb_res_str(h[k].held_case, "repro"));
        }
        if (h[k].gone_case && cb_res_str(h[k].gone_case, "repro")) {
            fputs(h[k].held ? "; gone: " : "; e.g. ", out);
            cb_md_code(out, cb_res_str(h[k].gone_case, "repro"));
        }
    }
    for (int k = 0; k < n; k++)
        if (h[k].held) {
            char name[400];
            snprintf(name, sizeof(name), "cabound report DIR --upstream %s:%s:%s", row->stack, row->side, row->rule);
            fputs("; upstream report: ", out);
            cb_md_code(out, name);
            break;
        }
}

static void put_row(FILE *out, const cb_finding_row *row, const cb_case_index *ix)
{
    fputs("| ", out);
    cb_md_put(out, row->stack, 200);
    fprintf(out, " | %s | ", row->side);
    if (row->rule)
        cb_md_code(out, row->rule);
    else
        cb_md_put(out, row->key, 300);
    int strong = row->st != CB_FS_KNOWN;
    fprintf(out, " (%s%s%s", strong ? "**" : "", cb_finding_status_name(row->st), strong ? "**" : "");
    if (row->cases > 1)
        fprintf(out, ", %zu cases", row->cases);
    fputc(')', out);
    if (cb_finding_detail(row)) {
        fputs(": ", out);
        cb_md_put(out, cb_finding_detail(row), 300);
    }
    fputs(" | ", out);
    cb_md_code(out, row->example->case_id);
    if (row->example->list_bytes >= 0)
        fprintf(out, " (%lld list bytes)", row->example->list_bytes);
    fputs(" | ", out);
    if (cb_res_str(row->example, "repro"))
        cb_md_code(out, cb_res_str(row->example, "repro"));
    else
        fputs("\xe2\x80\x94", out);
    fputs(" | ", out);
    put_holds(out, ix, row);
    fputs(" |\n", out);
}

int cb_report_findings_md(const char *results_jsonl, FILE *out, char *err, size_t errlen)
{
    cb_results rs;
    if (cb_results_load(results_jsonl, &rs, err, errlen) != 0)
        return -1;
    cb_finding_rows rows;
    int rc = 0;
    if (cb_findings_group(&rs, &rows) != 0) {
        snprintf(err, errlen, "%s: out of memory building the findings table", results_jsonl);
        rc = -1;
    } else {
        cb_case_index ix;
        int have_ix = cb_case_index_build(&rs, &ix) == 0;
        fputs("| stack | side | finding | example case | repro | still holds in the current release |\n"
              "| --- | --- | --- | --- | --- | --- |\n",
              out);
        for (size_t i = 0; i < rows.n; i++)
            put_row(out, &rows.v[i], have_ix ? &ix : NULL);
        if (!rows.n)
            fputs("| \xe2\x80\x94 | \xe2\x80\x94 | no findings | \xe2\x80\x94 | \xe2\x80\x94 | \xe2\x80\x94 |\n", out);
        if (have_ix)
            cb_case_index_free(&ix);
        if (ferror(out)) {
            snprintf(err, errlen, "%s: cannot write the findings table", results_jsonl);
            rc = -1;
        }
        cb_finding_rows_free(&rows);
    }
    if (rc == 0)
        rc = cb_jsonl_bad_message(&rs.bad, err, errlen);
    cb_results_free(&rs);
    return rc;
}
