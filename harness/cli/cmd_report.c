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
    printf("usage: cabound report DIR [--findings-md] [--summary]\n\n");
    cb_flags_help(flags);
    printf("\nReads DIR/results.jsonl (and DIR/boundaries.jsonl when present) and rewrites\n"
           "DIR/junit.xml and DIR/report.html, one self-contained page. Reports read the\n"
           "results; they never rerun or re-judge a case.\n\n"
           "--findings-md prints the README's findings table (Markdown) to stdout;\n"
           "--summary prints the terminal summary (to stderr when --findings-md is given,\n"
           "so that stdout stays pure Markdown). NO_COLOR turns colors off.\n\n"
           "Examples:\n"
           "  cabound report out\n"
           "  cabound report out --summary\n"
           "  cabound report out --findings-md > findings.md\n\n"
           "Exit status (as for run): 0 the reports were written and every case met its\n"
           "expectation; 1 the results hold a finding, regression, xpass, error or missing\n"
           "expectation (unless --allow-missing); 2 DIR or results.jsonl is missing or\n"
           "unreadable, or a results line is malformed (it is named FILE:LINE, skipped, and\n"
           "the reports are still written from the other lines).\n");
}

int cmd_report(int argc, char **argv)
{
    int findings_md = 0, summary = 0, want_help = 0, allow_missing = 0;
    const cb_flag flags[] = {
        {"--findings-md", CB_FLAG_BOOL, &findings_md, NULL, "print the findings table (Markdown) to stdout"},
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
        fprintf(stderr, "cabound report: %s (usage: cabound report DIR [--findings-md] [--summary])\n",
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
    int rc = CB_EXIT_OK;
    if (cb_report_write_all(dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "cabound report: %s\n", err);
        rc = CB_EXIT_USAGE;
    }
    if (findings_md && cb_report_findings_md(results, stdout, err, sizeof(err)) != 0 && rc == CB_EXIT_OK) {
        fprintf(stderr, "cabound report: %s\n", err);
        rc = CB_EXIT_USAGE;
    }
    if (summary) {
        FILE *out = findings_md ? stderr : stdout;
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
