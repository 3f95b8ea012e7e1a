/* report_html.c — report.html: one self-contained page (inline CSS and SVG,
 * no script, nothing fetched) with the run summary, the server × client
 * matrices, the boundaries table, the plots and the findings. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "report_common.h"
#include "report_html.h"

static const char css[] =
    "*{box-sizing:border-box}"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}"
    "header{background:#1f2d3d;color:#fff;padding:18px 28px 14px}"
    "header h1{margin:0 0 4px;font-size:22px}header p{margin:2px 0;color:#c9d1d9}"
    "nav{background:#fff;border-bottom:1px solid #d0d7de;padding:8px 28px;position:sticky;top:0}"
    "nav a{margin-right:18px;color:#0b5cad;text-decoration:none}"
    "main{padding:4px 28px 48px;max-width:1500px}"
    "h2{border-bottom:1px solid #d0d7de;padding-bottom:4px;margin:32px 0 10px;font-size:19px}"
    "h3{font-size:15px;margin:18px 0 6px}"
    "table{border-collapse:collapse;background:#fff;margin:6px 0 14px}"
    "th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}"
    "thead th{background:#eef1f4}tbody th{background:#f6f8fa;white-space:nowrap}"
    "caption{text-align:left;font-weight:600;padding:2px 0 4px}"
    ".matrices{display:flex;flex-wrap:wrap;gap:10px 28px;align-items:flex-start}"
    "td.cell{min-width:110px;max-width:260px;padding:3px;border-left-width:4px}"
    "td.o-none{color:#8c959f;text-align:center;vertical-align:middle}"
    ".mwrap{max-width:100%;overflow-x:auto}"
    ".chip{font-size:12px;padding:1px 6px;border-radius:3px;margin:2px 0;border:1px solid rgba(0,0,0,.12)}"
    ".chip span{white-space:nowrap}.chip small{color:inherit;opacity:.75;white-space:nowrap}"
    ".o-pass{background:#dcf5dc;color:#14401c}"
    ".o-finding,.o-regression{background:#fbd5d2;color:#6b0f0a}"
    ".o-regression{border-color:#b3261e}"
    ".o-xpass{background:#fff0b3;color:#5b4300}"
    ".o-error{background:#3d434a;color:#fff}"
    ".o-unsupported{background:#e6e8eb;color:#57606a}"
    "td.cell.o-pass,td.cell.o-finding,td.cell.o-regression,td.cell.o-xpass,td.cell.o-error,td.cell.o-unsupported{background:#fff;color:inherit}"
    "td.cell.o-pass{border-left-color:#4cae4c}td.cell.o-finding,td.cell.o-regression{border-left-color:#d9443a}"
    "td.cell.o-xpass{border-left-color:#e0b000}td.cell.o-error{border-left-color:#3d434a}td.cell.o-unsupported{border-left-color:#b8bec4}"
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;margin-right:4px}"
    "header .badge{font-size:13px}"
    ".legend .chip{display:inline-block;margin-right:6px}.matrix th.corner{font-weight:400;font-size:12px;color:#57606a}"
    "code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
    "pre{background:#eef1f4;border:1px solid #d0d7de;border-radius:4px;padding:6px 10px;white-space:pre-wrap;word-break:break-all;margin:6px 0}"
    ".plots{display:flex;flex-wrap:wrap;gap:16px}"
    "figure{margin:0;background:#fff;border:1px solid #d0d7de;border-radius:4px;padding:8px;max-width:560px}"
    "figure svg{display:block;max-width:100%;height:auto}"
    "figcaption{font-size:12px;color:#444;margin-top:4px}"
    ".k0{color:#2a9d3a;font-weight:600}.k1{color:#d62728;font-weight:600}.k2{color:#e08e0b;font-weight:600}"
    "article.finding{background:#fff;border:1px solid #d0d7de;border-radius:4px;padding:4px 14px 8px;margin:10px 0}"
    "article.finding h3{margin:8px 0 4px}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0}dt{color:#57606a}dd{margin:0;word-break:break-word}"
    ".verdict{font-weight:600}.known{background:#e6e8eb;border-radius:3px;padding:0 5px;font-size:12px}"
    ".note{color:#57606a}.bad{background:#fff4f2;border:1px solid #d9443a;border-radius:4px;padding:6px 12px}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}";

static void put_badges(FILE *f, const cb_results *rs)
{
    size_t counts[CB_OC_COUNT] = {0};
    for (size_t i = 0; i < rs->n; i++)
        counts[rs->v[i].outcome]++;
    for (int o = 0; o < CB_OC_COUNT; o++)
        fprintf(f, "<span class=\"badge %s\">%zu %s</span>", cb_html_outcome_class((enum cb_outcome)o), counts[o],
                cb_outcome_name((enum cb_outcome)o));
}

/* Writes the distinct values of |key| over the lines where |side| is |stack|. */
static void put_distinct(FILE *f, const cb_results *rs, const char *stack, const char *skey, const char *ckey)
{
    cb_strset vals = {0};
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        if (strcmp(r->server, stack) == 0 && cb_res_str(r, skey))
            cb_strset_add(&vals, cb_res_str(r, skey));
        if (strcmp(r->client, stack) == 0 && cb_res_str(r, ckey))
            cb_strset_add(&vals, cb_res_str(r, ckey));
    }
    cb_strset_sort(&vals);
    for (size_t i = 0; i < vals.n; i++) {
        if (i)
            fputs("<br>", f);
        cb_xml_put(f, vals.v[i], 300);
    }
    if (!vals.n)
        fputs("<span class=\"note\">not reported</span>", f);
    cb_strset_free(&vals);
}

