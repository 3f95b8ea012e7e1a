/* cabound report — regenerate junit.xml and report.html from a results
 * directory; optionally print the README's findings table or the summary. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "flags.h"
#include "report.h"

static void help(const cb_flag *flags)
{
    printf("usage: cabound report DIR [--findings-md] [--changes-md] [--summary]\n"
           "       cabound report DIR --upstream FINDING [--upstream-out OUTDIR]\n\n");
    cb_flags_help(flags);
    printf("\nReads DIR/results.jsonl (and DIR/boundaries.jsonl when present) and rewrites\n"
           "DIR/junit.xml, DIR/report.html (one self-contained page) and DIR/changes.jsonl\n"
           "(each side of a current release's case, STACK@VERSION, whose verdict differs\n"
           "from the packaged STACK's in the same case; empty without a release). Reports\n"
           "read the results; they never rerun or re-judge a case.\n\n"
           "--findings-md prints the README's findings table (Markdown) to stdout, with a\n"
           "column saying whether each packaged stack's finding still holds in that stack's\n"
           "current release (yes / partly: n of m cases / no / unmeasured, with repros);\n"
           "--changes-md prints the README's table of what changed between the packaged and\n"
           "the current releases (one row per release, role, TLS version and verdict pair);\n"
           "--summary prints the terminal summary (to stderr when a Markdown table is\n"
           "printed, so that stdout stays pure Markdown). NO_COLOR turns colors off.\n\n"
           "--upstream FINDING writes a report a maintainer can take into their tracker, for\n"
           "a finding that holds in a current release: OUTDIR/REPORT.md (versions packaged\n"
           "and current with library paths, the one-command reproducer, the RFC section and\n"
           "text, what the wire showed: records, lengths, alerts, the timeline; the side at\n"
           "fault), OUTDIR/cases.jsonl (the two results lines) and the case's pcap and key\n"
           "log. FINDING is STACK:SIDE:RULE as the findings table names it (its stack, side\n"
           "and finding columns, e.g. mbedtls:server:ALERT-ON-FAIL; a packaged stack's\n"
           "finding is reported from its current release's case) or a case id (e.g.\n"
           "'field-64k/near-limit@65536/nss>openssl/1.2'). OUTDIR defaults to\n"
           "DIR/upstream/FINDING (with characters outside A-Za-z0-9@.- as _). Only\n"
           "the upstream report is written (not junit.xml, report.html, changes.jsonl).\n\n"
           "Examples:\n"
           "  cabound report out\n"
           "  cabound report out --summary\n"
           "  cabound report out --findings-md > findings.md\n"
           "  cabound report out --changes-md > changes.md\n"
           "  cabound report out --upstream mbedtls:server:ALERT-ON-FAIL\n\n"
           "Exit status (as for run): 0 the reports were written and every case met its\n"
           "expectation; 1 the results hold a finding, regression, xpass, error or missing\n"
           "expectation (unless --allow-missing); 2 DIR or results.jsonl is missing or\n"
           "unreadable, or a results line is malformed (it is named FILE:LINE, skipped, and\n"
           "the reports are still written from the other lines); with --upstream, 0 the\n"
           "report was written, 2 FINDING is unknown (the nearest name is suggested), does\n"
           "not hold in the current release, or no current release of its stack ran\n"
           "(nothing is written), or a capture cannot be copied.\n");
}

int cmd_report(int argc, char **argv)
{
    int findings_md = 0, changes_md = 0, summary = 0, want_help = 0, allow_missing = 0;
    const char *upstream = NULL, *upstream_out = NULL;
    const cb_flag flags[] = {
        {"--findings-md", CB_FLAG_BOOL, &findings_md, NULL, "print the findings table (Markdown) to stdout"},
        {"--changes-md", CB_FLAG_BOOL, &changes_md, NULL, "print the packaged-to-current changes table (Markdown) to stdout"},
        {"--upstream", CB_FLAG_STR, &upstream, "FINDING", "write an upstream report for FINDING (STACK:SIDE:RULE or a case id)"},
        {"--upstream-out", CB_FLAG_STR, &upstream_out, "OUTDIR", "where --upstream writes (default DIR/upstream/FINDING)"},
        {"--summary", CB_FLAG_BOOL, &summary, NULL, "print counts per outcome and each finding with its repro"},
        {"--allow-missing", CB_FLAG_BOOL, &allow_missing, NULL, "cases without an expectation do not make the exit status 1"},
        {"--help", CB_FLAG_BOOL, &want_help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    cb_strlist pos = {{0}, 0};
    if (cb_flags_parse("report", argc, argv, 2, flags, &pos) != 0)
        return CB_EXIT_USAGE;
    if (want_help) {
        help(flags);
        return CB_EXIT_OK;
    }
    if (pos.count != 1) {
        fprintf(stderr, "cabound report: %s (usage: cabound report DIR [--findings-md] [--changes-md] [--summary] | "
                        "--upstream FINDING)\n",
                pos.count ? "one results directory only" : "which results directory?");
        return CB_EXIT_USAGE;
    }
    const char *dir = pos.items[0];
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "cabound report: %s: %s\n", dir, strerror(errno));
        return CB_EXIT_USAGE;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "cabound report: %s: not a directory (give the run's output directory)\n", dir);
        return CB_EXIT_USAGE;
    }
    if (access(dir, R_OK | W_OK | X_OK) != 0) {
        fprintf(stderr, "cabound report: %s: %s (the reports are written into it)\n", dir, strerror(errno));
        return CB_EXIT_USAGE;
    }
    char results[4200];
    snprintf(results, sizeof(results), "%s/results.jsonl", dir);
    if (access(results, R_OK) != 0) {
        fprintf(stderr, "cabound report: %s: %s\n", results, strerror(errno));
        return CB_EXIT_USAGE;
    }

    char err[1024];
    if (upstream_out && !upstream) {
        fprintf(stderr, "cabound report: --upstream-out needs --upstream FINDING\n");
        return CB_EXIT_USAGE;
    }
    if (upstream) {
        if (findings_md || changes_md || summary) {
            fprintf(stderr, "cabound report: --upstream writes one report; give --findings-md, --changes-md and "
                            "--summary in another call\n");
            return CB_EXIT_USAGE;
        }
        if (!*upstream) {
            fprintf(stderr, "cabound report: --upstream: which finding? (STACK:SIDE:RULE or a case id)\n");
            return CB_EXIT_USAGE;
        }
        char name[200], def[4400];
        cb_upstream_dir_name(upstream, name, sizeof(name));
        snprintf(def, sizeof(def), "%s/upstream/%s", dir, name);
        const char *out = upstream_out ? upstream_out : def;
        int urc = cb_report_upstream(dir, upstream, out, err, sizeof(err));
        if (urc != 0) {
            fprintf(stderr, "cabound report: %s\n", err);
            return CB_EXIT_USAGE;
        }
        printf("%s/REPORT.md\n", out);
        return fflush(stdout) == 0 ? CB_EXIT_OK : CB_EXIT_USAGE;
    }
    int rc = CB_EXIT_OK;
    if (cb_report_write_all(dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "cabound report: %s\n", err);
        rc = CB_EXIT_USAGE;
    }
    if (findings_md && cb_report_findings_md(results, stdout, err, sizeof(err)) != 0 && rc == CB_EXIT_OK) {
        fprintf(stderr, "cabound report: %s\n", err);
        rc = CB_EXIT_USAGE;
    }
    if (changes_md && cb_report_changes_md(results, stdout, err, sizeof(err)) != 0 && rc == CB_EXIT_OK) {
        fprintf(stderr, "cabound report: %s\n", err);
        rc = CB_EXIT_USAGE;
    }
    if (summary) {
        FILE *out = findings_md || changes_md ? stderr : stdout;
        const char *nc = getenv("NO_COLOR");
        int color = isatty(fileno(out)) && !(nc && *nc);
        if (cb_report_summary(results, out, color, err, sizeof(err)) != 0 && rc == CB_EXIT_OK) {
            fprintf(stderr, "cabound report: %s\n", err);
            rc = CB_EXIT_USAGE;
        }
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "cabound report: cannot write to stdout: %s\n", strerror(errno));
        rc = CB_EXIT_USAGE;
    }
    if (rc == CB_EXIT_OK && cb_report_failing(results, allow_missing) > 0)
        rc = CB_EXIT_FINDINGS;
    return rc;
}
