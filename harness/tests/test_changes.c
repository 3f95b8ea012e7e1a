/* Packaged vs current release (harness/report/changes.c and its writers),
 * over hand-written results lines: a verdict change is found with both
 * verdicts, a same verdict is not listed, an unmeasured verdict on either
 * side is said as such (not a change), a peer that is itself a release and a
 * self pair are paired, the findings' "still holds" answers (yes, partly,
 * no, unmeasured), the README and HTML tables, `--upstream` (written,
 * refused, a typo, a hostile capture path), and malformed, truncated or
 * release-less results files.
 *
 * usage: test_changes (writes under a temporary directory) */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_records.h"
#include "changes.h"
#include "check.h"
#include "pcap_out.h"
#include "report.h"
#include "results_read.h"
#include "testutil.h"

static char tmp[256];

/* One results line: the case of (suite/name, server, client, tls) with both
 * verdicts and, when |hit_rule|, one rule hit about |hit_side|. */
static char *line(const char *name, const char *server, const char *client, const char *tls, const char *sv,
                  const char *cv, const char *hit_side, const char *hit_rule, long long list_bytes)
{
    char id[512], repro[512];
    snprintf(id, sizeof(id), "s/%s/%s>%s/%s", name, server, client, tls);
    snprintf(repro, sizeof(repro), "build/cabound pair --server %s --client %s --tls %s --suite s --name %s", server,
             client, tls, name);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:[],s:[]}", "case", id, "suite", "s", "name",
                          name, "server", server, "client", client, "tls", tls, "server_verdict", sv, "client_verdict", cv,
                          "outcome", "pass", "list_bytes", (json_int_t)list_bytes, "repro", repro, "server_version",
                          strchr(server, '@') ? strchr(server, '@') + 1 : "1.0", "rules", "rule_hits");
    if (hit_rule) {
        json_object_set_new(o, "outcome", json_string("finding"));
        json_array_append_new(json_object_get(o, "rules"), json_string(hit_rule));
        json_array_append_new(json_object_get(o, "rule_hits"),
                              json_pack("{s:s,s:s,s:s}", "rule", hit_rule, "side", hit_side, "why", "because"));
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static int write_lines(const char *path, char **lines, size_t n, const char *tail)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s\n", lines[i]);
        free(lines[i]);
    }
    if (tail)
        fputs(tail, f);
    return fclose(f);
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; p && *p; p++)
        n += *p == '\n';
    return n;
}

/* The changes.jsonl line of |text| whose current_case is |id|, or NULL. */
static json_t *change_for(const char *text, const char *id, const char *role)
{
    for (const char *p = text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        json_t *o = json_loadb(p, len, 0, NULL);
        if (o && strcmp(json_string_value(json_object_get(o, "current_case")), id) == 0 &&
            strcmp(json_string_value(json_object_get(o, "role")), role) == 0)
            return o;
        json_decref(o);
        p = e ? e + 1 : p + len;
    }
    return NULL;
}