static void put_stacks(FILE *f, const cb_results *rs)
{
    cb_strset stacks = {0};
    for (size_t i = 0; i < rs->n; i++) {
        cb_strset_add(&stacks, rs->v[i].server);
        cb_strset_add(&stacks, rs->v[i].client);
    }
    cb_strset_sort_stacks(&stacks);
    fputs("<table class=\"stacks\"><thead><tr><th>stack</th><th>version</th><th>library</th><th>cases as server</th>"
          "<th>cases as client</th></tr></thead><tbody>\n",
          f);
    for (size_t s = 0; s < stacks.n; s++) {
        size_t as_server = 0, as_client = 0;
        for (size_t i = 0; i < rs->n; i++) {
            as_server += strcmp(rs->v[i].server, stacks.v[s]) == 0;
            as_client += strcmp(rs->v[i].client, stacks.v[s]) == 0;
        }
        fputs("<tr><th>", f);
        cb_xml_put(f, stacks.v[s], 200);
        fputs("</th><td>", f);
        put_distinct(f, rs, stacks.v[s], "server_version", "client_version");
        fputs("</td><td><code>", f);
        put_distinct(f, rs, stacks.v[s], "server_library", "client_library");
        fprintf(f, "</code></td><td class=\"num\">%zu</td><td class=\"num\">%zu</td></tr>\n", as_server, as_client);
    }
    fputs("</tbody></table>\n", f);
    cb_strset_free(&stacks);
}

static void put_bad(FILE *f, const char *what, const cb_jsonl_bad *bad)
{
    if (!bad->count)
        return;
    fprintf(f, "<div class=\"bad\"><b>%zu malformed line%s in %s, skipped:</b><ul>", bad->count, bad->count == 1 ? "" : "s", what);
    for (size_t i = 0; i < bad->count && i < CB_RESULTS_MAX_ERRORS; i++) {
        fputs("<li><code>", f);
        cb_xml_put(f, bad->msgs[i] ? bad->msgs[i] : "(no message)", 600);
        fputs("</code></li>", f);
    }
    if (bad->count > CB_RESULTS_MAX_ERRORS)
        fprintf(f, "<li>and %zu more</li>", bad->count - CB_RESULTS_MAX_ERRORS);
    fputs("</ul></div>\n", f);
}

/* Writes a boundaries value: a number, a string, "—" for null or absent,
 * else its compact JSON. */
static void put_value(FILE *f, const json_t *v)
{
    if (!v || json_is_null(v)) {
        fputs("\xe2\x80\x94", f);
    } else if (json_is_integer(v)) {
        fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    } else if (json_is_string(v)) {
        cb_xml_put(f, json_string_value(v), 600);
    } else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        fputs("<code>", f);
        cb_xml_put(f, s ? s : "?", 600);
        fputs("</code>", f);
        free(s);
    }
}

