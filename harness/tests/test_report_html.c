/* What report.html shows of the stacks' behaviour, from the hand-made results
 * in DATA_DIR plus a few lines written here: matrix chips colored by each
 * side's verdict with the outcome as a lettered mark (a known finding and a
 * missing expectation told apart from a pass), the injection named; the
 * findings (new, then known, each with its repro and captures) before the
 * errors, the divergences and the matrix; the side of a failed rule read from
 * the line when it records one, in either shape; the boundaries table with
 * readable headers, servers before clients and its lower bounds marked.
 *
 * usage: test_report_html DATA_DIR (harness/tests/data/report) */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report.h"
#include "results_read.h"
#include "testutil.h"

static char dir[256];

static int append(const char *path, const char *text)
{
    FILE *f = fopen(path, "ab");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += len)
        n++;
    return n;
}

/* pos is the offset of |needle| in |hay|, or -1. */
static long pos(const char *hay, const char *needle)
{
    const char *p = hay ? strstr(hay, needle) : NULL;
    return p ? (long)(p - hay) : -1;
}

/* The part of |h| from |from| to the next |to| (a new string), or NULL. */
static char *section(const char *h, const char *from, const char *to)
{
    const char *a = h ? strstr(h, from) : NULL, *b = a ? strstr(a + strlen(from), to) : NULL;
    return a ? strndup(a, b ? (size_t)(b - a) : strlen(a)) : NULL;
}

/* Lines the hand-made data lacks: a failed rule whose side the line records
 * (once in "rules", once only in "rule_details"), each side contradicting
 * what the report would infer (ALERT-ON-FAIL with a rejecting client reads
 * "client"; SEL-ISSUER reads "client"); a known finding with a capture. */
static const char extra_results[] =
    "{\"case\":\"side/entry/openssl>gnutls/1.2\",\"suite\":\"side\",\"name\":\"entry\",\"server\":\"openssl\","
    "\"client\":\"gnutls\",\"tls\":\"1.2\",\"list_bytes\":2000,\"server_verdict\":\"full\",\"client_verdict\":\"rejected\","
    "\"rules\":[{\"id\":\"ALERT-ON-FAIL\",\"side\":\"server\"}],"
    "\"rule_details\":{\"ALERT-ON-FAIL\":{\"side\":\"server\",\"detail\":\"closed without an alert (side entry)\"}},"
    "\"expected\":{\"server\":null,\"client\":null},\"outcome\":\"finding\","
    "\"repro\":\"cabound pair --server openssl --client gnutls --name 'side entry'\"}\n"
    "{\"case\":\"side/details/openssl>gnutls/1.2\",\"suite\":\"side\",\"name\":\"details\",\"server\":\"openssl\","
    "\"client\":\"gnutls\",\"tls\":\"1.2\",\"list_bytes\":2000,\"server_verdict\":\"full\",\"client_verdict\":\"selected\","
    "\"rules\":[\"SEL-ISSUER\"],\"rule_details\":{\"SEL-ISSUER\":{\"side\":\"server\",\"why\":\"blamed on the server (side details)\"}},"
    "\"expected\":{\"server\":null,\"client\":null},\"outcome\":\"finding\","
    "\"repro\":\"cabound pair --server openssl --client gnutls --name 'side details'\"}\n"
    "{\"case\":\"side/known/wolfssl>openssl/1.2\",\"suite\":\"side\",\"name\":\"known\",\"server\":\"wolfssl\","
    "\"client\":\"openssl\",\"tls\":\"1.2\",\"list_bytes\":3000,\"server_verdict\":\"malformed\",\"client_verdict\":\"rejected\","
    "\"inject\":null,\"rules\":[\"CA-PREFIX\"],\"rule_details\":{\"CA-PREFIX\":\"not-der at offset 2\"},"
    "\"expected\":{\"server\":{\"pattern\":\"side/*/wolfssl>*/*\",\"file\":\"suites/expect/wolfssl.expect\",\"line\":3,"
    "\"server_verdict\":\"malformed\",\"rules\":[\"CA-PREFIX\"],\"reason\":\"cuts a DN\"},\"client\":null},"
    "\"outcome\":\"pass\",\"pcap\":\"captures/side_known.pcap\",\"keylog\":\"captures/side_known.keylog\","
    "\"repro\":\"cabound pair --server wolfssl --client openssl --name 'side known'\"}\n"
    /* The run's form: "rule_hits", one hit per side; it outranks a rules
     * entry's side. */
    "{\"case\":\"side/hits/openssl>gnutls/1.2\",\"suite\":\"side\",\"name\":\"hits\",\"server\":\"openssl\","
    "\"client\":\"gnutls\",\"tls\":\"1.2\",\"list_bytes\":2000,\"server_verdict\":\"full\",\"client_verdict\":\"rejected\","
    "\"rules\":[\"ALERT-ON-FAIL\",{\"id\":\"REC-2E14\",\"side\":\"client\"}],"
    "\"rule_hits\":[{\"rule\":\"ALERT-ON-FAIL\",\"side\":\"server\",\"why\":\"server silent\"},"
    "{\"rule\":\"ALERT-ON-FAIL\",\"side\":\"client\",\"why\":\"client silent\"},"
    "{\"rule\":\"REC-2E14\",\"side\":\"server\",\"why\":\"a big record\"}],"
    "\"rule_details\":{\"ALERT-ON-FAIL\":\"both silent\",\"REC-2E14\":\"a big record\"},"
    "\"expected\":{\"server\":null,\"client\":null},\"outcome\":\"finding\","
    "\"repro\":\"cabound pair --server openssl --client gnutls --name 'side hits'\"}\n";