static void test_changes(void)
{
    char dir[300], results[400], changes[400], err[1024];
    snprintf(dir, sizeof(dir), "%s/run", tmp);
    mkdir(dir, 0700);
    snprintf(results, sizeof(results), "%s/results.jsonl", dir);
    snprintf(changes, sizeof(changes), "%s/changes.jsonl", dir);
    char *l[] = {
        /* 1. a server verdict change: full -> truncated */
        line("a", "mbedtls", "openssl", "1.2", "full", "selected", NULL, NULL, 4000),
        line("a", "mbedtls@3.6", "openssl", "1.2", "truncated", "selected", NULL, NULL, 4000),
        /* 2. the same verdict: not listed */
        line("b", "openssl", "mbedtls", "1.2", "full", "selected", NULL, NULL, 5000),
        line("b", "openssl", "mbedtls@3.6", "1.2", "full", "selected", NULL, NULL, 5000),
        /* 3. unmeasured on the current side */
        line("c", "openssl", "mbedtls", "1.3", "full", "selected", NULL, NULL, 6000),
        line("c", "openssl", "mbedtls@3.6", "1.3", "full", "unmeasured", NULL, NULL, 6000),
        /* 4. a peer that is a release: gnutls@2>openssl@3 pairs its server with
         * gnutls>openssl@3 and its client with gnutls@2>openssl */
        line("d", "gnutls", "openssl@3", "1.2", "full", "selected", NULL, NULL, 7000),
        line("d", "gnutls@2", "openssl", "1.2", "full", "selected", NULL, NULL, 7000),
        line("d", "gnutls@2", "openssl@3", "1.2", "malformed", "rejected", NULL, NULL, 7000),
        /* 5. a self pair: mbedtls@3.6>mbedtls@3.6 with mbedtls>mbedtls */
        line("e", "mbedtls", "mbedtls", "1.2", "full", "rejected", NULL, NULL, 8000),
        line("e", "mbedtls@3.6", "mbedtls@3.6", "1.2", "full", "selected", NULL, NULL, 8000),
        /* 6. unpaired: the packaged case did not run */
        line("f", "mbedtls@3.6", "nss", "1.2", "full", "selected", NULL, NULL, 9000),
        /* 7. unmeasured on the packaged side */
        line("g", "nss", "openssl", "1.3", "unmeasured", "selected", NULL, NULL, 1000),
        line("g", "nss@3.110", "openssl", "1.3", "full", "selected", NULL, NULL, 1000),
    };
    CHECK(write_lines(results, l, sizeof(l) / sizeof(l[0]), NULL) == 0);
    CHECK(cb_report_changes_jsonl(dir, err, sizeof(err)) == 0);
    char *text = slurp(changes);
    CHECK(text != NULL);
    /* a: server; c: client (unmeasured); d: server of gnutls@2>openssl@3 and
     * (client openssl@3 -> openssl: rejected vs selected); e: client; g: server */
    CHECK_EQ(count_lines(text), 6);
    json_t *o = change_for(text, "s/a/mbedtls@3.6>openssl/1.2", "server");
    CHECK(o != NULL);
    CHECK_STR(json_string_value(json_object_get(o, "kind")), "changed");
    CHECK_STR(json_string_value(json_object_get(o, "packaged_verdict")), "full");
    CHECK_STR(json_string_value(json_object_get(o, "current_verdict")), "truncated");
    CHECK_STR(json_string_value(json_object_get(o, "stack")), "mbedtls");
    CHECK_STR(json_string_value(json_object_get(o, "release")), "mbedtls@3.6");
    CHECK_STR(json_string_value(json_object_get(o, "packaged_case")), "s/a/mbedtls>openssl/1.2");
    CHECK_EQ(json_integer_value(json_object_get(o, "packaged_line")), 1);
    CHECK_EQ(json_integer_value(json_object_get(o, "current_line")), 2);
    CHECK_STR(json_string_value(json_object_get(o, "repro")),
              "build/cabound pair --server mbedtls@3.6 --client openssl --tls 1.2 --suite s --name a");
    json_decref(o);
    CHECK(change_for(text, "s/b/openssl>mbedtls@3.6/1.2", "client") == NULL); /* same verdict */
    o = change_for(text, "s/c/openssl>mbedtls@3.6/1.3", "client");
    CHECK(o && strcmp(json_string_value(json_object_get(o, "kind")), "unmeasured") == 0);
    CHECK(o && strstr(json_string_value(json_object_get(o, "why")), "current client verdict is unmeasured") != NULL);
    json_decref(o);
    o = change_for(text, "s/d/gnutls@2>openssl@3/1.2", "server");
    CHECK(o && strcmp(json_string_value(json_object_get(o, "packaged_case")), "s/d/gnutls>openssl@3/1.2") == 0);
    CHECK(o && strcmp(json_string_value(json_object_get(o, "peer")), "openssl@3") == 0);
    json_decref(o);
    o = change_for(text, "s/d/gnutls@2>openssl@3/1.2", "client");
    CHECK(o && strcmp(json_string_value(json_object_get(o, "packaged_case")), "s/d/gnutls@2>openssl/1.2") == 0);
    CHECK(o && strcmp(json_string_value(json_object_get(o, "packaged_verdict")), "selected") == 0);
    json_decref(o);
    o = change_for(text, "s/e/mbedtls@3.6>mbedtls@3.6/1.2", "client");
    CHECK(o && strcmp(json_string_value(json_object_get(o, "packaged_case")), "s/e/mbedtls>mbedtls/1.2") == 0);
    json_decref(o);
    CHECK(change_for(text, "s/e/mbedtls@3.6>mbedtls@3.6/1.2", "server") == NULL);
    o = change_for(text, "s/g/nss@3.110>openssl/1.3", "server");
    CHECK(o && strstr(json_string_value(json_object_get(o, "why")), "packaged server verdict is unmeasured") != NULL);
    json_decref(o);
    free(text);

    /* The grouped forms: the README table and the page's section. */
    char *md = NULL;
    size_t mdlen = 0;
    FILE *m = open_memstream(&md, &mdlen);
    CHECK(cb_report_changes_md(results, m, err, sizeof(err)) == 0);
    fclose(m);
    CHECK(md && strstr(md, "| packaged \xe2\x86\x92 current | role | TLS |") == md);
    CHECK(md && strstr(md, "| server | 1.2 | full \xe2\x86\x92 truncated | 1 | ` s/a/mbedtls@3.6>openssl/1.2 ` |"));
    CHECK(md && strstr(md, "selected \xe2\x86\x92 unmeasured (not compared: unmeasured) | 1 |"));
    CHECK_EQ(count_lines(md), 2 + 6);
    free(md);
    char html[400];
    snprintf(html, sizeof(html), "%s/report.html", dir);
    CHECK(cb_report_html(dir, html, err, sizeof(err)) == 0);
    char *h = slurp(html);
    CHECK(h && strstr(h, "<h2 id=\"changes\">"));
    /* release sides: a, b, c, d (gnutls@2>openssl server, gnutls>openssl@3
     * client, gnutls@2>openssl@3 both), e (both), f, g: 11; the first two
     * of d and f have no packaged case. */
    CHECK(h && strstr(h, "8 sides compared, <b>4 changed verdict</b>, 2 could not be compared"));
    CHECK(h && strstr(h, "3 had no packaged case"));
    free(h);

    /* A malformed line is named FILE:LINE; the others are still compared. */
    char *l2[] = {
        line("a", "mbedtls", "openssl", "1.2", "full", "selected", NULL, NULL, 4000),
        strdup("{\"case\": \"s/x/a>b/1.2\", \"suite\": \"s\"}"),
        line("a", "mbedtls@3.6", "openssl", "1.2", "truncated", "selected", NULL, NULL, 4000),
    };
    CHECK(write_lines(results, l2, 3, "{\"case\": \"s/y/a>b/1.2\", \"sui") == 0);
    err[0] = 0;
    CHECK(cb_report_changes_jsonl(dir, err, sizeof(err)) == -1);
    char want[500];
    snprintf(want, sizeof(want), "%s:2: \"server\" is missing", results);
    CHECK(strstr(err, want) == err);
    CHECK(strstr(err, "(and 1 more malformed line)") != NULL);
    text = slurp(changes);
    CHECK(text && count_lines(text) == 1 && strstr(text, "\"current_verdict\":\"truncated\""));
    free(text);
    /* The truncated last line alone. */
    char *l3[] = {line("a", "mbedtls", "openssl", "1.2", "full", "selected", NULL, NULL, 4000)};
    CHECK(write_lines(results, l3, 1, "{\"case\": \"s/y/a>b/1.2\", \"sui") == 0);
    CHECK(cb_report_changes_jsonl(dir, err, sizeof(err)) == -1);
    snprintf(want, sizeof(want), "%s:2: not valid JSON", results);
    CHECK(strstr(err, want) == err && strstr(err, "a truncated last line?"));

    /* Without a release: an empty changes.jsonl, and the tables say so. */
    char *l4[] = {line("a", "mbedtls", "openssl", "1.2", "full", "selected", NULL, NULL, 4000)};
    CHECK(write_lines(results, l4, 1, NULL) == 0);
    CHECK(cb_report_write_all(dir, err, sizeof(err)) == 0);
    struct stat st;
    CHECK(stat(changes, &st) == 0 && st.st_size == 0);
    md = NULL;
    m = open_memstream(&md, &mdlen);
    CHECK(cb_report_changes_md(results, m, err, sizeof(err)) == 0);
    fclose(m);
    CHECK(md && strstr(md, "| no release in this run |"));
    free(md);
    h = slurp(html);
    CHECK(h && strstr(h, "No current release (<code>STACK@VERSION</code>) ran in this run"));
    free(h);
    /* A missing results file is an error, not an empty table. */
    unlink(results);
    CHECK(cb_report_changes_jsonl(dir, err, sizeof(err)) == -1 && strstr(err, "results.jsonl: No such file"));
}

