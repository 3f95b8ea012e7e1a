/* report_matrix.c — the server × client matrix of report.html. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report_common.h"
#include "report_html.h"

/* Case names listed in a chip's tooltip before "and N more". */
#define CHIP_TITLE_NAMES 12

const char *cb_html_outcome_class(enum cb_outcome o)
{
    switch (o) {
    case CB_OC_PASS: return "o-pass";
    case CB_OC_FINDING: return "o-finding";
    case CB_OC_REGRESSION: return "o-regression";
    case CB_OC_XPASS: return "o-xpass";
    case CB_OC_ERROR: return "o-error";
    case CB_OC_UNSUPPORTED: return "o-unsupported";
    default: return "o-none";
    }
}

/* Whether a side's expectation records |r|'s every failed rule: a pass with
 * failed rules is then a known finding. */
static int rules_all_known(const cb_result *r)
{
    const json_t *rules = json_object_get(r->obj, "rules");
    for (size_t i = 0; i < json_array_size(rules); i++)
        if (!cb_expected_has_rule(r, json_string_value(json_array_get(rules, i))))
            return 0;
    return json_array_size(rules) > 0;
}

enum cb_mark cb_html_mark(const cb_result *r)
{
    switch (r->outcome) {
    case CB_OC_PASS: {
        cb_expect_side s, c;
        cb_expected_side(r, 0, &s);
        cb_expected_side(r, 1, &c);
        if (!s.present && !c.present)
            return CB_MK_MISSING;
        return rules_all_known(r) ? CB_MK_KNOWN : CB_MK_PASS;
    }
    case CB_OC_FINDING: return CB_MK_FINDING;
    case CB_OC_REGRESSION: return CB_MK_REGRESSION;
    case CB_OC_XPASS: return CB_MK_XPASS;
    case CB_OC_ERROR: return CB_MK_ERROR;
    case CB_OC_UNSUPPORTED: return CB_MK_UNSUPPORTED;
    default:
        /* An outcome added to the results format after this writer: one
         * about expectations is a missing one, any other fails the run. */
        return strstr(cb_outcome_name(r->outcome), "expect") || strstr(cb_outcome_name(r->outcome), "missing") ? CB_MK_MISSING
                                                                                                         : CB_MK_ERROR;
    }
}

static const struct {
    const char *cls, *sym, *name;
} marks[CB_MK_COUNT] = {
    [CB_MK_PASS] = {"m-pass", "\xe2\x9c\x93", "pass"},
    [CB_MK_KNOWN] = {"m-known", "K", "known finding"},
    [CB_MK_FINDING] = {"m-finding", "F", "new finding"},
    [CB_MK_REGRESSION] = {"m-regression", "R", "regression"},
    [CB_MK_XPASS] = {"m-xpass", "X", "xpass"},
    [CB_MK_ERROR] = {"m-error", "E", "error"},
    [CB_MK_UNSUPPORTED] = {"m-unsupported", "U", "unsupported"},
    [CB_MK_MISSING] = {"m-missing", "?", "missing expectation"},
};

const char *cb_html_mark_class(enum cb_mark m) { return (unsigned)m < CB_MK_COUNT ? marks[m].cls : "m-error"; }
const char *cb_html_mark_symbol(enum cb_mark m) { return (unsigned)m < CB_MK_COUNT ? marks[m].sym : "E"; }
const char *cb_html_mark_name(enum cb_mark m) { return (unsigned)m < CB_MK_COUNT ? marks[m].name : "error"; }

void cb_html_put_mark(FILE *f, enum cb_mark m)
{
    fprintf(f, "<b class=\"mk %s\" title=\"%s\">%s</b>", cb_html_mark_class(m), cb_html_mark_name(m), cb_html_mark_symbol(m));
}

/* Severity of a mark for a cell's border: the worst case shows. */
static int mark_severity(enum cb_mark m)
{
    static const int sev[CB_MK_COUNT] = {[CB_MK_UNSUPPORTED] = 0, [CB_MK_PASS] = 1, [CB_MK_KNOWN] = 2, [CB_MK_XPASS] = 3,
                                         [CB_MK_MISSING] = 4, [CB_MK_ERROR] = 5, [CB_MK_FINDING] = 6, [CB_MK_REGRESSION] = 7};
    return (unsigned)m < CB_MK_COUNT ? sev[m] : 5;
}

/* The verdicts of docs/results.md, each with its own color on the page. */
static const char *const server_verdicts[] = {"full", "truncated", "empty", "omitted", "refused", "malformed", "unmeasured"};
static const char *const client_verdicts[] = {"selected", "sent-empty", "rejected", "aborted", "not-asked", "unmeasured"};
static const char *const verdict_classes[] = {"v-full",      "v-truncated", "v-empty",    "v-omitted",   "v-refused",
                                              "v-malformed", "v-unmeasured", "v-selected", "v-sent-empty", "v-rejected",
                                              "v-aborted",   "v-not-asked", "v-unsupported"};

