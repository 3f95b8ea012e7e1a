/* The report writers: JUnit counts equal what the results imply; the HTML page
 * holds the matrix, a plot per stack, nothing from the network and only
 * escaped strings; the findings table groups and escapes; the summary; a
 * malformed, huge, too long or truncated line; and `cabound report`.
 *
 * usage: test_report DATA_DIR (harness/tests/data/report) */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "commands.h"
#include "escape.h"
#include "report.h"
#include "results_read.h"
#include "testutil.h"

int cmd_report(int argc, char **argv); /* commands.h declares it once registered */

static char tmp[256];

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

static int copy_file(const char *src, const char *dst)
{
    char *t = slurp(src);
    int rc = t ? write_file(dst, t) : -1;
    free(t);
    return rc;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += len)
        n++;
    return n;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void path_in(char *out, size_t outlen, const char *dir, const char *name)
{
    snprintf(out, outlen, "%s/%s", dir, name);
}

/* What the input implies, counted here without the report library: the
 * lines that parse, with a known outcome and an integer (or no) list_bytes. */
typedef struct implied {
    size_t tests, failures, errors, skipped, finds, cells, tables;
    json_t *servers, *clients; /* used as sets */
} implied;

static void imply(const char *path, implied *im)
{
    memset(im, 0, sizeof(*im));
    im->servers = json_object();
    im->clients = json_object();
    json_t *suites = json_object(); /* suite -> {"s": set, "c": set, "t": set} */
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (f && (n = getline(&line, &cap, f)) > 0) {
        json_t *o = json_loadb(line, (size_t)n, 0, NULL);
        const char *oc = json_string_value(json_object_get(o, "outcome"));
        json_t *lb = json_object_get(o, "list_bytes");
        static const char *const known[] = {"pass", "finding", "regression", "xpass", "error", "unsupported"};
        int ok = 0;
        for (size_t i = 0; oc && i < 6; i++)
            ok |= strcmp(oc, known[i]) == 0;
        if (!ok || (lb && !json_is_integer(lb) && !json_is_null(lb))) {
            json_decref(o);
            continue;
        }
        im->tests++;
        if (!strcmp(oc, "finding") || !strcmp(oc, "regression") || !strcmp(oc, "xpass"))
            im->failures++;
        if (!strcmp(oc, "error"))
            im->errors++;
        if (!strcmp(oc, "unsupported"))
            im->skipped++;
        const char *suite = json_string_value(json_object_get(o, "suite"));
        const char *s = json_string_value(json_object_get(o, "server")), *c = json_string_value(json_object_get(o, "client"));
        const char *t = json_string_value(json_object_get(o, "tls"));
        json_object_set_new(im->servers, s, json_true());
        json_object_set_new(im->clients, c, json_true());
        json_t *sets = json_object_get(suites, suite);
        if (!sets) {
            sets = json_pack("{s:{},s:{},s:{}}", "s", "c", "t");
            json_object_set_new(suites, suite, sets);
        }
        json_object_set_new(json_object_get(sets, "s"), s, json_true());
        json_object_set_new(json_object_get(sets, "c"), c, json_true());
        json_object_set_new(json_object_get(sets, "t"), t, json_true());
        json_decref(o);
    }
    free(line);
    if (f)
        fclose(f);
    const char *k;
    json_t *sets;
    json_object_foreach(suites, k, sets)
    {
        size_t nt = json_object_size(json_object_get(sets, "t"));
        im->tables += nt;
        im->cells += nt * json_object_size(json_object_get(sets, "s")) * json_object_size(json_object_get(sets, "c"));
    }
    im->finds = im->failures + im->errors;
    json_decref(suites);
}

static void implied_free(implied *im)
{
    json_decref(im->servers);
    json_decref(im->clients);
}

