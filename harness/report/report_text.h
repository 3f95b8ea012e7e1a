/* report_text.h — a results line told in plain text (unescaped: the caller
 * escapes for its format). Internal to cabound_report. */
#ifndef CABOUND_REPORT_TEXT_H
#define CABOUND_REPORT_TEXT_H

#include <stdio.h>

#include "results_read.h"

/* cb_text_headline writes one line: the outcome and why (the run's
 * "outcome_why"), the failed rules, both verdicts and what was expected, e.g.
 * "finding: rule REC-2E14 failed; rules REC-2E14, ALERT-ON-FAIL; server
 * malformed, client rejected". */
void cb_text_headline(FILE *f, const cb_result *r);

/* cb_text_expected writes one side's expectation: "truncated, rules
 * CA-PREFIX (suites/expect/gnutls.expect:12, PATTERN: reason)", or "none
 * recorded". */
void cb_text_expected(FILE *f, const cb_result *r, int client);

/* cb_text_body writes the case's details, one "key: value" per line: stacks
 * and versions, verdicts with details, list bytes, each failed rule with its
 * detail, the expectation, faults, captures and the repro command. */
void cb_text_body(FILE *f, const cb_result *r);

/* cb_text_fault writes "server: X; client: Y" from the line's fault object,
 * or nothing when it has none. Returns whether it wrote anything. */
int cb_text_fault(FILE *f, const cb_result *r);

/* cb_text_string runs |fn| into a new string (free it), or NULL when out of
 * memory. */
char *cb_text_string(void (*fn)(FILE *, const cb_result *), const cb_result *r);

#endif