static const char divergences[] =
    "{\"rule\":\"XSTACK\",\"group\":\"boundary/over-16k, client gnutls, TLS 1.3\",\"detail\":\"server verdicts differ\","
    "\"smallest_case\":\"boundary/over-16k/openssl>gnutls/1.3\",\"repro\":\"cabound pair --name 'div repro'\"}\n";

static void setup(const char *data)
{
    char src[1024], dst[1024];
    const char *files[] = {"results.jsonl", "boundaries.jsonl"};
    for (int i = 0; i < 2; i++) {
        snprintf(src, sizeof(src), "%s/%s", data, files[i]);
        snprintf(dst, sizeof(dst), "%s/%s", dir, files[i]);
        char *t = slurp(src);
        CHECK(t != NULL);
        CHECK(append(dst, t ? t : "") == 0);
        free(t);
    }
    snprintf(dst, sizeof(dst), "%s/results.jsonl", dir);
    CHECK(append(dst, extra_results) == 0);
    snprintf(dst, sizeof(dst), "%s/divergences.jsonl", dir);
    CHECK(append(dst, divergences) == 0);
}

/* Loading turns the object shape of rules into ids and keeps the sides. */
static void test_rule_shapes(void)
{
    char path[512], err[1024];
    snprintf(path, sizeof(path), "%s/results.jsonl", dir);
    cb_results rs;
    CHECK(cb_results_load(path, &rs, err, sizeof(err)) == 0);
    size_t seen = 0;
    for (size_t i = 0; i < rs.n; i++) {
        const cb_result *r = &rs.v[i];
        const json_t *rules = json_object_get(r->obj, "rules"), *details = json_object_get(r->obj, "rule_details");
        for (size_t k = 0; k < json_array_size(rules); k++)
            CHECK(json_is_string(json_array_get(rules, k)));
        if (strcmp(r->case_id, "side/entry/openssl>gnutls/1.2") == 0) {
            seen++;
            CHECK_STR(cb_res_rule_side(r, "ALERT-ON-FAIL"), "server");
            CHECK_STR(json_string_value(json_object_get(details, "ALERT-ON-FAIL")), "closed without an alert (side entry)");
        } else if (strcmp(r->case_id, "side/details/openssl>gnutls/1.2") == 0) {
            seen++;
            CHECK_STR(cb_res_rule_side(r, "SEL-ISSUER"), "server");
            CHECK_STR(json_string_value(json_object_get(details, "SEL-ISSUER")), "blamed on the server (side details)");
        } else if (strcmp(r->case_id, "side/hits/openssl>gnutls/1.2") == 0) {
            seen++;
            CHECK_STR(cb_res_rule_side(r, "ALERT-ON-FAIL"), "both");
            CHECK_STR(cb_res_rule_side(r, "REC-2E14"), "server");
        } else {
            CHECK(r->rule_sides == NULL); /* the data's lines record no side */
        }
    }
    CHECK_EQ(seen, 3);
    cb_results_free(&rs);
}

/* The chip holding |sv| / |cv| with the mark |mk|, as the page writes it. */
static int has_chip(const char *h, const char *mk, const char *sv, const char *cv)
{
    char want[400];
    snprintf(want, sizeof(want),
             "<b class=\"mk m-%s\"", mk);
    for (const char *p = h; (p = strstr(p, want)) != NULL; p++) {
        char tail[300];
        snprintf(tail, sizeof(tail), "<span class=\"sv v-%s\">%s</span><span class=\"sl\"> / </span><span class=\"cv v-%s\">%s</span>",
                 sv, sv, cv, cv);
        const char *end = strstr(p, "</div>"), *t = strstr(p, tail);
        if (t && end && t < end)
            return 1;
    }
    return 0;
}