/* Appends a valid results line whose strings are megabytes long. */
static void append_huge(const char *results)
{
    size_t n = 3u << 20;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = "<&\"'>x"[i % 6];
    big[n] = 0;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:s,s:s,s:s,s:[s],s:{s:s},s:s,s:f}", "case",
                          "boundary/huge/openssl>gnutls/1.2", "suite", "boundary", "name", "huge", "server", "openssl", "client",
                          "gnutls", "tls", "1.2", "outcome", "finding", "list_bytes", 200000, "wire_list_bytes", 16000,
                          "server_verdict", "truncated", "server_detail", big, "client_verdict", "rejected", "rules",
                          "CA-PREFIX", "rule_details", "CA-PREFIX", big, "repro", "cabound pair --case huge", "time_ms", 3.5);
    char *s = json_dumps(o, JSON_COMPACT);
    FILE *f = fopen(results, "ab");
    fprintf(f, "%s\n", s);
    fclose(f);
    free(s);
    json_decref(o);
    free(big);
}

/* Runs python3's XML parser over a JUnit file: "tests failures errors
 * skipped testcases failure-elements error-elements skipped-elements".
 * Returns 0, -1 when the file did not parse, -2 without python3. */
static int python_junit(const char *path, char *out, size_t outlen)
{
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        return -2;
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "python3 -c 'import sys, xml.etree.ElementTree as E\n"
             "r = E.parse(sys.argv[1]).getroot(); a = r.attrib\n"
             "print(a[\"tests\"], a[\"failures\"], a[\"errors\"], a[\"skipped\"], len(r.findall(\"./testsuite/testcase\")),"
             " len(r.findall(\".//failure\")), len(r.findall(\".//error\")), len(r.findall(\".//skipped\")))' '%s'",
             path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    if (!fgets(out, (int)outlen, p))
        out[0] = 0;
    return pclose(p) == 0 ? 0 : -1;
}

/* Each "http://" must be the SVG namespace; nothing else refers outside. */
static int only_svg_ns(const char *html)
{
    static const char ns[] = "xmlns=\"http://www.w3.org/2000/svg\"";
    for (const char *p = html; (p = strstr(p, "http://")) != NULL; p++)
        if ((size_t)(p - html) < 7 || strncmp(p - 7, ns, strlen(ns)) != 0)
            return 0;
    return strstr(html, "https://") == NULL;
}

static void test_escape(void)
{
    char *buf;
    size_t len;
    FILE *m;
#define CAPTURE(stmt, want)                  \
    do {                                     \
        buf = NULL;                          \
        m = open_memstream(&buf, &len);      \
        stmt;                                \
        fclose(m);                           \
        CHECK_STR(buf, want);                \
        free(buf);                           \
    } while (0)
    CAPTURE(cb_xml_put(m, "a<b>&\"'", 0), "a&lt;b&gt;&amp;&quot;&#39;");
    CAPTURE(cb_xml_put(m, "\x01x\ty\x1b", 0), "\xef\xbf\xbdx\ty\xef\xbf\xbd");
    CAPTURE(cb_xml_put(m, "\xff\xc3", 0), "\xef\xbf\xbd\xef\xbf\xbd");
    CAPTURE(cb_xml_put(m, "\xef\xbf\xbe", 0), "\xef\xbf\xbd");
    CAPTURE(cb_xml_put(m, "\xe4\xb8\xad", 0), "\xe4\xb8\xad");
    CAPTURE(cb_xml_put(m, "abcdef", 3), "abc \xe2\x80\xa6 (3 more bytes)");
    CAPTURE(cb_xml_put(m, "\xc3\xa9z", 1), " \xe2\x80\xa6 (3 more bytes)");
    CAPTURE(cb_md_put(m, "a|b*c\nd", 0), "a\\|b\\*c d");
    CAPTURE(cb_md_code(m, "a`b|c"), "`` a`b\\|c ``");
    CAPTURE(cb_md_code(m, "plain"), "` plain `");
    CAPTURE(cb_term_put(m, "a\x1b[31mb\xc2\x9b\xff", 0), "a?[31mb??");
    CAPTURE(cb_url_put(m, "captures/a b#?:%.pcap"), "captures/a%20b%23%3F%3A%25.pcap");
#undef CAPTURE
    CHECK(cb_rel_path_ok("captures/x.pcap"));
    CHECK(cb_rel_path_ok("a..b/c"));
    CHECK(!cb_rel_path_ok(""));
    CHECK(!cb_rel_path_ok("/etc/passwd"));
    CHECK(!cb_rel_path_ok("../x"));
    CHECK(!cb_rel_path_ok("a/../b"));
    CHECK(!cb_rel_path_ok("a/.."));
    CHECK(!cb_rel_path_ok("https://evil.example/x"));
    CHECK(!cb_rel_path_ok("a\nb"));
}

