/* run_session.h — the parts of `cabound run` around the worker loop: options,
 * opening a run (stacks, suites, expectations, plan, resume, shard),
 * recording each line as it arrives, and the end of a run. */
#ifndef CABOUND_RUN_SESSION_H
#define CABOUND_RUN_SESSION_H

#include <jansson.h>
#include <stdio.h>

#include "case.h"
#include "flags.h"
#include "outcome.h"
#include "plan.h"
#include "progress.h"
#include "stacks.h"

typedef struct cb_run_opts {
    const char *out, *suites_dir, *expect_dir, *tls, *match, *shard, *pcap;
    cb_strlist stacks, suites;
    size_t jobs;
    int resume, update, quiet, list_only, no_reports, help, no_boundaries, allow_missing;
    int keep_captures;
} cb_run_opts;

void cb_run_opts_init(cb_run_opts *o);
/* cb_run_opts_parse returns -1 to go on, or an exit status to return. */
int cb_run_opts_parse(cb_run_opts *o, int argc, char **argv);

typedef struct cb_run_env {
    char out_dir[4096];
    char suites_dir[4096];
    cb_stack_info stacks[CB_MAX_STACKS];
    size_t n_stacks;
    cb_suite *suites;
    size_t n_suites;
    cb_expectations exp;
    cb_plan plan;
    unsigned char *done;
    FILE *results;
    size_t counts[8]; /* per outcome */
    size_t incomplete; /* lines lacking an expectation for a stack */
    size_t *line_plan; /* plan index of each line of results.jsonl, in file order */
    size_t n_lines, cap_lines;
    double t0;
    int write_failed; /* errno of the first results.jsonl write that failed, else 0 */
    size_t written;   /* lines this run appended to results.jsonl */
    size_t unrecorded; /* --update-expectations: lines that could not be recorded */
} cb_run_env;

/* cb_boundaries_run: see cmd_boundaries.c. */
int cb_boundaries_run(const char *out, const cb_strlist *only, const char *tls, int json, int quiet);

/* cb_run_env_open prepares a run; on failure prints why and returns -1. */
int cb_run_env_open(const cb_run_opts *o, cb_run_env *env);
/* cb_run_env_record judges |line| against the expectations, appends and
 * flushes it, frees it, and returns its outcome (a static string). */
const char *cb_run_env_record(cb_run_env *env, json_t *line);
/* cb_run_env_finish orders results.jsonl, writes the reports and the
 * summary, and returns the exit status. */
int cb_run_env_finish(cb_run_env *env, const cb_run_opts *o);
void cb_run_env_close(cb_run_env *env);

json_t *cb_error_line(const cb_case *c, const char *why);
json_t *cb_unsupported_line(const cb_case *c, const char *why);

#endif
