/* report_junit.c — results.jsonl as JUnit XML for CI: one <testsuite> per
 * suite, one <testcase> per results line. finding, regression and xpass are
 * failures, error is an error, unsupported is skipped. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "report_common.h"
#include "report_text.h"

/* The longest message attribute; the element's text holds everything. */
#define JUNIT_MESSAGE_MAX 2000

typedef struct counts {
    size_t tests, failures, errors, skipped;
    double ms;
} counts;

static void count(counts *c, const cb_result *r)
{
    c->tests++;
    c->ms += r->time_ms;
    if (r->outcome == CB_OC_FINDING || r->outcome == CB_OC_REGRESSION || r->outcome == CB_OC_XPASS || r->outcome == CB_OC_MISSING)
        c->failures++;
    else if (r->outcome == CB_OC_ERROR)
        c->errors++;
    else if (r->outcome == CB_OC_UNSUPPORTED)
        c->skipped++;
}

static void put_counts(FILE *f, const counts *c)
{
    fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"", c->tests, c->failures,
            c->errors, c->skipped, c->ms / 1000.0);
}

/* Writes the escaped headline (cut to the attribute's limit). */
static void put_message(FILE *f, const cb_result *r)
{
    char *msg = cb_text_string(cb_text_headline, r);
    cb_xml_put(f, msg ? msg : cb_outcome_name(r->outcome), JUNIT_MESSAGE_MAX);
    free(msg);
}

static void put_body(FILE *f, const cb_result *r)
{
    char *body = cb_text_string(cb_text_body, r);
    cb_xml_put(f, body ? body : "", 0);
    free(body);
}

static void put_testcase(FILE *f, const cb_result *r)
{
    fputs("    <testcase name=\"", f);
    cb_xml_put(f, r->case_id, 0);
    fputs("\" classname=\"", f);
    cb_xml_put(f, r->suite, 0);
    fputc('.', f);
    cb_xml_put(f, r->server, 0);
    fputs("&gt;", f);
    cb_xml_put(f, r->client, 0);
    fprintf(f, "\" time=\"%.3f\"", r->time_ms / 1000.0);
    switch (r->outcome) {
    case CB_OC_PASS:
        fputs("/>\n", f);
        return;
    case CB_OC_FINDING:
    case CB_OC_REGRESSION:
    case CB_OC_XPASS:
    case CB_OC_MISSING:
    case CB_OC_ERROR: {
        const char *el = r->outcome == CB_OC_ERROR ? "error" : "failure";
        fprintf(f, ">\n      <%s type=\"%s\" message=\"", el, cb_outcome_name(r->outcome));
        put_message(f, r);
        fputs("\">", f);
        put_body(f, r);
        fprintf(f, "</%s>\n    </testcase>\n", el);
        return;
    }
    case CB_OC_UNSUPPORTED:
        fputs(">\n      <skipped message=\"", f);
        cb_xml_put(f, cb_res_str(r, "unsupported") ? cb_res_str(r, "unsupported") : "unsupported", JUNIT_MESSAGE_MAX);
        fputs("\"/>\n    </testcase>\n", f);
        return;
    case CB_OC_COUNT:
        break;
    }
    fputs("/>\n", f);
}

static int write_junit(const cb_results *rs, const char *out_path, char *err, size_t errlen)
{
    cb_strset suites = {0};
    counts all = {0};
    for (size_t i = 0; i < rs->n; i++) {
        if (cb_strset_add(&suites, rs->v[i].suite) < 0) {
            cb_strset_free(&suites);
            snprintf(err, errlen, "%s: out of memory", out_path);
            return -1;
        }
        count(&all, &rs->v[i]);
    }
    cb_out o;
    if (cb_out_open(&o, out_path, err, errlen) != 0) {
        cb_strset_free(&suites);
        return -1;
    }
    FILE *f = o.f;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"cabound\"", f);
    put_counts(f, &all);
    fputs(">\n", f);
    for (size_t s = 0; s < suites.n; s++) {
        counts c = {0};
        for (size_t i = 0; i < rs->n; i++)
            if (strcmp(rs->v[i].suite, suites.v[s]) == 0)
                count(&c, &rs->v[i]);
        fputs("  <testsuite name=\"", f);
        cb_xml_put(f, suites.v[s], 0);
        fputc('"', f);
        put_counts(f, &c);
        fputs(">\n", f);
        for (size_t i = 0; i < rs->n; i++)
            if (strcmp(rs->v[i].suite, suites.v[s]) == 0)
                put_testcase(f, &rs->v[i]);
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    cb_strset_free(&suites);
    return cb_out_close(&o, err, errlen);
}

int cb_report_junit(const char *results_jsonl, const char *out_path, char *err, size_t errlen)
{
    cb_results rs;
    if (cb_results_load(results_jsonl, &rs, err, errlen) != 0)
        return -1;
    int rc = write_junit(&rs, out_path, err, errlen);
    if (rc == 0)
        rc = cb_jsonl_bad_message(&rs.bad, err, errlen);
    cb_results_free(&rs);
    return rc;
}
