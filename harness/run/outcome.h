/* outcome.h — hold a results line against the recorded expectations. */
#ifndef CABOUND_OUTCOME_H
#define CABOUND_OUTCOME_H

#include <jansson.h>
#include <stddef.h>

#include "expect.h"
#include "suite.h"

typedef struct cb_expectations {
    cb_expect_file *files;
    size_t n;
    char dir[4096];
} cb_expectations;

/* cb_expectations_load reads every *.expect of |dir| (a missing directory is
 * no expectations). Returns 0, or -1 with "FILE:LINE: why" in |err|. */
int cb_expectations_load(const char *dir, cb_expectations *e, char *err, size_t errlen);
void cb_expectations_free(cb_expectations *e);

/* cb_outcome_apply sets "expected" and "outcome" on |line| (a results line
 * from cb_case_run). Returns 1 when a stack of the case had no matching
 * expectation (the completeness check counts these), else 0. */
int cb_outcome_apply(cb_expectations *e, json_t *line);

/* cb_fault_class maps a fault ("crash:SIGSEGV", "timeout", "shim-error: ...")
 * to the class an expectation names: crash, timeout or shim-error; "" for
 * none. */
const char *cb_fault_class(const char *fault);

/* cb_line_side_rules lists, space-separated in |out|, the rules a results
 * line says were hit about |role| (0 server, 1 client), from its
 * "rule_hits"; a line without them (an older results file) falls back to
 * each rule's fixed side, and a rule of either side to both. */
void cb_line_side_rules(json_t *line, int role, char *out, size_t outlen);

/* cb_line_rule_checked: the line says |rule| applied to |role|. */
int cb_line_rule_checked(json_t *line, int role, const char *rule);

/* cb_line_reason_contradicts: |reason|, recorded for the stack in |role| of
 * the case in |line|, names an error code or alert the case did not show
 * (reason.h). Returns 1 with why in |why|, else 0. */
int cb_line_reason_contradicts(json_t *line, int role, const char *reason, char *why, size_t whylen);

/* cb_outcome_is_failure: finding, regression, xpass, error. */
int cb_outcome_is_failure(const char *outcome);

#endif
