/* report_html_findings.c — the findings list of report.html: each finding,
 * regression and xpass with its rules, details, captures and repro command,
 * then each known finding (a failed rule its expectation records) grouped by
 * stack, side and rule, then the errors with their faults. */
#include <stdlib.h>
#include <string.h>

#include "changes.h"
#include "escape.h"
#include "findings_group.h"
#include "report_common.h"
#include "report_html.h"
#include "report_text.h"

/* The longest detail string shown; the results line keeps the rest. */
#define DETAIL_MAX 4000
/* Cases listed per outcome: the page stays loadable for any run. */
#define FINDINGS_MAX 1000
/* Cases of one known finding listed under it. */
#define KNOWN_CASES_MAX 200

const char *cb_html_rule_side(const cb_result *r, const char *rule)
{
    if (cb_res_rule_side(r, rule))
        return cb_res_rule_side(r, rule);
    switch (cb_expected_has_rule(r, rule)) {
    case 1: return "server";
    case 2: return "client";
    default: return cb_rule_side(rule, r);
    }
}

void cb_html_put_rule(FILE *f, const cb_result *r, const char *id)
{
    const char *side = cb_html_rule_side(r, id);
    int known = strcmp(side, "server") == 0 || strcmp(side, "client") == 0 || strcmp(side, "pair") == 0 || strcmp(side, "both") == 0;
    fputs("<code class=\"rule\">", f);
    cb_xml_put(f, id, 200);
    fprintf(f, "</code> <span class=\"side side-%s\" title=\"the side this rule is about\">", known ? side : "other");
    cb_xml_put(f, strcmp(side, "both") == 0 ? "server + client" : side, 40);
    fputs("</span>", f);
}

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

/* put_captures writes the case's capture links, or says why there are none. */
static void put_captures(FILE *f, const cb_result *r)
{
    const char *pcap = cb_res_str(r, "pcap"), *keylog = cb_res_str(r, "keylog");
    if (!pcap && !keylog) {
        fputs("<span class=\"note\">none kept (a run keeps them for a case that fails a rule or faults, unless "
              "<code>--pcap never</code>; add <code>--pcap DIR</code> to the repro command to capture this case)</span>",
              f);
        return;
    }
    put_capture(f, "pcap", pcap, 1);
    put_capture(f, "key log", keylog, !pcap);
    if (pcap && !keylog)
        fputs(strcmp(r->tls, "1.2") == 0 ? " <span class=\"note\">(no key log: the shims wrote no secrets, as when a TLS 1.2 "
                                           "handshake fails before its key exchange; the CertificateRequest is in the clear)</span>"
                                         : " <span class=\"note\">(no key log: the shims wrote no secrets)</span>",
              f);
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
        fputs("<dt>rule</dt><dd>", f);
        cb_html_put_rule(f, r, id);
        fputs(" ", f);
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
    fputs("<dt>captures</dt><dd class=\"captures\">", f);
    put_captures(f, r);
    fputs("</dd>", f);
    fputs("</dl>\n", f);
    fputs("<pre class=\"repro\"><code>", f);
    cb_xml_put(f, cb_res_str(r, "repro") ? cb_res_str(r, "repro") : "(no repro command recorded)", 0);
    fputs("</code></pre>\n", f);
}

/* put_article writes one case as an article headed by its mark. */
static void put_article(FILE *f, const cb_result *r)
{
    enum cb_mark mk = cb_html_mark(r);
    fprintf(f, "<article class=\"finding a-%s\" id=\"line-%zu\"><h3>", cb_html_mark_class(mk) + 2, r->line);
    cb_html_put_mark(f, mk);
    fprintf(f, " <span class=\"badge %s\">%s</span> <code>", cb_html_outcome_class(r->outcome), cb_outcome_name(r->outcome));
    cb_xml_put(f, r->case_id, 400);
    fprintf(f, "</code> <small>line %zu</small></h3>\n", r->line);
    put_verdicts(f, r);
    fputs("</article>\n", f);
}

