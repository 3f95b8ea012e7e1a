/* report_changes.c — the three forms of "what changed between the packaged
 * and the current release" (changes.h): results/changes.jsonl (one line per
 * side of a case), the README's Markdown table and report.html's section
 * (one row per group, with its count and one repro). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "changes.h"
#include "escape.h"
#include "report.h"
#include "report_common.h"
#include "report_html.h"

#define EM_DASH "\xe2\x80\x94"
#define ARROW "\xe2\x86\x92"

/* Loads |rs| from |path|, indexes it and finds its changes. Returns 0, or -1
 * with a message (and everything released). */
static int load_changes(const char *path, cb_results *rs, cb_case_index *ix, cb_changes *ch, char *err, size_t errlen)
{
    if (cb_results_load(path, rs, err, errlen) != 0)
        return -1;
    if (cb_case_index_build(rs, ix) != 0 || cb_changes_find(ix, ch) != 0) {
        snprintf(err, errlen, "%s: out of memory pairing the releases' cases", path);
        cb_case_index_free(ix);
        cb_results_free(rs);
        return -1;
    }
    return 0;
}

static void unload_changes(cb_results *rs, cb_case_index *ix, cb_changes *ch)
{
    cb_changes_free(ch);
    cb_case_index_free(ix);
    cb_results_free(rs);
}

int cb_report_changes_jsonl(const char *dir, char *err, size_t errlen)
{
    char rpath[4200], opath[4200];
    snprintf(rpath, sizeof(rpath), "%s/results.jsonl", dir);
    snprintf(opath, sizeof(opath), "%s/changes.jsonl", dir);
    cb_results rs;
    cb_case_index ix;
    cb_changes ch;
    if (load_changes(rpath, &rs, &ix, &ch, err, errlen) != 0)
        return -1;
    cb_out o;
    int rc = cb_out_open(&o, opath, err, errlen);
    for (size_t i = 0; rc == 0 && i < ch.n; i++) {
        char *line = cb_changes_line(&ch.v[i]);
        if (!line) {
            snprintf(err, errlen, "%s: out of memory", opath);
            rc = -1;
            fclose(o.f);
            unlink(o.tmp);
            break;
        }
        fputs(line, o.f);
        fputc('\n', o.f);
        free(line);
    }
    if (rc == 0)
        rc = cb_out_close(&o, err, errlen);
    if (rc == 0)
        rc = cb_jsonl_bad_message(&rs.bad, err, errlen);
    unload_changes(&rs, &ix, &ch);
    return rc;
}

/* "mbedtls (mbed TLS 2.28.3)": a stack id with the version its lines report. */
static void md_stack(FILE *out, const char *id, const char *version)
{
    cb_md_code(out, id);
    if (version) {
        fputs(" (", out);
        cb_md_put(out, version, 80);
        fputc(')', out);
    }
}

int cb_report_changes_md(const char *results_jsonl, FILE *out, char *err, size_t errlen)
{
    cb_results rs;
    cb_case_index ix;
    cb_changes ch;
    if (load_changes(results_jsonl, &rs, &ix, &ch, err, errlen) != 0)
        return -1;
    cb_change_group *g = NULL;
    size_t ng = 0;
    int rc = 0;
    if (cb_changes_group(&ch, &g, &ng) != 0) {
        snprintf(err, errlen, "%s: out of memory grouping the changes", results_jsonl);
        rc = -1;
    } else {
        fputs("| packaged " ARROW " current | role | TLS | verdict (packaged " ARROW " current) | cases | example case | "
              "repro (current release) |\n| --- | --- | --- | --- | --- | --- | --- |\n",
              out);
        for (size_t i = 0; i < ng; i++) {
            const cb_change *c = g[i].first;
            fputs("| ", out);
            md_stack(out, c->stack, c->packaged_version);
            fputs(" " ARROW " ", out);
            md_stack(out, c->release, c->current_version);
            fprintf(out, " | %s | %s | ", c->role, c->current->tls);
            cb_md_put(out, c->packaged_verdict, 40);
            fputs(" " ARROW " ", out);
            cb_md_put(out, c->current_verdict, 40);
            if (c->kind == CB_CHANGE_UNMEASURED)
                fputs(" (not compared: unmeasured)", out);
            fprintf(out, " | %zu | ", g[i].count);
            cb_md_code(out, c->current->case_id);
            fputs(" | ", out);
            if (cb_res_str(c->current, "repro"))
                cb_md_code(out, cb_res_str(c->current, "repro"));
            else
                fputs(EM_DASH, out);
            fputs(" |\n", out);
        }
        if (!ng)
            fprintf(out, "| %s | " EM_DASH " | " EM_DASH " | %s | " EM_DASH " | " EM_DASH " | " EM_DASH " |\n",
                    ch.releases ? "every release" : "no release in this run",
                    ch.releases ? "no verdict changed" : "nothing to compare");
        if (ferror(out)) {
            snprintf(err, errlen, "%s: cannot write the changes table", results_jsonl);
            rc = -1;
        }
    }
    free(g);
    if (rc == 0)
        rc = cb_jsonl_bad_message(&rs.bad, err, errlen);
    unload_changes(&rs, &ix, &ch);
    return rc;
}

