/* report_findings.c — the README's findings table (Markdown):
 * | stack | side | finding | example case | repro |, one row per distinct
 * (stack, side, rule or verdict) with its smallest case; known findings
 * are labelled "known". */
#include <string.h>

#include "escape.h"
#include "findings_group.h"
#include "report.h"

static void put_row(FILE *out, const cb_finding_row *row)
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
        fputs("| stack | side | finding | example case | repro |\n| --- | --- | --- | --- | --- |\n", out);
        for (size_t i = 0; i < rows.n; i++)
            put_row(out, &rows.v[i]);
        if (!rows.n)
            fputs("| \xe2\x80\x94 | \xe2\x80\x94 | no findings | \xe2\x80\x94 | \xe2\x80\x94 |\n", out);
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