static void test_holds(void)
{
    char dir[300], results[400], err[1024];
    snprintf(dir, sizeof(dir), "%s/holds", tmp);
    mkdir(dir, 0700);
    snprintf(results, sizeof(results), "%s/results.jsonl", dir);
    char *l[] = {
        /* wolfssl's server CA-PREFIX: 3 packaged cases; the release holds it
         * in one, not in one, and one is unsupported (not comparable). */
        line("a", "wolfssl", "openssl", "1.2", "malformed", "rejected", "server", "CA-PREFIX", 4000),
        line("a", "wolfssl@5.9", "openssl", "1.2", "malformed", "rejected", "server", "CA-PREFIX", 4000),
        line("b", "wolfssl", "openssl", "1.2", "malformed", "rejected", "server", "CA-PREFIX", 3000),
        line("b", "wolfssl@5.9", "openssl", "1.2", "full", "selected", NULL, NULL, 3000),
        line("c", "wolfssl", "gnutls", "1.2", "malformed", "rejected", "server", "CA-PREFIX", 2000),
        line("c", "wolfssl@5.9", "gnutls", "1.2", "unsupported", "unsupported", NULL, NULL, 2000),
        /* nss's server ALERT-ON-FAIL: gone in the release */
        line("d", "nss", "openssl", "1.2", "refused", "not-asked", "server", "ALERT-ON-FAIL", 1000),
        line("d", "nss@3.110", "openssl", "1.2", "full", "selected", NULL, NULL, 1000),
        /* gnutls's client SEL-ISSUER: its release's verdict unmeasured */
        line("e", "openssl", "gnutls", "1.3", "full", "sent-empty", "client", "SEL-ISSUER", 1000),
        line("e", "openssl", "gnutls@3.8", "1.3", "full", "unmeasured", NULL, NULL, 1000),
        /* boringssl: no release ran */
        line("f", "boringssl", "openssl", "1.2", "full", "rejected", "server", "ALERT-ON-FAIL", 1000),
    };
    CHECK(write_lines(results, l, sizeof(l) / sizeof(l[0]), NULL) == 0);
    cb_results rs;
    cb_case_index ix;
    CHECK(cb_results_load(results, &rs, err, sizeof(err)) == 0 && rs.n == 11 && rs.bad.count == 0);
    CHECK(cb_case_index_build(&rs, &ix) == 0);
    cb_holds h[4];
    CHECK(cb_finding_holds(&ix, "wolfssl", "server", "CA-PREFIX", h, 4) == 1);
    CHECK_STR(h[0].release, "wolfssl@5.9");
    CHECK_EQ(h[0].held, 1);
    CHECK_EQ(h[0].of, 2);
    CHECK_EQ(h[0].packaged_cases, 3);
    CHECK_STR(cb_holds_word(&h[0]), "partly");
    CHECK(h[0].held_case && strcmp(h[0].held_case->case_id, "s/a/wolfssl@5.9>openssl/1.2") == 0);
    CHECK(h[0].gone_case && strcmp(h[0].gone_case->case_id, "s/b/wolfssl@5.9>openssl/1.2") == 0);
    CHECK(cb_finding_holds(&ix, "nss", "server", "ALERT-ON-FAIL", h, 4) == 1);
    CHECK_STR(cb_holds_word(&h[0]), "no");
    CHECK(cb_finding_holds(&ix, "gnutls", "client", "SEL-ISSUER", h, 4) == 1);
    CHECK_STR(cb_holds_word(&h[0]), "unmeasured");
    CHECK(cb_finding_holds(&ix, "boringssl", "server", "ALERT-ON-FAIL", h, 4) == 0);
    /* The side matters: wolfssl's client has no CA-PREFIX finding. */
    CHECK(cb_finding_holds(&ix, "wolfssl", "client", "CA-PREFIX", h, 4) == 1 && h[0].packaged_cases == 0);
    cb_case_index_free(&ix);
    cb_results_free(&rs);

    /* The README column. */
    char *md = NULL;
    size_t mdlen = 0;
    FILE *m = open_memstream(&md, &mdlen);
    CHECK(cb_report_findings_md(results, m, err, sizeof(err)) == 0);
    fclose(m);
    CHECK(md && strstr(md, "| still holds in the current release |\n"));
    CHECK(md && strstr(md, "` wolfssl@5.9 ` (5.9): **partly**, 1 of 2 cases; holds: ` build/cabound pair --server "
                           "wolfssl@5.9 --client openssl --tls 1.2 --suite s --name a `; gone: "));
    CHECK(md && strstr(md, "upstream report: ` cabound report DIR --upstream wolfssl:server:CA-PREFIX `"));
    CHECK(md && strstr(md, "` nss@3.110 ` (3.110): **no**, 0 of 1 cases; e.g. "));
    CHECK(md && strstr(md, "**unmeasured** (none of its 1 packaged cases has a comparable case with the release)"));
    CHECK(md && strstr(md, "unmeasured (no current release of boringssl in this run)"));
    CHECK(md && strstr(md, "| wolfssl@5.9 | server | ` CA-PREFIX `") && strstr(md, "(this is the current release)"));
    free(md);
    /* The page's per-stack table says the same. */
    char html[400];
    snprintf(html, sizeof(html), "%s/report.html", dir);
    CHECK(cb_report_html(dir, html, err, sizeof(err)) == 0);
    char *page = slurp(html);
    CHECK(page && strstr(page, "<th>still holds in the current release</th>"));
    CHECK(page && strstr(page, "<code>wolfssl@5.9</code>: <b>partly</b> <small>1 of 2</small>"));
    CHECK(page && strstr(page, "<code>nss@3.110</code>: <b>no</b> <small>0 of 1</small>"));
    free(page);

    /* --upstream: a finding that holds is written; the others are refused. */
    char out[400], path[500];
    snprintf(out, sizeof(out), "%s/up", dir);
    CHECK(cb_report_upstream(dir, "wolfssl:server:CA-PREFIX", out, err, sizeof(err)) == 0);
    snprintf(path, sizeof(path), "%s/REPORT.md", out);
    char *rep = slurp(path);
    CHECK(rep && strstr(rep, "# wolfssl 5.9 server puts a certificate_authorities list on the wire") == rep);
    CHECK(rep && strstr(rep, "**RFC 5246 7.4.4 (Certificate Request)**"));
    CHECK(rep && strstr(rep, "build/cabound pair --server wolfssl@5.9 --client openssl --tls 1.2 --suite s --name a\n"));
    CHECK(rep && strstr(rep, "The run kept no capture of this case."));
    CHECK(rep && strstr(rep, "The **server** (` wolfssl@5.9 `, 5.9): because."));
    free(rep);
    snprintf(path, sizeof(path), "%s/cases.jsonl", out);
    rep = slurp(path);
    CHECK(rep && count_lines(rep) == 2 && strstr(rep, "\"case\":\"s/a/wolfssl@5.9>openssl/1.2\""));
    free(rep);
    snprintf(out, sizeof(out), "%s/up2", dir);
    CHECK(cb_report_upstream(dir, "nss:server:ALERT-ON-FAIL", out, err, sizeof(err)) == 2);
    CHECK(strstr(err, "does not hold in the current release nss@3.110 (0 of 1 comparable cases"));
    struct stat st;
    CHECK(stat(out, &st) != 0); /* nothing written */
    CHECK(cb_report_upstream(dir, "boringssl:server:ALERT-ON-FAIL", out, err, sizeof(err)) == 2);
    CHECK(strstr(err, "no current release of boringssl ran in this run"));
    CHECK(cb_report_upstream(dir, "gnutls:client:SEL-ISSUE", out, err, sizeof(err)) == 2);
    CHECK(strstr(err, "did you mean gnutls:client:SEL-ISSUER?"));
    CHECK(cb_report_upstream(dir, "s/a/wolfssl>opensl/1.2", out, err, sizeof(err)) == 2);
    CHECK(strstr(err, "no such case in this run; did you mean s/a/wolfssl>openssl/1.2?"));
    CHECK(cb_report_upstream(dir, "s/b/wolfssl@5.9>openssl/1.2", out, err, sizeof(err)) == 2);
    CHECK(strstr(err, "this case failed no rule"));
    CHECK(stat(out, &st) != 0);
    /* A case id of the packaged stack: reported from the release's case. */
    snprintf(out, sizeof(out), "%s/up3", dir);
    CHECK(cb_report_upstream(dir, "s/a/wolfssl>openssl/1.2", out, err, sizeof(err)) == 0);

    /* A capture path that leaves the run's directory is refused. */
    char *l2[] = {
        line("a", "wolfssl", "openssl", "1.2", "malformed", "rejected", "server", "CA-PREFIX", 4000),
        line("a", "wolfssl@5.9", "openssl", "1.2", "malformed", "rejected", "server", "CA-PREFIX", 4000),
    };
    json_t *o = json_loads(l2[1], 0, NULL);
    json_object_set_new(o, "pcap", json_string("../../../etc/passwd"));
    free(l2[1]);
    l2[1] = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    CHECK(write_lines(results, l2, 2, NULL) == 0);
    snprintf(out, sizeof(out), "%s/up4", dir);
    CHECK(cb_report_upstream(dir, "wolfssl:server:CA-PREFIX", out, err, sizeof(err)) == -1);
    CHECK(strstr(err, "not a path inside the run's directory"));
    snprintf(path, sizeof(path), "%s/passwd", out);
    CHECK(stat(path, &st) != 0);
}