static const char *bstr(const json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

static int row_cmp(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    int c = cb_stack_cmp(bstr(x, "stack"), bstr(y, "stack"));
    if (!c)
        c = strcmp(bstr(x, "side"), bstr(y, "side"));
    if (!c)
        c = strcmp(bstr(x, "tls"), bstr(y, "tls"));
    if (!c)
        c = strcmp(bstr(x, "model"), bstr(y, "model"));
    return c;
}

static void put_boundaries(FILE *f, const cb_boundaries *b)
{
    /* The documented columns first, then any other field the rows carry
     * (a run also records the peer and the list source). */
    static const char *const fixed[] = {"stack", "side", "tls", "largest_ok_list_bytes", "largest_ok_message_bytes", "above", "model"};
    cb_strset cols = {0};
    for (size_t c = 0; c < sizeof(fixed) / sizeof(fixed[0]); c++)
        cb_strset_add(&cols, fixed[c]);
    for (size_t i = 0; i < b->n; i++) {
        const char *k;
        json_t *v;
        json_object_foreach(b->rows[i], k, v) cb_strset_add(&cols, k);
    }
    fputs("<h2 id=\"boundaries\">Boundaries</h2>\n<p class=\"note\">From boundaries.jsonl: the largest list (and "
          "CertificateRequest) each stack handled, found by bisection, and what happens above it.</p>\n",
          f);
    put_bad(f, "boundaries.jsonl", &b->bad);
    json_t **rows = malloc((b->n ? b->n : 1) * sizeof(*rows));
    if (!rows) {
        cb_strset_free(&cols);
        return;
    }
    if (b->n) {
        memcpy(rows, b->rows, b->n * sizeof(*rows));
        qsort(rows, b->n, sizeof(*rows), row_cmp);
    }
    fputs("<div class=\"mwrap\"><table class=\"boundaries\"><thead><tr>", f);
    for (size_t c = 0; c < cols.n; c++) {
        fputs("<th>", f);
        cb_xml_put(f, cols.v[c], 100);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (size_t i = 0; i < b->n; i++) {
        fputs("<tr>", f);
        for (size_t c = 0; c < cols.n; c++) {
            const json_t *v = json_object_get(rows[i], cols.v[c]);
            fputs(json_is_integer(v) ? "<td class=\"num\">" : "<td>", f);
            put_value(f, v);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (!b->n)
        fprintf(f, "<tr><td colspan=\"%zu\" class=\"note\">no rows</td></tr>\n", cols.n);
    fputs("</tbody></table></div>\n", f);
    free(rows);
    cb_strset_free(&cols);
}

static void put_rules_legend(FILE *f, const cb_results *rs)
{
    cb_strset rules = {0};
    for (size_t i = 0; i < rs->n; i++) {
        const json_t *a = json_object_get(rs->v[i].obj, "rules");
        for (size_t k = 0; k < json_array_size(a); k++)
            cb_strset_add(&rules, json_string_value(json_array_get(a, k)));
    }
    cb_strset_sort(&rules);
    if (rules.n) {
        fputs("<table class=\"rules\"><thead><tr><th>rule</th><th>what it checks</th><th>cases failing it</th></tr></thead><tbody>\n", f);
        for (size_t k = 0; k < rules.n; k++) {
            size_t n = 0;
            for (size_t i = 0; i < rs->n; i++) {
                const json_t *a = json_object_get(rs->v[i].obj, "rules");
                for (size_t j = 0; j < json_array_size(a); j++)
                    n += strcmp(json_string_value(json_array_get(a, j)), rules.v[k]) == 0;
            }
            fputs("<tr><th><code>", f);
            cb_xml_put(f, rules.v[k], 200);
            fputs("</code></th><td>", f);
            cb_xml_put(f, cb_rule_describe(rules.v[k]) ? cb_rule_describe(rules.v[k]) : "(a rule this report does not know)", 0);
            fprintf(f, "</td><td class=\"num\">%zu</td></tr>\n", n);
        }
        fputs("</tbody></table>\n", f);
    }
    cb_strset_free(&rules);
}

/* put_divergences lists DIR/divergences.jsonl (the cross-case rules XSTACK
 * and XVER, each with its smallest case), when the run wrote one. */
static void put_divergences(FILE *f, const char *dir)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/divergences.jsonl", dir);
    FILE *in = fopen(path, "r");
    if (!in)
        return;
    fputs("<h2 id=\"divergences\">Divergences across cases</h2>\n<p class=\"note\">The same input gave different "
          "results across server stacks (XSTACK) or across TLS 1.2 and 1.3 of one pair (XVER), each shown with its "
          "smallest case. They describe how the stacks differ; each stack's own behaviour is judged by its "
          "expectations.</p>\n<div class=\"mwrap\"><table class=\"boundaries\"><thead><tr><th>rule</th><th>held "
          "equal</th><th>what differs</th><th>smallest case</th></tr></thead><tbody>\n",
          f);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, in) > 0) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        if (!o)
            continue;
        static const char *const keys[] = {"rule", "group", "detail", "repro"};
        fputs("<tr>", f);
        for (int k = 0; k < 4; k++) {
            const char *v = json_string_value(json_object_get(o, keys[k]));
            fputs(k == 3 ? "<td><code>" : "<td>", f);
            cb_xml_put(f, v ? v : "", 4096);
            fputs(k == 3 ? "</code></td>" : "</td>", f);
        }
        fputs("</tr>\n", f);
        json_decref(o);
    }
    free(line);
    fclose(in);
    fputs("</tbody></table></div>\n", f);
}

