/* report.h — the report writers: they read a run's results.jsonl (and
 * boundaries.jsonl) and write JUnit XML, one self-contained HTML page, the
 * README's findings table and the terminal summary. They never re-run a case
 * nor re-judge one: every verdict and outcome shown is the results line's.
 *
 * Every function returns 0, or -1 with one message in |err|. A malformed
 * results line ("FILE:LINE: why") is skipped and reported: the output is still
 * written from the other lines, and the function then returns -1 naming the
 * first malformed line (and how many more there were). */
#ifndef CABOUND_REPORT_H
#define CABOUND_REPORT_H

#include <stddef.h>
#include <stdio.h>

/* cb_report_write_all reads DIR/results.jsonl (and DIR/boundaries.jsonl when
 * present) and writes DIR/junit.xml, DIR/report.html and DIR/changes.jsonl.
 * Success: every file was written (each replaced atomically) and every line was well formed. */
int cb_report_write_all(const char *dir, char *err, size_t errlen);

/* cb_report_outcome_fails: the outcomes that make a run fail (exit 1) in
 * every subcommand: finding, regression, xpass, error, and missing (no
 * expectation) unless |allow_missing|. */
int cb_report_outcome_fails(const char *outcome, int allow_missing);

/* cb_report_failing counts the lines of |results_jsonl| whose outcome fails;
 * -1 when the file cannot be read. */
long cb_report_failing(const char *results_jsonl, int allow_missing);

/* cb_report_junit writes |out_path| as JUnit XML: one <testsuite> per suite,
 * one <testcase> per results line. Success: the file was written and every
 * line of |results_jsonl| was well formed. */
int cb_report_junit(const char *results_jsonl, const char *out_path, char *err, size_t errlen);

/* cb_report_html writes |out_path|, one self-contained page (inline CSS and
 * SVG, no script, no network) from DIR/results.jsonl and, when present,
 * DIR/boundaries.jsonl. Capture links are relative to |dir|. Success: the
 * page was written and every line of both files was well formed. */
int cb_report_html(const char *dir, const char *out_path, char *err, size_t errlen);

/* cb_report_findings_md prints a Markdown table of the current findings per
 * stack (from results.jsonl) for the README: each distinct (stack, rule or
 * verdict) once, with its smallest case. Success: the table was printed and
 * every line was well formed. */
int cb_report_findings_md(const char *results_jsonl, FILE *out, char *err, size_t errlen);

/* cb_report_changes_jsonl writes DIR/changes.jsonl (replaced atomically)
 * from DIR/results.jsonl: one line per side of a current release's case
 * whose verdict differs from the packaged stack's in the same case, or could
 * not be compared (changes.h); empty when the run had no release. Success:
 * the file was written and every line was well formed. */
int cb_report_changes_jsonl(const char *dir, char *err, size_t errlen);

/* cb_report_changes_md prints the README's table "what changed between the
 * packaged and the current release": one row per (release, role, TLS,
 * packaged verdict, current verdict) with its count, smallest case and
 * repro. Success: the table was printed and every line was well formed. */
int cb_report_changes_md(const char *results_jsonl, FILE *out, char *err, size_t errlen);

/* cb_report_upstream writes, into |out_dir| (created with its parents; files
 * of the same names are replaced), a report for a maintainer's tracker
 * about |finding| of the run in |dir|: REPORT.md with both versions, the
 * reproducer, the RFC text, what the wire showed and the side at fault,
 * plus the case's pcap and key log. |finding| is "STACK:SIDE:RULE" (as the
 * findings table names it) or a case id. Returns 0 on success; 2 with a
 * message when |finding| names nothing in the run, or does not hold in a
 * current release (nothing is written then); -1 with a message when a file
 * cannot be read or written. */
int cb_report_upstream(const char *dir, const char *finding, const char *out_dir, char *err, size_t errlen);

/* cb_upstream_dir_name is |finding| made a directory name: every character
 * outside [A-Za-z0-9@.-] becomes '_' (at most 150 of them). */
void cb_upstream_dir_name(const char *finding, char *out, size_t outlen);

/* cb_report_summary prints the terminal summary: counts per outcome, findings
 * and regressions listed with their repro command; ANSI colors when |color|.
 * Success: the summary was printed and every line was well formed. */
int cb_report_summary(const char *results_jsonl, FILE *out, int color, char *err, size_t errlen);

#endif
