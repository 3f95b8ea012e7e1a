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
    static const char *const cls[CB_OC_COUNT] = {"o-pass", "o-finding", "o-regression", "o-xpass", "o-error", "o-unsupported"};
    return (unsigned)o < CB_OC_COUNT ? cls[o] : "o-none";
}

/* The cases of one cell that share verdicts and outcome. */
typedef struct chip {
    const char *sv, *cv;
    enum cb_outcome oc;
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

static void put_chip(FILE *f, const chip *c, const cb_result *const *cases, size_t ncases)
{
    fprintf(f, "<div class=\"chip %s\" title=\"", cb_html_outcome_class(c->oc));
    cb_xml_put(f, cb_outcome_name(c->oc), 0);
    fputs(":", f);
    size_t shown = 0, total = 0;
    for (size_t i = 0; i < ncases; i++) {
        const cb_result *r = cases[i];
        if (r->outcome != c->oc || strcmp(nz(r->server_verdict), c->sv) != 0 || strcmp(nz(r->client_verdict), c->cv) != 0)
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
    fputs("\"><span>", f);
    cb_xml_put(f, c->sv, 40);
    fputs(" / ", f);
    cb_xml_put(f, c->cv, 40);
    if (c->n > 1)
        fprintf(f, " <b>\xc3\x97%zu</b>", c->n);
    fputs("</span>", f);
    if (c->min_bytes >= 0) {
        if (c->min_bytes == c->max_bytes)
            fprintf(f, " <small>%lld B</small>", c->min_bytes);
        else
            fprintf(f, " <small>%lld\xe2\x80\x93%lld B</small>", c->min_bytes, c->max_bytes);
    }
    fputs("</div>", f);
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
    enum cb_outcome worst = cases[0]->outcome;
    for (size_t i = 0; i < n; i++) {
        const cb_result *r = cases[i];
        if (cb_outcome_severity(r->outcome) > cb_outcome_severity(worst))
            worst = r->outcome;
        if (!chips)
            continue;
        size_t k = 0;
        while (k < nchips && !(chips[k].oc == r->outcome && strcmp(chips[k].sv, nz(r->server_verdict)) == 0 &&
                               strcmp(chips[k].cv, nz(r->client_verdict)) == 0))
            k++;
        if (k == nchips) {
            chips[nchips++] = (chip){nz(r->server_verdict), nz(r->client_verdict), r->outcome, 0, r->list_bytes, r->list_bytes, r};
        }
        chip *c = &chips[k];
        c->n++;
        if (r->list_bytes >= 0 && (c->min_bytes < 0 || r->list_bytes < c->min_bytes))
            c->min_bytes = r->list_bytes;
        if (r->list_bytes > c->max_bytes)
            c->max_bytes = r->list_bytes;
    }
    fprintf(f, "<td class=\"cell %s\">", cb_html_outcome_class(worst));
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
