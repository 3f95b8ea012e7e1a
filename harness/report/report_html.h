/* report_html.h — the sections of report.html, each written by its own file.
 * Every string is escaped; nothing refers outside the page but capture links
 * relative to the output directory. Internal to cabound_report. */
#ifndef CABOUND_REPORT_HTML_H
#define CABOUND_REPORT_HTML_H

#include <stdio.h>

#include "results_read.h"

/* What a case's mark on the page says: its outcome, with a pass split into
 * a plain pass, a known finding (a failed rule its expectation records) and
 * a missing expectation (neither side has one). */
enum cb_mark {
    CB_MK_PASS,
    CB_MK_KNOWN,
    CB_MK_FINDING,
    CB_MK_REGRESSION,
    CB_MK_XPASS,
    CB_MK_ERROR,
    CB_MK_UNSUPPORTED,
    CB_MK_MISSING,
    CB_MK_COUNT
};

/* cb_html_mark is |r|'s mark. */
enum cb_mark cb_html_mark(const cb_result *r);
/* cb_html_mark_class is "m-pass", "m-known", ...; cb_html_mark_symbol the
 * letter shown (readable without color); cb_html_mark_name its words. */
const char *cb_html_mark_class(enum cb_mark m);
const char *cb_html_mark_symbol(enum cb_mark m);
const char *cb_html_mark_name(enum cb_mark m);
/* cb_html_put_mark writes <b class="mk m-...">SYMBOL</b>. */
void cb_html_put_mark(FILE *f, enum cb_mark m);

/* cb_html_verdict_class is "v-full", "v-rejected", ... for a verdict the
 * results format defines, "v-other" for any other string or NULL. */
const char *cb_html_verdict_class(const char *verdict);

/* cb_html_legend writes the matrix legend: the server and client verdict
 * colors and the marks. */
void cb_html_legend(FILE *f);

/* cb_html_matrix writes, per suite and TLS version, a table with a row per
 * server stack and a column per client stack; each cell (<td class="cell
 * w-MARK">, MARK its worst case's) holds a chip per distinct (mark, server
 * verdict, client verdict, injected malformation): <div class="chip"> with
 * the mark, the server verdict (<span class="sv v-VERDICT">), the client
 * verdict (<span class="cv v-VERDICT">), the count, the list bytes and
 * the injection's name. */
void cb_html_matrix(FILE *f, const cb_results *rs);

/* cb_svg_server_plots writes an <svg class="plot server-plot"> per server
 * stack: wire_list_bytes against list_bytes, a series per TLS version, the
 * 16384 and 65535 lines marked. */
void cb_svg_server_plots(FILE *f, const cb_results *rs);

/* cb_svg_client_strips writes an <svg class="plot client-strip"> per client
 * stack: the list bytes it accepted (selected, sent-empty) and rejected. */
void cb_svg_client_strips(FILE *f, const cb_results *rs);

/* cb_html_findings writes the findings section: the per-stack table, each
 * regression, finding and xpass, then each known finding (grouped by stack,
 * side and rule): rules with their side, details, capture links and the
 * repro command. */
void cb_html_findings(FILE *f, const cb_results *rs);

/* cb_html_changes writes the section "Packaged -> current release": the
 * verdict changes between each release and its packaged stack, grouped by
 * (release, role, TLS, packaged verdict, current verdict), each group with its
 * count, smallest case and repro; says so when the run had no release. */
void cb_html_changes(FILE *f, const cb_results *rs);

/* cb_html_errors writes each error case with its fault. */
void cb_html_errors(FILE *f, const cb_results *rs);

/* cb_html_put_rule writes a rule id with the side it is about:
 * <code class="rule">ID</code> <span class="side side-SIDE">SIDE</span>. */
void cb_html_put_rule(FILE *f, const cb_result *r, const char *id);

/* cb_html_rule_side is the side |r|'s failed |rule| is about: the one the
 * line records, else the side whose expectation records it, else
 * cb_rule_side's. */
const char *cb_html_rule_side(const cb_result *r, const char *rule);

/* cb_html_outcome_class is "o-pass", "o-finding", ... */
const char *cb_html_outcome_class(enum cb_outcome o);

#endif
