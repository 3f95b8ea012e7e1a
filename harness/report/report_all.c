/* report_all.c — every file report of a results directory at once:
 * junit.xml, report.html and changes.jsonl. */
#include <string.h>

#include "report.h"

int cb_report_write_all(const char *dir, char *err, size_t errlen)
{
    char rpath[4200], jpath[4200], hpath[4200];
    snprintf(rpath, sizeof(rpath), "%s/results.jsonl", dir);
    snprintf(jpath, sizeof(jpath), "%s/junit.xml", dir);
    snprintf(hpath, sizeof(hpath), "%s/report.html", dir);
    char err2[1024] = "";
    int rj = cb_report_junit(rpath, jpath, err, errlen);
    /* A malformed line fails both writers with the same message: write the
     * page anyway, and keep the first message. */
    int rh = cb_report_html(dir, hpath, rj == 0 ? err : err2, rj == 0 ? errlen : sizeof(err2));
    /* changes.jsonl beside them, always (empty without a release). */
    char err3[1024] = "";
    int first_ok = rj == 0 && rh == 0;
    int rc = cb_report_changes_jsonl(dir, first_ok ? err : err3, first_ok ? errlen : sizeof(err3));
    if (rj != 0 || rh != 0 || rc != 0)
        return -1;
    return 0;
}