static size_t put_items(FILE *f, const cb_results *rs, enum cb_outcome oc)
{
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        if (r->outcome != oc)
            continue;
        if (n++ < FINDINGS_MAX)
            put_article(f, r);
    }
    if (n > FINDINGS_MAX)
        fprintf(f, "<p class=\"note\">and %zu more %s cases, left out of this page: every one is in junit.xml and "
                   "results.jsonl.</p>\n",
                n - FINDINGS_MAX, cb_outcome_name(oc));
    return n;
}

/* Whether |r| is a case of the known finding |row|: it fails row's rule, its
 * expectation records the failure, and row's stack is on that side. */
static int in_known_row(const cb_result *r, const cb_finding_row *row)
{
    const json_t *rules = json_object_get(r->obj, "rules");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *id = json_string_value(json_array_get(rules, i));
        if (strcmp(id, row->rule) != 0)
            continue;
        int known = cb_expected_has_rule(r, id);
        const char *side = known == 1 ? "server" : known == 2 ? "client" : NULL;
        return side && strcmp(side, row->side) == 0 && strcmp(known == 1 ? r->server : r->client, row->stack) == 0;
    }
    return 0;
}

/* put_known writes the known finding |row| (anchor known-|no|): its smallest
 * case in full, then every case with its captures and repro command. */
static void put_known(FILE *f, const cb_results *rs, const cb_finding_row *row, size_t no)
{
    const cb_result *ex = row->example;
    fprintf(f, "<article class=\"finding a-known\" id=\"known-%zu\"><h3>", no);
    cb_html_put_mark(f, CB_MK_KNOWN);
    fputs(" <b>", f);
    cb_xml_put(f, row->stack, 200);
    fputs("</b> ", f);
    cb_html_put_rule(f, ex, row->rule);
    fprintf(f, " <small>%zu case%s; the smallest: <code>", row->cases, row->cases == 1 ? "" : "s");
    cb_xml_put(f, ex->case_id, 400);
    fprintf(f, "</code>, line %zu</small></h3>\n", ex->line);
    put_verdicts(f, ex);
    if (row->cases > 1) {
        fprintf(f, "<details class=\"cases\"><summary>all %zu cases, each with its captures and repro command</summary><ul>\n", row->cases);
        size_t n = 0;
        for (size_t i = 0; i < rs->n; i++) {
            const cb_result *r = &rs->v[i];
            if (!in_known_row(r, row))
                continue;
            if (n++ >= KNOWN_CASES_MAX)
                continue;
            fputs("<li><code>", f);
            cb_xml_put(f, r->case_id, 400);
            fputs("</code> ", f);
            put_captures(f, r);
            fputs("<pre class=\"repro\"><code>", f);
            cb_xml_put(f, cb_res_str(r, "repro") ? cb_res_str(r, "repro") : "(no repro command recorded)", 0);
            fputs("</code></pre></li>\n", f);
        }
        if (n > KNOWN_CASES_MAX)
            fprintf(f, "<li class=\"note\">and %zu more: every one is in results.jsonl</li>\n", n - KNOWN_CASES_MAX);
        fputs("</ul></details>\n", f);
    }
    fputs("</article>\n", f);
}

/* The "current release" cell of a packaged stack's rule finding: per
 * release of that stack, whether it still holds (changes.h). */
static void put_holds(FILE *f, const cb_case_index *ix, const cb_finding_row *row)
{
    if (strchr(row->stack, '@')) {
        fputs("<span class=\"note\">this is a release</span>", f);
        return;
    }
    cb_holds h[8];
    int n = row->rule && (strcmp(row->side, "server") == 0 || strcmp(row->side, "client") == 0)
                ? cb_finding_holds(ix, row->stack, row->side, row->rule, h, 8)
                : 0;
    if (n <= 0) {
        fputs("<span class=\"note\">\xe2\x80\x94</span>", f);
        return;
    }
    for (int k = 0; k < n; k++) {
        fputs(k ? "<br><code>" : "<code>", f);
        cb_xml_put(f, h[k].release, 100);
        fprintf(f, "</code>: <b>%s</b>", cb_holds_word(&h[k]));
        if (h[k].of)
            fprintf(f, " <small>%zu of %zu</small>", h[k].held, h[k].of);
    }
}

/* The findings per stack (the README's table), each row linking to its
 * example below; with a column for the current releases when the run had
 * one. */
