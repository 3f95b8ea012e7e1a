/* report_html.h — the sections of report.html, each written by its own file.
 * Every string is escaped; nothing refers outside the page but capture links
 * relative to the output directory. Internal to cabound_report. */
#ifndef CABOUND_REPORT_HTML_H
#define CABOUND_REPORT_HTML_H

#include <stdio.h>

#include "results_read.h"

/* cb_html_matrix writes, per suite and TLS version, a table with a row per
 * server stack and a column per client stack; each cell (<td class="cell
 * o-WORST">) shows the distinct "server verdict / client verdict" of its
 * cases, colored by outcome. */
void cb_html_matrix(FILE *f, const cb_results *rs);

/* cb_svg_server_plots writes an <svg class="plot server-plot"> per server
 * stack: wire_list_bytes against list_bytes, a series per TLS version, the
 * 16384 and 65535 lines marked. */
void cb_svg_server_plots(FILE *f, const cb_results *rs);

/* cb_svg_client_strips writes an <svg class="plot client-strip"> per client
 * stack: the list bytes it accepted (selected, sent-empty) and rejected. */
void cb_svg_client_strips(FILE *f, const cb_results *rs);

/* cb_html_findings writes the findings, regressions and xpasses, then the
 * errors: rules, details, capture links and the repro command. */
void cb_html_findings(FILE *f, const cb_results *rs);

/* cb_html_outcome_class is "o-pass", "o-finding", ... */
const char *cb_html_outcome_class(enum cb_outcome o);

#endif
