/* report_status.c — the exit status a results directory stands for, the same
 * in run, merge and report: which outcomes fail. */
#include "report.h"

#include <string.h>

#include "results_read.h"

int cb_report_outcome_fails(const char *outcome, int allow_missing)
{
    if (!outcome)
        return 1;
    static const char *const failing[] = {"finding", "regression", "xpass", "error", NULL};
    for (const char *const *f = failing; *f; f++)
        if (strcmp(*f, outcome) == 0)
            return 1;
    return strcmp(outcome, "missing") == 0 && !allow_missing;
}

long cb_report_failing(const char *results_jsonl, int allow_missing)
{
    cb_results rs;
    char err[256];
    if (cb_results_load(results_jsonl, &rs, err, sizeof(err)) != 0 && rs.n == 0) {
        cb_results_free(&rs);
        return -1;
    }
    long n = 0;
    for (size_t i = 0; i < rs.n; i++)
        n += cb_report_outcome_fails(cb_outcome_name(rs.v[i].outcome), allow_missing);
    cb_results_free(&rs);
    return n;
}