const char *cb_html_verdict_class(const char *v)
{
    if (!v)
        return "v-other";
    for (size_t i = 0; i < sizeof(verdict_classes) / sizeof(verdict_classes[0]); i++)
        if (strcmp(verdict_classes[i] + 2, v) == 0)
            return verdict_classes[i];
    return "v-other";
}

void cb_html_legend(FILE *f)
{
    fputs("<div class=\"legend\"><p><b>Server verdict</b> (what the server put on the wire): ", f);
    for (size_t i = 0; i < sizeof(server_verdicts) / sizeof(server_verdicts[0]); i++)
        fprintf(f, "<span class=\"sv %s\">%s</span> ", cb_html_verdict_class(server_verdicts[i]), server_verdicts[i]);
    fputs("</p><p><b>Client verdict</b> (what the client did with it): ", f);
    for (size_t i = 0; i < sizeof(client_verdicts) / sizeof(client_verdicts[0]); i++)
        fprintf(f, "<span class=\"cv %s\">%s</span> ", cb_html_verdict_class(client_verdicts[i]), client_verdicts[i]);
    fputs("<span class=\"cv v-unsupported\">unsupported</span></p><p><b>Outcome</b> (the case against its "
          "expectations), the letter before the verdicts: ",
          f);
    for (int m = 0; m < CB_MK_COUNT; m++) {
        fputs("<span class=\"mkey\">", f);
        cb_html_put_mark(f, (enum cb_mark)m);
        fprintf(f, " %s</span> ", cb_html_mark_name((enum cb_mark)m));
    }
    fputs("</p><p class=\"note\">A cell's left border takes the color of its worst outcome; <span class=\"inj\">inject "
          "NAME</span> names the malformation the relay fed the client.</p></div>\n",
          f);
}

/* The cases of one cell that share mark, verdicts and injection. */
typedef struct chip {
    const char *sv, *cv, *inject;
    enum cb_mark mk;
    size_t n;
    long long min_bytes, max_bytes;
    const cb_result *first;
} chip;

static const char *nz(const char *s) { return s ? s : "-"; }

static int chip_cmp(const void *a, const void *b)
{
    const chip *x = a, *y = b;
    if (x->min_bytes != y->min_bytes)
        return x->min_bytes < y->min_bytes ? -1 : 1;
    return x->first->line < y->first->line ? -1 : x->first->line > y->first->line;
}

static int same_str(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

static int in_chip(const chip *c, const cb_result *r)
{
    return cb_html_mark(r) == c->mk && strcmp(nz(r->server_verdict), c->sv) == 0 && strcmp(nz(r->client_verdict), c->cv) == 0 &&
           same_str(cb_res_str(r, "inject"), c->inject);
}

/* The chip's tooltip: its outcome, the failed rules with their sides, the
 * first case names. */
static void put_chip_title(FILE *f, const chip *c, const cb_result *const *cases, size_t ncases)
{
    cb_xml_put(f, cb_html_mark_name(c->mk), 0);
    const json_t *rules = json_object_get(c->first->obj, "rules");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *id = json_string_value(json_array_get(rules, i));
        fputs(i ? ", " : "; rules failed: ", f);
        cb_xml_put(f, id, 100);
        fputs(" (", f);
        cb_xml_put(f, cb_html_rule_side(c->first, id), 40);
        fputs(")", f);
    }
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < ncases; i++) {
        const cb_result *r = cases[i];
        if (!in_chip(c, r))
            continue;
        total++;
        if (shown < CHIP_TITLE_NAMES) {
            fputs("&#10;", f);
            cb_xml_put(f, r->name, 200);
            if (r->list_bytes >= 0)
                fprintf(f, " (%lld B)", r->list_bytes);
            shown++;
        }
    }
    if (total > shown)
        fprintf(f, "&#10;and %zu more", total - shown);
}

static void put_chip(FILE *f, const chip *c, const cb_result *const *cases, size_t ncases)
{
    fputs("<div class=\"chip\" title=\"", f);
    put_chip_title(f, c, cases, ncases);
    fputs("\">", f);
    cb_html_put_mark(f, c->mk);
    fprintf(f, "<span class=\"cb\"><span class=\"vv\"><span class=\"sv %s\">", cb_html_verdict_class(c->sv));
    cb_xml_put(f, c->sv, 40);
    fprintf(f, "</span><span class=\"sl\"> / </span><span class=\"cv %s\">", cb_html_verdict_class(c->cv));
    cb_xml_put(f, c->cv, 40);
    fputs("</span></span>", f);
    if (c->n > 1)
        fprintf(f, " <b class=\"n\">\xc3\x97%zu</b>", c->n);
    if (c->min_bytes >= 0) {
        if (c->min_bytes == c->max_bytes)
            fprintf(f, " <small>%lld B</small>", c->min_bytes);
        else
            fprintf(f, " <small>%lld\xe2\x80\x93%lld B</small>", c->min_bytes, c->max_bytes);
    }
    if (c->inject) {
        fputs(" <span class=\"inj\">inject ", f);
        cb_xml_put(f, c->inject, 80);
        fputs("</span>", f);
    }
    fputs("</span></div>", f);
}