static void test_reports(const char *data)
{
    char src[1024], results[512], junit[512], html[512], err[1024];
    path_in(src, sizeof(src), data, "results.jsonl");
    path_in(results, sizeof(results), tmp, "results.jsonl");
    CHECK(copy_file(src, results) == 0);
    path_in(src, sizeof(src), data, "boundaries.jsonl");
    path_in(html, sizeof(html), tmp, "boundaries.jsonl");
    CHECK(copy_file(src, html) == 0);
    append_huge(results);
    implied im;
    imply(results, &im);
    /* The data: 16 good lines and 3 malformed (lines 6, 10, 13), plus the huge one. */
    CHECK_EQ(im.tests, 17);
    CHECK_EQ(im.failures, 8);
    CHECK_EQ(im.errors, 1);
    CHECK_EQ(im.skipped, 1);

    /* write_all: both files written, the first malformed line named. */
    err[0] = 0;
    CHECK(cb_report_write_all(tmp, err, sizeof(err)) == -1);
    char want[600];
    snprintf(want, sizeof(want), "%s:6: not valid JSON", results);
    CHECK(strncmp(err, want, strlen(want)) == 0);
    CHECK(strstr(err, "(and 2 more malformed lines)") != NULL);
    path_in(junit, sizeof(junit), tmp, "junit.xml");
    path_in(html, sizeof(html), tmp, "report.html");

    /* JUnit. */
    char *x = slurp(junit);
    CHECK(x != NULL);
    if (x) {
        char attrs[200];
        snprintf(attrs, sizeof(attrs), "<testsuites name=\"cabound\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"",
                 im.tests, im.failures, im.errors, im.skipped);
        CHECK(strstr(x, attrs) != NULL);
        CHECK_EQ(count(x, "<testcase "), im.tests);
        CHECK_EQ(count(x, "<failure "), im.failures);
        CHECK_EQ(count(x, "<error "), im.errors);
        CHECK_EQ(count(x, "<skipped "), im.skipped);
        CHECK_EQ(count(x, "<testsuite "), 2);
        CHECK(strstr(x, "<testsuite name=\"inject &lt;&amp;&gt; &quot;q&quot;\" tests=\"2\"") != NULL);
        CHECK(strstr(x, "classname=\"boundary.openssl&gt;gnutls\"") != NULL);
        CHECK(strstr(x, "<skipped message=\"Mbed TLS 2.28 has no TLS 1.3 client authentication\"/>") != NULL);
        CHECK(strstr(x, "repro: cabound pair --suite boundary --case over-16k --server openssl --client gnutls --tls 1.3") != NULL);
        CHECK(strstr(x, "time=\"0.013\"") != NULL); /* 12.5 ms */
        /* The run's nested expectations and its outcome_why. */
        CHECK(strstr(x, "message=\"regression: server verdict empty, expected truncated (boundary/over-64k/gnutls&gt;*/1.2); "
                        "server empty, client sent-empty; expected server truncated, client -, rules CA-PREFIX\"") != NULL);
        CHECK(strstr(x, "expected of the server: truncated, rules CA-PREFIX (suites/expect/gnutls.expect:14 ") != NULL);
        /* The flat shape of docs/results.md. */
        CHECK(strstr(x, "message=\"xpass; server full, client selected; expected server full, client selected, rules REC-2E14\"") != NULL);
        CHECK(!strchr(x, '\x1b') && !strchr(x, '\x01'));
        CHECK(!strstr(x, "<script"));
        CHECK(strstr(x, "boundary/huge/openssl&gt;gnutls/1.2") != NULL);
        char py[256];
        int prc = python_junit(junit, py, sizeof(py));
        if (prc == -2) {
            printf("note: no python3: JUnit not checked by an XML parser\n");
        } else {
            char w[256];
            snprintf(w, sizeof(w), "%zu %zu %zu %zu %zu %zu %zu %zu\n", im.tests, im.failures, im.errors, im.skipped, im.tests,
                     im.failures, im.errors, im.skipped);
            CHECK(prc == 0);
            CHECK_STR(py, w);
        }
    }
    free(x);

    /* HTML. */
    char *h = slurp(html);
    CHECK(h != NULL);
    if (h) {
        CHECK(strncmp(h, "<!DOCTYPE html>", 15) == 0);
        CHECK_EQ(count(h, "<table class=\"matrix\""), im.tables);
        CHECK_EQ(im.tables, 4);
        CHECK_EQ(count(h, "<td class=\"cell "), im.cells);
        CHECK_EQ(count(h, "<svg class=\"plot server-plot\""), json_object_size(im.servers));
        CHECK_EQ(json_object_size(im.servers), 5);
        CHECK_EQ(count(h, "<svg class=\"plot client-strip\""), json_object_size(im.clients));
        CHECK_EQ(count(h, "<svg "), count(h, "</svg>"));
        /* The per-stack table holds the README table's 10 rows; each known
         * one has its own article after the findings and errors'. */
        const char *ps = strstr(h, "<table class=\"per-stack\">"), *pe = ps ? strstr(ps, "</table>") : NULL;
        CHECK(ps && pe);
        if (ps && pe) {
            char *t = strndup(ps, (size_t)(pe - ps));
            CHECK_EQ(count(t, "<tr>"), 1 + 10);
            size_t known = count(t, ">known</span>");
            CHECK_EQ(known, 2);
            CHECK_EQ(count(h, "<article class=\"finding a-"), im.finds + known);
            CHECK_EQ(count(h, "<article class=\"finding a-known\""), known);
            CHECK_EQ(count(t, "<a href=\"#known-"), known);
            CHECK(strstr(t, "<span class=\"badge o-unsupported\">known</span> <code class=\"rule\">ALERT-ON-FAIL</code>") != NULL);
            free(t);
        }
        CHECK(only_svg_ns(h));
        CHECK_EQ(count(h, "http://"), json_object_size(im.servers) + json_object_size(im.clients));
        CHECK(!strstr(h, "<script") && !strstr(h, "javascript:") && !strstr(h, " src=") && !strstr(h, "@import"));
        CHECK(strstr(h, "sent &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; | pipe") != NULL);
        CHECK(strstr(h, "13 DNs &lt;b&gt;bold&lt;/b&gt; &amp; done") != NULL);
        CHECK(strstr(h, "<code>inject &lt;&amp;&gt; &quot;q&quot;</code>") != NULL);
        CHECK(!strstr(h, "<&") && !strstr(h, "<b>bold"));
        CHECK(!strchr(h, '\x1b') && !strchr(h, '\x01'));
        CHECK(strstr(h, "href=\"captures/inject%20wrapped%231%3F.pcap\"") != NULL);
        CHECK(strstr(h, "href=\"captures/boundary_over-16k_openssl_gnutls_1.3.keylog\"") != NULL);
        CHECK(!strstr(h, "href=\"..") && !strstr(h, "href=\"/") && !strstr(h, "evil.example") && !strstr(h, "etc/shadow"));
        CHECK(strstr(h, "<pre class=\"repro\"><code>cabound pair --suite &#39;inject &lt;&amp;&gt; &quot;q&quot;&#39; --case "
                        "&#39;wrapped|length&#39; `id` --server openssl</code></pre>") != NULL);
        CHECK(strstr(h, "3 malformed lines in results.jsonl") != NULL);
        CHECK(strstr(h, "results.jsonl:10: &quot;outcome&quot; is &quot;maybe&quot;") != NULL);
        CHECK(strstr(h, "<table class=\"boundaries\">") != NULL);
        CHECK(strstr(h, "<td>nss &lt;&amp;&gt;</td>") != NULL);
        CHECK(strstr(h, "{&quot;verdict&quot;:&quot;rejected&quot;,&quot;alert&quot;:50}") != NULL);
        CHECK(strstr(h, "OpenSSL 3.3.0-dev &lt;local build&gt;") != NULL);
        CHECK(strstr(h, ">16384</text>") != NULL && strstr(h, ">65535</text>") != NULL);
        CHECK(strstr(h, "more bytes)") != NULL); /* the huge detail was cut */
        CHECK(strlen(h) < (2u << 20));
    }
    free(h);

    /* Without boundaries.jsonl the section is left out. */
    char b[512];
    path_in(b, sizeof(b), tmp, "boundaries.jsonl");
    unlink(b);
    path_in(b, sizeof(b), tmp, "nob.html");
    CHECK(cb_report_html(tmp, b, err, sizeof(err)) == -1); /* still the malformed lines */
    h = slurp(b);
    CHECK(h && !strstr(h, "id=\"boundaries\"") && strstr(h, "<table class=\"matrix\""));
    free(h);

    /* Findings table. */
    char *md = NULL;
    size_t mdlen = 0;
    FILE *m = open_memstream(&md, &mdlen);
    CHECK(cb_report_findings_md(results, m, err, sizeof(err)) == -1);
    fclose(m);
    static const char head[] = "| stack | side | finding | example case | repro | still holds in the current release |\n"
                               "| --- | --- | --- | --- | --- | --- |\n";
    CHECK(strncmp(md, head, sizeof(head) - 1) == 0);
    size_t rows = 0;
    json_t *keys = json_object();
    for (char *save = NULL, *l = strtok_r(md, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        size_t pipes = 0;
        char key[300] = "";
        for (const char *p = l; *p; p++)
            if (*p == '|' && (p == l || p[-1] != '\\') && ++pipes == 4)
                snprintf(key, sizeof(key), "%.*s", (int)(p - l < 299 ? p - l : 299), l);
        CHECK_EQ(pipes, 7);
        CHECK(strlen(l) < 2000);
        if (rows++ < 2)
            continue;
        CHECK(json_object_get(keys, key) == NULL); /* each (stack, side, finding) once */
        json_object_set_new(keys, key, json_true());
        if (strstr(l, "| openssl | server | ` REC-2E14 `") == l) {
            CHECK(strstr(l, "(**finding**, 2 cases)") != NULL);
            CHECK(strstr(l, "` boundary/over-16k/openssl>gnutls/1.3 ` (16385 list bytes)") != NULL); /* the smallest */
        }
    }
    CHECK_EQ(rows, 2 + 10);
    free(md);
    md = NULL;
    m = open_memstream(&md, &mdlen);
    cb_report_findings_md(results, m, err, sizeof(err));
    fclose(m);
    CHECK(strstr(md, "| gnutls | server | ` CA-PREFIX ` (known): 54 of 55 DNs") != NULL);
    CHECK(strstr(md, "| gnutls | server | server verdict empty, expected truncated (**regression**) |") != NULL);
    /* A known failure sits on the side whose expectation records it. */
    CHECK(strstr(md, "| nss | client | ` ALERT-ON-FAIL ` (known): the handshake failed") != NULL);
    CHECK(strstr(md, "| gnutls | client | ` ALERT-ON-FAIL ` (**finding**)") != NULL);
    CHECK(strstr(md, "| openssl | server | ` CA-PREFIX ` (**finding**): \\<\\&") != NULL); /* the huge line, escaped */
    CHECK(strstr(md, "| gnutls | client | ` SEL-ISSUER ` (**finding**): sent \\<script\\>") != NULL);
    CHECK(strstr(md, "`` cabound pair --suite 'inject <&> \"q\"' --case 'wrapped\\|length' `id` --server openssl ``") != NULL);
    CHECK(strstr(md, "xpass") == NULL && strstr(md, "mbedtls") == NULL); /* neither an xpass nor an error is a finding */
    free(md);
    json_decref(keys);

    /* Summary. */
    char *s = NULL;
    size_t slen = 0;
    m = open_memstream(&s, &slen);
    CHECK(cb_report_summary(results, m, 0, err, sizeof(err)) == -1);
    fclose(m);
    CHECK(strstr(s, "17 cases in 2 suites: 7 pass, 6 finding, 1 regression, 1 xpass, 1 error, 1 unsupported, 0 missing\n") == s);
    CHECK(strstr(s, "repro: cabound pair --suite boundary --case over-16k --server openssl --client gnutls --tls 1.3 --seed 1") != NULL);
    CHECK(strstr(s, "repro: cabound pair --suite boundary --case over-64k --server gnutls --client openssl --tls 1.2 --seed 1") != NULL);
    CHECK(strstr(s, "results.jsonl:13: \"list_bytes\" is a string, expected an integer") != NULL);
    CHECK(!strchr(s, '\x1b'));
    CHECK(strlen(s) < 20000); /* compact, even with the huge line */
    free(s);
    s = NULL;
    m = open_memstream(&s, &slen);
    cb_report_summary(results, m, 1, err, sizeof(err));
    fclose(m);
    CHECK(strstr(s, "\033[31mfinding") != NULL && strstr(s, "\033[0m") != NULL);
    free(s);
    implied_free(&im);
}

/* Lines that are too long, cut short, or absent. */
static void test_bad_inputs(void)
{
    char results[512], junit[512], err[1024];
    path_in(results, sizeof(results), tmp, "results.jsonl");
    path_in(junit, sizeof(junit), tmp, "junit.xml");
    static const char good[] =
        "{\"case\":\"s/n/a>b/1.2\",\"suite\":\"s\",\"server\":\"a\",\"client\":\"b\",\"tls\":\"1.2\",\"outcome\":\"pass\"}\n";

    /* A line over the limit is skipped, the lines around it are kept. */
    FILE *f = fopen(results, "wb");
    fputs(good, f);
    fputs("{\"case\":\"", f);
    for (size_t i = 0; i < CB_RESULTS_MAX_LINE / 64 + 1; i++)
        fputs("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", f);
    fputs("\"}\n", f);
    fputs(good, f);
    fclose(f);
    CHECK(cb_report_junit(results, junit, err, sizeof(err)) == -1);
    char want[700];
    snprintf(want, sizeof(want), "%s:2: line longer than %zu bytes", results, CB_RESULTS_MAX_LINE);
    CHECK_STR(err, want);
    char *x = slurp(junit);
    CHECK(x && strstr(x, "tests=\"2\" failures=\"0\""));
    free(x);

    /* An interrupted run: the last line cut short. */
    f = fopen(results, "wb");
    fputs(good, f);
    fputs("{\"case\":\"s/cut", f);
    fclose(f);
    CHECK(cb_report_junit(results, junit, err, sizeof(err)) == -1);
    snprintf(want, sizeof(want), "%s:2: not valid JSON", results);
    CHECK(strncmp(err, want, strlen(want)) == 0 && strstr(err, "a truncated last line?"));

    /* Not an object, a wrong type, blank lines and CRLF. */
    f = fopen(results, "wb");
    fputs("[1,2]\n\n   \n", f);
    fputs("{\"case\":\"s/n/a>b/1.2\",\"suite\":\"s\",\"server\":\"a\",\"client\":\"b\",\"tls\":\"1.2\",\"outcome\":\"pass\",\"rules\":[1]}\r\n", f);
    fputs("{\"case\":\"s/n/a>b/1.2\",\"suite\":\"s\",\"server\":\"a\",\"client\":\"b\",\"tls\":\"1.2\",\"outcome\":\"pass\"}\r\n", f);
    fclose(f);
    CHECK(cb_report_junit(results, junit, err, sizeof(err)) == -1);
    snprintf(want, sizeof(want), "%s:1: not a JSON object but an array (and 1 more malformed line)", results);
    CHECK_STR(err, want);
    cb_results rs;
    CHECK(cb_results_load(results, &rs, err, sizeof(err)) == 0);
    CHECK_EQ(rs.n, 1);
    CHECK_EQ(rs.bad.count, 2);
    CHECK(rs.n == 1 && rs.v[0].line == 5);
    snprintf(want, sizeof(want), "%s:4: \"rules\"[0] is an integer, expected a rule id or an object with an \"id\" string", results);
    CHECK(rs.bad.msgs[1] && strcmp(rs.bad.msgs[1], want) == 0);
    cb_results_free(&rs);

    /* An empty run still gives valid, empty reports. */
    CHECK(write_file(results, "") == 0);
    CHECK(cb_report_write_all(tmp, err, sizeof(err)) == 0);
    x = slurp(junit);
    CHECK(x && strstr(x, "<testsuites name=\"cabound\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\""));
    free(x);
    char html[512];
    path_in(html, sizeof(html), tmp, "report.html");
    x = slurp(html);
    CHECK(x && strstr(x, "No results.") && strstr(x, "</html>"));
    free(x);

    /* No results at all. */
    unlink(results);
    CHECK(cb_report_junit(results, junit, err, sizeof(err)) == -1);
    snprintf(want, sizeof(want), "%s: No such file or directory", results);
    CHECK_STR(err, want);
    CHECK(cb_report_write_all("/nonexistent-cabound", err, sizeof(err)) == -1);
    CHECK_STR(err, "/nonexistent-cabound/results.jsonl: No such file or directory");
}

/* Runs cmd_report with stdout and stderr silenced; returns its status. */
static int run_report(int argc, const char **args)
{
    char *argv[8];
    for (int i = 0; i < argc; i++)
        argv[i] = (char *)args[i];
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    int o = dup(1), e = dup(2), null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    int rc = cmd_report(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(o, 1);
    dup2(e, 2);
    close(o);
    close(e);
    close(null);
    return rc;
}

static void test_cli(const char *data)
{
    char dir[512], src[1024], results[600], path[600];
    snprintf(dir, sizeof(dir), "%s/cli", tmp);
    CHECK(mkdir(dir, 0755) == 0);
    CHECK_EQ(run_report(2, (const char *[]){"cabound", "report"}), CB_EXIT_USAGE);
    CHECK_EQ(run_report(3, (const char *[]){"cabound", "report", "/nonexistent-cabound"}), CB_EXIT_USAGE);
    CHECK_EQ(run_report(4, (const char *[]){"cabound", "report", dir, dir}), CB_EXIT_USAGE);
    CHECK_EQ(run_report(4, (const char *[]){"cabound", "report", dir, "--bogus"}), CB_EXIT_USAGE);
    CHECK_EQ(run_report(3, (const char *[]){"cabound", "report", "--help"}), CB_EXIT_OK);
    CHECK_EQ(run_report(3, (const char *[]){"cabound", "report", dir}), CB_EXIT_USAGE); /* no results.jsonl */
    path_in(path, sizeof(path), dir, "file");
    CHECK(write_file(path, "x") == 0);
    CHECK_EQ(run_report(3, (const char *[]){"cabound", "report", path}), CB_EXIT_USAGE); /* not a directory */

    /* The well-formed lines only: exit 0 and both files. */
    path_in(src, sizeof(src), data, "results.jsonl");
    path_in(results, sizeof(results), dir, "results.jsonl");
    char *t = slurp(src);
    FILE *f = fopen(results, "wb");
    for (char *save = NULL, *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        json_t *o = json_loads(l, 0, NULL);
        const char *oc = json_string_value(json_object_get(o, "outcome"));
        if (oc && strcmp(oc, "maybe") != 0 && !json_is_string(json_object_get(o, "list_bytes")))
            fprintf(f, "%s\n", l);
        json_decref(o);
    }
    fclose(f);
    free(t);
    /* Its lines hold findings: the reports are written and the status says so. */
    CHECK_EQ(run_report(5, (const char *[]){"cabound", "report", dir, "--summary", "--findings-md"}), CB_EXIT_FINDINGS);
    path_in(path, sizeof(path), dir, "junit.xml");
    CHECK(exists(path));
    path_in(path, sizeof(path), dir, "report.html");
    CHECK(exists(path));

    /* A malformed line: exit 2, the reports still written. */
    unlink(path);
    f = fopen(results, "ab");
    fputs("not json\n", f);
    fclose(f);
    CHECK_EQ(run_report(3, (const char *[]){"cabound", "report", dir}), CB_EXIT_USAGE);
    CHECK(exists(path));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_report DATA_DIR\n");
        return 2;
    }
    snprintf(tmp, sizeof(tmp), "/tmp/cabound-test-report-XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    test_escape();
    test_reports(argv[1]);
    test_bad_inputs();
    test_cli(argv[1]);
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "note: could not remove %s\n", tmp);
    CHECK_DONE();
}
