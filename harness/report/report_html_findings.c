/* report_html_findings.c — the findings list of report.html: each finding,
 * regression and xpass with its rules, details, captures and repro command,
 * then the errors with their faults. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "findings_group.h"
#include "report_common.h"
#include "report_html.h"
#include "report_text.h"

/* The longest detail string shown; the results line keeps the rest. */
#define DETAIL_MAX 4000
/* Cases listed per outcome: the page stays loadable for any run. */
#define FINDINGS_MAX 1000

static void put_capture(FILE *f, const char *label, const char *path, int first)
{
    if (!path)
        return;
    if (!first)
        fputs(" \xc2\xb7 ", f);
    if (cb_rel_path_ok(path)) {
        fputs("<a href=\"", f);
        cb_url_put(f, path);
        fprintf(f, "\">%s</a>", label);
    } else {
        fprintf(f, "<span class=\"note\">%s: not a relative path, not linked</span>", label);
    }
}


/* put_side opens a side's <dd>: stack, library version, verdict (the
 * caller closes it, after any detail). */
static void put_side(FILE *f, const char *role, const char *stack, const char *version, const char *verdict)
{
    fprintf(f, "<dt>%s</dt><dd><b>", role);
    cb_xml_put(f, stack, 200);
    fputs("</b> ", f);
    cb_xml_put(f, version, 200);
    fputs(": <span class=\"verdict\">", f);
    cb_xml_put(f, verdict ? verdict : "-", 40);
    fputs("</span>", f);
}

static void put_verdicts(FILE *f, const cb_result *r)
{
    fputs("<dl>", f);
    if (cb_res_str(r, "outcome_why")) {
        fputs("<dt>why</dt><dd>", f);
        cb_xml_put(f, cb_res_str(r, "outcome_why"), DETAIL_MAX);
        fputs("</dd>", f);
    }
    put_side(f, "server", r->server, cb_res_str(r, "server_version"), r->server_verdict);
    const char *detail = cb_res_str(r, "server_detail");
    if (detail && !(r->server_verdict && strcmp(detail, r->server_verdict) == 0)) {
        fputs(" \xe2\x80\x94 ", f);
        cb_xml_put(f, detail, DETAIL_MAX);
    }
    fputs("</dd>", f);
    put_side(f, "client", r->client, cb_res_str(r, "client_version"), r->client_verdict);
    fputs("</dd><dt>list</dt><dd>", f);
    char a[32], b[32];
    cb_fmt_bytes(r->list_bytes, a, sizeof(a));
    cb_fmt_bytes(r->wire_list_bytes, b, sizeof(b));
    fprintf(f, "%s bytes configured, %s on the wire; TLS ", a, b);
    cb_xml_put(f, r->tls, 40);
    fputs("; handshake ", f);
    cb_xml_put(f, cb_res_str(r, "handshake") ? cb_res_str(r, "handshake") : "-", 40);
    fputs("</dd>", f);

    const json_t *rules = json_object_get(r->obj, "rules"), *details = json_object_get(r->obj, "rule_details");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *id = json_string_value(json_array_get(rules, i));
        fputs("<dt>rule</dt><dd><code class=\"rule\">", f);
        cb_xml_put(f, id, 200);
        fputs("</code> ", f);
        if (cb_expected_has_rule(r, id))
            fputs("<span class=\"known\">known</span> ", f);
        cb_xml_put(f, json_string_value(json_object_get(details, id)), DETAIL_MAX);
        fputs("</dd>", f);
    }
    for (int side = 0; side < 2; side++) {
        cb_expect_side x;
        cb_expected_side(r, side, &x);
        if (!x.present)
            continue;
        char *t = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&t, &len);
        if (m) {
            cb_text_expected(m, r, side);
            fclose(m);
        }
        fprintf(f, "<dt>expected</dt><dd>%s: ", side ? "client" : "server");
        cb_xml_put(f, t, DETAIL_MAX);
        fputs("</dd>", f);
        free(t);
    }
    const json_t *fault = json_object_get(r->obj, "fault");
    if (json_is_object(fault)) {
        char *t = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&t, &len);
        if (m) {
            cb_text_fault(m, r);
            fclose(m);
        }
        fputs("<dt>fault</dt><dd>", f);
        cb_xml_put(f, t, DETAIL_MAX);
        fputs("</dd>", f);
        free(t);
    }
    if (cb_res_str(r, "pcap") || cb_res_str(r, "keylog")) {
        fputs("<dt>captures</dt><dd>", f);
        put_capture(f, "pcap", cb_res_str(r, "pcap"), 1);
        put_capture(f, "keylog", cb_res_str(r, "keylog"), !cb_res_str(r, "pcap"));
        fputs("</dd>", f);
    }
    fputs("</dl>\n", f);
    fputs("<pre class=\"repro\"><code>", f);
    cb_xml_put(f, cb_res_str(r, "repro") ? cb_res_str(r, "repro") : "(no repro command recorded)", 0);
    fputs("</code></pre>\n", f);
}