/* The upstream report's record list, from a capture written by the
 * harness's own pcap writer: records split over segments and packed in one
 * segment, a plaintext alert, both FINs in order; a file cut short keeps
 * what came before; a file that is not a pcap is an error. */
static void test_capture(void)
{
    static uint8_t ch[5 + 10], big[5 + 16384], two[5 + 1 + 5 + 3], alert[7] = {21, 3, 3, 0, 2, 2, 50};
    memset(ch, 0, sizeof(ch));
    ch[0] = 22, ch[1] = 3, ch[2] = 1, ch[4] = 10;
    memset(big, 0xab, sizeof(big));
    big[0] = 22, big[1] = 3, big[2] = 3, big[3] = 0x40, big[4] = 0x00;
    memset(two, 0, sizeof(two));
    two[0] = 20, two[1] = 3, two[2] = 3, two[4] = 1, two[6] = 23, two[7] = 3, two[8] = 3, two[10] = 3;
    cb_chunk c[] = {
        {0, ch, sizeof(ch), 0.001, 0},   {1, big, sizeof(big), 0.002, 0}, {1, two, sizeof(two), 0.003, 0},
        {0, alert, sizeof(alert), 0.004, 0}, {0, NULL, 0, 0.005, 1},       {1, NULL, 0, 0.006, 1},
    };
    char path[400], err[512];
    snprintf(path, sizeof(path), "%s/case.pcap", tmp);
    CHECK(cb_pcap_write(path, c, sizeof(c) / sizeof(c[0]), 7, err, sizeof(err)) == 0);
    cb_capture cap;
    CHECK(cb_capture_read(path, &cap, err, sizeof(err)) == 0);
    CHECK_EQ(cap.n, 5);
    if (cap.n == 5) {
        CHECK(!cap.v[0].from_server && cap.v[0].type == 22 && cap.v[0].len == 10);
        CHECK(cap.v[1].from_server && cap.v[1].type == 22 && cap.v[1].len == 16384); /* over two segments */
        CHECK(cap.v[2].from_server && cap.v[2].type == 20 && cap.v[2].len == 1);
        CHECK(cap.v[3].from_server && cap.v[3].type == 23 && cap.v[3].len == 3); /* packed with the CCS */
        CHECK(!cap.v[4].from_server && cap.v[4].type == 21 && cap.v[4].alert_level == 2 && cap.v[4].alert_desc == 50);
    }
    CHECK(cap.fin[0] && cap.fin[1] && cap.fin_ms[0] < cap.fin_ms[1]);
    CHECK_EQ(cap.bytes[0], sizeof(ch) + sizeof(alert));
    CHECK_EQ(cap.bytes[1], sizeof(big) + sizeof(two));
    CHECK(!cap.cut && !cap.note[0]);
    cb_capture_free(&cap);
    /* Cut inside the big record's second segment: the first records stay. */
    CHECK(truncate(path, 16600) == 0);
    CHECK(cb_capture_read(path, &cap, err, sizeof(err)) == 0);
    CHECK(cap.cut && cap.note[0] && cap.n == 2 && cap.v[0].len == 10 && cap.v[1].len == 16384);
    cb_capture_free(&cap);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs("not a capture at all, just text\n", f);
        fclose(f);
    }
    CHECK(cb_capture_read(path, &cap, err, sizeof(err)) == -1 && strstr(err, path) == err);
    cb_capture_free(&cap);
}

int main(void)
{
    snprintf(tmp, sizeof(tmp), "/tmp/cabound-test-changes.XXXXXX");
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 1;
    }
    test_changes();
    test_holds();
    test_capture();
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    if (getenv("KEEP") == NULL && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp);
    CHECK_DONE();
}