static void write_page(FILE *f, const char *dir, const cb_results *rs, const cb_boundaries *b)
{
    cb_strset suites = {0};
    for (size_t i = 0; i < rs->n; i++)
        cb_strset_add(&suites, rs->v[i].suite);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<link rel=\"icon\" href=\"data:,\"><title>cabound report: ",
          f);
    cb_xml_put(f, dir, 300);
    fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<header><h1>cabound report</h1><p>", css);
    fprintf(f, "%zu cases in %zu suite%s from <code>", rs->n, suites.n, suites.n == 1 ? "" : "s");
    cb_xml_put(f, dir, 300);
    fputs("/results.jsonl</code></p><p>", f);
    put_badges(f, rs);
    fputs("</p></header>\n<nav><a href=\"#summary\">Stacks</a><a href=\"#matrix\">Matrix</a>", f);
    if (b->present)
        fputs("<a href=\"#boundaries\">Boundaries</a>", f);
    fputs("<a href=\"#plots\">Plots</a><a href=\"#divergences\">Divergences</a><a href=\"#findings\">Findings</a>"
          "<a href=\"#errors\">Errors</a></nav>\n<main>\n", f);

    fputs("<h2 id=\"summary\">Stacks</h2>\n", f);
    put_bad(f, "results.jsonl", &rs->bad);
    put_stacks(f, rs);

    fputs("<h2 id=\"matrix\">Server \xc3\x97 client matrix</h2>\n<p class=\"legend\">Each cell lists the distinct "
          "<i>server verdict / client verdict</i> of its cases, with their count and list bytes; hover for case names. "
          "Colors: ",
          f);
    for (int o = 0; o < CB_OC_COUNT; o++)
        fprintf(f, "<span class=\"chip %s\">%s</span>", cb_html_outcome_class((enum cb_outcome)o), cb_outcome_name((enum cb_outcome)o));
    fputs("</p>\n", f);
    cb_html_matrix(f, rs);

    if (b->present)
        put_boundaries(f, b);

    fputs("<h2 id=\"plots\">Bytes on the wire, per server stack</h2>\n<p class=\"note\">Each marker is a case: the "
          "list the server was configured with against the list it put on the wire. On the dotted diagonal the whole "
          "list was sent; below it, a cut. Red dashes mark 16384 (2<sup>14</sup>, a record's plaintext) and 65535 "
          "(the largest 16-bit length).</p>\n",
          f);
    cb_svg_server_plots(f, rs);
    fputs("<h2 id=\"clients\">What each client stack accepted</h2>\n<p class=\"note\">List bytes that reached the client "
          "(measured on the wire, else as configured; cases with an injected malformation left out). Upper ticks: "
          "<span class=\"k0\">accepted</span> (selected or sent-empty); lower ticks: <span class=\"k1\">rejected</span> "
          "or <span class=\"k2\">aborted</span>.</p>\n",
          f);
    cb_svg_client_strips(f, rs);

    put_divergences(f, dir);

    fputs("<h2 id=\"findings\">Findings</h2>\n", f);
    put_rules_legend(f, rs);
    cb_html_findings(f, rs);
    fputs("</main>\n</body></html>\n", f);
    cb_strset_free(&suites);
}

int cb_report_html(const char *dir, const char *out_path, char *err, size_t errlen)
{
    char rpath[4200], bpath[4200];
    snprintf(rpath, sizeof(rpath), "%s/results.jsonl", dir);
    snprintf(bpath, sizeof(bpath), "%s/boundaries.jsonl", dir);
    cb_results rs;
    cb_boundaries b;
    if (cb_results_load(rpath, &rs, err, errlen) != 0)
        return -1;
    if (cb_boundaries_load(bpath, &b, err, errlen) != 0) {
        cb_results_free(&rs);
        return -1;
    }
    cb_out o;
    int rc = cb_out_open(&o, out_path, err, errlen);
    if (rc == 0) {
        write_page(o.f, dir, &rs, &b);
        rc = cb_out_close(&o, err, errlen);
    }
    if (rc == 0)
        rc = cb_jsonl_bad_message(&rs.bad, err, errlen);
    if (rc == 0)
        rc = cb_jsonl_bad_message(&b.bad, err, errlen);
    cb_results_free(&rs);
    cb_boundaries_free(&b);
    return rc;
}