static size_t put_items(FILE *f, const cb_results *rs, enum cb_outcome oc)
{
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        if (r->outcome != oc)
            continue;
        if (n++ >= FINDINGS_MAX)
            continue;
        fprintf(f, "<article class=\"finding\" id=\"line-%zu\"><h3><span class=\"badge %s\">%s</span> <code>", r->line,
                cb_html_outcome_class(oc), cb_outcome_name(oc));
        cb_xml_put(f, r->case_id, 400);
        fprintf(f, "</code> <small>line %zu</small></h3>\n", r->line);
        put_verdicts(f, r);
        fputs("</article>\n", f);
    }
    if (n > FINDINGS_MAX)
        fprintf(f, "<p class=\"note\">and %zu more %s cases, left out of this page: every one is in junit.xml and "
                   "results.jsonl.</p>\n",
                n - FINDINGS_MAX, cb_outcome_name(oc));
    return n;
}

/* The findings per stack (the README's table), each row linking to its
 * example below when that case is listed. */
static void put_table(FILE *f, const cb_results *rs)
{
    cb_finding_rows rows;
    if (cb_findings_group(rs, &rows) != 0) {
        fputs("<p class=\"note\">(out of memory grouping the findings)</p>\n", f);
        return;
    }
    if (rows.n) {
        fputs("<h3>Per stack</h3>\n<p class=\"note\">Each distinct (stack, rule or verdict) once, with its smallest "
              "case; <i>known</i> marks a failure its expectation records.</p>\n",
              f);
        fputs("<div class=\"mwrap\"><table class=\"per-stack\"><thead><tr><th>stack</th><th>side</th><th>finding</th>"
              "<th>cases</th><th>smallest case</th></tr></thead><tbody>\n",
              f);
        for (size_t i = 0; i < rows.n; i++) {
            const cb_finding_row *row = &rows.v[i];
            fputs("<tr><th>", f);
            cb_xml_put(f, row->stack, 200);
            fprintf(f, "</th><td>%s</td><td><span class=\"badge %s\">%s</span> ", row->side,
                    row->st == CB_FS_KNOWN ? "o-unsupported" : row->st == CB_FS_REGRESSION ? "o-regression" : "o-finding",
                    cb_finding_status_name(row->st));
            if (row->rule) {
                fputs("<code class=\"rule\">", f);
                cb_xml_put(f, row->rule, 200);
                fputs("</code>", f);
            } else {
                cb_xml_put(f, row->key, 300);
            }
            if (cb_finding_detail(row)) {
                fputs(" ", f);
                cb_xml_put(f, cb_finding_detail(row), 400);
            }
            fprintf(f, "</td><td class=\"num\">%zu</td><td>", row->cases);
            /* Known findings pass: they have no entry below. */
            int listed = row->example->outcome == CB_OC_FINDING || row->example->outcome == CB_OC_REGRESSION;
            if (listed)
                fprintf(f, "<a href=\"#line-%zu\">", row->example->line);
            fputs("<code>", f);
            cb_xml_put(f, row->example->case_id, 300);
            fputs(listed ? "</code></a>" : "</code>", f);
            if (row->example->list_bytes >= 0)
                fprintf(f, " <small>%lld B</small>", row->example->list_bytes);
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
    }
    cb_finding_rows_free(&rows);
}

void cb_html_findings(FILE *f, const cb_results *rs)
{
    put_table(f, rs);
    fputs("<h3>Each case</h3>\n", f);
    size_t n = 0;
    n += put_items(f, rs, CB_OC_REGRESSION);
    n += put_items(f, rs, CB_OC_FINDING);
    n += put_items(f, rs, CB_OC_XPASS);
    if (!n)
        fputs("<p class=\"note\">No findings, regressions or xpasses.</p>\n", f);
    fputs("<h2 id=\"errors\">Errors</h2>\n", f);
    if (!put_items(f, rs, CB_OC_ERROR))
        fputs("<p class=\"note\">No errors.</p>\n", f);
}