static void test_page(void)
{
    char out[512], err[1024];
    snprintf(out, sizeof(out), "%s/report.html", dir);
    CHECK(cb_report_html(dir, out, err, sizeof(err)) == -1); /* the data's malformed lines */
    char *h = slurp(out);
    CHECK(h != NULL);
    if (!h)
        return;

    /* Every element this writer opens, it closes. */
    static const char *const tags[][2] = {{"<span", "</span>"}, {"<div", "</div>"}, {"<details", "</details>"},
                                          {"<tbody", "</tbody>"}, {"<table", "</table>"}, {"<article", "</article>"},
                                          {"<b ", "</b>"}, {"<ol", "</ol>"}, {"<tr", "</tr>"}};
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        size_t open = count(h, tags[i][0]), close = count(h, tags[i][1]);
        if (strcmp(tags[i][0], "<b ") == 0)
            open += count(h, "<b>");
        CHECK(open > 0);
        CHECK_EQ(open, close);
    }

    /* Order: findings (new, then known), errors, divergences, then the matrix. */
    long f = pos(h, "<h2 id=\"findings\">"), nf = pos(h, "<h3 id=\"new-findings\">"), kf = pos(h, "<h3 id=\"known-findings\">");
    long e = pos(h, "<h2 id=\"errors\">"), d = pos(h, "<h2 id=\"divergences\">"), m = pos(h, "<h2 id=\"matrix\">");
    CHECK(f >= 0 && f < nf && nf < kf && kf < e && e < d && d < m);
    CHECK(pos(h, "cabound pair --name &#39;div repro&#39;") > d);
    CHECK(strstr(h, "<details class=\"divs\" open><summary>1 divergence (XSTACK 1)</summary>") != NULL);

    /* The matrix: each chip has one mark and a class per verdict. */
    char *mx = section(h, "<table class=\"matrix\"", "<h2 id=\"boundaries\">");
    CHECK(mx != NULL);
    if (mx) {
        size_t chips = count(mx, "<div class=\"chip\"");
        CHECK(chips > 0);
        CHECK_EQ(count(mx, "<b class=\"mk m-"), chips);
        CHECK_EQ(count(mx, "<span class=\"sv v-"), chips);
        CHECK_EQ(count(mx, "<span class=\"cv v-"), chips);
        CHECK(has_chip(mx, "finding", "malformed", "rejected"));  /* over-16k openssl>gnutls 1.3 */
        CHECK(has_chip(mx, "known", "truncated", "sent-empty"));  /* CA-PREFIX in gnutls.expect */
        CHECK(has_chip(mx, "missing", "full", "selected"));       /* "expected": null */
        CHECK(has_chip(mx, "pass", "refused", "not-asked"));      /* the flat expectation */
        CHECK(has_chip(mx, "regression", "empty", "sent-empty"));
        CHECK(has_chip(mx, "xpass", "full", "selected"));
        CHECK(has_chip(mx, "error", "unmeasured", "unmeasured"));
        CHECK(has_chip(mx, "unsupported", "unsupported", "unsupported"));
        CHECK(has_chip(mx, "known", "malformed", "rejected"));
        CHECK(!has_chip(mx, "pass", "malformed", "rejected"));
        /* The injected malformation, named in its cell. */
        CHECK_EQ(count(mx, "<span class=\"inj\">inject wrapped-length</span>"), 2);
        /* A cell's border follows its worst case. */
        CHECK(strstr(mx, "<td class=\"cell w-finding\">") && strstr(mx, "<td class=\"cell w-missing\">"));
        free(mx);
    }
    /* The legend names every mark in words beside its letter. */
    static const char *const marks[] = {"pass", "known finding", "new finding", "regression", "xpass", "error",
                                        "unsupported", "missing expectation"};
    char *lg = section(h, "<div class=\"legend\">", "</div>");
    CHECK(lg != NULL);
    for (size_t i = 0; lg && i < sizeof(marks) / sizeof(marks[0]); i++) {
        char want[120];
        snprintf(want, sizeof(want), "title=\"%s\">", marks[i]);
        CHECK(strstr(lg, want) != NULL);
    }
    CHECK(lg && strstr(lg, "<span class=\"sv v-malformed\">malformed</span>") && strstr(lg, "<span class=\"cv v-aborted\">aborted</span>"));
    free(lg);

    /* Every finding, known or new, and every error: an article with its repro
     * command and its captures (links, or why there are none). */
    size_t articles = 0;
    for (const char *p = h; (p = strstr(p, "<article ")) != NULL; p++) {
        const char *end = strstr(p, "</article>");
        CHECK(end != NULL);
        if (!end)
            break;
        char *a = strndup(p, (size_t)(end - p));
        const char *rp = strstr(a, "<pre class=\"repro\"><code>");
        CHECK(rp && strncmp(rp + 25, "cabound pair ", 13) == 0);
        CHECK(strstr(a, "<dt>captures</dt>") != NULL);
        free(a);
        articles++;
    }
    CHECK_EQ(articles, 8 + 3 + 3); /* the data's 8 findings, regression, xpass and error; 3 new here; 3 known */
    char *known = section(h, "<h3 id=\"known-findings\">", "<h2 id=\"errors\">");
    CHECK(known != NULL);
    if (known) {
        CHECK_EQ(count(known, "<article class=\"finding a-known\""), 3);
        CHECK(strstr(known, "<a href=\"captures/side_known.pcap\">pcap</a>") != NULL);
        CHECK(strstr(known, "<a href=\"captures/side_known.keylog\">key log</a>") != NULL);
        CHECK(strstr(known, "cabound pair --server wolfssl --client openssl --name &#39;side known&#39;") != NULL);
        CHECK(strstr(known, "none kept") != NULL); /* the data's known CA-PREFIX has no capture */
        free(known);
    }

    /* A rule's side: recorded by the line, else its expectation's, else inferred. */
    CHECK(strstr(h, "<code class=\"rule\">ALERT-ON-FAIL</code> <span class=\"side side-server\"") != NULL);
    char *a = section(h, "side/entry/openssl&gt;gnutls/1.2</code> <small>line", "</article>");
    CHECK(a && strstr(a, "<code class=\"rule\">ALERT-ON-FAIL</code> <span class=\"side side-server\"") &&
          strstr(a, "closed without an alert (side entry)"));
    free(a);
    a = section(h, "side/details/openssl&gt;gnutls/1.2</code> <small>line", "</article>");
    CHECK(a && strstr(a, "<code class=\"rule\">SEL-ISSUER</code> <span class=\"side side-server\""));
    free(a);
    a = section(h, "boundary/over-16k/openssl&gt;gnutls/1.3</code> <small>line", "</article>");
    CHECK(a && strstr(a, "<code class=\"rule\">REC-2E14</code> <span class=\"side side-server\"") &&
          strstr(a, "<code class=\"rule\">ALERT-ON-FAIL</code> <span class=\"side side-client\""));
    free(a);
    a = section(h, "side/hits/openssl&gt;gnutls/1.2</code> <small>line", "</article>");
    CHECK(a && strstr(a, "<code class=\"rule\">ALERT-ON-FAIL</code> <span class=\"side side-both\" title=\"the side this rule is "
                         "about\">server + client</span>") &&
          strstr(a, "<code class=\"rule\">REC-2E14</code> <span class=\"side side-server\""));
    free(a);
    a = section(h, "<table class=\"per-stack\">", "</table>");
    CHECK(a && strstr(a, "<tr><th>openssl</th><td>server</td><td><b class=\"mk m-finding\" title=\"new finding\">F</b> "
                         "<span class=\"badge o-finding\">finding</span> <code class=\"rule\">SEL-ISSUER</code>"));
    free(a);

    /* Boundaries: readable headers (the key in the tooltip), servers first,
     * a lower bound marked and its note kept. */
    char *b = section(h, "<h2 id=\"boundaries\">", "<h2 id=\"plots\">");
    CHECK(b != NULL);
    if (b) {
        CHECK(strstr(b, "<th title=\"largest_ok_list_bytes\">largest list handled (list bytes)</th>") != NULL);
        CHECK(strstr(b, "<th title=\"stack\">stack</th><th title=\"tls\">TLS</th>") != NULL);
        CHECK(strstr(b, ">largest_ok_list_bytes<") == NULL);
        long srv = pos(b, "As server"), cli = pos(b, "As client"), first_client_row = pos(b, "<tr><td>openssl</td><td>1.2</td><td class=\"num\"><b class=\"lb\"");
        CHECK(srv >= 0 && srv < cli && cli < first_client_row);
        CHECK(pos(b, "<tr><td>gnutls</td><td>1.2</td>") < cli); /* a server row */
        CHECK_EQ(count(b, "\xe2\x89\xa5</b>&#160;65535"), 1);
        CHECK(strstr(b, "<li id=\"bnote-1\">lower bound: the reference server refused above it</li>") != NULL);
        free(b);
    }
    free(h);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_report_html DATA_DIR\n");
        return 2;
    }
    snprintf(dir, sizeof(dir), "/tmp/cabound-test-report-html-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    setup(argv[1]);
    test_rule_shapes();
    test_page();
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "note: could not remove %s\n", dir);
    CHECK_DONE();
}