static void put_table(FILE *f, const cb_results *rs, const cb_finding_rows *rows)
{
    if (!rows->n)
        return;
    cb_case_index ix;
    int releases = 0;
    for (size_t i = 0; i < rs->n && !releases; i++)
        releases = strchr(rs->v[i].server, '@') || strchr(rs->v[i].client, '@');
    if (releases && cb_case_index_build(rs, &ix) != 0)
        releases = 0;
    fputs("<h3>Per stack</h3>\n<p class=\"note\">Each distinct (stack, rule or verdict) once, with its smallest "
          "case; <i>known</i> marks a failure its expectation records.</p>\n",
          f);
    fputs("<div class=\"mwrap\"><table class=\"per-stack\"><thead><tr><th>stack</th><th>side</th><th>finding</th>"
          "<th>cases</th><th>smallest case</th>",
          f);
    fputs(releases ? "<th>still holds in the current release</th></tr></thead><tbody>\n" : "</tr></thead><tbody>\n", f);
    size_t known_no = 0;
    for (size_t i = 0; i < rows->n; i++) {
        const cb_finding_row *row = &rows->v[i];
        fputs("<tr><th>", f);
        cb_xml_put(f, row->stack, 200);
        fputs("</th><td>", f);
        cb_xml_put(f, row->side, 40);
        fputs("</td><td>", f);
        cb_html_put_mark(f, row->st == CB_FS_KNOWN ? CB_MK_KNOWN : row->st == CB_FS_REGRESSION ? CB_MK_REGRESSION : CB_MK_FINDING);
        fprintf(f, " <span class=\"badge %s\">%s</span> ",
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
        /* A finding or regression has its case below, a known one its group. */
        int listed = row->example->outcome == CB_OC_FINDING || row->example->outcome == CB_OC_REGRESSION;
        int known = row->st == CB_FS_KNOWN && row->rule;
        if (known)
            fprintf(f, "<a href=\"#known-%zu\">", known_no++);
        else if (listed)
            fprintf(f, "<a href=\"#line-%zu\">", row->example->line);
        fputs("<code>", f);
        cb_xml_put(f, row->example->case_id, 300);
        fputs(known || listed ? "</code></a>" : "</code>", f);
        if (row->example->list_bytes >= 0)
            fprintf(f, " <small>%lld B</small>", row->example->list_bytes);
        if (releases) {
            fputs("</td><td>", f);
            put_holds(f, &ix, row);
        }
        fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
    if (releases)
        cb_case_index_free(&ix);
}

void cb_html_findings(FILE *f, const cb_results *rs)
{
    cb_finding_rows rows;
    int grouped = cb_findings_group(rs, &rows) == 0;
    if (grouped)
        put_table(f, rs, &rows);
    else
        fputs("<p class=\"note\">(out of memory grouping the findings)</p>\n", f);
    fputs("<h3 id=\"new-findings\">New findings, regressions and xpasses</h3>\n", f);
    size_t n = 0;
    n += put_items(f, rs, CB_OC_REGRESSION);
    n += put_items(f, rs, CB_OC_FINDING);
    n += put_items(f, rs, CB_OC_XPASS);
    if (!n)
        fputs("<p class=\"note\">No new findings, regressions or xpasses.</p>\n", f);
    fputs("<h3 id=\"known-findings\">Known findings</h3>\n<p class=\"note\">Failed rules that the stack's expectation "
          "records: the run passes them, and they stay a stack's behaviour worth knowing. Each with its smallest case "
          "in full and all its cases below it.</p>\n",
          f);
    size_t known = 0;
    for (size_t i = 0; grouped && i < rows.n; i++)
        if (rows.v[i].st == CB_FS_KNOWN && rows.v[i].rule) {
            put_known(f, rs, &rows.v[i], known);
            known++;
        }
    if (!known)
        fputs("<p class=\"note\">No known findings.</p>\n", f);
    if (grouped)
        cb_finding_rows_free(&rows);
}

void cb_html_errors(FILE *f, const cb_results *rs)
{
    if (!put_items(f, rs, CB_OC_ERROR))
        fputs("<p class=\"note\">No errors.</p>\n", f);
}