/* Writes one cell from the cases of (suite, tls, server, client). */
static void put_cell(FILE *f, const cb_result *const *cases, size_t n)
{
    if (!n) {
        fputs("<td class=\"cell o-none\">\xe2\x80\x94</td>", f);
        return;
    }
    chip *chips = calloc(n, sizeof(*chips));
    size_t nchips = 0;
    enum cb_mark worst = cb_html_mark(cases[0]);
    for (size_t i = 0; i < n; i++) {
        const cb_result *r = cases[i];
        enum cb_mark mk = cb_html_mark(r);
        if (mark_severity(mk) > mark_severity(worst))
            worst = mk;
        if (!chips)
            continue;
        size_t k = 0;
        while (k < nchips && !in_chip(&chips[k], r))
            k++;
        if (k == nchips)
            chips[nchips++] = (chip){nz(r->server_verdict), nz(r->client_verdict), cb_res_str(r, "inject"), mk, 0, r->list_bytes, r->list_bytes, r};
        chip *c = &chips[k];
        c->n++;
        if (r->list_bytes >= 0 && (c->min_bytes < 0 || r->list_bytes < c->min_bytes))
            c->min_bytes = r->list_bytes;
        if (r->list_bytes > c->max_bytes)
            c->max_bytes = r->list_bytes;
    }
    fprintf(f, "<td class=\"cell w-%s\">", cb_html_mark_class(worst) + 2);
    if (chips) {
        qsort(chips, nchips, sizeof(*chips), chip_cmp);
        for (size_t k = 0; k < nchips; k++)
            put_chip(f, &chips[k], cases, n);
    }
    fputs("</td>", f);
    free(chips);
}

static void put_suite(FILE *f, const cb_results *rs, const char *suite, size_t suite_no)
{
    cb_strset servers = {0}, clients = {0}, tls = {0};
    size_t ncases = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        if (strcmp(r->suite, suite) != 0)
            continue;
        ncases++;
        cb_strset_add(&servers, r->server);
        cb_strset_add(&clients, r->client);
        cb_strset_add(&tls, r->tls);
    }
    cb_strset_sort_stacks(&servers);
    cb_strset_sort_stacks(&clients);
    cb_strset_sort(&tls);
    fprintf(f, "<section class=\"suite\" id=\"suite-%zu\"><h3>suite <code>", suite_no);
    cb_xml_put(f, suite, 200);
    fprintf(f, "</code> <small>%zu cases</small></h3>\n<div class=\"matrices\">\n", ncases);
    const cb_result **cases = malloc((ncases ? ncases : 1) * sizeof(*cases));
    for (size_t t = 0; cases && t < tls.n; t++) {
        fputs("<div class=\"mwrap\"><table class=\"matrix\" data-suite=\"", f);
        cb_xml_put(f, suite, 200);
        fputs("\" data-tls=\"", f);
        cb_xml_put(f, tls.v[t], 40);
        fputs("\"><caption>TLS ", f);
        cb_xml_put(f, tls.v[t], 40);
        fputs("</caption>\n<thead><tr><th class=\"corner\">server \xe2\x86\x93 client \xe2\x86\x92</th>", f);
        for (size_t c = 0; c < clients.n; c++) {
            fputs("<th scope=\"col\">", f);
            cb_xml_put(f, clients.v[c], 80);
            fputs("</th>", f);
        }
        fputs("</tr></thead>\n<tbody>\n", f);
        for (size_t s = 0; s < servers.n; s++) {
            fputs("<tr><th scope=\"row\">", f);
            cb_xml_put(f, servers.v[s], 80);
            fputs("</th>", f);
            for (size_t c = 0; c < clients.n; c++) {
                size_t n = 0;
                for (size_t i = 0; i < rs->n; i++) {
                    const cb_result *r = &rs->v[i];
                    if (strcmp(r->suite, suite) == 0 && strcmp(r->tls, tls.v[t]) == 0 &&
                        strcmp(r->server, servers.v[s]) == 0 && strcmp(r->client, clients.v[c]) == 0)
                        cases[n++] = r;
                }
                put_cell(f, cases, n);
            }
            fputs("</tr>\n", f);
        }
        fputs("</tbody></table></div>\n", f);
    }
    fputs("</div></section>\n", f);
    free(cases);
    cb_strset_free(&servers);
    cb_strset_free(&clients);
    cb_strset_free(&tls);
}

void cb_html_matrix(FILE *f, const cb_results *rs)
{
    cb_strset suites = {0};
    for (size_t i = 0; i < rs->n; i++)
        cb_strset_add(&suites, rs->v[i].suite);
    if (!suites.n)
        fputs("<p class=\"note\">No results.</p>\n", f);
    for (size_t s = 0; s < suites.n; s++)
        put_suite(f, rs, suites.v[s], s + 1);
    cb_strset_free(&suites);
}
