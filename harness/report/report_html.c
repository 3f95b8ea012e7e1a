/* report_html.c — report.html: one self-contained page (inline CSS and SVG,
 * no script, nothing fetched): the run's counts, then the findings (new and
 * known), the errors and the divergences, then the server × client matrices,
 * the boundaries table, the plots and the stacks. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "report_common.h"
#include "report_html.h"

/* The page's style sheet, written in order (one literal per rule group:
 * a C17 compiler need not support a string over 4095 bytes). */
static const char *const css[] = {
    "*{box-sizing:border-box}",
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}",
    "header{background:#1f2d3d;color:#fff;padding:18px 28px 14px}",
    "header h1{margin:0 0 4px;font-size:22px}header p{margin:2px 0;color:#c9d1d9;overflow-wrap:anywhere}",
    "nav{background:#fff;border-bottom:1px solid #d0d7de;padding:8px 28px;position:sticky;top:0;z-index:1;display:flex;flex-wrap:wrap;gap:2px 18px}",
    "nav a{color:#0b5cad;text-decoration:none}",
    "main{padding:4px 28px 48px;max-width:1500px}",
    "h2{border-bottom:1px solid #d0d7de;padding-bottom:4px;margin:32px 0 10px;font-size:19px}",
    "h3{font-size:15px;margin:18px 0 6px}",
    "table{border-collapse:collapse;background:#fff;margin:6px 0 14px}",
    "th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}",
    "thead th{background:#eef1f4}tbody th{background:#f6f8fa;white-space:nowrap}",
    "caption{text-align:left;font-weight:600;padding:2px 0 4px}",
    ".matrices{display:flex;flex-wrap:wrap;gap:10px 28px;align-items:flex-start}",
    "td.cell{min-width:96px;max-width:250px;padding:3px;border-left:5px solid #d0d7de}",
    "td.o-none{color:#8c959f;text-align:center;vertical-align:middle}",
    "td.w-pass{border-left-color:#4cae4c}td.w-known{border-left-color:#8250df}td.w-finding{border-left-color:#cf222e}",
    "td.w-regression{border-left-color:#82071e;border-left-style:double;border-left-width:7px}td.w-xpass{border-left-color:#d4a72c}",
    "td.w-error{border-left-color:#24292f}td.w-unsupported{border-left-color:#c8ced4;border-left-style:dashed}",
    "td.w-missing{border-left-color:#d4a72c;border-left-style:dashed}",
    ".mwrap{max-width:100%;overflow-x:auto}",
    ".chip{display:flex;align-items:flex-start;gap:4px;font-size:12px;line-height:1.35;padding:2px 3px;margin:2px 0;"
    "border:1px solid #e1e5e9;border-radius:3px;background:#fff}",
    ".chip .cb{display:flex;flex-wrap:wrap;align-items:center;gap:2px 4px;min-width:0}",
    ".chip small{color:#57606a;white-space:nowrap}.chip .n{white-space:nowrap}",
    ".vv{display:inline-flex;flex-wrap:wrap;gap:1px}.sl{display:none}",
    ".sv,.cv{display:inline-block;padding:0 5px;border-radius:3px;white-space:nowrap;border:1px solid transparent}",
    ".sv{border-radius:3px 0 0 3px}.cv{border-radius:0 3px 3px 0}.legend .sv,.legend .cv{border-radius:3px;margin:1px 0}",
    ".v-full,.v-selected{background:#d3f2d9;color:#0f5323}",
    ".v-truncated{background:#ffd8a8;color:#6a3500}",
    ".v-empty,.v-sent-empty{background:#fff1a8;color:#5b4300}",
    ".v-omitted,.v-not-asked{background:#dbe6f7;color:#1b3a6b}",
    ".v-refused{background:#e7d9f7;color:#4b2578}",
    ".v-malformed,.v-rejected{background:#f8c4be;color:#7a1208;border-color:#e5534b}",
    ".v-aborted{background:#f6c9e4;color:#6d0f45;border-color:#d0579b}",
    ".v-unmeasured,.v-other{background:#fff;color:#57606a;border:1px dashed #8c959f}",
    ".v-unsupported{background:#f3f4f6;color:#8c959f}",
    ".mk{display:inline-block;min-width:17px;height:17px;line-height:15px;padding:0 2px;text-align:center;font-size:11px;font-weight:700;"
    "border:1px solid;border-radius:3px;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}",
    ".m-pass{color:#1a7f37;border-color:#1a7f37;background:#fff;border-radius:50%}",
    ".m-known{color:#fff;background:#8250df;border-color:#8250df}",
    ".m-finding{color:#fff;background:#cf222e;border-color:#cf222e}",
    ".m-regression{color:#fff;background:#82071e;border-color:#82071e;box-shadow:0 0 0 2px #fff,0 0 0 3px #82071e;margin:0 3px}",
    ".m-xpass{color:#5b4300;background:#fff0b3;border-color:#bf8700}",
    ".m-error{color:#fff;background:#24292f;border-color:#24292f}",
    ".m-unsupported{color:#6e7781;background:#fff;border-style:dashed}",
    ".m-missing{color:#7d4e00;background:#fff8c5;border-color:#9a6700;border-style:dashed}",
    ".inj{font-size:11px;background:#fff;border:1px solid #cf222e;color:#a40e26;border-radius:8px;padding:0 6px;white-space:nowrap}",
    ".legend{background:#fff;border:1px solid #d0d7de;border-radius:4px;padding:4px 12px;margin:8px 0}.legend p{margin:5px 0}",
    ".mkey{white-space:nowrap;margin-right:10px}",
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;margin-right:4px}",
    "header .badge{font-size:13px}",
    ".o-pass{background:#dcf5dc;color:#14401c}",
    ".o-finding,.o-regression{background:#fbd5d2;color:#6b0f0a}",
    ".o-regression{outline:1px solid #b3261e}",
    ".o-xpass{background:#fff0b3;color:#5b4300}",
    ".o-error{background:#3d434a;color:#fff}",
    ".o-unsupported{background:#e6e8eb;color:#57606a}",
    ".matrix th.corner{font-weight:400;font-size:12px;color:#57606a}",
    "code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}",
    "pre{background:#eef1f4;border:1px solid #d0d7de;border-radius:4px;padding:6px 10px;white-space:pre-wrap;word-break:break-all;margin:6px 0}",
    ".plots{display:flex;flex-wrap:wrap;gap:16px}",
    "figure{margin:0;background:#fff;border:1px solid #d0d7de;border-radius:4px;padding:8px;max-width:560px}",
    "figure svg{display:block;max-width:100%;height:auto}",
    "figcaption{font-size:12px;color:#444;margin-top:4px}",
    ".k0{color:#2a9d3a;font-weight:600}.k1{color:#d62728;font-weight:600}.k2{color:#e08e0b;font-weight:600}",
    "article.finding{background:#fff;border:1px solid #d0d7de;border-left:5px solid #d0d7de;border-radius:4px;padding:4px 14px 8px;margin:10px 0}",
    "article.a-finding,article.a-regression{border-left-color:#cf222e}article.a-known{border-left-color:#8250df}",
    "article.a-xpass{border-left-color:#d4a72c}article.a-error{border-left-color:#24292f}",
    "article.finding h3{margin:8px 0 4px;overflow-wrap:anywhere}",
    "dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:4px 0}dt{color:#57606a}dd{margin:0;overflow-wrap:anywhere}",
    "details.divs>summary{cursor:pointer;color:#0b5cad;margin:6px 0;font-weight:600}",
    "details.cases summary{cursor:pointer;color:#0b5cad;margin:6px 0}details.cases ul{margin:4px 0;padding-left:20px}",
    "details.cases li{margin:6px 0;overflow-wrap:anywhere}",
    ".side{font-size:11px;border-radius:8px;padding:0 6px;border:1px solid #8c959f;color:#424a53;white-space:nowrap}",
    ".side-server{border-color:#1f6fb4;color:#1f6fb4}.side-client{border-color:#b35900;color:#b35900}.side-both{border-color:#6e40c9;color:#6e40c9}",
    ".verdict{font-weight:600}.known{background:#e6e8eb;border-radius:3px;padding:0 5px;font-size:12px}",
    ".note{color:#57606a}.bad{background:#fff4f2;border:1px solid #d9443a;border-radius:4px;padding:6px 12px}",
    "tr.group th{background:#1f2d3d;color:#fff;font-weight:600}",
    "table.per-stack td code,table.divergences td code,details.cases code{overflow-wrap:anywhere;word-break:break-all}",
    "tbody.div td{border-bottom:none}tbody.div td.div-repro{border-top:none;padding-top:0}tbody.div+tbody.div tr:first-child td{border-top:2px solid #d0d7de}",
    "td.fn{text-align:center}ol.bnotes{margin:0 0 14px;padding-left:22px;color:#424a53}b.lb{color:#9a6700}",
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}",
    "table.changes td code{overflow-wrap:anywhere;word-break:break-all}tr.ch-unmeasured td{color:#57606a}",
};

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
    fputs("<div class=\"mwrap\"><table class=\"stacks\"><thead><tr><th>stack</th><th>version</th><th>library</th><th>cases as server</th>"
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
    fputs("</tbody></table></div>\n", f);
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
        /* "refused+handshake-failed": a break allowed after each '+'. */
        const char *p = json_string_value(v);
        for (const char *q; (q = strchr(p, '+')) != NULL && q - p < 600; p = q + 1) {
            char part[604];
            snprintf(part, sizeof(part), "%.*s", (int)(q - p + 1), p);
            cb_xml_put(f, part, 0);
            fputs("<wbr>", f);
        }
        cb_xml_put(f, p, 600);
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

/* Servers first, then clients, then any other side. */
static int side_rank(const char *side) { return strcmp(side, "server") == 0 ? 0 : strcmp(side, "client") == 0 ? 1 : 2; }

static int row_cmp(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    int c = side_rank(bstr(x, "side")) - side_rank(bstr(y, "side"));
    if (!c)
        c = strcmp(bstr(x, "side"), bstr(y, "side"));
    if (!c)
        c = cb_stack_cmp(bstr(x, "stack"), bstr(y, "stack"));
    if (!c)
        c = strcmp(bstr(x, "tls"), bstr(y, "tls"));
    if (!c)
        c = strcmp(bstr(x, "model"), bstr(y, "model"));
    return c;
}

/* The boundaries columns in the order shown, with readable headers (the
 * JSON key is the header's tooltip). */
static const struct {
    const char *key, *label;
} bcols[] = {
    {"stack", "stack"},
    {"tls", "TLS"},
    {"largest_ok_list_bytes", "largest list handled (list bytes)"},
    {"largest_ok_message_bytes", "its message (bytes)"},
    {"above", "one byte above"},
    {"above_wire_class", "wire class above"},
    {"model", "behaves like model"},
    {"note", "note"},
    {"peer", "peer stack"},
    {"source", "list source"},
};

static const char *bcol_label(const char *key)
{
    for (size_t i = 0; i < sizeof(bcols) / sizeof(bcols[0]); i++)
        if (strcmp(bcols[i].key, key) == 0)
            return bcols[i].label;
    return key;
}

/* A row whose note says its figure is a lower bound (the peer stopped
 * first): its sizes show as "≥ N". */
static int lower_bound(const json_t *row) { return strstr(bstr(row, "note"), "lower bound") != NULL; }

static void put_boundaries(FILE *f, const cb_boundaries *b)
{
    /* The documented columns first, then any other field the rows carry;
     * the side heads its group of rows instead of a column. */
    cb_strset cols = {0}, notes = {0};
    for (size_t c = 0; c < sizeof(bcols) / sizeof(bcols[0]); c++)
        cb_strset_add(&cols, bcols[c].key);
    for (size_t i = 0; i < b->n; i++) {
        const char *k;
        json_t *v;
        json_object_foreach(b->rows[i], k, v) if (strcmp(k, "side") != 0) cb_strset_add(&cols, k);
    }
    fputs("<h2 id=\"boundaries\">Boundaries</h2>\n<p class=\"note\">From boundaries.jsonl: the largest list (and "
          "CertificateRequest) each stack handled, found by bisection, and what happens one byte above it. "
          "<b>\xe2\x89\xa5</b> marks a lower bound: the reference peer gave up first, so the stack itself may handle more.</p>\n",
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
        fputs("<th title=\"", f);
        cb_xml_put(f, cols.v[c], 100);
        if (strcmp(cols.v[c], "largest_ok_message_bytes") == 0)
            fputs(": the CertificateRequest message with its 4-byte header", f);
        fputs("\">", f);
        cb_xml_put(f, bcol_label(cols.v[c]), 100);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>\n", f);
    for (size_t i = 0; i < b->n; i++) {
        const char *side = bstr(rows[i], "side");
        if (i == 0 || strcmp(side, bstr(rows[i - 1], "side")) != 0) {
            fprintf(f, "<tr class=\"group\"><th colspan=\"%zu\">", cols.n);
            if (strcmp(side, "server") == 0)
                fputs("As server: the list it puts on the wire", f);
            else if (strcmp(side, "client") == 0)
                fputs("As client: the list it accepts", f);
            else {
                fputs("side ", f);
                cb_xml_put(f, *side ? side : "not given", 100);
            }
            fputs("</th></tr>\n", f);
        }
        fputs("<tr>", f);
        for (size_t c = 0; c < cols.n; c++) {
            const json_t *v = json_object_get(rows[i], cols.v[c]);
            if (strcmp(cols.v[c], "note") == 0 && json_is_string(v)) {
                /* A note is a numbered footnote under the table: rows
                 * share few notes, and long text would crush the table. */
                long k = cb_strset_add(&notes, json_string_value(v));
                fprintf(f, "<td class=\"fn\"><a href=\"#bnote-%ld\" title=\"", k + 1);
                cb_xml_put(f, json_string_value(v), 600);
                fprintf(f, "\">[%ld]</a></td>", k + 1);
                continue;
            }
            fputs(json_is_integer(v) ? "<td class=\"num\">" : "<td>", f);
            if (json_is_integer(v) && lower_bound(rows[i]) && strncmp(cols.v[c], "largest_ok_", 11) == 0)
                fputs("<b class=\"lb\" title=\"lower bound\">\xe2\x89\xa5</b>&#160;", f);
            put_value(f, v);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    if (!b->n)
        fprintf(f, "<tr><td colspan=\"%zu\" class=\"note\">no rows</td></tr>\n", cols.n);
    fputs("</tbody></table></div>\n", f);
    if (notes.n) {
        fputs("<ol class=\"bnotes\">", f);
        for (size_t k = 0; k < notes.n; k++) {
            fprintf(f, "<li id=\"bnote-%zu\">", k + 1);
            cb_xml_put(f, notes.v[k], 600);
            fputs("</li>", f);
        }
        fputs("</ol>\n", f);
    }
    free(rows);
    cb_strset_free(&cols);
    cb_strset_free(&notes);
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
        fputs("<div class=\"mwrap\"><table class=\"rules\"><thead><tr><th>rule</th><th>what it checks</th><th>cases failing it, "
              "by the side it is about</th></tr></thead><tbody>\n",
              f);
        for (size_t k = 0; k < rules.n; k++) {
            size_t n[4] = {0, 0, 0, 0}; /* server, client, both, other */
            for (size_t i = 0; i < rs->n; i++) {
                const json_t *a = json_object_get(rs->v[i].obj, "rules");
                for (size_t j = 0; j < json_array_size(a); j++)
                    if (strcmp(json_string_value(json_array_get(a, j)), rules.v[k]) == 0) {
                        const char *side = cb_html_rule_side(&rs->v[i], rules.v[k]);
                        n[strcmp(side, "server") == 0 ? 0 : strcmp(side, "client") == 0 ? 1 : strcmp(side, "both") == 0 ? 2 : 3]++;
                    }
            }
            fputs("<tr><th><code>", f);
            cb_xml_put(f, rules.v[k], 200);
            fputs("</code></th><td>", f);
            cb_xml_put(f, cb_rule_describe(rules.v[k]) ? cb_rule_describe(rules.v[k]) : "(a rule this report does not know)", 0);
            fputs("</td><td>", f);
            static const char *const names[] = {"server", "client", "both", "other"};
            static const char *const shown[] = {"server", "client", "server + client", "other"};
            int any = 0;
            for (int s = 0; s < 4; s++)
                if (n[s]) {
                    fprintf(f, "%s<span class=\"side side-%s\">%s</span> %zu", any ? " " : "", names[s], shown[s], n[s]);
                    any = 1;
                }
            fputs("</td></tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
    }
    cb_strset_free(&rules);
}

/* Divergences shown open; a longer list starts folded under its counts. */
#define DIVERGENCES_OPEN 20

/* put_divergences lists DIR/divergences.jsonl (the cross-case rules XSTACK
 * and XVER, each with its smallest case and its repro command), when the
 * run wrote one. */
static void put_divergences(FILE *out, const char *dir)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/divergences.jsonl", dir);
    fputs("<h2 id=\"divergences\">Divergences across cases</h2>\n", out);
    FILE *in = fopen(path, "r");
    if (!in) {
        fputs("<p class=\"note\">No divergences.jsonl in this directory.</p>\n", out);
        return;
    }
    fputs("<p class=\"note\">The same input gave different results across server stacks (XSTACK) or across TLS 1.2 "
          "and 1.3 of one pair (XVER), each shown with its smallest case. They describe how the stacks differ; each "
          "stack's own behaviour is judged by its expectations.</p>\n",
          out);
    /* The table first, into memory: the summary above it counts its rows. */
    char *buf = NULL;
    size_t buflen = 0;
    FILE *f = open_memstream(&buf, &buflen);
    if (!f) {
        fclose(in);
        fputs("<p class=\"note\">(out of memory listing the divergences)</p>\n", out);
        return;
    }
    fputs("<div class=\"mwrap\"><table class=\"divergences\"><thead><tr><th>rule</th><th>held equal</th><th>what "
          "differs</th><th>smallest case</th></tr></thead>\n",
          f);
    char *line = NULL;
    size_t cap = 0, rows = 0, per_rule[8] = {0};
    cb_strset rules = {0};
    json_t *keep = json_array(); /* owns the rule names counted */
    while (getline(&line, &cap, in) > 0) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        if (!o)
            continue;
        static const char *const keys[] = {"rule", "group", "detail"};
        fputs("<tbody class=\"div\"><tr>", f);
        for (int k = 0; k < 3; k++) {
            const char *v = json_string_value(json_object_get(o, keys[k]));
            fputs("<td>", f);
            cb_xml_put(f, v ? v : "", 4096);
            fputs("</td>", f);
        }
        const char *rule = json_string_value(json_object_get(o, "rule"));
        if (rule && keep && cb_strset_find(&rules, rule) < 0 && rules.n < 8) {
            json_array_append_new(keep, json_string(rule));
            cb_strset_add(&rules, json_string_value(json_array_get(keep, json_array_size(keep) - 1)));
        }
        long ri = rule ? cb_strset_find(&rules, rule) : -1;
        if (ri >= 0)
            per_rule[ri]++;
        const char *sc = json_string_value(json_object_get(o, "smallest_case")), *rp = json_string_value(json_object_get(o, "repro"));
        fputs("<td class=\"div-case\">", f);
        if (sc) {
            fputs("<code>", f);
            cb_xml_put(f, sc, 400);
            fputs("</code>", f);
        }
        fputs("</td></tr><tr><td colspan=\"4\" class=\"div-repro\"><pre class=\"repro\"><code>", f);
        cb_xml_put(f, rp ? rp : "(no repro command recorded)", 4096);
        fputs("</code></pre></td></tr></tbody>\n", f);
        json_decref(o);
        rows++;
    }
    free(line);
    fclose(in);
    if (!rows)
        fputs("<tbody><tr><td colspan=\"4\" class=\"note\">none</td></tr></tbody>\n", f);
    fputs("</table></div>\n", f);
    int ok = fclose(f) == 0 && buf;
    fprintf(out, "<details class=\"divs\"%s><summary>%zu divergence%s", rows <= DIVERGENCES_OPEN ? " open" : "", rows,
            rows == 1 ? "" : "s");
    for (size_t k = 0; k < rules.n; k++) {
        fputs(k ? ", " : " (", out);
        cb_xml_put(out, rules.v[k], 40);
        fprintf(out, " %zu", per_rule[k]);
    }
    fputs(rules.n ? ")</summary>\n" : "</summary>\n", out);
    if (ok)
        fputs(buf, out);
    fputs("</details>\n", out);
    free(buf);
    cb_strset_free(&rules);
    json_decref(keep);
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
    fputs("</title>\n<style>", f);
    for (size_t i = 0; i < sizeof(css) / sizeof(css[0]); i++)
        fputs(css[i], f);
    fputs("</style></head>\n<body>\n<header><h1>cabound report</h1><p>", f);
    fprintf(f, "%zu cases in %zu suite%s from <code>", rs->n, suites.n, suites.n == 1 ? "" : "s");
    cb_xml_put(f, dir, 300);
    fputs("/results.jsonl</code></p><p>", f);
    put_badges(f, rs);
    fputs("</p></header>\n<nav><a href=\"#findings\">Findings</a><a href=\"#errors\">Errors</a>"
          "<a href=\"#divergences\">Divergences</a><a href=\"#changes\">Changes</a><a href=\"#matrix\">Matrix</a>",
          f);
    if (b->present)
        fputs("<a href=\"#boundaries\">Boundaries</a>", f);
    fputs("<a href=\"#plots\">Plots</a><a href=\"#clients\">Clients</a><a href=\"#summary\">Stacks</a></nav>\n<main>\n", f);
    put_bad(f, "results.jsonl", &rs->bad);

    /* What needs a maintainer first: findings (new, then known), errors,
     * then how the stacks differ; the overview after. */
    fputs("<h2 id=\"findings\">Findings</h2>\n", f);
    put_rules_legend(f, rs);
    cb_html_findings(f, rs);
    fputs("<h2 id=\"errors\">Errors</h2>\n", f);
    cb_html_errors(f, rs);

    put_divergences(f, dir);
    cb_html_changes(f, rs);

    fputs("<h2 id=\"matrix\">Server \xc3\x97 client matrix</h2>\n<p class=\"note\">Each cell lists the distinct "
          "outcomes and <i>server verdict / client verdict</i> of its cases, with their count and list bytes; hover for "
          "the case names and failed rules.</p>\n",
          f);
    cb_html_legend(f);
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

    fputs("<h2 id=\"summary\">Stacks</h2>\n", f);
    put_stacks(f, rs);
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