static void html_stack(FILE *f, const char *id, const char *version)
{
    fputs("<code>", f);
    cb_xml_put(f, id, 100);
    fputs("</code>", f);
    if (version) {
        fputs(" <small>", f);
        cb_xml_put(f, version, 100);
        fputs("</small>", f);
    }
}

void cb_html_changes(FILE *f, const cb_results *rs)
{
    fputs("<h2 id=\"changes\">Packaged " ARROW " current release</h2>\n", f);
    cb_case_index ix;
    cb_changes ch;
    if (cb_case_index_build(rs, &ix) != 0) {
        fputs("<p class=\"note\">(out of memory pairing the releases' cases)</p>\n", f);
        return;
    }
    if (cb_changes_find(&ix, &ch) != 0) {
        cb_case_index_free(&ix);
        fputs("<p class=\"note\">(out of memory pairing the releases' cases)</p>\n", f);
        return;
    }
    cb_change_group *g = NULL;
    size_t ng = 0, nchanged = 0;
    if (!ch.releases) {
        fputs("<p class=\"note\">No current release (<code>STACK@VERSION</code>) ran in this run: nothing to compare.</p>\n",
              f);
    } else if (cb_changes_group(&ch, &g, &ng) != 0) {
        fputs("<p class=\"note\">(out of memory grouping the changes)</p>\n", f);
    } else {
        for (size_t i = 0; i < ch.n; i++)
            nchanged += ch.v[i].kind == CB_CHANGE_CHANGED;
        fprintf(f,
                "<p class=\"note\">Each case of a current release (<code>STACK@VERSION</code>) paired with the same case "
                "(suite, name, peer, TLS version, role) where the packaged <code>STACK</code> stands in its place: "
                "%zu sides compared, <b>%zu changed verdict</b>, %zu could not be compared (a verdict unmeasured), %zu "
                "had no packaged case in this run. Every side is a line of <code>changes.jsonl</code>.</p>\n",
                ch.compared, nchanged, ch.n - nchanged, ch.unpaired);
        fputs("<div class=\"mwrap\"><table class=\"changes\"><thead><tr><th>packaged " ARROW " current</th><th>role</th>"
              "<th>TLS</th><th>verdict</th><th>cases</th><th>smallest case and its repro</th></tr></thead><tbody>\n",
              f);
        for (size_t i = 0; i < ng; i++) {
            const cb_change *c = g[i].first;
            int server = strcmp(c->role, "server") == 0;
            fprintf(f, "<tr class=\"%s\"><td>", c->kind == CB_CHANGE_CHANGED ? "ch-changed" : "ch-unmeasured");
            html_stack(f, c->stack, c->packaged_version);
            fputs(" " ARROW " ", f);
            html_stack(f, c->release, c->current_version);
            fputs("</td><td>", f);
            cb_xml_put(f, c->role, 0);
            fputs("</td><td>", f);
            cb_xml_put(f, c->current->tls, 10);
            fprintf(f, "</td><td><span class=\"%s %s\">", server ? "sv" : "cv", cb_html_verdict_class(c->packaged_verdict));
            cb_xml_put(f, c->packaged_verdict, 40);
            fprintf(f, "</span> " ARROW " <span class=\"%s %s\">", server ? "sv" : "cv",
                    cb_html_verdict_class(c->current_verdict));
            cb_xml_put(f, c->current_verdict, 40);
            fputs("</span>", f);
            if (c->kind == CB_CHANGE_UNMEASURED)
                fputs(" <small>not compared</small>", f);
            fprintf(f, "</td><td class=\"num\">%zu</td><td><code>", g[i].count);
            cb_xml_put(f, c->current->case_id, 400);
            fputs("</code><pre class=\"repro\"><code>", f);
            cb_xml_put(f, cb_res_str(c->current, "repro") ? cb_res_str(c->current, "repro") : "(no repro command recorded)",
                       4096);
            fputs("</code></pre></td></tr>\n", f);
        }
        if (!ng)
            fputs("<tr><td colspan=\"6\" class=\"note\">no verdict changed</td></tr>\n", f);
        fputs("</tbody></table></div>\n", f);
    }
    free(g);
    cb_changes_free(&ch);
    cb_case_index_free(&ix);
}
